"""MainScreen: feeds, articles, the article and its entities; views, search and notes keys.

Why ~800 lines in one class: its panes, views, search, feeds and follows all read and
change one state (the view, the open article, the search words); widgets hold the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, TextArea

from store.errors import NeicanError, NotFound
from store.follow import Follow
from store.library import Library
from store.links import safe_link
from store.paths import bundled_seeds
from store.records import Article, ArticleRow, FeedInfo, Note

from ..bindings import bindings, footer_first
from ..focus import focus_now
from ..i18n import _
from ..messages import (
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
from ..render import feed_trouble, in_trouble, refresh_progress
from ..widgets.article_list import ArticleList
from ..widgets.article_view import ArticleView
from ..widgets.entity_sidebar import EntitySidebar
from ..widgets.feed_list import ALL, FeedList, View
from ..widgets.search_bar import SearchBar
from ..widgets.status_bar import StatusBar
from .add_feed import AddFeedModal
from .follow_name import FollowModal
from .links import LinkPicker
from .note_edit import NoteEditModal
from .notes import NotesScreen

if TYPE_CHECKING:
    from ..app import NeicanApp

SEARCH_DELAY = 0.15  # seconds of quiet typing before a search runs
# While a refresh brings articles, the list is fetched again at most this often (seconds).
RELOAD_EVERY = 1.0


def entity_query(name: str) -> str:
    """`entity:英伟达`, quoted where the name holds a space (`entity:"Mistral AI"`)."""
    return f'entity:"{name}"' if " " in name else f"entity:{name}"


class MainScreen(Screen[None]):
    """The reader's panes. Slow work runs in the app's workers, which post their results here."""

    BINDINGS = bindings("main")

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return footer_first(super().active_bindings)

    def __init__(self) -> None:
        super().__init__()
        self.view: View = ALL
        self.before_search: tuple[View, int | None] | None = None
        self.article: Article | None = None
        self.words: tuple[str, ...] = ()
        self.search_id = 0  # the query typed last
        self.shown_search_id = 0  # the query whose results the list shows
        self._search_timer: Timer | None = None
        self._binding_state: tuple[bool, bool] | None = None
        self._refresh_new = 0  # articles of the running refresh the list already shows
        self._reloaded = 0.0  # when the list was last fetched again during a refresh
        self.since_mark: int | None = None  # 新的: articles with larger ids (store/follow.py)
        self.follow_search_id = 0  # the search that shows a followed search's articles

    @property
    def neican(self) -> NeicanApp:
        return cast("NeicanApp", self.app)

    @property
    def library(self) -> Library:
        return self.neican.library

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
        self.query_one("#feeds").border_title = Content(_("Feeds"))
        self.query_one("#articles").border_title = Content(_("Articles"))
        self.query_one("#article").border_title = Content(_("Article"))
        self.query_one(SearchBar).display = False
        self.query_one(EntitySidebar).display = False
        self.fit_width()
        self.show_view(ALL)
        self.query_one(ArticleList).focus()
        self.call_after_refresh(self.start_background)

    def on_resize(self, event: events.Resize) -> None:
        self.fit_width()

    def fit_width(self) -> None:
        """Below 100 columns the feed pane narrows, and steps aside for the sidebar; the
        footer packs its keys closer (`?` and `q` come first: they are never cut off)."""
        narrow = self.app.size.width < 100
        self.set_class(narrow, "-narrow")
        footer = self.query_one(Footer)
        if footer.compact != narrow:
            footer.compact = narrow
            footer.show_command_palette = not narrow  # `^p` is in `?` and the README
            footer.refresh(recompose=True)

    def start_background(self) -> None:
        """After the first paint: jieba, the counts, the seeds for an empty library."""
        self.neican.warm_up_segmenter()
        if self.library.is_empty() and bundled_seeds():
            self.set_status(left=Content.styled(_("Importing the sample documents…"), "$warning"))
            self.query_one(ArticleView).show_message(
                Content.styled(_("Importing the sample documents…"), "dim")
            )
            self.neican.import_seeds()
        else:
            self.neican.refresh_counts()
        self.neican.quiet_gc()

    def set_status(self, left: Content | None = None, right: Content | None = None) -> None:
        self.query_one(StatusBar).set(left, right)

    # results of the app's workers -------------------------------------------------------

    def on_counts_ready(self, counts: CountsReady) -> None:
        self.query_one(FeedList).set_counts(
            counts.total,
            counts.unread,
            counts.noted,
            counts.feeds,
            counts.outlets,
            counts.subscriptions,
        )
        self.update_status()
        self.refresh_bindings()  # `r` shows once there are feeds
        self.refresh_follows()

    @work(exclusive=True, group="follows", exit_on_error=False)
    async def refresh_follows(self) -> None:
        """Followed searches' and 新的's counts, on the database thread (never the UI's):
        after the first count only new articles are searched (store/follow.py)."""
        library = self.library

        def counts() -> tuple[list[Follow], tuple[int, int]]:
            if self.since_mark is None:  # once a session, even if this worker is cancelled
                self.since_mark = library.start_session()
            return library.follows(), library.since_counts(self.since_mark)

        follows, new = await self.neican.in_db(counts)
        self.query_one(FeedList).set_follows(follows, new)
        self.update_status()

    def on_import_finished(self, event: ImportFinished) -> None:
        self.notify(
            _("Imported {count} sample documents").format(count=event.imported), markup=False
        )
        self.show_view(self.view)
        self.neican.refresh_counts()

    # views --------------------------------------------------------------------------

    def fetcher(self, view: View) -> Callable[[ArticleRow | None, int], list[ArticleRow]]:
        library = self.library
        sub = self.query_one(FeedList).subscription(view)
        # a folder subscription's articles belong to their documents' own feeds
        folder = sub.url if sub is not None and sub.kind == "folder" else None

        def fetch(after: ArticleRow | None, limit: int) -> list[ArticleRow]:
            before = after.sid if after is not None else None
            if folder is not None:
                return library.article_rows(folder=folder, before_sid=before, limit=limit)
            if view.kind == "feed":
                return library.article_rows(feed=view.name, before_sid=before, limit=limit)
            if view.kind == "outlet":
                return library.article_rows(outlet=view.name, before_sid=before, limit=limit)
            if view.kind == "new":  # all at once: ordered by feed, not by `sid`
                mark = self.since_mark
                return [] if after is not None or mark is None else library.since_rows(mark)
            return library.article_rows(
                unread_only=view.kind == "unread",
                noted_only=view.kind == "noted",
                before_sid=before,
                limit=limit,
            )

        return fetch

    def show_view(self, view: View, select_id: int | None = None) -> None:
        if view.kind == "group":  # the 关注 header (the palette lists it too)
            return
        self.view = view
        if view.kind == "follow":
            self.open_follow(view)
            return
        self.words = ()
        articles = self.query_one(ArticleList)
        articles.show(self.fetcher(view), select_id=select_id)
        articles.border_title = Content(view.label)
        if not articles.rows:
            empty = _("No articles yet") if view == ALL else _("No articles here")
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
            parts.append(_("{count} articles").format(count=total))
        elif articles.rows:
            parts.append(_("{count}+ articles").format(count=len(articles.rows)))
        if unread:
            parts.append(_("{count} unread").format(count=unread))
        left = Content(" · ".join(parts))
        sub = feeds.subscription(self.view)
        if sub is not None and in_trouble(sub):
            left = Content.assemble(left, "  ", feed_trouble(sub))
        self.set_status(left=left)

    @on(FeedList.Chosen)
    def feed_chosen(self, event: FeedList.Chosen) -> None:
        if event.view != self.view or self.view.kind == "search":
            self.close_search(restore=False)
            self.show_view(event.view)

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
        except NotFound as e:  # the list is older than the library (another process changed it)
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
        if state != self._binding_state:
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
        feeds = article.feeds or (article.feed,)
        self.query_one(FeedList).adjust_unread(feeds, article.outlets, -1 if read else 1)
        self.update_status()
        self.refresh_follows()  # cheap: the followed searches' matches are cached
        return True

    @on(ArticleList.Shown)
    def preview(self, event: ArticleList.Shown) -> None:
        self.show_article(event.row)

    @on(ArticleList.Chosen)
    def open_chosen(self, event: ArticleList.Chosen) -> None:
        self.show_article(event.row, mark_read=True)
        focus_now(self.query_one(ArticleView))

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

    # actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `b` stays available on an article without 锐评: it says why it does nothing there.
        if action in (
            "toggle_read",
            "open_link",
            "copy_link",
            "add_quote",
            "bookmark_ruiping",
            "full_text",
        ):
            return True if self.article is not None else None
        if action == "refresh_all":
            # In the footer once there are feeds (at 80 columns it has no room to spare).
            return bool(self.query_one(FeedList).subscriptions)
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
        self.notify(
            _("Marked as read") if self.article.read else _("Marked as unread"),
            markup=False,
            timeout=2,
        )

    def _step_unread(self, step: int) -> None:
        articles = self.query_one(ArticleList)
        start = articles.highlighted if articles.highlighted is not None else -1
        index = articles.find(start, step)
        if index is None:
            self.notify(
                _("No more unread articles")
                if step > 0
                else _("No unread articles before this one"),
                markup=False,
                timeout=2,
            )
            return
        articles.highlighted = index
        self.show_article(articles.rows[index], mark_read=True)

    def action_next_unread(self) -> None:
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def _with_link(self, question: str, then: Callable[[str], None]) -> None:
        """Run `then` on the article's link: the only one, or the one the user picks."""
        if self.article is None:
            return
        links = self.article.links
        if not links:
            self.notify(_("This article has no link"), markup=False, timeout=3)
            return
        if len(links) == 1:
            then(links[0])
            return

        def picked(link: str | None) -> None:
            if link is not None:
                then(link)

        self.app.push_screen(LinkPicker(links, question.format(count=len(links))), picked)

    def action_open_link(self) -> None:
        self._with_link(_("Open which link? ({count} links)"), self.open_link)

    def open_link(self, link: str) -> None:
        """Open an http(s) link in a browser and say what happened."""
        safe = safe_link(link)
        if safe is None:
            self.notify(
                _("Not opening {link}: only http/https links open (y copies it)").format(link=link),
                severity="warning",
                markup=False,
                timeout=5,
            )
        elif self.neican.open_in_browser(safe):
            self.notify(
                _("Handed to the browser: {link}").format(link=safe), markup=False, timeout=3
            )
        else:
            self.notify(
                _("No browser found: {link} not opened (y copies the link)").format(link=safe),
                severity="warning",
                markup=False,
                timeout=6,
            )

    def action_copy_link(self) -> None:
        self._with_link(_("Copy which link? ({count} links)"), self.copy_link)

    def copy_link(self, link: str) -> None:
        self.app.copy_to_clipboard(link)
        self.notify(_("Copied {link}").format(link=link), markup=False, timeout=3)

    def _jump_match(self, step: int) -> None:
        view = self.query_one(ArticleView)
        if not view.matches:
            self.notify(
                _("No search match in the article (search with / first)"), markup=False, timeout=2
            )
        elif not view.jump_match(step):
            last = _("This is the last match") if step > 0 else _("This is the first match")
            self.notify(last, markup=False, timeout=2)

    def action_next_match(self) -> None:
        self._jump_match(1)

    def action_previous_match(self) -> None:
        self._jump_match(-1)

    def action_toggle_entities(self) -> None:
        sidebar = self.query_one(EntitySidebar)
        sidebar.display = not sidebar.display
        self.set_class(sidebar.display, "-sidebar")
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

    # feeds: refresh, subscribe, full text (the app's workers; the network never blocks keys)

    def action_refresh_all(self) -> None:
        self.refresh_feeds(None)

    def action_refresh_one(self) -> None:
        feeds = self.query_one(FeedList)
        sub = feeds.subscription(self.view)
        if sub is None and self.article is not None:
            sub = self.subscription_of(self.article)
        if sub is None:
            self.notify(
                _("Select a feed (or one of its articles), then press R"), markup=False, timeout=3
            )
            return
        self.refresh_feeds([sub.id])

    def subscription_of(self, article: Article) -> FeedInfo | None:
        """The first subscription carrying the article (it may be in several feeds)."""
        subscriptions = self.query_one(FeedList).subscriptions
        return next(
            (subscriptions[f] for f in article.feeds or (article.feed,) if f in subscriptions),
            None,
        )

    def refresh_feeds(self, targets: list[str | int] | None) -> None:
        if self.neican.refreshing:
            self.notify(_("Refreshing…"), markup=False, timeout=2)
            return
        if not self.query_one(FeedList).subscriptions:
            self.notify(_("No feeds yet: press A to add one"), markup=False, timeout=3)
            return
        self.neican.refreshing = True  # now: a second `r` before the worker starts waits
        self._refresh_new = 0
        self.set_status(right=Content.styled(_("Refreshing…"), "$warning"))
        self.neican.refresh_feeds(targets)

    def on_refresh_progress(self, event: RefreshProgress) -> None:
        if not self.neican.refreshing:
            return  # a late message of a finished refresh
        self.set_status(right=refresh_progress(event.done, event.total, event.name))
        now = time.monotonic()
        if event.new > self._refresh_new and now - self._reloaded >= RELOAD_EVERY:
            self._refresh_new = event.new
            self._reloaded = now
            self.articles_changed()

    def on_refresh_finished(self, event: RefreshFinished) -> None:
        report = event.report
        text = _("Refreshed: {count} new articles").format(count=report.new)
        if report.updated:
            text += _(", {count} updated").format(count=report.updated)
        if report.errors:
            text += _(", {count} feeds failed").format(count=report.errors)
        self.notify(
            text, markup=False, timeout=4, severity="warning" if report.errors else "information"
        )
        self.articles_changed()

    def articles_changed(self) -> None:
        """Articles came in: counts, and the list (unless it shows search results); the
        cursor and the open article stay where they are."""
        self.neican.refresh_counts()
        if self.view.kind != "search" and not self.query_one(SearchBar).display:
            self.query_one(ArticleList).reload()
            self.update_status()

    def action_add_feed(self) -> None:
        def chosen(target: str | None) -> None:
            if target:
                self.set_status(right=Content.styled(_("Subscribing…"), "$warning"))
                self.neican.subscribe(target)

        self.app.push_screen(AddFeedModal(), chosen)

    def on_subscribed(self, event: Subscribed) -> None:
        outcome = event.outcome
        if outcome.status == "error":
            self.notify(
                _("Subscribed to {name}, but fetching failed: {error}").format(
                    name=outcome.name, error=outcome.error
                ),
                severity="warning",
                markup=False,
                timeout=6,
            )
        else:
            self.notify(
                _("Subscribed to {name}: {count} articles").format(
                    name=outcome.name, count=outcome.new
                ),
                markup=False,
                timeout=4,
            )
        self.articles_changed()

    def action_full_text(self) -> None:
        if self.article is None:
            return
        if self.subscription_of(self.article) is None:
            self.notify(_("Full text is only for articles of a feed"), markup=False, timeout=3)
            return
        if not self.article.links:
            self.notify(_("This article has no link"), markup=False, timeout=3)
            return
        self.set_status(right=Content.styled(_("Fetching the full text…"), "$warning"))
        self.neican.fetch_full_text(self.article.id)

    def on_full_text_fetched(self, event: FullTextFetched) -> None:
        if self.article is not None and self.article.id == event.article.id:
            self.article = event.article
            self.query_one(ArticleView).show_article(event.article, self.words)
        self.notify(_("Full text fetched"), markup=False, timeout=2)

    # notes ----------------------------------------------------------------------------

    def action_bookmark_ruiping(self) -> None:
        if self.article is None:
            return
        if self.article.ruiping:
            self.neican.toggle_ruiping(self.article.id)
        else:  # digest articles never have one: only 《AI内参》 items carry a 锐评
            self.notify(
                _(
                    "This article has no 锐评 to bookmark (digest articles never do): "
                    "select a paragraph and press a to quote it"
                ),
                markup=False,
                timeout=5,
            )

    def on_ruiping_toggled(self, event: RuipingToggled) -> None:
        self.notify(
            _("锐评 bookmarked") if event.note else _("锐评 bookmark removed"),
            markup=False,
            timeout=2,
        )
        self.notes_changed()

    def action_add_quote(self) -> None:
        selected = self.query_one(ArticleView).selected_text
        if self.article is None or selected is None:
            return
        kind, text = selected
        if kind in ("meta", "message"):
            self.notify(
                _("Select a paragraph, then press a (j/k move in the article)"),
                markup=False,
                timeout=3,
            )
            return
        article_id = self.article.id
        # A draft: nothing is written until the dialog is confirmed (esc leaves no note).
        draft = Note(0, article_id, "quote", text, "", (), "", "", self.article.title)

        def save(result: tuple[str, list[str]] | None) -> None:
            if result is None:
                self.notify(_("Quote not saved"), markup=False, timeout=2)
                return
            self.neican.add_quote(article_id, text, result[0].strip(), tuple(result[1]))

        self.app.push_screen(NoteEditModal(draft), save)

    def on_quote_added(self, event: QuoteAdded) -> None:
        self.notes_changed()
        self.notify(_("Quote saved as a note"), markup=False, timeout=2)

    def notes_changed(self) -> None:
        """A note was added or removed: marks, counts and the open article follow."""
        if self.article is not None:
            self.article = self.library.article(self.article.id)
            self.query_one(ArticleView).show_article(self.article, self.words)
            self.query_one(ArticleList).update_row(self.article.id, noted=bool(self.article.notes))
        self.query_one(FeedList).set_noted(self.library.note_count())
        self.refresh_bindings()

    def action_notes(self) -> None:
        self.app.push_screen(NotesScreen())

    # entities ----------------------------------------------------------------------

    @on(EntitySidebar.EntityChosen)
    def entity_chosen(self, event: EntitySidebar.EntityChosen) -> None:
        self.neican.list_entity(event.name, event.type)

    def on_entity_articles(self, event: EntityArticles) -> None:
        sidebar = self.query_one(EntitySidebar)
        current = self.article.id if self.article else None
        sidebar.show_articles(event.name, event.kind, event.rows, current)
        focus_now(sidebar.listing)

    @on(EntitySidebar.ArticleChosen)
    def entity_article_chosen(self, event: EntitySidebar.ArticleChosen) -> None:
        self.open_article_id(event.row.id)
        focus_now(self.query_one(EntitySidebar).listing)

    # search ---------------------------------------------------------------------------

    def action_search(self) -> None:
        # A priority binding, so that keys typed at once after `/` reach the search
        # bar (Textual routes queued keys to the widget focused when they arrive);
        # where text is typed `/` is just a character.
        if isinstance(self.focused, Input | TextArea):
            raise SkipAction()
        bar = self.query_one(SearchBar)
        if not bar.display:
            current = self.query_one(ArticleList).current
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
        self._search_timer = self.set_timer(
            SEARCH_DELAY, partial(self.neican.run_search, query_id, text)
        )

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        focus_now(self.query_one(ArticleList))

    def on_search_finished(self, event: SearchFinished) -> None:
        if event.query_id != self.search_id:
            return  # the results of an older query
        self.shown_search_id = event.query_id
        result = event.result
        following = event.query_id == self.follow_search_id and self.view.kind == "follow"
        if not following:
            self.view = View("search", result.query)
        self.words = result.words
        rows = [
            ArticleRow(h.id, h.feed, h.kind, h.title, h.outlets, h.published, h.read, h.noted)
            for h in result.hits
        ]
        articles = self.query_one(ArticleList)
        snippets = {h.id: (h.snippet, h.highlights) for h in result.hits}
        articles.show(None, rows=rows, words=result.words, snippets=snippets)
        articles.border_title = Content.assemble(
            _("Following: ") if following else _("Search: "),
            (self.view.name or "") if following else result.query,
        )
        shown = _("{count} results").format(count=result.total) + (
            _(" (showing the first {count})").format(count=len(rows))
            if len(rows) < result.total
            else ""
        )
        problems = "  ".join(result.problems)
        self.set_status(
            left=Content.assemble(shown, ("  " + problems if problems else "", "$warning")),
            right=Content(""),
        )
        if not rows:
            self.query_one(ArticleView).show_message(Content.styled(_("Nothing found"), "dim"))
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

    # followed searches ----------------------------------------------------------------

    def open_follow(self, view: View) -> None:
        """A followed search's articles: its search, in the search worker; seen from now."""
        follow = next((f for f in self.query_one(FeedList).follows if f.name == view.name), None)
        if follow is None:
            return
        self.words = ()
        self.search_id += 1
        self.follow_search_id = self.search_id
        self.neican.run_search(self.search_id, follow.query)
        self.follow_seen(follow.name)

    @work(group="follows-write", exit_on_error=False)
    async def follow_seen(self, name: str) -> None:
        await self.neican.in_db(self.library.follow_seen, name)
        self.refresh_follows()

    def action_follow(self) -> None:
        """`S`: follow the highlighted entity in the sidebar, else the search shown."""
        query = None
        sidebar = self.query_one(EntitySidebar)
        if sidebar.display and sidebar.has_focus_within:
            index = sidebar.listing.highlighted
            if sidebar.mode == "entities" and index is not None and index < len(sidebar.entities):
                entity = sidebar.entities[index]
                query = entity_query(entity.name) if entity is not None else None
            elif sidebar.mode == "articles" and sidebar.entity is not None:
                query = entity_query(sidebar.entity[0])
        bar = self.query_one(SearchBar)
        if query is None and bar.display and bar.value.strip():
            query = bar.value.strip()
        if query is None:
            self.notify(
                _("Search (/) or select an entity in the sidebar, then press S to follow"),
                markup=False,
                timeout=3,
            )
            return
        followed = query

        def chosen(name: str | None) -> None:
            if name:
                self.add_follow(name, followed)

        self.app.push_screen(FollowModal(query), chosen)

    @work(group="follows-write", exit_on_error=False)
    async def add_follow(self, name: str, query: str) -> None:
        await self.neican.in_db(self.library.follow_add, name, query)
        self.notify(_("Following {name}").format(name=name), markup=False, timeout=3)
        self.refresh_follows()
