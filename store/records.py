"""What the library hands out: frozen article, note, feed and search-hit records, and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Kind, Section
from .searchable import searchable_lines

NoteKind = Literal["ruiping", "quote"]
FeedKind = Literal["feed", "outlet"]  # a list of the sidebar: a feed, or an outlet's articles


@dataclass(frozen=True)
class Note:
    id: int
    article_id: int
    kind: NoteKind
    text: str
    comment: str
    tags: tuple[str, ...]
    created: str
    updated: str
    article_title: str = ""
    published: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "kind": self.kind,
            "text": self.text,
            "comment": self.comment,
            "tags": list(self.tags),
            "created": self.created,
            "updated": self.updated,
        }


@dataclass(frozen=True)
class EntityCount:
    name: str
    type: str
    count: int
    aliases: tuple[str, ...] = ()
    value: float | None = None  # money: the amount in `unit`
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "count": self.count,
            "aliases": list(self.aliases),
        }
        if self.type == "money":
            data["value"] = self.value
            data["unit"] = self.unit
        return data


@dataclass(frozen=True)
class EntityInfo:
    """An entity of the library: how many articles mention it, how often."""

    name: str
    type: str
    aliases: tuple[str, ...]
    articles: int
    mentions: int
    value: float | None = None
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "articles": self.articles,
            "mentions": self.mentions,
        }
        if self.type == "money":
            data["value"] = self.value
            data["unit"] = self.unit
        return data


@dataclass(frozen=True)
class Article:
    """One article of the library, as the parse contract plus its library state."""

    id: int
    feed: str
    kind: Kind
    title: str
    outlets: tuple[str, ...]
    published: str
    links: tuple[str, ...]
    ruiping: str | None
    sections: tuple[Section, ...]
    read: bool
    source: str | None = None
    notes: tuple[Note, ...] = ()
    entities: tuple[EntityCount, ...] = ()
    feeds: tuple[str, ...] = ()  # every feed carrying it, `feed` (its first) first

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "feed": self.feed,
            "feeds": list(self.feeds or (self.feed,)),
            "kind": self.kind,
            "title": self.title,
            "outlets": list(self.outlets),
            "published": self.published,
            "links": list(self.links),
            "ruiping": self.ruiping,
            "sections": [s.to_json() for s in self.sections],
            "read": self.read,
            "notes": [n.to_json() for n in self.notes],
            "entities": [e.to_json() for e in self.entities],
        }

    def text_lines(self) -> list[str]:
        """Every searchable line but the title: 锐评, headings and bullets, outlets, notes."""
        comments = (n.comment for n in self.notes if n.comment)
        return searchable_lines(self.ruiping, self.sections, self.outlets, comments)


@dataclass(frozen=True)
class ArticleRow:
    """An article as a list shows it: no body."""

    id: int
    feed: str
    kind: Kind
    title: str
    outlets: tuple[str, ...]
    published: str
    read: bool
    noted: bool = False
    sid: int = 0  # the list's sort key: pages continue after the last one shown


@dataclass(frozen=True)
class FeedCount:
    name: str
    kind: FeedKind
    articles: int
    unread: int


@dataclass(frozen=True)
class FeedInfo:
    """A subscription (PRODUCT.md §10): a feed the library refreshes, and its state."""

    id: int
    name: str
    url: str
    folder: str
    kind: str  # rss | atom | json | folder
    articles: int
    unread: int
    last_fetched: str | None
    status: str  # ok | error | paused | moved | gone
    last_error: str | None
    full_text: bool
    moved_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "folder": self.folder,
            "kind": self.kind,
            "articles": self.articles,
            "unread": self.unread,
            "last_fetched": self.last_fetched,
            "status": self.status,
            "last_error": self.last_error,
            "full_text": self.full_text,
            "moved_to": self.moved_to,
        }


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str
    feed: str
    outlets: tuple[str, ...]
    published: str
    snippet: str
    score: float
    kind: Kind = "article"
    read: bool = False
    noted: bool = False
    # (start, end) of each match inside `snippet` and inside `title`
    highlights: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    title_highlights: tuple[tuple[int, int], ...] = field(default=(), compare=False)

    def marked_snippet(self, start: str = "«", end: str = "»") -> str:
        out, last = [], 0
        for a, b in self.highlights:
            out += [self.snippet[last:a], start, self.snippet[a:b], end]
            last = b
        out.append(self.snippet[last:])
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "feed": self.feed,
            "outlets": list(self.outlets),
            "published": self.published,
            "snippet": self.marked_snippet(),
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[SearchHit, ...]
    problems: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # what to highlight elsewhere (the article pane)

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "hits": [h.to_json() for h in self.hits]}
