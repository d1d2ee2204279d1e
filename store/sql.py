"""SQL shared by the library's modules: connections, `IN (…)` chunks, id subqueries, notes, meta."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from .errors import LibraryBusy, LibraryDamaged, LibraryError, LibraryReadOnly, NeicanError

T = TypeVar("T")
# How much of the file reads may map (SQLite caps it at its own limit where lower).
MMAP_SIZE = 2**32
# Values per `IN (…)`: some SQLite builds allow only 32,766 variables in one query.
IN_CHUNK = 500
PAGE_SIZE = 16384  # article rows are ~3 KB: 4 KB pages would waste a quarter of the file
# `PRAGMA application_id` of a neican library ("NCAN"): any other SQLite file is not one.
APPLICATION_ID = 0x4E43414E
# How long a write waits for another neican's write to finish: an import or a command,
# and a key pressed in the reader (which says "busy" rather than freeze).
WRITE_WAIT = 30.0
CLICK_WAIT = 2.0


def connect(path: Path, *, read_only: bool = False, untouched: bool = False) -> sqlite3.Connection:
    """A connection to the library file, set up as every one of its connections is.

    `read_only` opens it without writing to it (no WAL switch); in a folder where the
    WAL's shared-memory file cannot be created, as an immutable file. `untouched`
    (read-only too) creates no file beside it either, when no other connection is open.
    """
    try:
        if read_only or untouched:
            conn = _connect_read_only(path, untouched)
        else:
            conn = sqlite3.connect(path, timeout=WRITE_WAIT, check_same_thread=False)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new file
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-65536")
        # Reads go through the mapped file, not a copy per page: a common word's
        # doclists are megabytes (search p95 at 100,000 articles: 25 -> 22 ms).
        conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    except sqlite3.DatabaseError as e:
        raise explain(e, path, "cannot open the library") from None
    return conn


def _connect_read_only(path: Path, untouched: bool) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.absolute()))}"
    if untouched and not wal_of(path).exists():
        # No -wal: no connection is open and everything is in the file itself (SQLite
        # removes the -wal when the last one closes). Read as it is, -shm and -wal are
        # not created: a file that turns out not to be ours is left byte for byte.
        return sqlite3.connect(
            f"{uri}?mode=ro&immutable=1", uri=True, timeout=WRITE_WAIT, check_same_thread=False
        )
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=WRITE_WAIT, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as e:
        if e.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CANTOPEN:
            raise
        # A WAL library in a read-only folder without its -shm file: no other process
        # can be writing it (nothing can create the -shm), so it is read as it is.
        conn.close()
        conn = sqlite3.connect(
            f"{uri}?mode=ro&immutable=1", uri=True, timeout=WRITE_WAIT, check_same_thread=False
        )
    return conn


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def recovery(path: Path) -> str:
    """How to get back what a damaged library holds (one line)."""
    backups = sorted(path.parent.glob(f"{path.name}.v*-backup"), key=lambda p: p.stat().st_mtime)
    kept = f", or use {backups[-1]} (the copy kept before its last upgrade)" if backups else ""
    return (
        f"recover what it holds with `sqlite3 {path} .recover | sqlite3 NEW.db` "
        f"and use --db NEW.db{kept}"
    )


def damaged(path: Path, detail: str) -> LibraryDamaged:
    # (quick_check's report spans lines and names the schema: one line, what matters)
    detail = " ".join(detail.replace("*** in database main ***", "").split())
    return LibraryDamaged(f"{path}: the library is damaged ({detail}): {recovery(path)}")


def explain(e: sqlite3.Error | OSError, path: Path, doing: str) -> NeicanError:
    """The one-line error a user is shown for what SQLite (or the disk) said."""
    if isinstance(e, OSError):
        if e.errno == errno.ENOSPC:
            return LibraryError(f"{path}: disk full: {doing}")
        return LibraryError(f"{path}: {doing}: {e.strerror or e}")
    code = getattr(e, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return damaged(path, str(e))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryBusy(f"{path}: the library is busy (another neican is writing): try again")
    if code == sqlite3.SQLITE_FULL:
        return LibraryError(f"{path}: disk full: {doing}")
    if code == sqlite3.SQLITE_READONLY:
        return LibraryReadOnly(f"{path}: the library is read-only: {doing}")
    return LibraryError(f"{path}: {doing}: {e}")


@contextmanager
def immediate(conn: sqlite3.Connection, path: Path, wait: float) -> Iterator[None]:
    """A write transaction that takes the write lock up front, waiting up to `wait` s.

    (A deferred one reads first; its upgrade to a write lock then fails at once when
    another process writes, instead of waiting.) Nested, it is the outer one.
    """
    if conn.in_transaction:
        yield
        return
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(WRITE_WAIT * 1000)}")
    except sqlite3.Error as e:
        raise explain(e, path, "cannot write") from None
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    try:
        conn.commit()
    except sqlite3.Error as e:
        if conn.in_transaction:
            conn.rollback()
        raise explain(e, path, "cannot write") from None


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


# article_feeds rows whose source is a file under a folder (params: folder_params): the articles
# a folder subscription brought in, whichever feeds they belong to
FROM_FOLDER = "source_id IN (SELECT id FROM sources WHERE substr(path, 1, ?) = ?)"


def folder_params(folder: str) -> list[Any]:
    prefix = folder.rstrip("/") + "/"
    return [len(prefix), prefix]
