"""The reader, driven from the keyboard with Textual's Pilot: every key does what the footer says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import big_digest, until
from textual.command import CommandList
from textual.widgets import Input

from store.library import Library
from tui.app import NeicanApp
from tui.bindings import KEYS
from tui.i18n import _
from tui.screens.help import HelpScreen
from tui.screens.note_edit import NoteEditModal
from tui.screens.notes import NotesScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_view import ArticleView
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.feed_list import FeedList, View
from tui.widgets.search_bar import SearchBar
from tui.widgets.status_bar import StatusBar

SIZE = (120, 35)


async def ready(app: NeicanApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the first paint, the seeds import and the counts."""
    await pilot.pause()
    await app.segmenter_ready.wait()
    await app.workers.wait_for_complete()
    await pilot.pause()


def titles(app: NeicanApp) -> list[str]:
    return [r.title for r in app.query_one(ArticleList).rows]


def status(app: NeicanApp) -> str:
    return app.query_one(StatusBar).left.plain


@pytest.fixture
def db(seeded_db: Path) -> Path:
    """The seeds, imported once per run (the first test below imports them as a user's
    first start does)."""
    return seeded_db


async def searched(app: NeicanApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the results of the query typed last (after the typing pause)."""
    await until(pilot, lambda: app.main.shown_search_id == app.main.search_id)
    await pilot.pause()


async def test_an_empty_library_gets_the_seeds_and_the_first_screen(tmp_path: Path) -> None:
    app = NeicanApp(tmp_path / "empty.db")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert titles(app)[:2] == [
            "AI小登的尽头,是卖身老登?",
            "Meta为何花10亿美金收购这家中国AI应用公司?",
        ]
        assert len(titles(app)) == 16
        feeds = app.query_one(FeedList)
        assert [v.label for v in feeds.views][:5] == [
            "全部",
            "未读",
            "锐评笔记",
            "新的",
            "AI内参",
        ]
        assert View("outlet", "36氪") in feeds.views
        assert status(app) == "全部 · 16 篇 · 16 未读"
        assert app.focused is app.query_one(ArticleList)
        assert app.query_one(ArticleView).article.title == "AI小登的尽头,是卖身老登?"


async def test_j_and_k_move_and_preview_without_marking_read(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j", "down")
        articles = app.query_one(ArticleList)
        assert articles.highlighted == 3
        assert app.main.article.title == titles(app)[3]
        await pilot.press("k", "up")
        assert articles.highlighted == 1
        assert not any(r.read for r in articles.rows)


async def test_j_and_k_stop_at_the_ends_instead_of_wrapping(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("k")
        assert articles.highlighted == 0  # not the last article
        await pilot.press(*["j"] * 20)  # held down past the 16th
        assert articles.highlighted == 15
        assert app.main.article.title == titles(app)[15]
        await pilot.press("tab", "end")
        view = app.query_one(ArticleView)
        assert app.focused is view
        last = view.highlighted
        assert last == view.option_count - 1
        await pilot.press("j")
        assert view.highlighted == last  # the end of the article, not its top again


async def test_enter_opens_marks_read_and_counts_follow(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "enter")
        article_id = app.query_one(ArticleList).current.id
        assert app.library.article(article_id).read
        assert app.query_one(ArticleList).current.read
        assert app.focused is app.query_one(ArticleView)
        assert app.query_one(FeedList).counts["all"] == (16, 15)
        assert app.query_one(FeedList).counts["feed:Llama模型"] == (10, 9)
        assert status(app) == "全部 · 16 篇 · 15 未读"


async def test_m_toggles_read(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        first = app.main.article.id
        await pilot.press("m")
        assert app.library.article(first).read
        await pilot.press("m")
        assert not app.library.article(first).read
        assert app.query_one(FeedList).counts["all"] == (16, 16)


async def test_n_and_p_go_to_the_next_and_previous_unread(db: Path) -> None:
    with Library(db) as lib:
        rows = lib.article_rows()
        for row in rows[1:3]:
            lib.set_read(row.id)
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("n")  # from the first, rows 1 and 2 are read: the next unread is 3
        assert articles.highlighted == 3 and app.main.article.read
        await pilot.press("p")  # back over the read ones to the first
        assert articles.highlighted == 0 and app.library.article(rows[0].id).read


async def test_tab_cycles_the_panes(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        order = []
        for _ in range(3):
            await pilot.press("tab")
            order.append(app.focused.id)
        assert order == ["article", "feeds", "articles"]


async def test_choosing_a_feed_or_outlet_lists_its_articles(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.query_one(FeedList).focus()
        await pilot.press("j", "j", "j", "j")  # 全部 → 未读 → 锐评笔记 → 新的 → AI内参
        assert app.main.view == View("feed", "AI内参")
        assert titles(app)[0] == "AI内参 2025-12-30" and len(titles(app)) == 6
        await pilot.press("end")
        assert app.main.view == View("outlet", "首席商业评论")
        assert titles(app) == ["Meta为何花10亿美金收购这家中国AI应用公司?"]


async def test_live_search_and_escape_back_with_the_selection_kept(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j")
        selected = app.query_one(ArticleList).current.id
        await pilot.press("slash", *"大模型")
        await searched(app, pilot)
        expected = [h.id for h in app.library.search("大模型", limit=0).hits]
        assert [r.id for r in app.query_one(ArticleList).rows] == expected
        assert status(app).startswith(f"{len(expected)} 条结果")
        assert app.main.words == ("大模型",)
        assert app.query_one(ArticleView).words == ("大模型",)  # marked in the article too
        await pilot.press("escape")
        assert not app.query_one(SearchBar).display
        assert len(titles(app)) == 16
        assert app.query_one(ArticleList).current.id == selected


async def test_keys_typed_at_once_after_slash_go_to_the_search(db: Path) -> None:
    # a paste or a fast typist: every key is queued before `/` has been handled
    from textual import events

    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        for key, char in [("slash", "/"), ("M", "M"), ("e", "e"), ("t", "t"), ("a", "a")]:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one(SearchBar).value == "Meta"
        assert app.query_one(ArticleList).highlighted == 0  # no key reached the list
        await pilot.press("slash", "x")  # in the search bar `/` is a character
        assert app.query_one(SearchBar).value == "Meta/x"
        await pilot.press("escape", "x")  # and in the export dialog's folder field
        field = app.screen.query_one("#folder", Input)
        field.value = ""
        await pilot.press("slash", "t")
        assert field.value == "/t"


async def test_search_results_update_as_the_user_types(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", "M", "e", "t", "a")
        await searched(app, pilot)
        meta = len(app.query_one(ArticleList).rows)
        await pilot.press("space", "-", "M", "a", "n", "u", "s")
        await searched(app, pilot)
        assert (
            len(app.query_one(ArticleList).rows)
            == app.library.search("Meta -Manus", limit=0).total
            < meta
        )


async def test_a_search_typed_before_jieba_is_ready_runs_when_it_is(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.segmenter_ready.clear()  # as on a cold start
        await pilot.press("slash", *"英伟")
        await until(pilot, lambda: "分词加载中" in app.query_one(StatusBar).right.plain)
        assert len(titles(app)) == 16
        app.segmenter_ready.set()
        await searched(app, pilot)
        assert len(titles(app)) == app.library.search("英伟", limit=0).total == 4


async def test_entity_sidebar_follows_an_entity_to_other_articles(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        sidebar = app.query_one(EntitySidebar)
        assert sidebar.display and sidebar.has_focus_within
        names = [e.name for e in sidebar.entities if e is not None]
        assert {"英伟达", "Meta", "杨立昆", "200亿美元"} <= set(names)
        groups = [o.prompt.plain for o in sidebar.listing.options if o.disabled]
        assert [g.split()[0] for g in groups] == ["机构", "人物", "产品", "金额", "媒体"]
        while sidebar.entities[sidebar.listing.highlighted].name != "杨立昆":
            await pilot.press("j")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sidebar.mode == "articles"
        expected = app.library.entity_articles("杨立昆")[1]
        assert [r.id for r in sidebar.rows] == [r.id for r in expected]
        assert {r.feed for r in sidebar.rows} == {"Llama模型", "AI内参"}
        await pilot.press("end", "enter")
        assert app.main.article.id == sidebar.rows[-1].id and app.main.article.read
        await pilot.press("escape")
        assert sidebar.mode == "entities"
        await pilot.press("escape")
        assert not sidebar.display


async def test_o_opens_and_y_copies_the_link(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = NeicanApp(db)
    opened: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        monkeypatch.setattr(app, "open_in_browser", lambda url: opened.append(url) or True)
        await pilot.press("o")  # a digest article has no link: it says so
        assert opened == [] and "这篇文章没有链接" in [n.message for n in app._notifications]
        app.main.go_to_view(View("feed", "AI内参"))
        await pilot.press("j")
        await pilot.press("o", "y")
        link = "https://mp.weixin.qq.com/s/9v6U-Y-v6U-Y-v6U-Y-v6U"
        assert opened == [link]
        assert app.clipboard == link


async def test_help_lists_every_key(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").render().plain
        for key in KEYS:
            assert _(key.help) in text and key.display in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_jumps_to_an_outlet(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p", *_("Go to {name}").format(name="量子位"))
        await until(pilot, lambda: palette_hits(app) > 0)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.view == View("outlet", "量子位")
        assert titles(app) == ["极小与极大:MiniMax的“极简主义”野望"]


def palette_hits(app: NeicanApp) -> int:
    lists = app.screen.query(CommandList)
    return lists.first().option_count if lists and lists.first().highlighted is not None else 0


async def test_q_quits(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_keys_that_do_not_apply_are_greyed(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.main.article.ruiping is None
        assert app.main.check_action("add_quote", ()) is True
        app.main.go_to_view(View("feed", "AI内参"))
        await pilot.press("j")
        assert app.main.check_action("bookmark_ruiping", ()) is True


# notes -------------------------------------------------------------------------------


async def open_first_item(app: NeicanApp, pilot) -> None:  # type: ignore[no-untyped-def]
    app.main.go_to_view(View("feed", "AI内参"))
    await pilot.press("j")
    assert app.main.article.title == "极小与极大:MiniMax的“极简主义”野望"


async def test_b_bookmarks_the_ruiping_and_again_removes_it(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        await pilot.press("b")
        [note] = app.library.notes()
        assert (note.kind, note.text) == (
            "ruiping",
            "“大力出奇迹”是富人的特权,但“以小博大”才是寒冬里活下去的唯一本事。",
        )
        assert app.query_one(ArticleList).current.noted
        assert app.query_one(FeedList).counts["noted"] == (1, None)
        assert "锐评 ★" in app.query_one(ArticleView).get_option_at_index(2).prompt.plain
        await pilot.press("b")
        assert app.library.notes() == []
        assert not app.query_one(ArticleList).current.noted


async def test_a_quotes_the_selected_bullet_with_a_comment(db: Path) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        await pilot.press("enter")  # into the article
        view = app.query_one(ArticleView)
        while view.kinds[view.highlighted] != "bullet":
            await pilot.press("j")
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditModal)
        await pilot.press(*"值得跟踪", "tab", *"MiniMax IPO", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [note] = app.library.notes()
        assert note.kind == "quote" and note.text.startswith("MiniMax近期递交港股招股书")
        assert (note.comment, note.tags) == ("值得跟踪", ("MiniMax", "IPO"))
        assert app.library.search("值得跟踪").hits[0].id == app.main.article.id
        assert view.get_option_at_index(view.highlighted).prompt.plain.startswith("★")


async def test_notes_screen_filters_edits_deletes_and_undoes(db: Path) -> None:
    with Library(db) as lib:
        items = lib.article_rows(feed="AI内参")[1:4]
        for row in items:
            lib.add_note(row.id, "ruiping")
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("N")
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        assert [n.article_id for n in screen.notes] == [r.id for r in reversed(items)]
        await pilot.press("slash", *"周国睿")
        assert [n.article_title for n in screen.notes] == [
            "快手周国睿“注销”:当技术大牛成为硅谷的猎物"
        ]
        await pilot.press("enter", "e")
        assert isinstance(app.screen, NoteEditModal)
        await pilot.press(*"人才", "ctrl+s")
        assert screen.notes[0].comment == "人才"
        await pilot.press("d")
        assert len(app.library.notes()) == 2
        await pilot.press("u")
        assert len(app.library.notes()) == 3 and app.library.notes(text="人才")[0].comment == "人才"
        await pilot.press("enter")
        assert not isinstance(app.screen, NotesScreen)
        assert app.main.article.title == "快手周国睿“注销”:当技术大牛成为硅谷的猎物"


async def test_x_exports_the_notes_and_remembers_the_folder(db: Path, tmp_path: Path) -> None:
    with Library(db) as lib:
        lib.add_note(lib.article_rows(feed="AI内参")[1].id, "ruiping")
    app = NeicanApp(db)
    target = tmp_path / "vault"
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("x")
        field = app.screen.query_one("#folder")
        field.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [p.name for p in target.glob("*.md")] == [
            "2025-12-30 极小与极大_MiniMax的“极简主义”野望.md"
        ]
        assert any(f"写入 {target}" in n.message for n in app._notifications)
    from store import settings

    assert settings.export_folder() == target.resolve()


async def test_the_sidebar_fits_its_lines_once_it_has_a_width(db: Path) -> None:
    # Filled while still hidden (no width yet): the lines are re-fitted when it appears.
    app = NeicanApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        sidebar = app.query_one(EntitySidebar)
        entities = [e for e in sidebar.entities if e is not None]
        lines = [o.prompt.plain for o in sidebar.listing.options if not o.disabled]
        assert len(lines) == len(entities) > 3
        for entity, line in zip(entities, lines, strict=True):
            assert line.startswith(entity.name) and line.rstrip().endswith(f"×{entity.count}")


async def test_full_garbage_collections_wait_for_a_pause_and_settings_are_restored(
    db: Path,
) -> None:
    import gc

    before = gc.get_threshold()
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert gc.get_threshold()[2] > before[2] and gc.get_freeze_count() > 0
        await pilot.press("j")
        assert not app._collected  # input since the last full collection
        app._collect_when_idle()
        assert not app._collected  # the user was typing a moment ago
        app._last_input -= 10
        app._collect_when_idle()
        assert app._collected
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


async def test_paging_loads_every_article_of_a_long_list_in_order(tmp_path: Path) -> None:
    # Pages of 50 load as the cursor nears the end: page down reaches every article once.
    db = tmp_path / "long.db"
    big_digest(tmp_path / "many.txt", 180, "长列表")
    with Library(db) as lib:
        lib.import_paths([tmp_path / "many.txt"])
        expected = [r.id for r in lib.article_rows(limit=1000)]
    app = NeicanApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        articles = app.query_one(ArticleList)
        assert len(articles.rows) == 50
        seen = [articles.current.id]
        for _ in range(40):
            await pilot.press("pagedown")
            await pilot.pause()
            if articles.current.id == seen[-1]:
                break
            seen.append(articles.current.id)
            assert app.main.article.id == articles.current.id  # the article pane follows
        assert [r.id for r in articles.rows] == expected
        assert seen[-1] == expected[-1] and seen == sorted(seen, key=expected.index)
        await pilot.press("home", "j")
        assert articles.highlighted == 1 and app.main.article.id == expected[1]


async def test_a_long_article_shows_its_first_screens_at_once_and_the_rest_after(
    db: Path,
) -> None:
    app = NeicanApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        view = app.query_one(ArticleView)
        rows = app.query_one(ArticleList).rows
        longest = max(rows, key=lambda r: len("".join(app.library.article(r.id).text_lines())))
        app.main.show_article(longest)
        assert view.article.id == longest.id
        assert 0 < view.option_count < len(view.kinds)  # the first screens only…
        await until(pilot, lambda: view.option_count >= len(view.kinds))
        assert view.option_count == len(view.kinds)  # …and the rest right after the paint
        view.focus()
        await pilot.press("end")
        assert view.highlighted == len(view.kinds) - 1
        app.main.show_article(longest)  # shown again: from the top, the rest once more after
        other = next(r for r in rows if r.id != longest.id)
        app.main.show_article(other)  # …before which another article comes
        await until(pilot, lambda: view.option_count >= len(view.kinds))
        # the first article's rest did not land in the second
        assert view.article.id == other.id and view.option_count == len(view.kinds)
        assert [o.prompt.plain for o in view.options][0].startswith(other.title[:5])


@pytest.mark.parametrize("width", range(30, 90))
def test_wrapping_never_splits_a_citation(width: int) -> None:
    # At 80 columns `[4][10][11][13]` used to break as `[4][10` / `][11][13]`.
    from textual.content import Content

    from tui.render import wrap

    text = "• 获得智能体生态以实现战略转型和其他一些很长的说明文字在这里继续写下去 [4][10][11][13]"
    lines = wrap(Content(text), width, 2).plain.split("\n")
    assert all(not re.search(r"\[\d*$", line) and not re.match(r"\s*\d*\]", line) for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")


async def test_a_refusal_in_a_worker_is_one_line_and_any_other_error_is_not_swallowed(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import NotFound

    def refused(*args: object) -> None:
        raise NotFound("no article [b]9[/b]")

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    app = NeicanApp(db)
    with pytest.raises(RuntimeError, match="a bug"):
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            monkeypatch.setattr(app.library, "search", refused)
            await pilot.press("slash", "x")
            await until(pilot, lambda: bool(app._notifications))
            [note] = app._notifications
            assert (note.message, note.severity, note.markup) == (
                "no article [b]9[/b]",
                "error",
                False,
            )
            assert app.is_running
            monkeypatch.setattr(app.library, "search", broken)
            await pilot.press("y")
            await until(pilot, lambda: not app.is_running)
