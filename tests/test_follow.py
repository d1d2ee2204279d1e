"""Followed searches stay exact as the library grows and is read; `money:` filters amounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import big_digest

from store.errors import NeicanError
from store.library import Library
from store.model import Bullet, ParsedArticle, Section

URL = "http://127.0.0.1:8000/feed.xml"


def entry(title: str, published: str, text: str, outlet: str = "量子位") -> ParsedArticle:
    return ParsedArticle(
        "article",
        title,
        (outlet,),
        published,
        ("http://127.0.0.1:8000/a",),
        None,
        (Section("", (Bullet(text),)),),
    )


AMOUNTS = {
    "二十亿": entry("甲公司融资", "2025-03-01T10:00", "甲公司完成 20亿美元 融资。"),
    "一点二五亿": entry("乙公司融资", "2025-03-02T10:00", "乙公司获得 1.25亿美元 投资。"),
    "人民币": entry("丙公司融资", "2025-03-03T10:00", "丙公司完成 21.95亿元 融资。"),
    "数亿": entry("丁公司融资", "2025-03-04T10:00", "丁公司获数亿美元融资。"),
    "美元符号": entry("戊公司融资", "2025-03-05T10:00", "The round raised $2B from investors."),
    "区间": entry("己公司融资", "2025-03-06T10:00", "估值在 1亿至3亿美元 之间。"),
    "无": entry("庚公司发布模型", "2025-03-07T10:00", "庚公司发布新模型，没有提到钱。"),
}


@pytest.fixture
def money_lib(tmp_path: Path):
    with Library(tmp_path / "lib.db") as lib:
        lib.write_articles("融资快讯", "rss", list(AMOUNTS.values()), URL)
        yield lib


def titles(lib: Library, query: str) -> set[str]:
    result = lib.search(query, limit=0)
    assert result.total == len(result.hits)
    return {h.title for h in result.hits}


def named(*keys: str) -> set[str]:
    return {AMOUNTS[k].title for k in keys}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A range matches when part of it does: 1亿..3亿 reaches 1亿 and lies below 2亿.
        ("money:>=1亿美元", named("二十亿", "一点二五亿", "美元符号", "区间")),
        ("money:>1.25亿美元", named("二十亿", "美元符号", "区间")),
        ("money:<2亿美元", named("一点二五亿", "区间")),
        ("money:<=1.25亿美元", named("一点二五亿", "区间")),
        # `$2B` and `20亿美元` are the same amount; `=` inside a range matches it.
        ("money:=20亿美元", named("二十亿", "美元符号")),
        ("money:$2B", named("二十亿", "美元符号")),
        ("money:=2亿美元", named("区间")),
        # Currencies are not converted: 21.95亿元 only answers to 元.
        ("money:>10亿元", named("人民币")),
        ("money:>=21.95亿元", named("人民币")),
        ("money:>=1亿美元 money:<2亿美元", named("一点二五亿", "区间")),
        # Without a currency: any currency.
        ("money:>20亿", named("人民币")),
        # With words, exclusions and other filters.
        ("money:>=1亿美元 完成", named("二十亿")),
        ("money:>=1亿美元 -完成", named("一点二五亿", "美元符号", "区间")),
        ("money:>=1亿美元 after:2025-03-05", named("美元符号", "区间")),
        (
            "money:>=1亿美元 outlet:量子位 is:unread",
            named("二十亿", "一点二五亿", "美元符号", "区间"),
        ),
    ],
)
def test_money_filter(money_lib: Library, query: str, expected: set[str]) -> None:
    assert titles(money_lib, query) == expected


def test_a_vague_amount_matches_no_comparison(money_lib: Library) -> None:
    vague = AMOUNTS["数亿"].title
    for query in ("money:>0美元", "money:<1000000亿美元", "money:>=1亿美元"):
        assert vague not in titles(money_lib, query)
    assert titles(money_lib, "entity:数亿美元") == {vague}  # still an entity


@pytest.mark.parametrize(
    "query", ["money:>abc", "money:>=数亿美元", "money:>", "money:1亿至2亿美元"]
)
def test_a_bad_amount_is_a_problem_not_everything(money_lib: Library, query: str) -> None:
    result = money_lib.search(query, limit=0)
    assert result.total == 0
    assert any("money:" in p for p in result.problems)
    # beside a word, the bad filter is ignored and the word still searches
    result = money_lib.search(f"{query} 模型", limit=0)
    assert {h.title for h in result.hits} == named("无")


# followed searches ------------------------------------------------------------------

FOLLOWED = {
    "芯片": "芯片",
    "排除": "英伟达 -谷歌",
    "短语": '"人工 智能"',
    "过滤": "outlet:测试社 after:2024-06-01",
    "未读": "is:unread 模型",
    "钱": "money:>=1亿美元",
    "实体": "entity:英伟达",
}


def assert_exact(lib: Library) -> None:
    follows = {f.name: f for f in lib.follows()}
    assert set(follows) == set(FOLLOWED)
    for name, query in FOLLOWED.items():
        result = lib.search(query, limit=0)
        assert follows[name].total == result.total, name
        assert follows[name].unread == sum(not h.read for h in result.hits), name


def test_followed_counts_stay_exact_as_the_library_grows(seeded_db: Path, tmp_path: Path) -> None:
    with Library(seeded_db) as lib:
        for name, query in FOLLOWED.items():
            lib.follow_add(name, query)
        assert_exact(lib)
        assert all(f.new == 0 for f in lib.follows())  # what was there is not new
        before = {f.name: f.total for f in lib.follows()}
        for n in range(3):
            digest = tmp_path / f"more{n}.txt"
            big_digest(digest, 40 + n, f"增量{n}")
            assert lib.import_paths([digest]).imported
            lib.write_articles("融资快讯", "rss", [AMOUNTS["二十亿"], AMOUNTS["美元符号"]], URL)
            assert_exact(lib)
        after = {f.name: f for f in lib.follows()}
        assert after["钱"].new >= 2 and after["芯片"].new > 0
        for name, follow in after.items():
            if name != "未读":  # (is:unread 模型 also counts what was there once read)
                assert follow.new == follow.total - before[name], name


def test_read_and_unread_change_the_unread_counts(seeded_db: Path) -> None:
    with Library(seeded_db) as lib:
        lib.follow_add("芯片", "芯片")
        (before,) = lib.follows()
        hit = lib.search("芯片", limit=1).hits[0]
        lib.set_read(hit.id, True)
        (after,) = lib.follows()
        assert (after.total, after.unread) == (before.total, before.unread - 1)
        lib.set_read(hit.id, False)
        assert lib.follows()[0].unread == before.unread


def test_edits_and_notes_that_change_matches_are_followed(seeded_db: Path) -> None:
    with Library(seeded_db) as lib:
        lib.follow_add("批注", "独一无二的批注")
        assert lib.follows()[0].total == 0
        article_id = lib.article_rows(limit=1)[0].id
        note = lib.add_note(article_id, "quote", "引用", comment="独一无二的批注")
        assert lib.follows()[0].total == 1 == lib.search("独一无二的批注", limit=0).total
        lib.delete_note(note.id)
        assert lib.follows()[0].total == 0


def test_follow_check_lists_new_articles_once(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.write_articles("融资快讯", "rss", [AMOUNTS["二十亿"]], URL)
        lib.follow_add("钱", "money:>=1亿美元")
        assert lib.follow_check() == [lib.follow_check()[0]]
        assert lib.follow_check()[0].new == ()
        lib.write_articles("融资快讯", "rss", [AMOUNTS["美元符号"], AMOUNTS["一点二五亿"]], URL)
        (checked,) = lib.follow_check()
        # newest first
        assert [a.title for a in checked.new] == [
            AMOUNTS["美元符号"].title,
            AMOUNTS["一点二五亿"].title,
        ]
        assert lib.follow_check()[0].new == ()
        assert lib.follows()[0].new == 0
        # an updated article is not new
        changed = AMOUNTS["二十亿"]
        changed = ParsedArticle(
            changed.kind, changed.title, changed.outlets, changed.published, changed.links,
            None, (Section("", (Bullet("甲公司完成 20亿美元 融资，估值翻倍。"),)),),
        )  # fmt: skip
        assert lib.write_articles("融资快讯", "rss", [changed], URL).updated == 1
        assert lib.follow_check()[0].new == ()


def test_opening_in_the_reader_resets_new(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.follow_add("钱", "money:>=1亿美元")
        lib.write_articles("融资快讯", "rss", [AMOUNTS["二十亿"]], URL)
        assert lib.follows()[0].new == 1
        lib.follow_seen("钱")
        assert lib.follows()[0].new == 0


def test_bad_follows_are_refused(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.follow_add("a", "芯片")
        for name, query in (("a", "模型"), ("", "模型"), ("b", "  "), ("c", "money:>abc")):
            with pytest.raises(NeicanError):
                lib.follow_add(name, query)
        with pytest.raises(NeicanError):
            lib.follow_remove("nope")
        with pytest.raises(NeicanError):
            lib.follow_check(["nope"])


def test_since_the_previous_session(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.write_articles("融资快讯", "rss", [AMOUNTS["二十亿"]], URL)
        assert lib.start_session() == 0
        assert lib.since_rows(0)  # no session before: everything
        lib.write_articles("模型快讯", "rss", [AMOUNTS["无"]], URL)
        lib.write_articles("融资快讯", "rss", [AMOUNTS["数亿"]], URL)
        mark = lib.start_session()
        # the previous session started before both arrived: they are new, by feed
        assert [r.feed for r in lib.since_rows(mark)] == ["模型快讯", "融资快讯"]
        assert lib.since_counts(mark) == (2, 2)
        assert lib.since_rows(lib.start_session()) == []


# the command line -------------------------------------------------------------------


def test_cli_json_shapes_and_totals(
    seeded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(seeded_db)]
    assert run_cli(capsys, "follow", "add", "芯片", "芯片 -谷歌", *db).code == 0
    assert run_cli(capsys, "follow", "add", "钱", "money:>=1亿美元", *db).code == 0
    listed = json.loads(run_cli(capsys, "follow", "list", "--json", *db).out)
    assert [sorted(f) for f in listed] == [["name", "new", "query", "total", "unread"]] * 2
    for item in listed:
        search = json.loads(
            run_cli(capsys, "search", item["query"], "--limit", "0", "--json", *db).out
        )
        assert item["total"] == search["total"]
    digest = tmp_path / "more.txt"
    big_digest(digest, 30, "增量")
    assert run_cli(capsys, "import", str(digest), *db).code == 0
    checked = json.loads(run_cli(capsys, "follow", "check", "芯片", "--json", *db).out)
    assert [c["name"] for c in checked] == ["芯片"]
    assert checked[0]["new"], "the import brought new 芯片 articles"
    assert sorted(checked[0]["new"][0]) == ["feed", "id", "published", "title"]
    dates = [a["published"] for a in checked[0]["new"]]
    assert dates == sorted(dates, reverse=True)
    again = json.loads(run_cli(capsys, "follow", "check", "--json", *db).out)
    assert {c["name"]: c["new"] for c in again}["芯片"] == []
    assert run_cli(capsys, "follow", "remove", "钱", *db).code == 0
    assert [
        f["name"] for f in json.loads(run_cli(capsys, "follow", "list", "--json", *db).out)
    ] == ["芯片"]
    bad = run_cli(capsys, "follow", "remove", "钱", *db)
    assert bad.code == 1 and bad.err_lines == [
        "neican: error: no followed search named '钱' (neican follow list)"
    ]


def test_after_an_import_only_the_new_articles_are_searched(
    seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import follow

    calls: list[tuple[str, int]] = []
    real = follow.matching_ids

    def spy(library, text, after_id=0, upto_id=None):  # type: ignore[no-untyped-def]
        calls.append((text, after_id))
        return real(library, text, after_id, upto_id)

    monkeypatch.setattr(follow, "matching_ids", spy)
    with Library(seeded_db) as lib:
        lib.follow_add("芯片", "芯片")
        lib.follow_add("未读", "is:unread 芯片")
        lib.follows()
        last = lib.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
        calls.clear()
        lib.follows()  # nothing new: only the read-state query is searched again
        assert calls == [("is:unread 芯片", 0)]
        calls.clear()
        lib.write_articles("融资快讯", "rss", [AMOUNTS["无"]], URL)
        lib.follows()
        assert sorted(calls) == [("is:unread 芯片", 0), ("芯片", last)]
        calls.clear()
        lib.set_read(last, True)  # reading changes no match: nothing is searched
        lib.follows()
        assert calls == [("is:unread 芯片", 0)]
