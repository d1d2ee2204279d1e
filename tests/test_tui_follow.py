"""The reader's 关注 group, `S` and the 新的 view, driven with Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

from conftest import big_digest, until
from test_tui import SIZE, ready, searched, status, titles
from textual.widgets import Input

from store.library import Library
from tui.app import NeicanApp
from tui.messages import ImportFinished
from tui.screens.follow_name import FollowModal
from tui.widgets.article_list import ArticleList
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.feed_list import FeedList, View


def counts(app: NeicanApp, name: str) -> tuple[int | None, int | None]:
    return app.query_one(FeedList).counts.get(View("follow", name).id, (None, None))


async def test_s_follows_the_search_and_the_group_shows_it(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"大模型")
        await searched(app, pilot)
        await pilot.press("enter", "S")
        await until(pilot, lambda: isinstance(app.screen, FollowModal))
        await pilot.press("enter")  # the default name: the query
        await app.workers.wait_for_complete()
        await until(pilot, lambda: View("follow", "大模型") in app.query_one(FeedList).views)
        total = app.library.search("大模型", limit=0).total
        assert counts(app, "大模型") == (total, total)  # all unread
        assert app.library.follows()[0].query == "大模型"
        # the group sits after the fixed views, before the feeds
        labels = [v.label for v in app.query_one(FeedList).views]
        assert labels[:6] == ["全部", "未读", "锐评笔记", "新的", "关注", "大模型"]
        # opening it shows its search results
        await pilot.press("escape")
        app.main.go_to_view(View("follow", "大模型"))
        await searched(app, pilot)
        assert app.main.view == View("follow", "大模型")
        hits = [h.id for h in app.library.search("大模型", limit=0).hits]
        assert [r.id for r in app.query_one(ArticleList).rows] == hits
        await until(pilot, lambda: status(app) == f"大模型 · {total} 篇 · {total} 未读")


async def test_s_on_an_entity_follows_it(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        sidebar = app.query_one(EntitySidebar)
        await until(pilot, lambda: sidebar.listing.highlighted is not None)
        entity = sidebar.entities[sidebar.listing.highlighted]
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, FollowModal))
        field = app.screen.query_one(Input)
        assert field.value.startswith("entity:")  # the default name
        field.value = ""
        await pilot.press(*"跟踪", "enter")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: View("follow", "跟踪") in app.query_one(FeedList).views)
        (follow,) = app.library.follows()
        assert follow.query in (f"entity:{entity.name}", f'entity:"{entity.name}"')
        assert follow.total == app.library.search(follow.query, limit=0).total > 0


async def test_the_group_follows_imports_and_reading(seeded_db: Path, tmp_path: Path) -> None:
    with Library(seeded_db) as lib:
        lib.follow_add("芯片", "芯片")
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = app.library.search("芯片", limit=0).total
        await until(pilot, lambda: counts(app, "芯片") == (before, before))
        digest = tmp_path / "more.txt"
        big_digest(digest, 30, "增量")
        await app.in_db(app.library.import_paths, [digest])
        app.main.post_message(ImportFinished(1, []))  # as the import worker says it
        after = app.library.search("芯片", limit=0).total
        assert after > before
        await until(pilot, lambda: counts(app, "芯片") == (after, after))
        assert f"+{after - before}" in str(app.query_one(FeedList)._prompt(View("follow", "芯片")))
        # reading one of its articles takes one off its unread count
        hit = app.library.search("芯片", limit=1).hits[0]
        app.main.open_article_id(hit.id)
        await until(pilot, lambda: counts(app, "芯片") == (after, after - 1))
        await pilot.press("m")  # unread again
        await until(pilot, lambda: counts(app, "芯片") == (after, after))


async def test_new_lists_what_arrived_since_the_previous_session(
    seeded_db: Path, tmp_path: Path
) -> None:
    with Library(seeded_db) as lib:
        lib.start_session()  # a session before this one
        digest = tmp_path / "more.txt"
        big_digest(digest, 12, "增量")
        lib.import_paths([digest])
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await until(pilot, lambda: app.query_one(FeedList).counts.get("new") == (12, 12))
        app.main.go_to_view(View("new"))
        await pilot.pause()
        assert len(titles(app)) == 12
        assert {r.feed for r in app.query_one(ArticleList).rows} == {"增量"}
