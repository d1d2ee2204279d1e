"""The search indexes: an article's token streams, and writing, deleting and rebuilding them.

Four contentless FTS5 tables (store/schema.py) keyed by the article's `fid`: `search`
and `titles` (characters and Latin suffixes), `words` (jieba's words, for ranking)
and `grams` (common words). A contentless index deletes an article by the very tokens
it was given, so the streams are always made again from the stored article.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import grams, segment
from .errors import NotFound
from .searchable import indexed_text, searchable_lines
from .sql import note_comments, set_meta

# progress(done, total, stage)
Progress = Callable[[int, int, str], None]
# The columns `stored_text` reads, in its order.
TEXT_COLUMNS = "id, title, sections, ruiping, outlets"
TABLES = ("search", "titles", "grams", "words")


@dataclass(frozen=True)
class IndexedText:
    """The token streams of one article, exactly as indexed (deletes need them again).

    UTF-8 bytes: FTS5 reads a blob as text, so the writer hands SQLite what a helper
    process sent as it came (as `str` it was decoded and encoded again: ~0.03 ms an
    article, on the import's busiest process).
    """

    search: tuple[bytes, bytes]  # character stream and Latin suffixes of every line
    titles: tuple[bytes, bytes]  # the same, of the title alone
    words: bytes  # jieba's search-mode words of every line
    grams: bytes  # the common words found anywhere in it (store/grams.py)


def index_text(
    title: str,
    ruiping: str | None,
    lines: list[str],
    words: bool = True,
    chars: bool = True,
) -> IndexedText:
    """Token streams for the search tables from an article's title and `searchable_lines`
    (`words` loads jieba; without `chars`, the streams of the other tables are left empty)."""
    text = indexed_text(title, ruiping, lines)
    if not chars:
        return IndexedText((b"", b""), (b"", b""), segment.words_stream(text).encode(), b"")
    return IndexedText(
        search=(segment.chars_stream(text).encode(), segment.latin_stream(text).encode()),
        titles=(segment.chars_stream(title).encode(), segment.latin_stream(title).encode()),
        words=segment.words_stream(text).encode() if words else b"",
        grams=grams.grams_stream(text).encode(),
    )


def chars_version() -> str:
    """The version of the streams that need no jieba: a change re-indexes on open."""
    return f"{segment.STREAM_VERSION}|grams {grams.version()}"


def words_prefix() -> str:
    """The version of the words stream, without the segmenter's (which loads it)."""
    return f"{segment.STREAM_VERSION}|{segment.WORDS_VERSION}|"


def words_version() -> str:
    """The version of the words stream this code makes (loads the segmenter)."""
    return words_prefix() + segment.engine()


def stored_text(
    conn: sqlite3.Connection,
    row: sqlite3.Row | tuple[Any, ...],
    with_words: bool = True,
    with_chars: bool = True,
) -> IndexedText:
    """The streams of an article as stored now (a row of TEXT_COLUMNS), notes' comments too."""
    article_id, title, sections, ruiping, outlets = row
    lines = searchable_lines(
        ruiping, sections, json.loads(outlets), note_comments(conn, article_id)
    )
    # (the rebuild of the character index must not load jieba)
    return index_text(title, ruiping, lines, words=with_words, chars=with_chars)


def text_row(conn: sqlite3.Connection, article_id: int) -> tuple[Any, ...]:
    """The TEXT_COLUMNS of an article."""
    row = conn.execute(f"SELECT {TEXT_COLUMNS} FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NotFound(f"no article {article_id}")
    return tuple(row)


def add(conn: sqlite3.Connection, fid: int, text: IndexedText, words: bool = True) -> None:
    execute = conn.execute
    execute("INSERT INTO search(rowid, chars, latin) VALUES (?, ?, ?)", [fid, *text.search])
    execute("INSERT INTO titles(rowid, chars, latin) VALUES (?, ?, ?)", [fid, *text.titles])
    execute("INSERT INTO grams(rowid, text) VALUES (?, ?)", [fid, text.grams])
    if words:
        add_words(conn, fid, text)


def add_words(conn: sqlite3.Connection, fid: int, text: IndexedText) -> None:
    conn.execute("INSERT INTO words(rowid, text) VALUES (?, ?)", [fid, text.words])


def remove(conn: sqlite3.Connection, fid: int, text: IndexedText, words: bool = True) -> None:
    execute = conn.execute
    execute(
        "INSERT INTO search(search, rowid, chars, latin) VALUES ('delete', ?, ?, ?)",
        [fid, *text.search],
    )
    execute(
        "INSERT INTO titles(titles, rowid, chars, latin) VALUES ('delete', ?, ?, ?)",
        [fid, *text.titles],
    )
    execute("INSERT INTO grams(grams, rowid, text) VALUES ('delete', ?, ?)", [fid, text.grams])
    if words:
        execute("INSERT INTO words(words, rowid, text) VALUES ('delete', ?, ?)", [fid, text.words])


def reindex_article(conn: sqlite3.Connection, article_id: int, change: Callable[[], None]) -> None:
    """Apply `change` (which alters what is indexed, e.g. a note comment) and re-index."""
    row = conn.execute(
        f"SELECT fid, {TEXT_COLUMNS} FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no article {article_id}")
    fid, rest = row[0], row[1:]
    remove(conn, fid, stored_text(conn, rest))
    change()
    add(conn, fid, stored_text(conn, rest))


def rebuild(
    db: Database, *, words: bool, chars: bool = True, progress: Progress | None = None
) -> None:
    """Empty and refill the search indexes from the stored articles (one transaction).

    The character streams need no segmenter; `words` is rebuilt only when asked (it
    loads jieba), and must be before the next write if the segmenter changed;
    `chars=False` rebuilds the words alone.
    """
    conn = db.conn
    tables = (("search", "titles", "grams") if chars else ()) + (("words",) if words else ())
    with db.atomic():
        for table in tables:
            conn.execute(f"INSERT INTO {table}({table}) VALUES('delete-all')")
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        rows = conn.execute(f"SELECT fid, {TEXT_COLUMNS} FROM articles ORDER BY fid")
        for done, row in enumerate(rows.fetchall(), 1):
            text = stored_text(conn, row[1:], with_words=words, with_chars=chars)
            if chars:
                add(conn, row[0], text, words)
            else:
                add_words(conn, row[0], text)
            if progress and (done % 500 == 0 or done == total):
                progress(done, total, "index")
        if chars:
            set_meta(conn, "chars_version", chars_version())
        if words or not total:
            set_meta(conn, "words_version", words_version() if words else "")


def optimize(db: Database) -> None:
    """Merge each search index into one segment: after a large import, queries run
    about twice as fast (~10 s at 100,000 articles; of it the words index 3.5 s,
    which searches need too: their p95 was 15.9-20.3 ms without, 14.5-15.8 with)."""
    with db.atomic():
        for table in TABLES:
            db.conn.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")
