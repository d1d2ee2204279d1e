"""Untrusted text is data: markup-like and escape-laden text shows literally, runs nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import until
from textual.command import Command, CommandList
from textual.widgets import Input, OptionList
from textual.widgets._toast import Toast, ToastRack

from store.library import Library
from tui.app import NeicanApp
from tui.i18n import _
from tui.widgets.article_list import ArticleList
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.feed_list import FeedList, View

PAYLOADS = ["[/x]", "[bold]x", "[@click=app.quit]q[/]", "[$x]", "\x1b[2J", "\x1b]0;t\x07"]


def visible(payload: str) -> str:
    """What should show: the text, minus the control characters the parser strips."""
    return re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07", "", payload)


def hostile_files(folder: Path, payload: str) -> list[Path]:
    digest = folder / "digest.txt"
    digest.write_text(
        f"{payload}查询\n"
        f"标题{payload}尾\n"
        f"外媒{payload}· 2025-06-01 08:00\n"
        f"小标题{payload} - 要点{payload}内容 [1] - 第二点 [2]",
        encoding="utf-8",
    )
    issue = folder / "issue.txt"
    issue.write_text(
        f"今天是2025年06月02日。\n导语{payload}\n【今日速览】\n- 标签:{payload}\n"
        f"[条目{payload}]\n【AI内参·锐评】 锐评{payload}\n【事实{payload}】 事实\n"
        f"【信息来源】\n- 来源: 源{payload}\n- 链接: https://example.com/a\n【结语】\n再见",
        encoding="utf-8",
    )
    return [digest, issue]


def toast_text(app: NeicanApp) -> str:
    """What the notifications on the screen show."""
    rack = app.screen.get_child_by_type(ToastRack)
    return "\n".join(toast.render().plain for toast in rack.query(Toast))


def palette_text(app: NeicanApp) -> str:
    """What the palette's hits show (as rendered Content, not the text they were built from)."""
    return "\n".join(
        option.hit.prompt.plain
        for hits in app.screen.query(CommandList)
        for option in hits.options
        if isinstance(option, Command)
    )


def screen_text(app: NeicanApp) -> str:
    svg = app.export_screenshot()
    return svg


@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=["close-tag", "bold", "click", "variable", "clear-screen", "osc-title"]
)
async def test_hostile_text_in_every_pane(tmp_path: Path, payload: str) -> None:
    db = tmp_path / "lib.db"
    with Library(db) as lib:
        report = lib.import_paths(hostile_files(tmp_path, payload))
        assert not report.refused, report.refused
        [digest_row] = lib.article_rows(feed=f"{visible(payload)}查询")
        lib.add_note(
            digest_row.id,
            "quote",
            f"引{payload}",
            comment=f"评{payload}",
            tags=[f"t{visible(payload)}"],
        )
    shown = visible(payload)
    app = NeicanApp(db)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await pilot.pause()
        await app.segmenter_ready.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # feeds and outlets, the article list, the article, pane titles
        feeds = app.query_one(FeedList)
        assert (
            View("feed", f"{shown}查询") in feeds.views
            and View("outlet", f"外媒{shown}") in feeds.views
        )
        app.main.go_to_view(View("feed", f"{shown}查询"))
        await pilot.pause()
        assert (
            app.query_one(ArticleList)._border_title.plain == f"{shown}查询"
        )  # Content, never markup
        assert app.main.article.title == f"标题{shown}尾"
        blocks = [o.prompt.plain for o in app.query_one("#article").options]
        assert f"小标题{shown}" in blocks and any(f"要点{shown}内容" in b for b in blocks)
        # the sidebar, the search box, notifications, the palette, the notes screen
        await pilot.press("e")
        assert app.query_one(EntitySidebar).display
        await pilot.press("escape", "escape")
        printable = "".join(c for c in payload if c.isprintable())
        await pilot.press("slash", *printable)
        await until(pilot, lambda: app.main.shown_search_id == app.main.search_id)
        # notifications that hold a file name and an error (the export's, done and refused)
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        for folder, said in (
            (tmp_path / f"导出{printable}", "已导出"),
            (blocker / f"错{printable}", "cannot create the folder"),
        ):
            app.clear_notifications()
            await pilot.press("escape", "x")
            app.screen.query_one("#folder", Input).value = str(folder)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await until(pilot, lambda: toast_text(app) != "")
            assert str(folder) in toast_text(app) and said in toast_text(app)
        go_to = _("Go to {name}").format(name=f"外媒{shown}")
        await pilot.press("escape", "ctrl+p", *go_to[:8])
        await until(pilot, lambda: go_to in palette_text(app))
        await pilot.press("escape", "N")
        await pilot.pause()
        notes = [o.prompt.plain for o in app.screen.query_one("#notes-list", OptionList).options]
        assert len(notes) == 1
        assert f"标题{shown}尾" in notes[0] and f"#t{shown}" in notes[0]
        svg = screen_text(app)
        await pilot.press("escape")
        app.main.go_to_view(View("feed", "AI内参"))
        await pilot.press("j")
        assert app.main.article.ruiping == f"锐评{shown}"
        assert app.main.article.sections[0].heading == f"事实{shown}"
        assert app.is_running  # [@click=app.quit] did not quit
        main_svg = screen_text(app)
    for text in (svg, main_svg):
        assert "\x1b" not in text and "\x07" not in text
    assert app.return_code in (None, 0)
