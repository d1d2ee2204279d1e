"""One article, many feeds: the same article under two feeds is stored once (PRODUCT.md §3)."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import DATA, DIGEST_SEED, NEICAN_SEED, SEEDS
from test_search import ids, searchable, substring_ids

from store.library import Library
from store.model import ParsedArticle

OLD_LIBRARY = DATA / "libraries" / "v010-two-query-feeds.db.gz"
SHARED_TITLE = "Meta为何花10亿美金收购这家中国AI应用公司?"
DROPPED_TITLE = "微软或与Kimi合作上线Agent功能"  # (the start of the seed digest's 6th title)


def digest_as(tmp_path: Path, feed: str, name: str, drop: tuple[str, ...] = ()) -> Path:
    """The seed digest with its query line set to `feed`, without the articles whose
    titles start with one of `drop` (their title, outlet and body lines)."""
    lines = DIGEST_SEED.read_text(encoding="utf-8").split("\n")
    lines[1] = feed
    for start in drop:
        at = next(i for i, line in enumerate(lines) if line.startswith(start))
        del lines[at : at + 3]
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def feed_counts(lib: Library) -> dict[str, tuple[int, int]]:
    return {f.name: (f.articles, f.unread) for f in lib.feeds()}


def article_id(lib: Library, title: str, feed: str | None = None) -> int:
    (found,) = [r.id for r in lib.article_rows(feed=feed) if r.title == title]
    return found


@pytest.fixture
def two_feeds(tmp_path: Path) -> Library:
    """Both seeds, the 《AI内参》 seed a second time from another path, and the seed digest
    under a second query feed."""
    neican_copy = tmp_path / "again" / "ai-neican.txt"
    neican_copy.parent.mkdir()
    shutil.copy(NEICAN_SEED, neican_copy)
    lib = Library(tmp_path / "lib.db")
    report = lib.import_paths([SEEDS, neican_copy, digest_as(tmp_path, "Meta收购", "meta.txt")])
    assert not report.refused
    return lib


def test_one_digest_under_two_feeds_is_stored_once(
    two_feeds: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = two_feeds
    assert lib.article_count() == 16
    assert feed_counts(lib) == {"AI内参": (6, 6), "Llama模型": (10, 10), "Meta收购": (10, 10)}
    assert lib.totals() == (16, 16)
    assert lib.stats()["feeds"] == 3
    shared = article_id(lib, SHARED_TITLE, "Llama模型")
    assert article_id(lib, SHARED_TITLE, "Meta收购") == shared
    # Read and noted once, seen so from both feeds.
    lib.set_read(shared)
    note = lib.add_note(shared, "quote", "Meta以估值超20亿美元", comment="两个频道都看得到")
    for feed in ("Llama模型", "Meta收购"):
        (row,) = [r for r in lib.article_rows(feed=feed) if r.id == shared]
        assert row.read and row.noted
        assert [r.id for r in lib.article_rows(feed=feed, unread_only=True)].count(shared) == 0
    assert feed_counts(lib) == {"AI内参": (6, 6), "Llama模型": (10, 9), "Meta收购": (10, 9)}
    assert lib.totals() == (16, 15)
    assert [n.id for n in lib.article(shared).notes] == [note.id]
    # Search lists it once; `feed:` finds it in either feed.
    assert [h.id for h in lib.search(SHARED_TITLE, limit=None).hits].count(shared) == 1
    assert [h.id for h in lib.search("两个频道都看得到", limit=None).hits] == [shared]
    for feed in ("Meta收购", "Llama模型"):
        found = lib.search(f"feed:{feed} 收购这家中国AI", limit=None)
        assert [h.id for h in found.hits] == [shared]
    assert len(lib.search("feed:Meta收购", limit=None).hits) == 10
    assert lib.article(shared).feeds == ("Llama模型", "Meta收购")
    shown = run_cli(capsys, "show", str(shared), "--json", "--db", str(lib.path))
    data = json.loads(shown.out)
    assert (data["feed"], data["feeds"]) == ("Llama模型", ["Llama模型", "Meta收购"])
    text = run_cli(capsys, "show", str(shared), "--db", str(lib.path)).out
    assert text.splitlines()[1].startswith("Llama模型、Meta收购 · 首席商业评论 · ")
    only_one = article_id(lib, "AI内参 2025-12-30")
    assert json.loads(run_cli(capsys, "show", str(only_one), "--json", "--db", str(lib.path)).out)[
        "feeds"
    ] == ["AI内参"]
    lib.close()


def test_near_duplicates_from_two_outlets_stay_two(two_feeds: Library) -> None:
    # The same story from 虎嗅APP and 36氪, the titles differing by a space: two articles.
    rows = [r for r in two_feeds.article_rows() if r.title.startswith("华人掌舵Meta AI")]
    assert sorted((r.title, r.outlets) for r in rows) == [
        ("华人掌舵Meta AI 的格局,已经初步形成了", ("36氪",)),
        ("华人掌舵Meta AI的格局,已经初步形成了", ("虎嗅APP",)),
    ]
    two_feeds.close()


def test_an_article_dropped_from_one_feed_stays_in_the_other(
    two_feeds: Library, tmp_path: Path
) -> None:
    lib = two_feeds
    dropped = next(r for r in lib.article_rows() if r.title.startswith(DROPPED_TITLE))
    # The Meta收购 file edited: the article left it; it is still in Llama模型.
    digest_as(tmp_path, "Meta收购", "meta.txt", drop=(DROPPED_TITLE,))
    (outcome,) = lib.import_paths([tmp_path / "meta.txt"]).outcomes
    assert (outcome.result, outcome.removed) == ("imported", 1)
    assert lib.article_count() == 16
    assert feed_counts(lib)["Meta收购"] == (9, 9)
    assert feed_counts(lib)["Llama模型"] == (10, 10)
    assert dropped.id not in {r.id for r in lib.article_rows(feed="Meta收购")}
    assert lib.article(dropped.id).feeds == ("Llama模型",)
    assert dropped.id not in {h.id for h in lib.search("feed:Meta收购", limit=None).hits}
    lib.close()


def test_an_article_in_no_feed_leaves_unless_noted(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    llama = digest_as(tmp_path, "Llama模型", "llama.txt")
    meta = digest_as(tmp_path, "Meta收购", "meta.txt")
    lib.import_paths([llama, meta])
    assert lib.article_count() == 10
    kept = article_id(lib, SHARED_TITLE)
    lib.add_note(kept, "quote", "Meta以估值超20亿美元")
    for feed, path in (("Llama模型", llama), ("Meta收购", meta)):
        digest_as(tmp_path, feed, path.name, drop=(DROPPED_TITLE, SHARED_TITLE))
        lib.import_paths([path])
        if feed == "Llama模型":  # still in Meta收购: both stay
            assert lib.article_count() == 10
    titles = {r.title for r in lib.article_rows()}
    assert not any(t.startswith(DROPPED_TITLE) for t in titles)  # in no feed: removed
    assert SHARED_TITLE in titles  # in no feed's file, but noted: kept, still listed
    assert lib.article_count() == 9
    # (listed in the feed that carried it last)
    assert [r.id for r in lib.article_rows(feed="Meta收购")].count(kept) == 1
    assert lib.article(kept).feeds == ("Meta收购",)
    lib.close()


def test_a_file_that_changes_its_feed_line_moves_its_articles(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    path = digest_as(tmp_path, "Llama模型", "digest.txt")
    lib.import_paths([path])
    digest_as(tmp_path, "Meta收购", "digest.txt")
    lib.import_paths([path])
    assert feed_counts(lib) == {"Meta收购": (10, 10)}
    assert lib.article(article_id(lib, SHARED_TITLE)).feeds == ("Meta收购",)
    assert lib.stats()["feeds"] == 1
    lib.close()


def test_entries_with_their_own_keys_are_one_article_in_two_feeds(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")

    def entry(title: str) -> ParsedArticle:
        return ParsedArticle(
            kind="digest",
            title=title,
            outlets=(),
            published="2026-01-02T10:00",
            links=("https://example.com/a",),
            ruiping=None,
            sections=(),
        )

    # The same link, titled differently by two feeds: their key says it is one article.
    first = lib.write_articles("Feed A", "rss", [entry("标题一")], "https://a.example/rss", ["k1"])
    second = lib.write_articles("Feed B", "rss", [entry("标题二")], "https://b.example/rss", ["k1"])
    assert (first.added, second.added, second.updated) == (1, 1, 0)  # new to Feed B
    assert lib.article_count() == 1
    assert feed_counts(lib) == {"Feed A": (1, 1), "Feed B": (1, 1)}
    (row,) = lib.article_rows()
    assert lib.article(row.id).title == "标题二"
    lib.close()


# A library built by the previous release -------------------------------------------


def old_library(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    path.write_bytes(gzip.decompress(OLD_LIBRARY.read_bytes()))
    return path


def test_an_old_library_with_copies_is_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both seeds, and the seed digest again as `Meta收购` (26 articles); notes on 2, 18
    # (18 is the Meta收购 copy of 2) and 13; read: 1 (not its copy 17), 19 (not its
    # copy 3), 5 and its copy 21.
    path = old_library(tmp_path)
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert lib.backup_path is not None and lib.backup_path.exists()
        assert notices == []  # nothing re-indexed: only the copies left the indexes
        assert lib.article_count() == 16
        assert feed_counts(lib) == {"AI内参": (6, 6), "Llama模型": (10, 7), "Meta收购": (10, 7)}
        merged = lib.article(2)
        assert merged.title == SHARED_TITLE
        assert [(n.comment, n.tags) for n in merged.notes] == [
            ("第一份的笔记", ("meta",)),
            ("第二份的笔记", ("收购",)),
        ]
        assert [n.kind for n in lib.article(13).notes] == ["ruiping"]
        # Read if any copy was read.
        assert [lib.article(i).read for i in (1, 3, 5)] == [True, True, True]
        assert lib.totals() == (16, 13)
        assert lib.article(2).feeds == ("Llama模型", "Meta收购")
        titles = [h.title for h in lib.search("Meta", limit=None).hits]
        assert len(titles) == len(set(titles)) > 5
        # The merged copy's note comment is found on the article that has it now.
        assert [h.id for h in lib.search("第二份的笔记", limit=None).hits] == [2]
        assert [h.id for h in lib.search("第一份的笔记", limit=None).hits] == [2]
        assert {h.id for h in lib.search("feed:Meta收购", limit=None).hits} == {
            r.id for r in lib.article_rows(feed="Llama模型")
        }
        texts = searchable(lib)
        queries = ["Meta", "meta", "收购", "AI", "英伟达", "笔记", "格局", "Manus", "亿"]
        for query in queries:
            assert ids(lib, query) == substring_ids(texts, query), query
        before = {q: ids(lib, q) for q in queries}
        lib.reindex()  # the indexes as m011 left them are the indexes made afresh
        assert {q: ids(lib, q) for q in queries} == before
    shown = run_cli(capsys, "show", "2", "--json", "--db", str(path))
    assert json.loads(shown.out)["feeds"] == ["Llama模型", "Meta收购"]
    with sqlite3.connect(path) as conn:  # each copy's file still holds its membership
        members = conn.execute("SELECT count(*), count(DISTINCT source_id) FROM article_feeds")
        assert members.fetchone() == (26, 3)


def test_an_old_library_without_copies_is_not_reindexed(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([SEEDS])
        lib.set_read(article_id(lib, SHARED_TITLE))
    with sqlite3.connect(path) as conn:  # as the previous release left it
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_article_feeds'")
        conn.execute("DROP TABLE article_feeds")
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert notices == []
        assert lib.article_count() == 16
        assert feed_counts(lib) == {"AI内参": (6, 6), "Llama模型": (10, 9)}
        assert len(lib.search("feed:Llama模型 Meta", limit=None).hits) > 0
        assert lib.import_paths([SEEDS]).to_json()["unchanged"] == [
            str(DIGEST_SEED),
            str(NEICAN_SEED),
        ]
