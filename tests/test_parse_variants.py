"""Real users' copies of the seeds parse to the same structure as the clean originals."""

from __future__ import annotations

import codecs
import re

import pytest
from conftest import DIGEST_SEED, NEICAN_SEED

from store.parsing import parse_bytes, parse_text

DIGEST = DIGEST_SEED.read_text(encoding="utf-8")
NEICAN = NEICAN_SEED.read_text(encoding="utf-8")
SEEDS = {"digest": DIGEST, "neican": NEICAN}


def contract(data: bytes | str, name: str = "variant.txt") -> dict:
    if isinstance(data, str):
        return parse_text(data, name).to_json()
    return parse_bytes(data, name).to_json()


@pytest.fixture(params=["digest", "neican"])
def seed(request: pytest.FixtureRequest) -> tuple[str, dict]:
    text = SEEDS[request.param]
    return text, contract(text.encode("utf-8"))


ENCODINGS = {
    "utf-8 with BOM": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.encode("gbk"),
    "utf-16-le with BOM": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be with BOM": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16 (python's BOM)": lambda t: t.encode("utf-16"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encodings_parse_like_the_original(seed: tuple[str, dict], encoding: str) -> None:
    text, expected = seed
    assert contract(ENCODINGS[encoding](text)) == expected


def test_gbk_is_detected_not_mojibake() -> None:
    document = parse_bytes(NEICAN.encode("gbk"), "gbk.txt")
    assert document.articles[1].title == "极小与极大:MiniMax的“极简主义”野望"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends(seed: tuple[str, dict], newline: str) -> None:
    text, expected = seed
    assert contract(text.replace("\n", newline).encode()) == expected


def test_blank_lines_trailing_spaces_and_tabs(seed: tuple[str, dict]) -> None:
    text, expected = seed
    messy = (
        "\n\n \t\n"
        + "\n\n\t \n".join(
            f"\t{line}  \t " if i % 2 else f"{line}\t" for i, line in enumerate(text.split("\n"))
        )
        + "\n\n\n"
    )
    assert contract(messy) == expected


def test_tabs_and_runs_of_spaces_inside_lines(seed: tuple[str, dict]) -> None:
    text, expected = seed
    assert contract(text.replace(" ", " \t  ")) == expected


FULL_WIDTH = str.maketrans({":": "：", ",": "，", "(": "（", ")": "）", "?": "？", " ": "\u3000"})


def test_full_width_colons_commas_and_spaces(seed: tuple[str, dict]) -> None:
    text, expected = seed

    def widen(line: str) -> str:  # `- 链接：https://…`: widen up to the URL
        head, sep, url = line.partition("http")
        return head.translate(FULL_WIDTH) + sep + url

    widened = "\n".join(widen(line) for line in text.split("\n"))
    assert "：" in widened and "\u3000" in widened
    assert contract(widened) == expected


def test_nfkc_equivalent_characters(seed: tuple[str, dict]) -> None:
    text, expected = seed

    # Full-width Latin letters and digits (ＭｉｎｉＭａｘ, ２０２５) are what Chinese input
    # methods produce; NFKC folds them back. URLs stay as they are.
    def widen(line: str) -> str:
        if "http" in line:
            return line
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in line)

    widened = "\n".join(widen(line) for line in text.split("\n"))
    assert "ＡＩ" in widened
    assert contract(widened) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ＡＩ…大模型\u3000ＧＰＴ－５",
        "Ⅱ期 ①号 ™ ﬁne",
        "…only an ellipsis",
        "plain text",
        "Ⅱ期\nＡＩ\n①",
        "e\u0301\n\u0301x\nplain",  # a combining mark after a newline
        "\u0301\uac00\u11a8\n\u1100\u1161",  # Hangul jamo compose within a line only
    ],
)
def test_cleaning_is_exactly_nfkc(text: str) -> None:
    # a translate() table does the common cases fast; the result must be NFKC's
    import unicodedata

    from store.sanitize import clean_text

    assert clean_text(text) == unicodedata.normalize("NFKC", text)


def test_digest_without_app_header() -> None:
    expected = contract(DIGEST)
    without_chrome = "\n".join(
        line for line in DIGEST.split("\n") if line not in ("Workflow", "icon", "搜索文档")
    )
    assert contract(without_chrome) == expected


def test_digest_without_any_header_falls_back_to_a_generic_feed() -> None:
    expected = contract(DIGEST)
    bare = "\n".join(DIGEST.split("\n")[4:])
    document = contract(bare)
    assert document["feed"] == "搜索文档"
    assert document["articles"] == expected["articles"]


def test_several_newsletter_issues_in_one_file() -> None:
    second = NEICAN.replace("今天是2025年12月30日。", "今天是2025年12月31日。").replace(
        "[极小与极大:MiniMax的“极简主义”野望]", "[第二期的第一条]"
    )
    document = contract(NEICAN + "\n\n" + second)
    articles = document["articles"]
    assert [(a["kind"], a["published"]) for a in articles] == (
        [("overview", "2025-12-30")]
        + [("article", "2025-12-30")] * 5
        + [("overview", "2025-12-31")]
        + [("article", "2025-12-31")] * 5
    )
    first_overview, second_overview = articles[0], articles[6]
    assert first_overview["title"] == "AI内参 2025-12-30"
    assert second_overview["title"] == "AI内参 2025-12-31"
    # Each issue keeps its own 结语: nothing of the second is glued onto the first.
    assert [s["heading"] for s in first_overview["sections"]] == ["", "今日速览", "结语"]
    assert first_overview["sections"][2]["bullets"][-1]["text"] == "元旦快乐,我们2026年见。"
    assert articles[7]["title"] == "第二期的第一条"
    assert articles[1:6] == contract(NEICAN)["articles"][1:6]


def test_control_characters_removed_brackets_kept() -> None:
    hostile = DIGEST.replace(
        "AI小登的尽头,是卖身老登?",
        "AI小登\x1b[2J的尽头[bold],是\x07卖身[/x]老登?\x1b]0;t\x07\x9b\x7f[1]",
    ).replace(
        "[1] - 并购的核心动机",
        "[1] - [@click=app.quit]q[/]并购\x00的核心动机".replace("\x00", "\x01"),
    )
    document = parse_text(hostile, "hostile.txt")
    first = document.articles[0]
    assert first.title == "AI小登的尽头[bold],是卖身[/x]老登?[1]"
    assert (
        first.sections[0].bullets[1].text
        == "[@click=app.quit]q[/]并购的核心动机是巨头为弥补能力短板 规避内部研发的高成本和不确定性 以资本换取宝贵的时间窗口"
    )
    flat = repr(document.to_json())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", str(document.to_json()))
    assert "\\x1b" not in flat


def test_wrapped_summary_line_is_joined() -> None:
    expected = contract(DIGEST)
    wrapped = DIGEST.replace(" [1] - 并购的核心动机", " [1]\n- 并购的核心动机").replace(
        "[4][6][8] 巨头面临的挑战与战略选择 - ", "[4][6][8] 巨头面临的挑战与战略选择\n - "
    )
    assert wrapped != DIGEST
    assert contract(wrapped) == expected


def test_a_spaced_dash_ends_a_bullet_without_citations() -> None:
    # PRODUCT.md §1a: a bullet ends at its citation group or at the next ` - ` (a dash
    # inside a bullet's own text is written without spaces: `GPT-4`).
    text = "Q\n标题\n某报· 2025-01-02 03:04\n观点 - GPT-4 - 5的差距 [3] - 第二条 [4]"
    article = contract(text)["articles"][0]
    assert article["sections"] == [
        {
            "heading": "观点",
            "bullets": [
                {"text": "GPT-4", "citations": []},
                {"text": "5的差距", "citations": [3]},
                {"text": "第二条", "citations": [4]},
            ],
        }
    ]
