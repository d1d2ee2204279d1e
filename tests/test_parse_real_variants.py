"""Digest and newsletter files that differ from the seeds the way real files do (issue 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_helpers import Result, run_cli
from conftest import DIGEST_SEED, NEICAN_SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.parsing import parse_bytes, parse_text

NEICAN = NEICAN_SEED.read_text(encoding="utf-8")
DIGEST = DIGEST_SEED.read_text(encoding="utf-8")


def sections(text: str, name: str = "variant.txt") -> list[list[dict]]:
    """Each article's sections, in the JSON form of the parse contract."""
    return [a["sections"] for a in parse_text(text, name).to_json()["articles"]]


def bullet(text: str, *citations: int) -> dict:
    return {"text": text, "citations": list(citations)}


def section(heading: str, *bullets: dict) -> dict:
    return {"heading": heading, "bullets": list(bullets)}


# 1. A bullet without citations ends at the next ` - `.


def test_the_issues_example_is_three_bullets() -> None:
    summary = (
        "使用体验 - 提供探索模式 帮助用户发现内容 [3] - 有测试者反馈其内容整理结构清晰 "
        "但细节信息存在遗漏 - 后续计划开放开发者平台 [4]"
    )
    assert sections(f"Q\n标题\n某报· 2025-01-02 03:04\n{summary}\n") == [
        [
            section(
                "使用体验",
                bullet("提供探索模式 帮助用户发现内容", 3),
                bullet("有测试者反馈其内容整理结构清晰 但细节信息存在遗漏"),
                bullet("后续计划开放开发者平台", 4),
            )
        ]
    ]


def test_citation_less_bullets_first_last_and_alone_in_a_section() -> None:
    text = "\n".join(
        [
            "OpenAI动态",
            "模型发布一览",
            "机器之心· 2025-06-01 09:30",
            # first in its section, then last in the next, then alone in the last one
            "新品 - 没有引用的第一条 - 有引用的第二条 [1][2] 市场反应 - 股价上涨 [3] "
            "- 分析师看好但没有来源 - 无引用收尾 [5] 展望 - 下一步仍待观察",
            "第二篇",
            "量子位· 2025-06-02 10:00",
            # a whole article without a single citation: one section of three bullets
            "要点 - Agent框架开源 - 支持多模态 - 社区反响热烈",
            "",
        ]
    )
    assert sections(text) == [
        [
            section("新品", bullet("没有引用的第一条"), bullet("有引用的第二条", 1, 2)),
            section(
                "市场反应",
                bullet("股价上涨", 3),
                bullet("分析师看好但没有来源"),
                bullet("无引用收尾", 5),
            ),
            section("展望", bullet("下一步仍待观察")),
        ],
        [section("要点", bullet("Agent框架开源"), bullet("支持多模态"), bullet("社区反响热烈"))],
    ]


def test_text_after_a_bullet_without_citations_is_never_a_heading() -> None:
    # `… 风险提示 - …`: without a citation group before it, 风险提示 stays in the bullet.
    text = "Q\nT\n新浪科技· 2025-03-04 05:06\n概况 - 芯片短缺 风险提示 - 供应链紧张 [7]\n"
    assert sections(text) == [
        [section("概况", bullet("芯片短缺 风险提示"), bullet("供应链紧张", 7))]
    ]


def test_a_last_uncited_bullet_at_the_end_of_a_file_without_final_newline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Written whole (a final line end), it is kept; without one it may be cut: skipped."""
    whole = DIGEST + " - 另有一条没有引用的结论\n"
    last = parse_text(whole, "whole.txt").articles[-1]
    assert last.sections[-1].bullets[-1].text == "另有一条没有引用的结论"
    assert not parse_text(whole, "whole.txt").warnings
    cut = DIGEST + " - 另有一条没有引用的结"
    document = parse_text(cut, "cut.txt")
    assert len(document.articles) == 9
    assert len(document.warnings) == 1 and "skipped the last article" in document.warnings[0]


# 2. Only LF and CRLF end a line.

SEPARATORS = {
    "U+2028": "\u2028",
    "U+2029": "\u2029",
    "NEL": "\x85",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "lone CR": "\r",
    "two of them": "\u2028\r",
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("separator", SEPARATORS)
def test_line_separators_inside_a_title_and_a_summary(separator: str, newline: str) -> None:
    sep = SEPARATORS[separator]
    text = newline.join(
        [
            "英伟达",
            f"英伟达发布{sep}新一代GPU",
            "36氪· 2025-12-31 16:48",
            f"产品 - 推出Blackwell{sep}Ultra芯片 [1] - 性能{sep}提升 [2]{sep}市场 - 订单饱满 [3]",
            f"NVIDIA{sep}ships new GPU",
            "TechCrunch· 2025-12-30 08:00",
            f"Launch - Available{sep}{sep}now [1]",
        ]
    )
    document = parse_text(text, "sep.txt").to_json()
    assert [a["title"] for a in document["articles"]] == [
        "英伟达发布新一代GPU",
        "NVIDIA ships new GPU",
    ]
    assert [a["sections"] for a in document["articles"]] == [
        [
            section("产品", bullet("推出Blackwell Ultra芯片", 1), bullet("性能提升", 2)),
            section("市场", bullet("订单饱满", 3)),
        ],
        [section("Launch", bullet("Available now", 1))],
    ]


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85"])
def test_line_separators_inside_newsletter_paragraphs(separator: str) -> None:
    text = NEICAN.replace("[极小与极大:", f"[极小{separator}与极大:").replace(
        "【AI内参·锐评】 ", f"【AI内参·锐评】 AI{separator}Agent "
    )
    variant = parse_text(text, "n.txt").to_json()
    original = parse_text(NEICAN, "n.txt").to_json()
    assert len(variant["articles"]) == len(original["articles"]) == 6
    assert variant["articles"][1]["title"] == original["articles"][1]["title"]
    assert variant["articles"][1]["ruiping"] == "AI Agent " + original["articles"][1]["ruiping"]


def test_a_file_of_lone_cr_line_ends_still_parses() -> None:
    """A classic Mac file (no LF at all) keeps working: there, CR is its line end."""
    assert parse_text(DIGEST.replace("\n", "\r"), "mac.txt") == parse_text(DIGEST, "mac.txt")


# 3. Newsletter issues glued by `cat`.

ISSUE_DATES = ["2025年9月18日", "2025年9月19日", "2025年9月20日"]


def _issue(date: str) -> str:
    assert not NEICAN.endswith("\n")  # the seed has no final newline: `cat` glues it
    return NEICAN.replace("2025年12月30日", date)


@pytest.mark.parametrize("count", [2, 3])
def test_glued_issues_are_separate_issues(count: int) -> None:
    glued = "".join(_issue(d) for d in ISSUE_DATES[:count])
    assert "我们2026年见。今天是2025年9月19日。" in glued
    document = parse_text(glued, "glued.txt").to_json()
    overviews = [a for a in document["articles"] if a["kind"] == "overview"]
    items = [a for a in document["articles"] if a["kind"] == "article"]
    assert [o["title"] for o in overviews] == [
        "AI内参 2025-09-18",
        "AI内参 2025-09-19",
        "AI内参 2025-09-20",
    ][:count]
    assert len(items) == 5 * count
    single = parse_text(_issue(ISSUE_DATES[0]), "one.txt").to_json()["articles"]
    # each issue's 结语 ends where it ends in a single file: nothing of the next inside
    assert [o["sections"] for o in overviews] == [single[0]["sections"]] * count


def test_a_date_sentence_inside_a_paragraph_is_not_an_issue() -> None:
    text = NEICAN.replace("元旦快乐,", "主编说今天是2025年12月31日。元旦快乐,")
    document = parse_text(text, "n.txt").to_json()
    assert len(document["articles"]) == 6
    assert "主编说今天是2025年12月31日。" in json.dumps(document, ensure_ascii=False)


# 4. One impossible date skips that article only.


def parse_cli(capsys: pytest.CaptureFixture[str], path: Path, text: str) -> Result:
    path.write_text(text, encoding="utf-8")
    return run_cli(capsys, "parse", str(path), "--json")


def _with_dates(first: str, last: str) -> str:
    lines = DIGEST.split("\n")
    lines[5] = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", first, lines[5])
    lines[-2] = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", last, lines[-2])
    return "\n".join(lines)


def test_impossible_dates_at_the_start_and_the_end_skip_those_articles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dates.txt"
    result = parse_cli(capsys, path, _with_dates("2025-13-45 25:61", "2025-02-29 10:00"))
    assert result.code == 1
    data = json.loads(result.out)
    assert len(data["articles"]) == 8
    assert data["skipped"] == [
        {
            "line": 6,
            "title": "AI小登的尽头,是卖身老登?",
            "reason": "impossible date 2025-13-45 25:61",
        },
        {
            "line": 33,
            "title": "Meta拟削减元宇宙预算30%,累计亏损超700亿美元",
            "reason": "impossible date 2025-02-29 10:00",
        },
    ]
    assert result.err_lines == [
        f"warning: {path}:6: skipped “AI小登的尽头,是卖身老登?”: impossible date 2025-13-45 25:61",
        f"warning: {path}:33: skipped “Meta拟削减元宇宙预算30%,累计亏损超700亿美元”: "
        "impossible date 2025-02-29 10:00",
    ]


def test_a_real_leap_day_is_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = parse_cli(capsys, tmp_path / "leap.txt", _with_dates("2024-02-29 23:59", "2024-02-29"))
    assert result.code == 0 and result.err == ""
    data = json.loads(result.out)
    assert "skipped" not in data
    assert [data["articles"][0]["published"], data["articles"][-1]["published"]] == [
        "2024-02-29T23:59",
        "2024-02-29",
    ]


def test_a_file_of_only_impossible_dates_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = "Q\n标题\n某报· 2025-02-29 03:04\n要点 - 内容 [1]\n"
    result = parse_cli(capsys, tmp_path / "bad.txt", text)
    assert result.code == 1 and result.out == ""
    assert result.err_lines == [
        f"neican: error: {tmp_path / 'bad.txt'}:3: impossible date 2025-02-29 03:04"
    ]


def test_an_impossible_issue_date_skips_that_whole_issue(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    glued = _issue("2025年9月18日") + _issue("2025年2月29日") + _issue("2025年9月20日")
    path = tmp_path / "issues.txt"
    result = parse_cli(capsys, path, glued)
    assert result.code == 1
    data = json.loads(result.out)
    assert [a["title"] for a in data["articles"] if a["kind"] == "overview"] == [
        "AI内参 2025-09-18",
        "AI内参 2025-09-20",
    ]
    assert len(data["articles"]) == 12
    reason = "impossible date 2025-2-29: the whole issue (overview and 5 items)"
    assert data["skipped"] == [{"line": 52, "title": "AI内参 2025-2-29", "reason": reason}]
    assert result.err_lines == [f"warning: {path}:52: skipped “AI内参 2025-2-29”: {reason}"]


def test_import_skips_the_bad_article_and_imports_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dates.txt"
    path.write_text(_with_dates("2025-13-45 25:61", "2026-01-01 00:00"), encoding="utf-8")
    result = run_cli(capsys, "import", str(path), "--json")
    assert json.loads(result.out)["imported"] == [{"file": str(path), "articles": 9}]
    assert "dates.txt:6: skipped “AI小登的尽头,是卖身老登?”: impossible date" in result.err


# 5. Invisible characters are removed everywhere.

INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]


def _sprinkle(text: str, n: int) -> str:
    """Put invisible characters between the characters of `text` (rotating the list)."""
    return "".join(c + INVISIBLE[(n + i) % len(INVISIBLE)] for i, c in enumerate(text))


def test_invisible_characters_removed_from_every_digest_field() -> None:
    text = "\n".join(
        [
            _sprinkle("英伟达", 0),
            _sprinkle("英伟达发布新一代GPU", 1),
            _sprinkle("36氪", 3) + "· 2025-12-31 16:48",
            f"{_sprinkle('产品', 5)} - **{_sprinkle('亮点', 7)}**:{_sprinkle('性能提升', 9)} [1]",
        ]
    )
    document = parse_text(text, "z.txt").to_json()
    assert document["feed"] == "英伟达"
    assert document["articles"][0] | {"sections": None} == {
        "kind": "article",
        "title": "英伟达发布新一代GPU",
        "outlets": ["36氪"],
        "published": "2025-12-31T16:48",
        "links": [],
        "ruiping": None,
        "sections": None,
    }
    assert document["articles"][0]["sections"] == [section("产品", bullet("**亮点**:性能提升", 1))]


def test_invisible_characters_removed_from_every_newsletter_field() -> None:
    text = (
        NEICAN.replace("[极小与极大:", "[" + _sprinkle("极小与极大:", 2))
        .replace("【AI内参·锐评】 ", "【AI内参·锐评】 " + _sprinkle("英伟达", 4))
        .replace("- 来源: ", "- 来源: " + _sprinkle("虎嗅", 6) + "、", 1)
        .replace("- 链接: https://", "- 链接: https://\u200bexample.com/\u2060a ", 1)
    )
    variant = parse_text(text, "z.txt").to_json()["articles"][1]
    assert variant["title"] == "极小与极大:MiniMax的“极简主义”野望"
    assert variant["ruiping"].startswith("英伟达")
    assert variant["outlets"][0] == "虎嗅"
    assert variant["links"][0] == "https://example.com/a"
    for char in INVISIBLE:
        assert char not in json.dumps(variant, ensure_ascii=False)


def test_search_finds_a_word_split_by_invisible_characters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "z.txt"
    title = "英\u200b伟\u200d达\u2060发布\u00ad新\ufeff芯片"
    path.write_text(f"Q\n{title}\n某报· 2025-01-02 03:04\n要点 - 内容 [1]\n", encoding="utf-8")
    assert run_cli(capsys, "import", str(path)).code == 0
    result = run_cli(capsys, "search", "英伟达", "--json")
    assert [h["title"] for h in json.loads(result.out)["hits"]] == ["英伟达发布新芯片"]


# The digest structure round-trips: build the text from a structure, parse, compare.

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
WORD = st.text(st.one_of(CJK, LATIN), min_size=1, max_size=6)
# Words joined by single spaces: no ` - `, no `[`, no leading/trailing space.
PHRASE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
CITATIONS = st.lists(st.integers(1, 99), max_size=3).map(tuple)
BULLET = st.tuples(st.one_of(st.none(), WORD), PHRASE, CITATIONS)
SECTION = st.tuples(PHRASE, st.lists(BULLET, min_size=1, max_size=4))


@st.composite
def summaries(draw: st.DrawFn) -> list[tuple[str, list[tuple[str | None, str, tuple]]]]:
    """Sections whose bullets end in citations where the next section's heading follows
    (the layout's one rule: a heading can only come after a citation group)."""
    drawn = draw(st.lists(SECTION, min_size=1, max_size=4))
    for index in range(len(drawn) - 1):
        label, text, citations = drawn[index][1][-1]
        if not citations:
            drawn[index][1][-1] = (label, text, (draw(st.integers(1, 99)),))
    return drawn


def _summary_text(structure: list) -> str:
    parts = []
    for heading, bullets in structure:
        parts.append(heading)
        for label, text, citations in bullets:
            body = f"**{label}**:{text}" if label else text
            cites = "".join(f"[{c}]" for c in citations)
            parts.append(f"- {body} {cites}".rstrip())
    return " ".join(parts)


def _expected(structure: list) -> list[dict]:
    return [
        section(
            heading,
            *(bullet(f"**{lb}**:{tx}" if lb else tx, *cs) for lb, tx, cs in bullets),
        )
        for heading, bullets in structure
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(summaries(), min_size=1, max_size=4), st.sampled_from(["\n", "\r\n"]))
def test_any_digest_parses_back_to_its_structure(articles: list, newline: str) -> None:
    lines = ["随机查询"]
    for n, structure in enumerate(articles):
        lines += [f"标题{n}", f"某报· 2025-01-{n + 1:02d} 0{n}:00", _summary_text(structure)]
    text = newline.join(lines) + newline
    document = parse_bytes(text.encode(), "random.txt")
    assert not document.warnings
    assert [a.to_json()["sections"] for a in document.articles] == [_expected(s) for s in articles]
