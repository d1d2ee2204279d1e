"""SQL shared by the library's modules: connections, `IN (…)` chunks, id subqueries, notes, meta."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from .errors import LibraryError

T = TypeVar("T")
# How much of the file reads may map (SQLite caps it at its own limit where lower).
MMAP_SIZE = 2**32
# Values per `IN (…)`: some SQLite builds allow only 32,766 variables in one query.
IN_CHUNK = 500
PAGE_SIZE = 16384  # article rows are ~3 KB: 4 KB pages would waste a quarter of the file


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the library file, set up as every one of its connections is."""
    try:
        conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new file
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-65536")
        # Reads go through the mapped file, not a copy per page: a common word's
        # doclists are megabytes (search p95 at 100,000 articles: 25 -> 22 ms).
        conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    except sqlite3.DatabaseError as e:
        raise LibraryError(f"{path}: cannot open the library: {e}") from None
    return conn


def in_chunks(values: list[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in slices for `IN (…)`, each with its `?,?,…` placeholders."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start : start + IN_CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def marks(values: list[Any]) -> str:
    """`?,?,…`: one placeholder a value."""
    return ",".join("?" * len(values))


def keys_of(key: str, article_ids: str) -> str:
    """SQL for the `sid`s or `fid`s of the articles whose ids a subquery gives.

    `fid` is the last column of a ~3 KB row: it is read from an index that holds it.
    """
    index = " INDEXED BY articles_id_fid" if key == "fid" else ""
    return f"SELECT {key} FROM articles{index} WHERE id IN ({article_ids})"


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the table exists (a library being migrated may not have it yet)."""
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        ).fetchone()
    )


def noted_sql(conn: sqlite3.Connection) -> str:
    """SQL for "article `a` has a note" (false until the notes table exists)."""
    if has_table(conn, "notes"):
        return "EXISTS (SELECT 1 FROM notes n WHERE n.article_id = a.id)"
    return "0"


def note_comments_of(conn: sqlite3.Connection, article_ids: list[int]) -> dict[int, list[str]]:
    """The non-empty note comments of many articles at once, oldest note first."""
    out: dict[int, list[str]] = {}
    if not has_table(conn, "notes"):
        return out
    for chunk, placeholders in in_chunks(article_ids):
        for article_id, comment in conn.execute(
            f"SELECT article_id, comment FROM notes WHERE article_id IN ({placeholders}) "
            "AND comment != '' ORDER BY id",
            chunk,
        ):
            out.setdefault(article_id, []).append(comment)
    return out


def note_comments(conn: sqlite3.Connection, article_id: int) -> list[str]:
    return note_comments_of(conn, [article_id]).get(article_id, [])


def entity_filter(entity_ids: list[int], column: str, key: str = "sid") -> tuple[str, list[Any]]:
    """SQL (on `sid`s or FTS rowids, `fid`s) for "mentions any of these entities"."""
    mentioned = f"SELECT article_id FROM mentions WHERE entity_id IN ({marks(entity_ids)})"
    return f"{column} IN ({keys_of(key, mentioned)})", list(entity_ids)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES(?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
