"""The store's entry points for other code: writing articles from any source, highlights."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from store.errors import NeicanError
from store.importing import Written
from store.library import Library
from store.model import Bullet, ParsedArticle, Section
from store.snippets import highlight_spans

FEED_URL = "http://127.0.0.1:8000/feed.xml"


def _entry(title: str, published: str, *bullets: str) -> ParsedArticle:
    return ParsedArticle(
        "article",
        title,
        ("量子位",),
        published,
        ("http://127.0.0.1:8000/a",),
        None,
        (Section("", tuple(Bullet(b) for b in bullets)),),
    )


def test_articles_from_a_feed_are_written_indexed_and_with_entities(tmp_path: Path) -> None:
    chip = _entry("英伟达发布新芯片", "2025-03-01T10:00", "英伟达 CEO 黄仁勋表示，新芯片明年量产。")
    money = _entry("某公司完成融资", "2025-03-02T09:00", "公司完成 20亿美元 融资。")
    with Library(tmp_path / "lib.db") as lib:
        assert lib.write_articles("订阅", "rss", [chip, money], FEED_URL) == Written(added=2)
        [hit] = lib.search("黄仁勋").hits
        article = lib.article(hit.id)
        assert (article.title, article.feed, article.source) == (chip.title, "订阅", FEED_URL)
        assert {"英伟达", "黄仁勋"} <= {e.name for e in article.entities}
        assert [f.name for f in lib.feeds()] == ["订阅"]
        # The same entries again change nothing; a changed one is updated in the index;
        # one the feed no longer lists stays (a feed is a window, not the whole source).
        assert lib.write_articles("订阅", "rss", [chip, money], FEED_URL) == Written()
        changed = replace(chip, sections=(Section("", (Bullet("H20 芯片明年量产。"),)),))
        assert lib.write_articles("订阅", "rss", [changed], FEED_URL) == Written(updated=1)
        assert lib.totals() == (2, 2)
        assert [h.title for h in lib.search("H20").hits] == [chip.title]
        assert lib.search("黄仁勋").total == 0
        assert lib.search("融资").total == 1


def test_a_feed_write_that_cannot_fit_a_day_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.ids
    import store.importing

    for module in (store.ids, store.importing):
        monkeypatch.setattr(module, "DAY_SLOTS", 2)
    entries = [_entry(f"雷鸟{n}", f"2025-03-01T0{n}:00", "雷鸟飞行器") for n in range(3)]
    with Library(tmp_path / "lib.db") as lib:
        with pytest.raises(NeicanError, match="maximum of 2 articles dated 2025-03-01"):
            lib.write_articles("订阅", "rss", entries, FEED_URL)
        assert lib.totals() == (0, 0)
        assert lib.search("雷鸟").total == 0


def test_highlight_spans_mark_the_search_words_in_any_text() -> None:
    text = "英伟达的H20芯片；Nvidia 说：英伟达"
    spans = highlight_spans(text, ["英伟达", "h20", "——", "nvidia"])
    assert [text[a:b] for a, b in spans] == ["英伟达", "H20", "Nvidia", "英伟达"]
    assert highlight_spans(text, ["——"]) == []
