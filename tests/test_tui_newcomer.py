"""Issue 20: the reader as a new user meets it (each test failed before its fix)."""

from __future__ import annotations

import dataclasses
import webbrowser
from pathlib import Path

import pytest
from conftest import until
from test_tui import SIZE, open_first_item, palette_hits, ready

from tui.app import NeicanApp
from tui.i18n import _
from tui.screens.links import LinkPicker
from tui.screens.note_edit import NoteEditModal
from tui.widgets.article_view import ArticleView
from tui.widgets.feed_list import View


def messages(app: NeicanApp) -> list[str]:
    return [n.message for n in app._notifications]


async def settle(app: NeicanApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await app.workers.wait_for_complete()
    await pilot.pause()


# 1 ---------------------------------------------------------------------------------------


async def test_a_then_esc_keeps_no_note(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        await pilot.press("enter")
        view = app.query_one(ArticleView)
        while view.kinds[view.highlighted] != "bullet":
            await pilot.press("j")
        await pilot.press("a")
        assert isinstance(app.screen, NoteEditModal)
        await pilot.press(*"不要了", "escape")
        await settle(app, pilot)
        assert app.library.notes() == []
        assert not app.main.article.notes
        await pilot.press("a", "ctrl+s")
        await settle(app, pilot)
        assert [n.kind for n in app.library.notes()] == ["quote"]


# 2 ---------------------------------------------------------------------------------------


async def test_o_says_when_no_browser_opened_and_refuses_javascript(
    seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = NeicanApp(seeded_db)
    opened: list[str] = []

    def no_browser(url: str, new: int = 0) -> bool:
        opened.append(url)
        return False

    monkeypatch.setattr(webbrowser, "open", no_browser)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        await pilot.press("o")
        assert opened == ["https://mp.weixin.qq.com/s/9v6U-Y-v6U-Y-v6U-Y-v6U"]
        assert any("没有找到可用的浏览器" in m and "y" in m for m in messages(app))
        assert not any(m.startswith("已在浏览器打开") for m in messages(app))
        main = app.main
        main.article = dataclasses.replace(main.article, links=("javascript:alert(1)",))
        await pilot.press("o")
        assert len(opened) == 1
        assert any("只打开 http/https" in m for m in messages(app))


async def test_o_with_several_links_lets_the_user_pick_one(
    seeded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = NeicanApp(seeded_db)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.go_to_view(View("feed", "AI内参"))
        await pilot.press("j")
        main = app.main
        links = ("https://a.example/1", "https://b.example/2")
        main.article = dataclasses.replace(main.article, links=links)
        await pilot.press("o")
        assert isinstance(app.screen, LinkPicker)
        await pilot.press("j", "enter")
        assert opened == ["https://b.example/2"]
        assert any("b.example/2" in m for m in messages(app))


# 3 ---------------------------------------------------------------------------------------


async def test_first_x_exports_into_the_documents_folder_and_says_the_full_path(
    seeded_db: Path, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from store import settings
    from store.library import Library

    workdir = tmp_path / "clone"
    workdir.mkdir()
    monkeypatch.chdir(workdir)  # a README user runs neican inside the git clone
    with Library(seeded_db) as lib:
        lib.add_note(lib.article_rows(feed="AI内参")[1].id, "ruiping")
    app = NeicanApp(seeded_db)
    expected = (isolated_dirs / "Documents" / "neican-notes").resolve()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("x")
        assert "Obsidian" in " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert app.screen.query_one("#folder").value == str(expected)
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(list(expected.glob("*.md"))) == 1
        assert not (workdir / "neican-notes").exists()
        assert any(f"写入 {expected}" in m for m in messages(app))
    assert settings.export_folder() == expected


# 4 ---------------------------------------------------------------------------------------


async def test_b_on_a_digest_article_says_why_and_offers_a(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.main.article.ruiping is None  # the first article is from the digest
        await pilot.press("b")
        await settle(app, pilot)
        assert app.library.notes() == []
        [said] = [m for m in messages(app) if "锐评" in m]
        assert "digest" in said and "a" in said


# 5-7: search in the reader ------------------------------------------------------------------


async def search_for(app: NeicanApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    from test_tui import searched

    await pilot.press("slash", *text)
    await searched(app, pilot)
    await pilot.press("enter")  # back to the results
    await pilot.pause()


def marked(content) -> list[str]:  # type: ignore[no-untyped-def]
    from tui.render import MATCH_STYLE

    return [content.plain[s.start : s.end] for s in content.spans if s.style == MATCH_STYLE]


async def test_results_show_snippets_and_the_article_opens_at_its_first_match(
    seeded_db: Path,
) -> None:
    from tui.widgets.article_list import ArticleList

    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await search_for(app, pilot, "李飞飞")
        results = app.query_one(ArticleList)
        first = results.get_option_at_index(0).prompt
        title, snippet = first.plain.split("\n")
        assert "李飞飞" in snippet and "李飞飞" not in title
        assert marked(first) == ["李飞飞"]
        await pilot.press("enter")
        await pilot.pause()
        view = app.query_one(ArticleView)
        assert view.matches and view.highlighted == view.matches[0] > 2
        block = view.get_option_at_index(view.highlighted).prompt
        assert "李飞飞" in block.plain
        # the match is on screen: the pane scrolled to it
        top = view.scroll_offset.y
        line = view._index_to_line[view.highlighted]
        assert line > view.size.height  # it would be off-screen at the top
        assert top <= line < top + view.size.height


async def test_brackets_jump_between_matches(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await search_for(app, pilot, "英伟达")
        await pilot.press("enter")
        view = app.query_one(ArticleView)
        assert len(view.matches) >= 2
        assert view.highlighted == view.matches[0]
        await pilot.press("right_square_bracket")
        assert view.highlighted == view.matches[1]
        await pilot.press("left_square_bracket")
        assert view.highlighted == view.matches[0]


async def test_a_phrase_is_marked_as_a_phrase_and_latin_words_as_words(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await search_for(app, pilot, '"Meta AI"')
        await pilot.press("enter")
        view = app.query_one(ArticleView)
        shown = [m for i in range(view.option_count) for m in marked(view._blocks[i][1])]
        assert shown and set(shown) == {"Meta AI"}
        fair = [c for _, c in view._blocks if "FAIR" in c.plain]
        assert fair  # the article the issue names: FAIR's AI is not the phrase's


def test_latin_words_are_marked_as_whole_words_and_phrases_whole() -> None:
    from store.snippets import highlight_spans

    text = "Meta AI 与 FAIR 的 AI 以及 OpenAI、AI芯片、Meta的AI"

    def spans(*words: str) -> list[str]:
        return [text[a:b] for a, b in highlight_spans(text, words)]

    assert spans("AI") == ["AI", "AI", "AI", "AI"]  # not inside FAIR or OpenAI
    assert spans("Meta AI") == ["Meta AI"]
    assert spans("OpenAI", "芯片") == ["OpenAI", "芯片"]
    assert highlight_spans("FAIR", ["AI"], whole_words=False) == [(1, 3)]


async def test_an_entity_filter_marks_the_entitys_mentions_by_every_alias(
    seeded_db: Path,
) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await search_for(app, pilot, "entity:Meta")
        await pilot.press("enter")
        view = app.query_one(ArticleView)
        shown = {m for _, c in view._blocks for m in marked(c)}
        assert "Meta" in shown
        assert view.matches


# 8 ---------------------------------------------------------------------------------------


async def test_g_and_G_go_to_the_top_and_bottom_of_the_article_and_the_feeds(
    seeded_db: Path,
) -> None:
    from tui.widgets.feed_list import FeedList

    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        await pilot.press("enter")
        view = app.query_one(ArticleView)
        await pilot.press("G")
        assert view.highlighted == len(view._blocks) - 1 == view.option_count - 1
        assert view.kinds[view.highlighted] == "link"
        await pilot.press("g")
        assert view.highlighted == 0
        feeds = app.query_one(FeedList)
        feeds.focus()
        await pilot.press("G")
        assert feeds.highlighted == feeds.option_count - 1
        await pilot.press("g")
        assert feeds.highlighted == 0


# 9 ---------------------------------------------------------------------------------------


def contrast(a, b) -> float:  # type: ignore[no-untyped-def]
    """WCAG contrast ratio of two colours."""

    def luminance(c) -> float:  # type: ignore[no-untyped-def]
        def channel(v: int) -> float:
            x = v / 255
            return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


async def test_unfocused_pane_titles_are_readable_in_every_theme(seeded_db: Path) -> None:
    from textual.color import Color
    from textual.geometry import Region

    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        feeds = app.query_one("#feeds")
        assert not feeds.has_focus
        checked = []
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            strip = feeds.render_lines(Region(0, 0, feeds.outer_size.width, 1))[0]
            [title] = [seg for seg in strip if "订阅" in seg.text]
            fg, bg = title.style.color, title.style.bgcolor
            if fg.number is None and fg.triplet is None or bg.triplet is None:
                # an ANSI theme: the terminal's own text colour on its own background
                assert fg.name == "default", (theme, fg, bg)
                continue
            ratio = contrast(Color.from_rich_color(fg), Color.from_rich_color(bg))
            assert ratio >= 3, (theme, ratio)
            checked.append(theme)
        assert "textual-dark" in checked and len(checked) >= 15


# 10 --------------------------------------------------------------------------------------

CLOSING = "。，、）」』】》！？：；…"
WRAP_TEXTS = [
    "• 2025年第三季度,英伟达数据中心业务收入同比增长69.4%,达到512亿美元;OpenAI、Anthropic"
    "与Google DeepMind的训练集群持续扩张。市场预计GPT-5.1发布后,推理需求还会上升(约35%)。",
    "锐评 “大力出奇迹”是富人的特权,但“以小博大”才是寒冬里活下去的唯一本事。"
    "国内大模型公司在融资、算力、人才三方面同时承压,MiniMax与月之暗面的路线分歧值得关注。",
]


@pytest.mark.parametrize("width", range(16, 100))
def test_chinese_line_breaking_keeps_numbers_words_and_punctuation(width: int) -> None:
    import re

    from textual.content import Content

    from tui.render import wrap

    for text in WRAP_TEXTS:
        indent = 5 if text.startswith("锐评") else 2
        lines = wrap(Content(text), width, indent).plain.split("\n")
        for before, after in zip(lines, lines[1:], strict=False):
            rest = after[indent:]
            assert rest[:1] not in CLOSING, (width, before, after)
            # no break inside a number or a Latin word (the words here fit on a line)
            tail = re.search(r"[A-Za-z0-9.%\-]+$", before)
            head = re.match(r"[A-Za-z0-9.%\-]+", rest)
            if tail and head:
                assert tail.group() + head.group() not in text, (width, before, after)
            assert after.startswith(" " * indent) and not rest.startswith(" ")
        assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")


async def test_the_ruiping_continues_under_its_text(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await open_first_item(app, pilot)
        view = app.query_one(ArticleView)
        index = view.kinds.index("ruiping")
        lines = view.get_option_at_index(index).prompt.plain.split("\n")
        assert len(lines) > 1 and lines[0].startswith("锐评 ")
        assert all(line.startswith("     ") and line[5] != " " for line in lines[1:])


# 11 --------------------------------------------------------------------------------------


def footer_keys(app: NeicanApp) -> dict[str, tuple[int, int]]:
    from textual.widgets._footer import FooterKey

    return {
        f"{k.key_display} {k.description}": (k.region.x, k.region.right)
        for k in app.screen.query(FooterKey)
        if k.region.width
    }


async def test_live_resize_relays_out_and_the_footer_keeps_help_and_quit(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        feeds, article = app.query_one("#feeds"), app.query_one("#article")
        assert feeds.outer_size.width == 26
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert feeds.outer_size.width == 18 and article.outer_size.width == 80 - 18
        keys = footer_keys(app)
        for key in (f"? {_('Help')}", f"q {_('Quit')}"):
            assert key in keys and keys[key][1] <= 80
        spans = sorted(keys.values())
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # none covered
        await pilot.resize_terminal(120, 35)
        await pilot.pause()
        assert feeds.outer_size.width == 26


# 12 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
async def test_entity_sidebar_articles_show_readable_titles_and_whole_dates(
    seeded_db: Path, size: tuple[int, int]
) -> None:
    from rich.cells import cell_len

    from tui.widgets.entity_sidebar import EntitySidebar

    app = NeicanApp(seeded_db)
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        sidebar = app.query_one(EntitySidebar)
        while sidebar.entities[sidebar.listing.highlighted].name != "Meta":
            await pilot.press("j")
        await pilot.press("enter")
        await settle(app, pilot)
        assert sidebar.mode == "articles"
        width = sidebar.listing.scrollable_content_region.width
        for row, option in zip(sidebar.rows, sidebar.listing.options, strict=True):
            title_line, meta_line = option.prompt.plain.split("\n")
            assert all(cell_len(line) <= width for line in (title_line, meta_line))
            shown = title_line[2:].rstrip("…")
            assert row.title.startswith(shown) and cell_len(shown) >= min(
                cell_len(row.title), width * 2 // 3
            )
            assert meta_line.endswith(row.published[:10])


# 13 --------------------------------------------------------------------------------------


async def test_notes_screen_says_nothing_matches_and_its_help_and_palette_are_its_own(
    seeded_db: Path,
) -> None:
    from textual.command import CommandList
    from textual.widgets._footer import FooterKey

    from store.library import Library
    from tui.screens.help import HelpScreen
    from tui.screens.notes import NotesScreen

    with Library(seeded_db) as lib:
        lib.add_note(lib.article_rows(feed="AI内参")[1].id, "ruiping")
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("N")
        screen = app.screen
        assert isinstance(screen, NotesScreen)
        shown = {k.key_display for k in screen.query(FooterKey)}
        assert {"e", "d", "/", "?", "q"} <= shown and not {"n", "m", "b", "N"} & shown
        await pilot.press("slash", *"不存在的词")
        [empty] = [o.prompt.plain for o in screen.query_one("#notes-list").options]
        assert "没有匹配" in empty and "不存在的词" in empty and "按 b" not in empty
        await pilot.press("escape")  # nothing matched: the filter is cleared
        assert len(screen.notes) == 1
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = app.screen.query_one("#help-text").render().plain.splitlines()
        assert lines[2] == _("Notes screen") and lines[3].startswith("esc")
        await pilot.press("escape", "ctrl+p", "e")  # `e` is in most commands' names
        await until(pilot, lambda: palette_hits(app) > 0)
        await pilot.pause()
        lists = app.screen.query(CommandList)
        prompts = [o.prompt.plain for o in lists.first().options]
        assert any(_("Edit") in p for p in prompts)
        assert not any(_("Next unread") in p or _("Entities") in p for p in prompts)


# 15 --------------------------------------------------------------------------------------


async def test_toasts_leave_the_status_line_and_scrollbars_are_light(seeded_db: Path) -> None:
    from textual.widgets._toast import Toast

    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        app.notify("已标为已读", timeout=30)
        for _ in range(4):
            await pilot.pause()
        status = app.query_one("#status").region
        toasts = [t.region for t in app.query(Toast)]
        assert toasts and all(r.bottom <= status.y for r in toasts)
        for pane in ("#feeds", "#articles", "#article"):
            styles = app.query_one(pane).styles
            assert styles.scrollbar_size_vertical == 1
            bar, thumb = styles.scrollbar_background, styles.scrollbar_color
            assert contrast(bar, styles.background) < 1.2  # the track is the pane's colour
            assert contrast(bar, styles.scrollbar_background.blend(thumb, thumb.a)) > 1.5


# 16-17: the command line -------------------------------------------------------------------


def test_show_prints_entities_and_notes(
    seeded_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_helpers import run_cli

    from store.library import Library

    with Library(seeded_db) as lib:
        article_id = lib.article_rows(feed="AI内参")[1].id
        lib.add_note(article_id, "ruiping", comment="值得跟踪", tags=["MiniMax"])
    result = run_cli(capsys, "--db", str(seeded_db), "show", str(article_id))
    assert result.code == 0
    assert "【实体】" in result.out and "MiniMax (org)" in result.out
    assert "【笔记】" in result.out and "锐评" in result.out and "✎ 值得跟踪" in result.out
    assert "#MiniMax" in result.out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    from cli_helpers import run_cli

    result = run_cli(capsys, "--version")
    assert result.code == 0 and result.out.strip() == f"neican, version {version('neican')}"


def test_search_json_score_is_null_when_hits_are_not_ranked(
    seeded_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from cli_helpers import run_cli

    common = json.loads(run_cli(capsys, "--db", str(seeded_db), "search", "AI", "--json").out)
    assert common["total"] * 2 > 16  # over half of the library: newest first
    assert {h["score"] for h in common["hits"]} == {None}
    ranked = json.loads(run_cli(capsys, "--db", str(seeded_db), "search", "Manus", "--json").out)
    scores = [h["score"] for h in ranked["hits"]]
    assert all(isinstance(s, float) for s in scores) and scores[0] >= scores[-1]


def test_a_new_library_path_is_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_helpers import run_cli

    path = tmp_path / "typo" / "libary.db"
    result = run_cli(capsys, "--db", str(path), "stats")
    assert result.code == 0
    assert f"created a new library at {path.resolve()}" in result.err
    again = run_cli(capsys, "--db", str(path), "stats")
    assert "created" not in again.err


# 18 --------------------------------------------------------------------------------------


def test_readme_is_for_a_newcomer_and_links_the_internals() -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    intro = readme[: readme.index("## Quick start")]
    assert "digest" in intro and "《AI内参》" in intro and "feeds" in intro.lower()
    assert "*unread/total*" in readme  # what `16/16` means
    assert "~/Documents/neican-notes" in readme and "Obsidian" in readme
    for path in ("docs/PERFORMANCE.md", "docs/SEARCH.md"):
        assert f"]({path})" in readme and (ROOT / path).is_file()
    for png in ("docs/screenshot-120x35.png", "docs/screenshot-80x24.png"):
        assert f"]({png})" in readme
        assert (ROOT / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    performance = readme[readme.index("## Performance") : readme.index("## Development")]
    assert "|---|" not in performance  # the tables live in docs/PERFORMANCE.md
    assert "FTS5" not in readme[readme.index("## Search") : readme.index("## Entities")]


async def test_a_resize_keeps_the_selected_match_in_view(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await search_for(app, pilot, "李飞飞")
        await pilot.press("enter")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        view = app.query_one(ArticleView)
        line = view._index_to_line[view.highlighted]
        assert view.scroll_offset.y <= line < view.scroll_offset.y + view.size.height
