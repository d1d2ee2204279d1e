"""Followed searches: saved queries counted like feeds (total, unread, new), kept exact
as the library grows by testing only the articles that arrived since the last count.

A followed search's matches are cached (in this process) as a set of article ids with
the largest id tested. New articles (ids only grow) are tested by the same search
restricted to their ids (store/search.py `matching_ids`); anything else that can change
the matches (an article's text edited or removed, a note: m013's triggers bump meta
`follows_epoch`, a re-extraction of entities: meta `gazetteer`) makes the next count
start over. A query on the read state (`is:unread`) is counted whole each time.
Unread counts are the cached ids minus the read ones (one index scan of the smaller
side, shared by every followed search); "new" counts the ids above the follow's
`seen_id`, the high-water mark of its last `follow check` or opening in the reader.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import LibraryError, NotFound
from .query import parse_query
from .records import ArticleRow
from .sanitize import clean_field
from .search import Source, checked_query, matching_ids
from .sql import get_meta, in_chunks, noted_sql, set_meta

MAX_NAME = 80


@dataclass(frozen=True)
class Follow:
    """A followed search with its counts."""

    name: str
    query: str
    total: int
    unread: int
    new: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "total": self.total,
            "unread": self.unread,
            "new": self.new,
        }


@dataclass(frozen=True)
class NewArticle:
    id: int
    title: str
    feed: str
    published: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "feed": self.feed, "published": self.published}


@dataclass(frozen=True)
class Checked:
    """What `follow check` found for one followed search: its new articles, newest first."""

    name: str
    query: str
    new: tuple[NewArticle, ...]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "new": [a.to_json() for a in self.new]}


@dataclass
class _Matches:
    state: tuple[str | None, ...]  # what the ids were counted under (see _state)
    upto: int  # the largest article id tested
    ids: set[int] = field(default_factory=set)


class FollowCounter:
    """The cached matches of followed searches (one per library, shared by its threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, _Matches] = {}

    def matches(self, library: Source, query: str, upto: int) -> set[int]:
        """The ids of the articles (id <= upto) the query matches, counted incrementally."""
        state = _state(library.conn)
        with self._lock:
            cached = self._cache.get(query)
        volatile = parse_query(query).read is not None
        if cached is None or cached.state != state or cached.upto > upto or volatile:
            ids = matching_ids(library, query, 0, upto)
        elif cached.upto < upto:
            ids = cached.ids | matching_ids(library, query, cached.upto, upto)
        else:
            ids = cached.ids
        with self._lock:
            self._cache[query] = _Matches(state, upto, ids)
        return ids

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()


def _state(conn: sqlite3.Connection) -> tuple[str | None, ...]:
    return get_meta(conn, "follows_epoch"), get_meta(conn, "gazetteer")


def max_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])


def _rows(conn: sqlite3.Connection, names: list[str] | None) -> list[tuple[int, str, str, int]]:
    rows = conn.execute("SELECT id, name, query, seen_id FROM follows ORDER BY name").fetchall()
    if names is None:
        return rows
    by_name = {r[1]: r for r in rows}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFound(f"no followed search named {missing[0]!r} (neican follow list)")
    return [by_name[n] for n in dict.fromkeys(names)]


def _read_side(conn: sqlite3.Connection) -> tuple[bool, set[int]]:
    """(True, the read ids) or (False, the unread ids): whichever side is smaller."""
    total = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    read = int(conn.execute("SELECT count(*) FROM articles WHERE read = 1").fetchone()[0])
    wanted = 1 if read * 2 <= total else 0
    ids = {r[0] for r in conn.execute("SELECT id FROM articles WHERE read = ?", [wanted])}
    return bool(wanted), ids


def follows(
    library: Source, counter: FollowCounter, names: list[str] | None = None
) -> list[Follow]:
    """Every followed search (or those named) with its total, unread and new counts."""
    conn = library.conn
    rows = _rows(conn, names)
    if not rows:
        return []
    upto = max_id(conn)
    side_is_read, side = _read_side(conn)
    out = []
    for _, name, query, seen in rows:
        ids = counter.matches(library, query, upto)
        on_side = len(ids & side) if len(ids) > len(side) else sum(1 for i in ids if i in side)
        unread = len(ids) - on_side if side_is_read else on_side
        new = sum(1 for i in ids if i > seen)
        out.append(Follow(name, query, len(ids), unread, new))
    return out


def add(conn: sqlite3.Connection, name: str, query: str, now: str) -> None:
    """Follow `query` as `name`; what is in the library now is not new."""
    name = clean_field(name).strip()
    query = clean_field(query).strip()
    if not name:
        raise LibraryError("a followed search needs a name")
    if len(name) > MAX_NAME:
        raise LibraryError(f"the name {name[:20]!r}… is longer than {MAX_NAME} characters")
    parsed = checked_query(query)
    if parsed.is_empty:
        reason = "; ".join(parsed.problems) or "it holds no word or filter"
        raise LibraryError(f"cannot follow {query!r}: {reason}")
    try:
        conn.execute(
            "INSERT INTO follows(name, query, created, seen_id) VALUES (?, ?, ?, ?)",
            [name, query, now, max_id(conn)],
        )
    except sqlite3.IntegrityError:
        raise LibraryError(
            f"a followed search is already named {name!r} (neican follow remove it first)"
        ) from None


def remove(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("DELETE FROM follows WHERE name = ?", [name]).rowcount == 0:
        raise NotFound(f"no followed search named {name!r} (neican follow list)")


def mark_seen(conn: sqlite3.Connection, name: str, upto: int | None = None) -> None:
    """The user has seen what `name` matched (opened it, or a check listed it)."""
    upto = max_id(conn) if upto is None else upto
    conn.execute("UPDATE follows SET seen_id = max(seen_id, ?) WHERE name = ?", [upto, name])


def check(
    library: Source, counter: FollowCounter, names: list[str] | None = None
) -> tuple[list[Checked], int]:
    """Each followed search's articles newer than its mark, newest first, and the mark
    to set (the caller writes it: `mark_seen`)."""
    conn = library.conn
    upto = max_id(conn)
    out = []
    for _, name, query, seen in _rows(conn, names):
        new = sorted(i for i in counter.matches(library, query, upto) if i > seen)
        out.append(Checked(name, query, tuple(_articles(conn, new))))
    return out, upto


def _articles(conn: sqlite3.Connection, ids: list[int]) -> list[NewArticle]:
    rows: list[tuple[int, int, str, str, str]] = []
    for chunk, placeholders in in_chunks(ids):
        rows += conn.execute(
            "SELECT a.sid, a.id, a.title, f.name, a.published FROM articles a "
            f"JOIN feeds f ON f.id = a.feed_id WHERE a.id IN ({placeholders})",
            chunk,
        ).fetchall()
    rows.sort(reverse=True)
    return [NewArticle(i, title, feed, published) for _, i, title, feed, published in rows]


# -- since I last looked ------------------------------------------------------------------


def start_session(conn: sqlite3.Connection, now: str) -> int:
    """The reader started: the last session's start becomes the previous one. Returns the
    largest article id when the previous session started (0: no session before)."""
    current = get_meta(conn, "session_start")
    if current is not None:
        set_meta(conn, "previous_session_start", current)
    set_meta(conn, "session_start", f"{max_id(conn)} {now}")
    return session_mark(conn)


def session_mark(conn: sqlite3.Connection) -> int:
    """The largest article id when the previous session started: newer ones are new."""
    previous = get_meta(conn, "previous_session_start")
    try:
        return int(previous.split()[0]) if previous else 0
    except ValueError:
        return 0


def since_rows(conn: sqlite3.Connection, after_id: int, limit: int) -> list[ArticleRow]:
    """Articles that arrived after `after_id`, by feed, newest first within a feed."""
    sql = (
        f"SELECT a.id, f.name, a.kind, a.title, a.outlets, a.published, a.read, "
        f"{noted_sql(conn)}, a.sid FROM articles a JOIN feeds f ON f.id = a.feed_id "
        "WHERE a.id > ? ORDER BY f.name, a.sid DESC LIMIT ?"
    )
    return [
        ArticleRow(
            r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], bool(r[6]), bool(r[7]), r[8]
        )
        for r in conn.execute(sql, [after_id, limit])
    ]


def since_counts(conn: sqlite3.Connection, after_id: int) -> tuple[int, int]:
    """(articles, unread) that arrived after `after_id`."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(read = 0), 0) FROM articles WHERE id > ?", [after_id]
    ).fetchone()
    return int(row[0]), int(row[1])
