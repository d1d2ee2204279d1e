"""EntitySidebar: the article's entities by type; enter lists every article mentioning one."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.records import ArticleRow, EntityCount

from ..bindings import bindings
from ..i18n import _
from ..render import (
    entities_title,
    entity_articles_title,
    entity_line,
    sidebar_article_line,
    type_header,
)
from .lists import StopAtEnds

ORDER = ("org", "person", "product", "money", "media")


class SidebarList(StopAtEnds):
    BINDINGS = bindings("list")


class EntitySidebar(Vertical):
    """Two modes: the entities of the open article, or the articles of one entity."""

    @dataclass
    class EntityChosen(Message):
        name: str
        type: str

    @dataclass
    class ArticleChosen(Message):
        row: ArticleRow

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entities: list[EntityCount | None] = []
        self.rows: list[ArticleRow] = []
        self.mode = "entities"
        self.entity: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Entities")), id="sidebar-title", markup=False)
        yield SidebarList(id="sidebar-list")

    @property
    def listing(self) -> SidebarList:
        return self.query_one(SidebarList)

    def _title(self, content: Content) -> None:
        self.query_one("#sidebar-title", Static).update(content)

    def _width(self) -> int:
        return max(10, self.listing.size.width - 1 - self.listing.styles.scrollbar_size_vertical)

    def show_entities(self, entities: tuple[EntityCount, ...] | None, title: str = "") -> None:
        self.mode = "entities"
        self.entity = None
        listing = self.listing
        listing.clear_options()
        self.entities = []
        if entities is None:
            self._title(Content(_("Entities")))
            listing.add_option(Option(Content.styled(_("No article open"), "dim"), disabled=True))
            return
        self._title(entities_title(len(entities)))
        if not entities:
            listing.add_option(
                Option(Content.styled(_("No entities found in this article"), "dim"), disabled=True)
            )
            return
        width = self._width()
        options: list[Option] = []
        for kind in ORDER:
            group = [e for e in entities if e.type == kind]
            if not group:
                continue
            options.append(Option(type_header(kind, len(group)), disabled=True))
            self.entities.append(None)
            for entity in group:
                options.append(Option(entity_line(entity, width)))
                self.entities.append(entity)
        listing.add_options(options)
        first = next((i for i, e in enumerate(self.entities) if e is not None), None)
        listing.highlighted = first

    def show_articles(
        self, name: str, kind: str, rows: list[ArticleRow], current_id: int | None
    ) -> None:
        self.mode = "articles"
        self.entity = (name, kind)
        self.rows = rows
        self._title(entity_articles_title(name, kind, len(rows)))
        listing = self.listing
        listing.clear_options()
        width = self._width()
        listing.add_options(Option(sidebar_article_line(r, width)) for r in rows)
        index = next((i for i, r in enumerate(rows) if r.id == current_id), 0)
        listing.highlighted = index if rows else None

    def on_resize(self, event: Resize) -> None:
        """Re-fit the lines: the sidebar is often filled while it is still hidden (no width)."""
        listing, width = self.listing, self._width()
        if self.mode == "entities":
            for index, entity in enumerate(self.entities):
                if entity is not None:
                    listing.replace_option_prompt_at_index(index, entity_line(entity, width))
        else:
            for index, row in enumerate(self.rows):
                listing.replace_option_prompt_at_index(index, sidebar_article_line(row, width))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.mode == "entities":
            entity = self.entities[event.option_index]
            if entity is not None:
                self.post_message(self.EntityChosen(entity.name, entity.type))
        else:
            self.post_message(self.ArticleChosen(self.rows[event.option_index]))
