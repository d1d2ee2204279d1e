"""FeedList: All, Unread, 锐评 notes, 新的, followed searches, every feed and outlet, with counts."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.follow import Follow
from store.records import FeedCount, FeedInfo

from ..bindings import bindings
from ..i18n import _
from ..render import feed_line, folder_heading, subscription_line
from .lists import StopAtEnds


@dataclass(frozen=True)
class View:
    """What the article list shows."""

    kind: str  # all | unread | noted | new | follow | feed | outlet | search | entity
    name: str | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}" if self.name is not None else self.kind

    @property
    def label(self) -> str:
        fixed = {"all": _("All"), "unread": _("Unread"), "noted": _("锐评 notes"), "new": _("New")}
        if self.kind == "group":
            return _("Following")
        return fixed.get(self.kind, self.name or self.kind)


ALL, UNREAD, NOTED, NEW = View("all"), View("unread"), View("noted"), View("new")
FOLLOWING = View("group", "following")  # the header of the followed searches (not selectable)


class FeedList(StopAtEnds):
    BINDINGS = bindings("list")

    @dataclass
    class Chosen(Message):
        view: View

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.views: list[View] = []
        self.counts: dict[str, tuple[int | None, int | None]] = {}
        self.feeds: list[FeedCount] = []
        self.outlets: list[FeedCount] = []
        self.subscriptions: dict[str, FeedInfo] = {}  # by name (a feed's view name)
        self.follows: list[Follow] = []

    def on_mount(self) -> None:
        self._rebuild()

    def set_counts(
        self,
        total: int,
        unread: int,
        noted: int,
        feeds: list[FeedCount],
        outlets: list[FeedCount],
        subscriptions: list[FeedInfo] | None = None,
    ) -> None:
        self.counts = {"all": (total, unread), "unread": (unread, None), "noted": (noted, None)}
        for feed in feeds:
            self.counts[View("feed", feed.name).id] = (feed.articles, feed.unread)
        for outlet in outlets:
            self.counts[View("outlet", outlet.name).id] = (outlet.articles, outlet.unread)
        self.subscriptions = {s.name: s for s in subscriptions or []}
        for sub in self.subscriptions.values():
            self.counts[View("feed", sub.name).id] = (sub.articles, sub.unread)
        # Subscriptions have their own group (by folder); the feeds group keeps the others.
        self.feeds = [f for f in feeds if f.name not in self.subscriptions]
        self.outlets = outlets
        self._rebuild()

    def adjust_unread(self, feeds: tuple[str, ...], outlets: tuple[str, ...], delta: int) -> None:
        """An article was read (delta -1) or marked unread (+1): the counts of every feed
        and outlet carrying it change at once."""
        keys = (
            *(View("feed", f).id for f in dict.fromkeys(feeds)),
            *(View("outlet", o).id for o in outlets),
        )
        for key in ("all", *keys):
            total, unread = self.counts.get(key, (None, None))
            if unread is not None:
                self.counts[key] = (total, max(0, unread + delta))
        total, _ = self.counts.get("unread", (None, None))
        if total is not None:
            self.counts["unread"] = (max(0, total + delta), None)
        self._refresh_prompts()

    def set_follows(self, follows: list[Follow], new: tuple[int, int]) -> None:
        """Followed searches' counts, and the 新的 view's (articles, unread)."""
        self.counts["new"] = new
        for f in follows:
            self.counts[View("follow", f.name).id] = (f.total, f.unread)
        rebuild = [f.name for f in follows] != [f.name for f in self.follows]
        self.follows = follows
        if rebuild:
            self._rebuild()
        else:
            self._refresh_prompts()

    def set_noted(self, count: int) -> None:
        self.counts["noted"] = (count, None)
        self._refresh_prompts()

    def _width(self) -> int:
        return max(10, self.size.width - 2 - 1 - self.styles.scrollbar_size_vertical)

    def _prompt(self, view: View) -> Content:
        total, unread = self.counts.get(view.id, (None, None))
        if view.kind == "unread":
            unread, total = None, total
        if view == FOLLOWING:
            return Content.styled(view.label, "bold $text-muted")
        if view.kind == "folder":
            return folder_heading(view.label, self._width())
        sub = self.subscriptions.get(view.name or "") if view.kind == "feed" else None
        if sub is not None:
            return subscription_line(
                sub, total, unread, self._width(), indent=1 if sub.folder else 0
            )
        label = view.label
        if view.kind == "follow":
            new = next((f.new for f in self.follows if f.name == view.name), 0)
            label += f" +{new}" if new else ""  # new since it was last opened
        return feed_line(label, total, unread, self._width())

    def _rebuild(self) -> None:
        highlighted = self.highlighted
        current = (
            self.views[highlighted]
            if highlighted is not None and highlighted < len(self.views)
            else None
        )
        views = [ALL, UNREAD, NOTED, NEW]
        options: list[Option | None] = [Option(self._prompt(v), id=v.id) for v in views]
        if self.follows:
            options.append(None)
            options.append(Option(self._prompt(FOLLOWING), id=FOLLOWING.id, disabled=True))
            views.append(FOLLOWING)
            for f in self.follows:
                views.append(View("follow", f.name))
                options.append(Option(self._prompt(views[-1]), id=views[-1].id))
        self._subscription_options(views, options)
        for kind, group in (("feed", self.feeds), ("outlet", self.outlets)):
            if group:
                options.append(None)  # a separator, not an option
                for item in group:
                    view = View(kind, item.name)
                    views.append(view)
                    options.append(Option(self._prompt(view), id=view.id))
        self.clear_options()
        self.add_options(options)
        self.views = views
        target = current if current in self.views else ALL
        self.highlighted = self.views.index(target)

    def _subscription_options(self, views: list[View], options: list[Option | None]) -> None:
        """Subscriptions by folder: a heading (not selectable) over each folder's feeds."""
        if not self.subscriptions:
            return
        options.append(None)
        folder = ""
        for sub in self.subscriptions.values():  # by folder, then name
            if sub.folder and sub.folder != folder:
                heading = View("folder", sub.folder)
                views.append(heading)
                options.append(Option(self._prompt(heading), id=heading.id, disabled=True))
            folder = sub.folder
            view = View("feed", sub.name)
            views.append(view)
            options.append(Option(self._prompt(view), id=view.id))

    def subscription(self, view: View | None) -> FeedInfo | None:
        """The subscription a view shows, if it is one."""
        if view is None or view.kind != "feed":
            return None
        return self.subscriptions.get(view.name or "")

    @property
    def current_view(self) -> View | None:
        index = self.highlighted
        return self.views[index] if index is not None and index < len(self.views) else None

    def _refresh_prompts(self) -> None:
        for index, view in enumerate(self.views):
            self.replace_option_prompt_at_index(index, self._prompt(view))

    def select_view(self, view: View) -> bool:
        if view in self.views:
            self.highlighted = self.views.index(view)
            return True
        return False

    def on_resize(self, event: Resize) -> None:
        if self.views:
            self._refresh_prompts()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(self.views[event.option_index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.views[event.option_index]))
        self.screen.focus_next()
