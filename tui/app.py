"""The reader: panes wired together, global keys, and the work kept off the UI thread."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Footer, Input, TextArea

from store import segment
from store.articles import Article, ArticleRow, SearchResult
from store.errors import NeicanError
from store.library import Library
from store.paths import bundled_seeds
from store.sql import explain

from .bindings import KEYS, bindings
from .focus import focus_now
from .messages import CountsReady, ImportFinished
from .screens.export import ExportModal
from .screens.help import HelpScreen
from .screens.note_edit import NoteEditModal
from .screens.notes import NotesScreen
from .widgets.article_list import ArticleList
from .widgets.article_view import ArticleView
from .widgets.entity_sidebar import EntitySidebar
from .widgets.feed_list import ALL, FeedList, View
from .widgets.search_bar import SearchBar
from .widgets.status_bar import StatusBar

T = TypeVar("T")
SEARCH_DELAY = 0.15  # seconds of quiet typing before a search runs
SEARCH_LIMIT = 500
# A full (generation 2) garbage collection stops Python for 15–60 ms on a slow machine:
# long enough to make a keypress stutter. After startup the objects alive are frozen out
# of collection, automatic full collections are made rare, and one runs instead when
# the user has left the keyboard alone for a moment.
GC_THRESHOLDS = (700, 10, 1000)
IDLE_COLLECT_AFTER = 2.0  # seconds without input


class NeicanCommands(Provider):
    """The palette: every key of the table, and a jump to any feed or outlet."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        assert isinstance(app, NeicanApp)
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (f"{key.label} ({key.display})", partial(app.run_action, key.action), key.help)
            for key in KEYS
            if key.scope == "app" and key.action != "focus_next"
        ]
        feeds = app.query_one(FeedList)
        for view in feeds.views:
            commands.append(
                (f"Go to {view.label}", partial(app.go_to_view, view), f"Show the {view.kind}")
            )
        return commands

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(Content(text), callback, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, text=text, help=help_text)


class NeicanApp(App[None]):
    """neican: feeds, articles, the article, entities; search from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "neican 内参"
    BINDINGS = bindings("app")
    COMMANDS = App.COMMANDS | {NeicanCommands}

    def __init__(
        self,
        library_path: str | Path | None = None,
        *,
        warm_up: bool = True,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.library = Library(library_path, notice=notice)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="neican-db")
        self.view: View = ALL
        self.before_search: tuple[View, int | None] | None = None
        self.article: Article | None = None
        self.words: tuple[str, ...] = ()
        self.search_id = 0
        self._search_timer: Timer | None = None
        self._warm_up = warm_up
        self.segmenter_ready = asyncio.Event()
        self.importing = False
        self._last_input = time.monotonic()
        self._collected = True
        self._gc_thresholds: tuple[int, int, int] | None = None
        self.exit_error: NeicanError | None = None  # why the reader ended, said on exit

    def _handle_exception(self, error: Exception) -> None:
        """A library found damaged (or the disk full) while reading: the command line's
        one line on exit, not a traceback. (Textual's hook for an uncaught exception.)"""
        cause = getattr(error, "error", error)  # a worker's failure wraps the exception
        if isinstance(cause, sqlite3.Error):
            self.exit_error = explain(cause, self.library.path, "cannot read the library")
            self.exit(return_code=1)  # open_reader prints it, once the screen is given back
            return
        super()._handle_exception(error)

    # layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FeedList(id="feeds")
            with Vertical(id="main"):
                yield SearchBar(id="search")
                yield ArticleList(id="articles")
                yield ArticleView(id="article")
            yield EntitySidebar(id="entities")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#feeds").border_title = Content("订阅")
        self.query_one("#articles").border_title = Content("文章")
        self.query_one("#article").border_title = Content("正文")
        self.query_one(SearchBar).display = False
        self.query_one(EntitySidebar).display = False
        self.on_resize()
        self.show_view(ALL)
        self.query_one(ArticleList).focus()
        self.call_after_refresh(self.start_background)

    def on_resize(self) -> None:
        """Below 100 columns the feed pane narrows, and steps aside for the sidebar."""
        self.screen.set_class(self.size.width < 100, "-narrow")

    def start_background(self) -> None:
        """After the first paint: jieba, the counts, the seeds for an empty library."""
        if self._warm_up and not segment.is_loaded():
            self.set_status(right=Content.styled("分词加载中…", "$warning"))
            threading.Thread(target=self._load_segmenter, name="neican-jieba", daemon=True).start()
        else:
            self.segmenter_ready.set()
        if self.library.is_empty() and bundled_seeds():
            self.import_seeds()
        else:
            self.refresh_counts()
        self._quiet_gc()

    def _quiet_gc(self) -> None:
        """Keep full garbage collections out of keypresses (see GC_THRESHOLDS)."""
        self._gc_thresholds = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        self.set_interval(IDLE_COLLECT_AFTER, self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        if not self._collected and time.monotonic() - self._last_input >= IDLE_COLLECT_AFTER:
            gc.collect()
            self._collected = True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
            self._collected = False
        await super().on_event(event)

    def _load_segmenter(self) -> None:
        engine = segment.warm_up()
        if not self.is_running:
            return  # the reader quit while jieba was loading
        try:
            self.call_from_thread(self._segmenter_loaded, engine)
        except RuntimeError:
            pass

    def _segmenter_loaded(self, engine: str) -> None:
        self.segmenter_ready.set()
        self.set_status(right=Content(""))

    # background work ------------------------------------------------------------------

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run library work on the database thread; the UI keeps painting meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(fn, *args))

    @work(exclusive=True, group="counts")
    async def refresh_counts(self) -> None:
        def counts() -> CountsReady:
            total, unread = self.library.totals()
            return CountsReady(
                total,
                unread,
                self.library.note_count(),
                self.library.feeds(),
                self.library.outlets(),
            )

        self.on_counts_ready(await self.in_db(counts))

    def on_counts_ready(self, counts: CountsReady) -> None:
        self.query_one(FeedList).set_counts(
            counts.total, counts.unread, counts.noted, counts.feeds, counts.outlets
        )
        self.update_status()

    @work(exclusive=True, group="import")
    async def import_seeds(self) -> None:
        self.importing = True
        self.set_status(left=Content.styled("正在导入示例文档…", "$warning"))
        self.query_one(ArticleView).show_message(Content.styled("正在导入示例文档…", "dim"))
        try:
            report = await self.in_db(self.library.import_paths, bundled_seeds())
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        finally:
            self.importing = False
        self.on_import_finished(
            ImportFinished(len(report.imported), [o.reason for o in report.refused])
        )

    def on_import_finished(self, event: ImportFinished) -> None:
        self.notify(f"已导入 {event.imported} 个示例文档", markup=False)
        self.show_view(self.view)
        self.refresh_counts()

    # views --------------------------------------------------------------------------

    def fetcher(self, view: View) -> Callable[[ArticleRow | None, int], list[ArticleRow]]:
        library = self.library

        def fetch(after: ArticleRow | None, limit: int) -> list[ArticleRow]:
            before = after.sid if after is not None else None
            if view.kind == "feed":
                return library.article_rows(feed=view.name, before_sid=before, limit=limit)
            if view.kind == "outlet":
                return library.article_rows(outlet=view.name, before_sid=before, limit=limit)
            return library.article_rows(
                unread_only=view.kind == "unread",
                noted_only=view.kind == "noted",
                before_sid=before,
                limit=limit,
            )

        return fetch

    def show_view(self, view: View, select_id: int | None = None) -> None:
        self.view = view
        self.words = ()
        articles = self.query_one(ArticleList)
        articles.show(self.fetcher(view), select_id=select_id)
        articles.border_title = Content(view.label)
        if not articles.rows:
            empty = "还没有文章" if view == ALL else "这里没有文章"
            self.query_one(ArticleView).show_message(Content.styled(empty, "dim"))
            self.show_article(None)
        else:
            # Now, so list and article paint in one frame (the list's Shown then finds it shown).
            self.show_article(articles.current)
        self.update_status()

    def go_to_view(self, view: View) -> None:
        self.close_search(restore=False)
        self.query_one(FeedList).select_view(view)
        self.show_view(view)

    def update_status(self) -> None:
        articles = self.query_one(ArticleList)
        if self.view.kind == "search":
            return
        feeds = self.query_one(FeedList)
        total, unread = feeds.counts.get(self.view.id, (None, None))
        parts = [self.view.label]
        if total is not None:
            parts.append(f"{total} 篇")
        elif articles.rows:
            parts.append(f"{len(articles.rows)}+ 篇")
        if unread:
            parts.append(f"{unread} 未读")
        self.set_status(left=Content(" · ".join(parts)))

    def set_status(self, left: Content | None = None, right: Content | None = None) -> None:
        self.query_one(StatusBar).set(left, right)

    # the open article -------------------------------------------------------------------

    def show_article(self, row: ArticleRow | None, *, mark_read: bool = False) -> None:
        view = self.query_one(ArticleView)
        if row is None:
            self.article = None
            self._bindings_may_change()
            return
        if (
            not mark_read
            and self.article is not None
            and self.article.id == row.id
            and view.article is self.article
            and view.words == self.words
        ):
            return  # already shown as it is
        try:
            article = self.library.article(row.id)
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        if mark_read and not article.read:
            self.set_read(article, True)
            article = self.library.article(row.id)
        self.article = article
        view.show_article(article, self.words)
        sidebar = self.query_one(EntitySidebar)
        if sidebar.display and sidebar.mode == "entities":
            sidebar.show_entities(article.entities)
        self._bindings_may_change()

    def _bindings_may_change(self) -> None:
        """Refresh the footer only when a key becomes (un)available: it re-lays out the screen."""
        state = (self.article is not None, bool(self.article and self.article.ruiping))
        if state != getattr(self, "_binding_state", None):
            self._binding_state = state
            self.refresh_bindings()

    def set_read(self, article: Article, read: bool) -> bool:
        """Mark it (un)read; False if the library would not take it (the user is told)."""
        if article.read == read:
            return True
        try:
            self.library.set_read(article.id, read)
        except NeicanError as e:  # e.g. another neican is writing: one line, the reader goes on
            self.notify(str(e), severity="error", markup=False)
            return False
        self.query_one(ArticleList).update_row(article.id, read=read)
        self.query_one(FeedList).adjust_unread(article.feed, article.outlets, -1 if read else 1)
        self.update_status()
        return True

    @on(ArticleList.Shown)
    def preview(self, event: ArticleList.Shown) -> None:
        self.show_article(event.row)

    @on(ArticleList.Chosen)
    def open_chosen(self, event: ArticleList.Chosen) -> None:
        self.show_article(event.row, mark_read=True)
        focus_now(self.query_one(ArticleView))

    @on(FeedList.Chosen)
    def feed_chosen(self, event: FeedList.Chosen) -> None:
        if event.view != self.view or self.view.kind == "search":
            self.close_search(restore=False)
            self.show_view(event.view)

    # actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_read", "open_link", "copy_link", "add_quote"):
            return True if self.article is not None else None
        if action == "bookmark_ruiping":
            return True if self.article is not None and self.article.ruiping else None
        return True

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, ArticleList) and focused.current is not None:
            self.open_chosen(ArticleList.Chosen(focused.current))

    def action_toggle_read(self) -> None:
        if self.article is None:
            return
        if not self.set_read(self.article, not self.article.read):
            return
        self.article = self.library.article(self.article.id)
        self.query_one(ArticleView).show_article(self.article, self.words)
        self.notify("已标为已读" if self.article.read else "已标为未读", markup=False, timeout=2)

    def _step_unread(self, step: int) -> None:
        articles = self.query_one(ArticleList)
        start = articles.highlighted if articles.highlighted is not None else -1
        index = articles.find(start, step)
        if index is None:
            self.notify(
                "没有更多未读文章" if step > 0 else "前面没有未读文章", markup=False, timeout=2
            )
            return
        articles.highlighted = index
        self.show_article(articles.rows[index], mark_read=True)

    def action_next_unread(self) -> None:
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def action_open_link(self) -> None:
        if self.article is None:
            return
        if not self.article.links:
            self.notify("这篇文章没有链接", markup=False, timeout=3)
            return
        self.open_url(self.article.links[0])
        self.notify(f"已在浏览器打开 {self.article.links[0]}", markup=False, timeout=3)

    def action_copy_link(self) -> None:
        if self.article is None:
            return
        if not self.article.links:
            self.notify("这篇文章没有链接", markup=False, timeout=3)
            return
        self.copy_to_clipboard(self.article.links[0])
        self.notify(f"已复制 {self.article.links[0]}", markup=False, timeout=3)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_toggle_entities(self) -> None:
        sidebar = self.query_one(EntitySidebar)
        sidebar.display = not sidebar.display
        self.screen.set_class(sidebar.display, "-sidebar")
        if sidebar.display:
            sidebar.show_entities(self.article.entities if self.article else None)
            focus_now(sidebar.listing)
        elif sidebar.has_focus_within:
            focus_now(self.query_one(ArticleList))

    async def action_back(self) -> None:
        sidebar = self.query_one(EntitySidebar)
        if self.query_one(SearchBar).display:
            self.close_search(restore=True)
        elif sidebar.display and sidebar.mode == "articles":
            sidebar.show_entities(self.article.entities if self.article else None)
            focus_now(sidebar.listing)
        elif sidebar.display and sidebar.has_focus_within:
            self.action_toggle_entities()
        elif isinstance(self.focused, ArticleView):
            focus_now(self.query_one(ArticleList))

    # notes ----------------------------------------------------------------------------

    def action_bookmark_ruiping(self) -> None:
        if self.article is None or not self.article.ruiping:
            return
        try:
            note = self.library.toggle_ruiping(self.article.id)
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.notify("已收藏锐评" if note else "已取消收藏锐评", markup=False, timeout=2)
        self.notes_changed()

    def action_add_quote(self) -> None:
        view = self.query_one(ArticleView)
        selected = view.selected_text
        if self.article is None or selected is None:
            return
        kind, text = selected
        if kind in ("meta", "message"):
            self.notify("选中一段正文再按 a (在正文里用 j/k 移动)", markup=False, timeout=3)
            return
        try:
            note = self.library.add_note(self.article.id, "quote", text)
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.notes_changed()

        def save(result: tuple[str, list[str]] | None) -> None:
            if result is not None and (result[0].strip() or result[1]):
                try:
                    self.library.update_note(note.id, comment=result[0], tags=result[1])
                except NeicanError as e:
                    self.notify(str(e), severity="error", markup=False)
                    return
            self.notify("已保存引用笔记", markup=False, timeout=2)

        self.push_screen(NoteEditModal(note), save)

    def notes_changed(self) -> None:
        """A note was added or removed: marks, counts and the open article follow."""
        if self.article is not None:
            self.article = self.library.article(self.article.id)
            self.query_one(ArticleView).show_article(self.article, self.words)
            self.query_one(ArticleList).update_row(self.article.id, noted=bool(self.article.notes))
        self.query_one(FeedList).set_noted(self.library.note_count())
        self.refresh_bindings()

    def action_notes(self) -> None:
        self.push_screen(NotesScreen())

    @on(NotesScreen.OpenArticle)
    def open_from_notes(self, event: NotesScreen.OpenArticle) -> None:
        self.open_article_id(event.article_id)

    def open_article_id(self, article_id: int) -> None:
        """Open an article from anywhere: selected in the list if it is there."""
        articles = self.query_one(ArticleList)
        index = next((i for i, r in enumerate(articles.rows) if r.id == article_id), None)
        if index is not None:
            articles.highlighted = index
            row = articles.rows[index]
        else:
            found = self.library.article_rows(ids=[article_id])
            if not found:
                return
            row = found[0]
        self.show_article(row, mark_read=True)
        focus_now(self.query_one(ArticleView))

    def action_export_notes(self) -> None:
        from store import settings

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self.export_notes(folder)

        self.push_screen(ExportModal(settings.export_folder().resolve()), chosen)

    @work(exclusive=True, group="export")
    async def export_notes(self, folder: Path) -> None:
        from store import settings
        from store.export import export_notes

        try:
            report = await self.in_db(export_notes, self.library, folder)
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        settings.save(export_dir=str(folder.resolve()))
        files = len(report.written) + len(report.updated)
        self.notify(
            f"已导出: {files} 个文件写入 {folder}"
            + (f" ({len(report.unchanged)} 个未变)" if report.unchanged else ""),
            markup=False,
            timeout=6,
        )

    # entities ----------------------------------------------------------------------

    @on(EntitySidebar.EntityChosen)
    def entity_chosen(self, event: EntitySidebar.EntityChosen) -> None:
        self.list_entity(event.name, event.type)

    @work(exclusive=True, group="entity")
    async def list_entity(self, name: str, kind: str) -> None:
        def rows() -> list[ArticleRow]:
            ids = [i for i, n, t in self.library.resolve_entity(name) if n == name and t == kind]
            return self.library.article_rows(entity_ids=ids)

        result = await self.in_db(rows)
        sidebar = self.query_one(EntitySidebar)
        sidebar.show_articles(name, kind, result, self.article.id if self.article else None)
        focus_now(sidebar.listing)

    @on(EntitySidebar.ArticleChosen)
    def entity_article_chosen(self, event: EntitySidebar.ArticleChosen) -> None:
        self.open_article_id(event.row.id)
        focus_now(self.query_one(EntitySidebar).listing)

    # search ---------------------------------------------------------------------------

    def action_search(self) -> None:
        # A priority binding, so that keys typed at once after `/` reach the search
        # bar (Textual routes queued keys to the widget focused when they arrive);
        # where text is typed, or on another screen, `/` is just a character.
        if self.screen is not self.screen_stack[0] or isinstance(self.focused, Input | TextArea):
            raise SkipAction()
        bar = self.query_one(SearchBar)
        if not bar.display:
            articles = self.query_one(ArticleList)
            current = articles.current
            self.before_search = (self.view, current.id if current else None)
            bar.display = True
        focus_now(bar)

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.search_id += 1
        text = event.value
        if not text.strip():
            if self.before_search is not None:
                view, selected = self.before_search
                self.show_view(view, select_id=selected)
            return
        query_id = self.search_id
        self._search_timer = self.set_timer(SEARCH_DELAY, partial(self.run_search, query_id, text))

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        focus_now(self.query_one(ArticleList))

    @work(exclusive=True, group="search")
    async def run_search(self, query_id: int, text: str) -> None:
        if not self.segmenter_ready.is_set():
            self.set_status(right=Content.styled("分词加载中… 加载后搜索", "$warning"))
            await self.segmenter_ready.wait()
        result = await self.in_db(self.library.search, text, SEARCH_LIMIT)
        if query_id == self.search_id:  # drop results of an older query
            self.show_search(result)

    def show_search(self, result: SearchResult) -> None:
        self.view = View("search", result.query)
        self.words = result.words
        rows = [
            ArticleRow(h.id, h.feed, h.kind, h.title, h.outlets, h.published, h.read, h.noted)
            for h in result.hits
        ]
        articles = self.query_one(ArticleList)
        articles.show(None, rows=rows, words=result.words)
        articles.border_title = Content.assemble("搜索: ", result.query)
        shown = f"{result.total} 条结果" + (
            f" (显示前 {len(rows)} 条)" if len(rows) < result.total else ""
        )
        problems = "  ".join(result.problems)
        self.set_status(
            left=Content.assemble(shown, ("  " + problems if problems else "", "$warning")),
            right=Content(""),
        )
        if not rows:
            self.query_one(ArticleView).show_message(Content.styled("没有找到", "dim"))
            self.show_article(None)

    def close_search(self, restore: bool) -> None:
        bar = self.query_one(SearchBar)
        if not bar.display:
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        self.search_id += 1
        bar.display = False
        bar.value = ""
        if restore and self.before_search is not None:
            view, selected = self.before_search
            self.show_view(view, select_id=selected)
            articles = self.query_one(ArticleList)
            if articles.current is not None:
                self.show_article(articles.current)
        self.before_search = None
        focus_now(self.query_one(ArticleList))

    # lifecycle ----------------------------------------------------------------------

    def on_unmount(self) -> None:
        # Let the database thread finish what it is doing before its connection closes.
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.library.close()
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            gc.unfreeze()
