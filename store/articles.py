"""What the library hands out: frozen article, feed and search-hit records, and their JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .model import Bullet, Section

T = TypeVar("T")
# Values per `IN (…)`: some SQLite builds allow only 32,766 variables in one query.
IN_CHUNK = 500

# Articles are ordered by a search id: minutes since year 1 of their date, then their
# id reversed, so that `ORDER BY sid DESC` is newest first and, within one minute
# (the items of one newsletter issue), the order of the file. It is the FTS rowid,
# so date ranges and "newest first" are answered by the index alone.
SID_SPAN = 10_000_000
MAX_ARTICLE_ID = SID_SPAN - 1


def minutes(published: str) -> int:
    """Minutes since 0001-01-01 of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`."""
    moment = dt.datetime.fromisoformat(published if "T" in published else published + "T00:00")
    return (moment - dt.datetime(1, 1, 1)) // dt.timedelta(minutes=1)


def search_id(published: str, article_id: int) -> int:
    return minutes(published) * SID_SPAN + (MAX_ARTICLE_ID - article_id)


def day_sid(day: str) -> int:
    """The smallest search id on a day: `after:` and `before:` bounds."""
    return minutes(day) * SID_SPAN


# The FTS rowid is another id, the `fid`: the day, then a slot in the day. Search ids
# of articles a few minutes apart differ by ~10^8, so each rowid in an FTS5 doclist
# took 4-5 bytes; days a slot range apart take 1-2, and the three indexes a third of
# the space (less to write at import, less to read at search). Days keep their order,
# so `after:`/`before:` are rowid ranges; inside a day the slots follow the order of
# import, and search sorts by `sid` where the order within a day matters.
DAY_SLOTS = 8192  # < 2^13: the step from one day to the next stays a 2-byte varint


def day_fid(day: str) -> int:
    """The smallest fid on a day (`YYYY-MM-DD`, or a timestamp starting with one)."""
    return dt.date.fromisoformat(day[:10]).toordinal() * DAY_SLOTS


def keys_of(key: str, article_ids: str) -> str:
    """SQL for the `sid`s or `fid`s of the articles whose ids a subquery gives.

    `fid` is the last column of a ~3 KB row: it is read from an index that holds it.
    """
    index = " INDEXED BY articles_id_fid" if key == "fid" else ""
    return f"SELECT {key} FROM articles{index} WHERE id IN ({article_ids})"


def article_key(feed: str, title: str, published: str) -> str:
    """The stable key of an article: the same feed, title and date are the same article."""
    return hashlib.sha1(f"{feed}\x1f{title}\x1f{published}".encode()).hexdigest()[:20]


def content_hash(
    kind: str,
    title: str,
    outlets: str,
    published: str,
    links: str,
    ruiping: str | None,
    sections: str,
) -> str:
    """What an article holds, from its fields as stored (outlets, links and sections as
    their JSON): a file edited and imported again updates only the articles it changed.

    (From the stored JSON, not from a JSON of the whole article of its own: that took
    0.07 ms an article of an import, and the hashes of a library can be made again.)
    """
    data = "\x1f".join([kind, title, outlets, published, links, ruiping or "", sections])
    return hashlib.sha1(data.encode()).hexdigest()[:20]


def json_list(values: tuple[str, ...]) -> str:
    """`outlets` and `links` as stored."""
    return json.dumps(list(values), ensure_ascii=False)


@dataclass(frozen=True)
class Note:
    id: int
    article_id: int
    kind: str  # "ruiping" | "quote"
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
    kind: str
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

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "feed": self.feed,
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
        lines = [self.ruiping] if self.ruiping else []
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend(b.text for b in section.bullets)
        lines.extend(self.outlets)
        lines.extend(n.comment for n in self.notes if n.comment)
        return lines


@dataclass(frozen=True)
class ArticleRow:
    """An article as a list shows it: no body."""

    id: int
    feed: str
    kind: str
    title: str
    outlets: tuple[str, ...]
    published: str
    read: bool
    noted: bool = False
    sid: int = 0  # the list's sort key: pages continue after the last one shown


@dataclass(frozen=True)
class FeedCount:
    name: str
    kind: str  # "feed" | "outlet"
    articles: int
    unread: int


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str
    feed: str
    outlets: tuple[str, ...]
    published: str
    snippet: str
    score: float
    kind: str = "article"
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


def sections_json(sections: tuple[Section, ...]) -> str:
    """Sections as stored: compact JSON arrays, `[[heading, [[text, [n, m]], …]], …]`."""
    return json.dumps(
        [[s.heading, [[b.text, list(b.citations)] for b in s.bullets]] for s in sections],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def sections_load(data: str) -> tuple[Section, ...]:
    return tuple(
        Section(heading, tuple(Bullet(text, tuple(citations)) for text, citations in bullets))
        for heading, bullets in json.loads(data)
    )


def in_chunks(values: list[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in slices for `IN (…)`, each with its `?,?,…` placeholders."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))
