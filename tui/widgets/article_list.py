"""ArticleList: the articles of a feed, an outlet or a search, loaded a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.records import ArticleRow

from ..bindings import bindings
from ..render import article_line
from .lists import StopAtEnds

PAGE = 50
Fetch = Callable[[ArticleRow | None, int], list[ArticleRow]]


class ArticleList(StopAtEnds):
    """One option per loaded article; more are fetched as the cursor nears the end (two screens)."""

    BINDINGS = bindings("list")

    @dataclass
    class Chosen(Message):
        """The user opened an article (enter, click)."""

        row: ArticleRow

    @dataclass
    class Shown(Message):
        """The cursor moved onto an article (preview it)."""

        row: ArticleRow

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[ArticleRow] = []
        self.words: tuple[str, ...] = ()
        # A search's snippets by article id: shown dimmed under each title.
        self.snippets: dict[int, tuple[str, tuple[tuple[int, int], ...]]] = {}
        self._fetch: Fetch | None = None
        self._exhausted = True
        self._more_scheduled = False

    # loading --------------------------------------------------------------------------

    def show(
        self,
        fetch: Fetch | None,
        rows: list[ArticleRow] | None = None,
        words: tuple[str, ...] = (),
        select_id: int | None = None,
        snippets: dict[int, tuple[str, tuple[tuple[int, int], ...]]] | None = None,
    ) -> None:
        """Show a new list: either `rows` as given, or pages from `fetch(after_row, limit)`."""
        self._fetch = fetch
        self.words = words
        self.snippets = snippets or {}
        if rows is None:
            assert fetch is not None
            rows = fetch(None, PAGE)
            self._exhausted = len(rows) < PAGE
        else:
            self._exhausted = True
        self.rows = list(rows)
        self._rebuild()
        index = (
            next((i for i, r in enumerate(self.rows) if r.id == select_id), 0)
            if self.rows
            else None
        )
        self.highlighted = index

    def _more(self) -> None:
        if self._exhausted or self._fetch is None or not self.rows:
            return
        page = self._fetch(self.rows[-1], PAGE)
        self._exhausted = len(page) < PAGE
        self.rows.extend(page)
        width = self._line_width()
        self.add_options(Option(self._line(r, width), id=str(r.id)) for r in page)

    def _line(self, row: ArticleRow, width: int) -> Content:
        return article_line(row, width, self.words, self.snippets.get(row.id))

    def reload(self) -> None:
        """Fetch the list again (a refresh brought articles): the cursor stays on its
        article, which stays listed even if the view would drop it now (read, in 未读)."""
        if self._fetch is None:
            return
        current = self.current
        limit = len(self.rows) + PAGE
        rows = self._fetch(None, limit)
        self._exhausted = len(rows) < limit
        if current is not None and all(r.id != current.id for r in rows):
            rows.append(current)
            rows.sort(key=lambda r: r.sid, reverse=True)
        self.rows = rows
        width = self._line_width()
        self.clear_options()
        self.add_options(
            Option(article_line(r, width, self.words), id=str(r.id)) for r in self.rows
        )
        if self.rows:
            index = (
                0 if current is None else next(i for i, r in enumerate(rows) if r.id == current.id)
            )
            self.highlighted = index

    def _line_width(self) -> int:
        # The scrollbar's cells are always left free, so rows align whether it shows or not.
        return max(20, self.size.width - 2 - 2 - self.styles.scrollbar_size_vertical)

    def _rebuild(self) -> None:
        width = self._line_width()
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(self._line(r, width), id=str(r.id)) for r in self.rows)
        if highlighted is not None and self.rows:
            self.highlighted = min(highlighted, len(self.rows) - 1)

    def on_resize(self, event: Resize) -> None:
        if self.rows:
            self._rebuild()

    # state ----------------------------------------------------------------------------

    @property
    def current(self) -> ArticleRow | None:
        if self.highlighted is None or not self.rows:
            return None
        return self.rows[self.highlighted]

    def update_row(self, row_id: int, **changes: object) -> None:
        """Change how one article shows (read, noted) without reloading the list."""
        for index, row in enumerate(self.rows):
            if row.id == row_id:
                self.rows[index] = replace(row, **changes)  # type: ignore[arg-type]
                self.replace_option_prompt_at_index(
                    index, self._line(self.rows[index], self._line_width())
                )

    def find(self, start: int, step: int, unread: bool = True) -> int | None:
        """Index of the next (step 1) or previous (-1) unread article from `start`, loading more."""
        index = start + step
        while True:
            if index >= len(self.rows):
                before = len(self.rows)
                self._more()
                if len(self.rows) == before:
                    return None
            if index < 0:
                return None
            if not unread or not self.rows[index].read:
                return index
            index += step

    # events ---------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index >= len(self.rows) - max(20, 2 * self.size.height):
            # The next page loads after this screen is painted, before a page down needs it.
            if not self._more_scheduled:
                self._more_scheduled = True
                self.call_after_refresh(self._more_later)
        self.post_message(self.Shown(self.rows[event.option_index]))

    def _more_later(self) -> None:
        self._more_scheduled = False
        self._more()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.rows[event.option_index]))
