"""The reader: the library, the work kept off the UI thread, global keys and the palette."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
import webbrowser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from textual import events, on, work
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.message import Message
from textual.worker import Worker, WorkerState

from store import paths, segment, settings
from store.errors import NeicanError
from store.export import export_notes
from store.library import Library
from store.records import ArticleRow
from store.refresh import RefreshOutcome
from store.sql import explain

from .bindings import KEYS, bindings
from .i18n import _
from .messages import (
    CountsReady,
    EntityArticles,
    FullTextFetched,
    ImportFinished,
    QuoteAdded,
    RefreshFinished,
    RefreshProgress,
    RuipingToggled,
    SearchFinished,
    Subscribed,
)
from .render import palette_hit
from .screens.export import ExportModal
from .screens.help import HelpScreen
from .screens.main import MainScreen
from .screens.notes import NotesScreen
from .widgets.feed_list import FeedList

T = TypeVar("T")
SEARCH_LIMIT = 500
# A full (generation 2) garbage collection stops Python for 15–60 ms on a slow machine:
# long enough to make a keypress stutter. After startup the objects alive are frozen out
# of collection, automatic full collections are made rare, and one runs instead when
# the user has left the keyboard alone for a moment.
GC_THRESHOLDS = (700, 10, 1000)
IDLE_COLLECT_AFTER = 2.0  # seconds without input


class NeicanCommands(Provider):
    """The palette: every key of the main screen and the app, and a jump to any feed or outlet."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app = self.app
        assert isinstance(app, NeicanApp)
        main = app.main
        # The keys of the screen the palette was opened on (the notes screen has its own).
        screen = self.screen
        scope = "notes" if isinstance(screen, NotesScreen) else "main"
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (f"{_(key.label)} ({key.display})", partial(screen.run_action, key.action), _(key.help))
            for key in KEYS
            if key.scope in (scope, "app") and not key.builtin
        ]
        if scope == "notes":
            return commands
        for view in main.query_one(FeedList).views:
            if view.kind == "folder":
                continue  # a heading of the feeds pane, not a view
            commands.append(
                (
                    _("Go to {name}").format(name=view.label),
                    partial(main.go_to_view, view),
                    _("Show this view"),
                )
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
                yield Hit(score, palette_hit(text, matcher), callback, text=text, help=help_text)


class RefreshStopped(NeicanError):
    """The reader is quitting: a refresh stops after the feed it is writing."""


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
        # One thread does all library work: each thread has its own SQLite connection,
        # and this one's page cache stays warm from one search to the next.
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="neican-db")
        # Feed work (refresh, subscribe, full text) waits on the network, so it has its
        # own threads: the database thread stays free for the keys' work, and each feeds
        # thread has its own connection (the refresh writes where it runs, one short
        # transaction per feed; WAL lets the other connections read meanwhile). Two, so
        # that `F` or `A` never waits behind a long refresh.
        self.feeds_executor = ThreadPoolExecutor(2, thread_name_prefix="neican-feeds")
        self.refreshing = False
        self._stopping = threading.Event()
        self._main: MainScreen | None = None
        self._warm_up = warm_up
        self.segmenter_ready = asyncio.Event()
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

    def get_default_screen(self) -> MainScreen:
        self._main = MainScreen()
        return self._main

    @property
    def main(self) -> MainScreen:
        """The main screen (the bottom of the stack): feeds, articles, the article."""
        assert self._main is not None, "the app is not running"
        return self._main

    # errors -----------------------------------------------------------------------------

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's error surfaces: neican's own refusals as one line."""
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        if isinstance(error, NeicanError):
            self.notify(str(error), severity="error", markup=False)
        else:
            raise error  # a bug: crash with its traceback, as Textual does by default

    # startup ------------------------------------------------------------------------

    def warm_up_segmenter(self) -> None:
        """Load jieba in a thread after the first paint, with a visible status meanwhile."""
        if self._warm_up and not segment.is_loaded():
            self.main.set_status(right=Content.styled(_("Loading the segmenter…"), "$warning"))
            threading.Thread(target=self._load_segmenter, name="neican-jieba", daemon=True).start()
        else:
            self.segmenter_ready.set()

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
        self.main.set_status(right=Content(""))

    def quiet_gc(self) -> None:
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

    # workers: library work on the database thread, results posted to the main screen --------

    async def in_db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run library work on the database thread; the UI keeps painting meanwhile."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(fn, *args))

    def _to_main(self, message: Message) -> None:
        self.main.post_message(message)

    @work(exclusive=True, group="counts", exit_on_error=False)
    async def refresh_counts(self) -> None:
        def counts() -> CountsReady:
            total, unread = self.library.totals()
            return CountsReady(
                total,
                unread,
                self.library.note_count(),
                self.library.feeds(),
                self.library.outlets(),
                self.library.subscriptions(),
            )

        self._to_main(await self.in_db(counts))

    # feeds: on the feeds threads (see __init__); results posted to the main screen ---------

    async def in_feeds(self, fn: Callable[[], T]) -> T:
        """Run network-bound library work on a feeds thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.feeds_executor, fn)

    def _from_thread(self, message: Message) -> None:
        """Post to the main screen from a feeds thread (thread-safe; dropped once closing)."""
        try:
            self.main.post_message(message)
        except RuntimeError:  # the event loop is gone: the reader quit meanwhile
            pass

    # Not `exclusive`: cancelling the worker would not stop its thread; the screen starts
    # no second refresh while `refreshing` holds.
    @work(group="refresh", exit_on_error=False)
    async def refresh_feeds(self, targets: list[str | int] | None = None) -> None:
        new = 0

        def progress(outcome: RefreshOutcome, done: int, total: int) -> None:
            nonlocal new
            if self._stopping.is_set():
                raise RefreshStopped("refresh stopped: neican is quitting")
            new += outcome.new
            self._from_thread(RefreshProgress(done, total, outcome.name, new))

        self.refreshing = True
        try:
            # `cancel`: quitting does not wait for feeds still answering (up to a minute)
            refresh = partial(
                self.library.refresh, targets, progress=progress, cancel=self._stopping
            )
            report = await self.in_feeds(refresh)
        finally:
            self.refreshing = False
            self.main.set_status(right=Content(""))
        self._to_main(RefreshFinished(report))

    @work(group="feeds", exit_on_error=False)
    async def subscribe(self, target: str) -> None:
        try:
            outcome = await self.in_feeds(partial(self.library.subscribe, target))
        finally:
            self.main.set_status(right=Content(""))
        self._to_main(Subscribed(outcome))

    @work(group="feeds", exit_on_error=False)
    async def fetch_full_text(self, article_id: int) -> None:
        try:
            article = await self.in_feeds(partial(self.library.fetch_full_text, article_id))
        finally:
            self.main.set_status(right=Content(""))
        self._to_main(FullTextFetched(article))

    @work(exclusive=True, group="import", exit_on_error=False)
    async def import_seeds(self) -> None:
        report = await self.in_db(self.library.import_paths, paths.bundled_seeds())
        self._to_main(ImportFinished(len(report.imported), [o.reason for o in report.refused]))

    @work(exclusive=True, group="search", exit_on_error=False)
    async def run_search(self, query_id: int, text: str) -> None:
        if not self.segmenter_ready.is_set():
            self.main.set_status(
                right=Content.styled(_("Loading the segmenter… searching once loaded"), "$warning")
            )
            await self.segmenter_ready.wait()
        result = await self.in_db(self.library.search, text, SEARCH_LIMIT)
        self._to_main(SearchFinished(query_id, result))

    @work(exclusive=True, group="entity", exit_on_error=False)
    async def list_entity(self, name: str, kind: str) -> None:
        def rows() -> list[ArticleRow]:
            ids = [i for i, n, t in self.library.resolve_entity(name) if n == name and t == kind]
            return self.library.article_rows(entity_ids=ids)

        self._to_main(EntityArticles(name, kind, await self.in_db(rows)))

    # Note writes wait for each other (no `exclusive`): two quick `b`s are two toggles.
    @work(group="notes", exit_on_error=False)
    async def toggle_ruiping(self, article_id: int) -> None:
        self._to_main(RuipingToggled(await self.in_db(self.library.toggle_ruiping, article_id)))

    @work(group="notes", exit_on_error=False)
    async def add_quote(
        self, article_id: int, text: str, comment: str = "", tags: tuple[str, ...] = ()
    ) -> None:
        note = await self.in_db(
            partial(self.library.add_note, article_id, "quote", text, comment, tags)
        )
        self._to_main(QuoteAdded(note))

    @work(exclusive=True, group="export", exit_on_error=False)
    async def export_notes(self, folder: Path) -> None:
        folder = folder.resolve()
        report = await self.in_db(export_notes, self.library, folder)
        settings.save(export_dir=str(folder))
        files = len(report.written) + len(report.updated)
        self.notify(
            _("Exported: {files} files written to {folder}").format(files=files, folder=folder)
            + (
                _(" ({count} unchanged)").format(count=len(report.unchanged))
                if report.unchanged
                else ""
            ),
            markup=False,
            timeout=6,
        )

    def open_in_browser(self, url: str) -> bool:
        """Hand a link to the system's browser; False when there is none to hand it to."""
        try:
            return webbrowser.open(url, new=2)
        except webbrowser.Error:
            return False

    # global keys --------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen("notes" if isinstance(self.screen, NotesScreen) else None))

    def action_export_notes(self) -> None:
        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self.export_notes(folder)

        remembered = settings.remembered_export_folder()
        folder = (remembered or paths.default_export_dir()).resolve()
        self.push_screen(ExportModal(folder, first=remembered is None), chosen)

    @on(NotesScreen.OpenArticle)
    def open_from_notes(self, event: NotesScreen.OpenArticle) -> None:
        self.main.open_article_id(event.article_id)

    # lifecycle ----------------------------------------------------------------------

    def on_unmount(self) -> None:
        # Let the database thread finish what it is doing before its connection closes;
        # a refresh stops after the feed it is on (see refresh_feeds).
        self._stopping.set()
        self.feeds_executor.shutdown(wait=True, cancel_futures=True)
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.library.close()
        if self._gc_thresholds is not None:
            gc.set_threshold(*self._gc_thresholds)
            gc.unfreeze()
