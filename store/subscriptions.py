"""Subscriptions: the feeds table's rows that have a URL (PRODUCT.md §10), and their entries.

A subscription is a `feeds` row with `url` set: a feed URL, an `rsshub:/route`, or a
local folder's absolute path (kind `folder`). Its `format` column is its kind. Digest
and newsletter feeds (no url) are not subscriptions and never appear here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import index
from .errors import FeedError, NotFound
from .records import FeedInfo
from .sql import FROM_FOLDER, folder_params, has_table, in_chunks

_COLUMNS = (
    "id, name, url, folder, format, etag, last_modified, status, last_error, failures, "
    "full_text, moved_to, retry_until, fresh_until, last_fetched"
)


@dataclass(frozen=True)
class Feed:
    """A subscription's stored state, as refresh reads it."""

    id: int
    name: str
    url: str
    folder: str
    kind: str
    etag: str | None
    last_modified: str | None
    status: str
    last_error: str | None
    failures: int
    full_text: bool
    moved_to: str | None
    retry_until: str | None
    fresh_until: str | None
    last_fetched: str | None


def _feed(row: Sequence[Any]) -> Feed:
    return Feed(
        int(row[0]),
        row[1],
        row[2],
        row[3] or "",
        row[4],
        row[5],
        row[6],
        row[7] or "ok",
        row[8],
        int(row[9] or 0),
        bool(row[10]),
        row[11],
        row[12],
        row[13],
        row[14],
    )


def all_feeds(conn: sqlite3.Connection) -> list[Feed]:
    """Every subscription, by folder then name."""
    return [
        _feed(row)
        for row in conn.execute(
            f"SELECT {_COLUMNS} FROM feeds WHERE url IS NOT NULL ORDER BY folder, name"
        )
    ]


def find(conn: sqlite3.Connection, name_or_id: str | int) -> Feed:
    """The subscription with this id or name (an id given as digits too); NotFound otherwise."""
    row = None
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM feeds WHERE id = ? AND url IS NOT NULL", [int(name_or_id)]
        ).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM feeds WHERE name = ? AND url IS NOT NULL", [str(name_or_id)]
        ).fetchone()
    if row is None:
        raise NotFound(f"no subscribed feed named {str(name_or_id)!r} (see `neican feeds list`)")
    return _feed(row)


def by_url(conn: sqlite3.Connection, url: str) -> Feed | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", [url]).fetchone()
    return _feed(row) if row else None


def free_name(conn: sqlite3.Connection, wanted: str) -> str:
    """`wanted`, or `wanted 2`, `wanted 3`… when a feed (any feed) has that name."""
    wanted = " ".join(wanted.split()) or "feed"
    name, n = wanted, 1
    while conn.execute("SELECT 1 FROM feeds WHERE name = ?", [name]).fetchone():
        n += 1
        name = f"{wanted} {n}"
    return name


def insert(
    conn: sqlite3.Connection,
    name: str,
    url: str,
    *,
    kind: str,
    folder: str,
    full_text: bool,
    now: str,
) -> Feed:
    """Subscribe: a new feeds row (the name made unique). The caller checks the URL is new."""
    cursor = conn.execute(
        "INSERT INTO feeds(name, format, url, folder, full_text, status, failures, created) "
        "VALUES (?, ?, ?, ?, ?, 'ok', 0, ?)",
        [free_name(conn, name), kind, url, folder, int(full_text), now],
    )
    assert cursor.lastrowid is not None
    return find(conn, cursor.lastrowid)


def update(conn: sqlite3.Connection, feed_id: int, **fields: Any) -> None:
    """Set some of a subscription's columns (names from this module's callers only)."""
    if not fields:
        return
    assignments = ", ".join(f"{column} = ?" for column in fields)
    conn.execute(f"UPDATE feeds SET {assignments} WHERE id = ?", [*fields.values(), feed_id])


def rename(conn: sqlite3.Connection, feed: Feed, new: str) -> None:
    new = " ".join(new.split())
    if not new:
        raise FeedError(feed.name, "a feed's name cannot be empty")
    if new != feed.name and conn.execute("SELECT 1 FROM feeds WHERE name = ?", [new]).fetchone():
        raise FeedError(feed.name, f"a feed named {new!r} exists already")
    conn.execute("UPDATE feeds SET name = ? WHERE id = ?", [new, feed.id])


def info(conn: sqlite3.Connection) -> list[FeedInfo]:
    """Every subscription with its article and unread counts (PRODUCT.md §10's list)."""
    out = []
    for feed in all_feeds(conn):
        if feed.kind == "folder":
            # A folder's files are imported as `neican import` would: their articles
            # belong to the documents' own feeds; counted here by where they came from.
            total, unread = conn.execute(
                "SELECT count(*), coalesce(sum(read = 0), 0) FROM articles WHERE id IN "
                f"(SELECT article_id FROM article_feeds WHERE {FROM_FOLDER})",
                folder_params(feed.url),
            ).fetchone()
        else:
            total, unread = conn.execute(
                "SELECT count(*), coalesce(sum(read = 0), 0) FROM articles WHERE id IN "
                "(SELECT article_id FROM article_feeds WHERE feed_id = ?)",
                [feed.id],
            ).fetchone()
        out.append(
            FeedInfo(
                id=feed.id,
                name=feed.name,
                url=feed.url,
                folder=feed.folder,
                kind=feed.kind,
                articles=int(total),
                unread=int(unread),
                last_fetched=feed.last_fetched,
                status=feed.status,
                last_error=feed.last_error,
                full_text=feed.full_text,
                moved_to=feed.moved_to,
            )
        )
    return out


# -- entries --------------------------------------------------------------------------


def known_entries(
    conn: sqlite3.Connection, feed_id: int, identities: list[str]
) -> dict[str, tuple[str, str]]:
    """identity -> (first seen, content hash) of the entries the feed gave before."""
    out: dict[str, tuple[str, str]] = {}
    for chunk, marks in in_chunks(identities):
        for identity, seen, digest in conn.execute(
            f"SELECT identity, seen, hash FROM feed_entries WHERE feed_id = ? "
            f"AND identity IN ({marks})",
            [feed_id, *chunk],
        ):
            out[identity] = (seen, digest)
    return out


def remember_entries(
    conn: sqlite3.Connection, feed_id: int, entries: Iterable[tuple[str, str, str]]
) -> None:
    """Store (identity, first seen, content hash) for each entry written."""
    conn.executemany(
        "INSERT INTO feed_entries(feed_id, identity, seen, hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(feed_id, identity) DO UPDATE SET hash = excluded.hash",
        [(feed_id, identity, seen, digest) for identity, seen, digest in entries],
    )


# -- unsubscribing --------------------------------------------------------------------


def remove(conn: sqlite3.Connection, feed: Feed) -> int:
    """Unsubscribe (inside the caller's transaction): the feed's articles leave it, and
    go from the library unless noted or in another feed. Returns how many went.

    A feed left with noted articles (in no other feed) stays as a plain feed (no URL)
    so they keep their feed; a folder feed's articles belong to their documents' feeds
    and stay.
    """
    removed = 0
    if feed.kind != "folder":
        noted = has_table(conn, "notes")
        gone = []
        for article_id, fid, others in conn.execute(
            "SELECT a.id, a.fid, (SELECT min(o.feed_id) FROM article_feeds o "
            "WHERE o.article_id = a.id AND o.feed_id != ?) FROM articles a "
            "WHERE a.id IN (SELECT article_id FROM article_feeds WHERE feed_id = ?)",
            [feed.id, feed.id],
        ).fetchall():
            if others is not None:  # in another feed: only leaves this one
                conn.execute(
                    "DELETE FROM article_feeds WHERE article_id = ? AND feed_id = ?",
                    [article_id, feed.id],
                )
                conn.execute(
                    "UPDATE articles SET feed_id = ? WHERE id = ? AND feed_id = ?",
                    [others, article_id, feed.id],
                )
            elif not (
                noted
                and conn.execute(
                    "SELECT 1 FROM notes WHERE article_id = ? LIMIT 1", [article_id]
                ).fetchone()
            ):
                gone.append((fid, index.stored_text(conn, index.text_row(conn, article_id))))
                conn.execute("DELETE FROM articles WHERE id = ?", [article_id])
                removed += 1
        for fid, text in sorted(gone, key=lambda pair: pair[0]):
            index.remove(conn, fid, text)
    conn.execute("DELETE FROM feed_entries WHERE feed_id = ?", [feed.id])
    if conn.execute("SELECT 1 FROM article_feeds WHERE feed_id = ? LIMIT 1", [feed.id]).fetchone():
        conn.execute(
            "UPDATE feeds SET url = NULL, status = 'ok', etag = NULL, last_modified = NULL "
            "WHERE id = ?",
            [feed.id],
        )
    else:
        conn.execute("DELETE FROM feeds WHERE id = ?", [feed.id])
    return removed
