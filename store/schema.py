"""The library's schema, as sqlite-utils Migrations applied in order when a library opens."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database, Migrations

from . import index
from .errors import LibraryError
from .hashing import article_key, content_hash
from .ids import DAY_SLOTS, day_fid
from .sql import get_meta

migrations = Migrations("neican")


@migrations()
def m001_library(db: Database) -> None:
    """Feeds, articles, their outlets, the import log and the two search indexes."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL
        )"""
    )
    db.execute("CREATE TABLE sources (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE)")
    db.execute(
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sid INTEGER NOT NULL UNIQUE,      -- search id: date order (ids.py)
            key TEXT NOT NULL UNIQUE,         -- feed + title + date: survives re-import
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            kind TEXT NOT NULL,
            published TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0,
            source_id INTEGER REFERENCES sources(id),
            hash TEXT NOT NULL,
            imported TEXT NOT NULL,
            updated TEXT NOT NULL,
            title TEXT NOT NULL,
            outlets TEXT NOT NULL,            -- JSON list
            links TEXT NOT NULL,              -- JSON list
            ruiping TEXT,
            sections TEXT NOT NULL            -- JSON, the parse contract's shape
        )"""
    )
    db.execute("CREATE INDEX articles_feed ON articles(feed_id, sid)")
    db.execute("CREATE INDEX articles_read ON articles(read, sid)")
    db.execute("CREATE INDEX articles_source ON articles(source_id)")
    db.execute(
        """CREATE TABLE article_outlets (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            PRIMARY KEY (article_id, name)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX article_outlets_name ON article_outlets(name, article_id)")
    db.execute(
        """CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            hash TEXT NOT NULL,
            time TEXT NOT NULL,
            result TEXT NOT NULL,
            articles INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX imports_file ON imports(file, hash)")
    # Contentless: the text lives once, in `articles`; the rowid was articles.sid (m006:
    # articles.fid).
    # `search`: every line of an article as the character stream, and the suffixes of
    # its Latin words (store/segment.py); `titles`: the same for the title alone, so
    # title matches can rank first; `words`: jieba's search-mode words.
    # columnsize=0 halves ranking time (bm25 then ignores document length).
    for table in ("search", "titles"):
        db.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(chars, latin, content='', "
            "tokenize='ascii', columnsize=0)"
        )
    db.execute(
        "CREATE VIRTUAL TABLE words USING fts5(text, content='', "
        "tokenize='unicode61 remove_diacritics 0', detail=none, columnsize=0)"
    )
    for table in ("search", "words"):
        # A bigger in-memory buffer: a large file flushes fewer, larger segments.
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('hashsize', {16 * 2**20})")


@migrations()
def m002_entities(db: Database) -> None:
    """Entities (gazetteer names, names found by patterns, money) and their mentions."""
    db.execute(
        """CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,           -- org | person | product | money | media
            aliases TEXT NOT NULL DEFAULT '[]',
            parent TEXT,
            value REAL,                   -- money: the amount (the lower bound of a range)
            high REAL,                    -- money: the upper bound of a range
            unit TEXT,                    -- money: ISO currency
            source TEXT NOT NULL,         -- gazetteer | pattern | money | outlet
            UNIQUE (type, name)
        )"""
    )
    db.execute(
        """CREATE TABLE mentions (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
            count INTEGER NOT NULL,
            PRIMARY KEY (article_id, entity_id)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX mentions_entity ON mentions(entity_id, article_id)")


@migrations()
def m003_notes(db: Database) -> None:
    """Notes: bookmarked 锐评 and quoted bullets, with the user's comment and tags."""
    db.execute(
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,               -- ruiping | quote
            text TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',  -- JSON list
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX notes_article ON notes(article_id)")
    db.execute("CREATE INDEX notes_created ON notes(created)")


@migrations()
def m004_outlet_order(db: Database) -> None:
    """Outlets carry their article's search id: an outlet's newest articles come off an index."""
    if "sid" not in {c.name for c in db.table("article_outlets").columns}:
        db.execute("ALTER TABLE article_outlets ADD COLUMN sid INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE article_outlets SET sid = (SELECT sid FROM articles WHERE articles.id = article_outlets.article_id)"
    )
    db.execute("DROP INDEX IF EXISTS article_outlets_name")
    db.execute("CREATE INDEX article_outlets_name ON article_outlets(name, sid)")


@migrations()
def m005_fewer_merges(db: Database) -> None:
    """FTS5 merges eight segments of a level at a time instead of four.

    Each file's import commits one small segment per index; merging them four at a
    time rewrote every token ~log4(files) times, a quarter of an import's writing.
    Queries are unaffected after a large import (it ends with `optimize`).
    """
    for table in ("search", "titles", "words"):
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('automerge', 8)")


@migrations()
def m006_compact_fts_ids(db: Database) -> None:
    """Articles get an `fid`, the rowid of the search indexes (store/ids.py).

    The indexes are rebuilt with it when the library opens (the stream version changed).
    """
    if "fid" not in {c.name for c in db.table("articles").columns}:
        db.execute("ALTER TABLE articles ADD COLUMN fid INTEGER NOT NULL DEFAULT 0")
    taken: dict[int, int] = {}
    updates = []
    for article_id, published in db.execute("SELECT id, published FROM articles ORDER BY sid"):
        base = day_fid(published)
        slot = taken.get(base, 0)
        if slot >= DAY_SLOTS:
            raise LibraryError(
                f"cannot upgrade the library: more than {DAY_SLOTS:,} articles are dated "
                f"{published[:10]} (this version holds at most {DAY_SLOTS:,} a day)"
            )
        taken[base] = slot + 1
        updates.append((base + slot, article_id))
    db.conn.executemany("UPDATE articles SET fid = ? WHERE id = ?", updates)
    db.execute("CREATE UNIQUE INDEX articles_fid ON articles(fid)")
    # `fid` is the last column of a ~3 KB row, often on an overflow page: the indexes
    # search reads it through (or maps it to `sid` with) hold it.
    db.execute("CREATE INDEX articles_fid_sid ON articles(fid, sid)")
    db.execute("CREATE INDEX articles_id_fid ON articles(id, fid)")
    for name, columns in (
        ("articles_feed", "feed_id, sid, fid"),
        ("articles_read", "read, sid, fid"),
    ):
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(f"CREATE INDEX {name} ON articles({columns})")
    if "fid" not in {c.name for c in db.table("article_outlets").columns}:
        db.execute("ALTER TABLE article_outlets ADD COLUMN fid INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE article_outlets SET fid = (SELECT fid FROM articles WHERE articles.id = article_outlets.article_id)"
    )
    db.execute("DROP INDEX IF EXISTS article_outlets_name")
    db.execute("CREATE INDEX article_outlets_name ON article_outlets(name, sid, fid)")


@migrations()
def m007_word_positions(db: Database) -> None:
    """The `words` index keeps every occurrence of each word, so bm25 can rank by it.

    Search ranks by bm25 over jieba's words (store/search.py): without positions
    (detail=none) FTS5 counts no occurrences and bm25 is 0. The index is refilled when
    the library opens.
    """
    db.execute("DROP TABLE IF EXISTS words")
    db.execute(
        "CREATE VIRTUAL TABLE words USING fts5(text, content='', "
        "tokenize='unicode61 remove_diacritics 0', columnsize=0)"
    )
    db.execute(f"INSERT INTO words(words, rank) VALUES('hashsize', {16 * 2**20})")
    db.execute("INSERT INTO words(words, rank) VALUES('automerge', 8)")
    db.execute("DELETE FROM meta WHERE key = 'words_version'")


@migrations()
def m008_grams(db: Database) -> None:
    """The `grams` index: which common words each article holds (store/grams.py).

    Filled when the library opens (the character streams' version changed).
    """
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(text, content='', "
        "tokenize='ascii', detail=none, columnsize=0)"
    )
    db.execute(f"INSERT INTO grams(grams, rank) VALUES('hashsize', {16 * 2**20})")
    db.execute("INSERT INTO grams(grams, rank) VALUES('automerge', 8)")


@migrations()
def m009_merge_sixteen(db: Database) -> None:
    """FTS5 merges sixteen segments of a level at a time (its most) instead of eight.

    With positions in the words index and the grams index, merging took a quarter of
    the writer's time at 100,000 articles (main process: 99 -> 88 s of CPU). A large
    import ends with `optimize`, so queries are unaffected after one.
    """
    for table in ("search", "titles", "words", "grams"):
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('automerge', 16)")


@migrations()
def m010_stored_content_hash(db: Database) -> None:
    """Articles' content hashes are made from their stored fields (store.hashing).

    So that a file edited after the upgrade updates only the articles it changed.
    """
    rows = db.execute(
        "SELECT id, kind, title, outlets, published, links, ruiping, sections FROM articles"
    )
    hashes = [(content_hash(*row[1:]), row[0]) for row in rows]
    db.conn.executemany("UPDATE articles SET hash = ? WHERE id = ?", hashes)


@migrations()
def m011_article_feeds(db: Database) -> None:
    """An article is stored once and belongs to every feed that carried it (PRODUCT.md §3).

    `article_feeds` holds each (article, feed, source) with the article's sid and fid,
    so a feed's newest articles come off its (feed_id, sid, fid) index. Keys no longer
    name the feed (store.hashing.article_key): the copies of one article imported under
    two feeds are merged into the oldest (lowest id), which gets their notes and
    memberships and is read if any copy was read; the others leave the search indexes
    (their streams removed, index.remove: nothing else is re-indexed) and the library.
    """
    conn = db.conn
    conn.execute(
        """CREATE TABLE article_feeds (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            source_id INTEGER NOT NULL,       -- sources(id); 0 when the source is unknown
            sid INTEGER NOT NULL,
            fid INTEGER NOT NULL,
            PRIMARY KEY (article_id, feed_id, source_id)
        ) WITHOUT ROWID"""
    )
    conn.execute("CREATE INDEX article_feeds_feed ON article_feeds(feed_id, sid, fid)")
    conn.execute("CREATE INDEX article_feeds_source ON article_feeds(source_id)")
    # Feeds' pages and a source's articles are read from here now: two indexes fewer
    # to write at import.
    conn.execute("DROP INDEX IF EXISTS articles_feed")
    conn.execute("DROP INDEX IF EXISTS articles_source")
    conn.execute(
        "INSERT INTO article_feeds(article_id, feed_id, source_id, sid, fid) "
        "SELECT id, feed_id, coalesce(source_id, 0), sid, fid FROM articles"
    )
    # New keys, told apart within one file as importing.prepare_articles does.
    copies: dict[str, list[int]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    rows = conn.execute(
        "SELECT id, source_id, feed_id, title, outlets, published FROM articles "
        "ORDER BY source_id, feed_id, position, id"
    ).fetchall()
    for article_id, source_id, feed_id, title, outlets, published in rows:
        names = json.loads(outlets)
        key = article_key(title, names, published)
        count = seen[(source_id, feed_id, key)] = seen.get((source_id, feed_id, key), 0) + 1
        if count > 1:
            key = article_key(f"{title}#{count}", names, published)
        copies.setdefault(key, []).append(article_id)
    groups = [sorted(ids) for ids in copies.values() if len(ids) > 1]
    if groups:
        _merge_copies(conn, groups)
    # (An old key equal to another article's new one would take a 1 in 2**80 chance.)
    conn.executemany(
        "UPDATE articles SET key = ? WHERE id = ?", [(k, min(ids)) for k, ids in copies.items()]
    )


def _merge_copies(conn: sqlite3.Connection, groups: list[list[int]]) -> None:
    """Merge each group of copies of one article into its first (m011)."""
    # The streams must be the ones indexed: a stale index is rebuilt on open anyway
    # (the character streams) or before the next write (the words), so is left alone.
    chars = get_meta(conn, "chars_version") == index.chars_version()
    words = chars and get_meta(conn, "words_version") == index.words_version()

    def unindex(article_id: int) -> None:
        if chars:
            fid = conn.execute("SELECT fid FROM articles WHERE id = ?", [article_id]).fetchone()[0]
            text = index.stored_text(conn, index.text_row(conn, article_id), with_words=words)
            index.remove(conn, fid, text, words=words)

    for keep, *others in groups:
        marks = ", ".join("?" * len(others))
        for other in others:
            unindex(other)
        unindex(keep)  # its notes' comments change
        conn.execute(
            f"UPDATE notes SET article_id = ? WHERE article_id IN ({marks})", [keep, *others]
        )
        _one_ruiping_note(conn, keep)
        conn.execute(
            "INSERT OR IGNORE INTO article_feeds(article_id, feed_id, source_id, sid, fid) "
            "SELECT a.id, m.feed_id, m.source_id, a.sid, a.fid FROM article_feeds m, articles a "
            f"WHERE a.id = ? AND m.article_id IN ({marks})",
            [keep, *others],
        )
        # Read if any copy was read: the user has seen it in one of its feeds.
        conn.execute(
            f"UPDATE articles SET read = (SELECT max(read) FROM articles WHERE id IN (?, {marks})) "
            "WHERE id = ?",
            [keep, *others, keep],
        )
        for table in ("article_feeds", "article_outlets", "mentions"):
            conn.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", others)
        conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", others)
        if chars:
            fid = conn.execute("SELECT fid FROM articles WHERE id = ?", [keep]).fetchone()[0]
            text = index.stored_text(conn, index.text_row(conn, keep), with_words=words)
            index.add(conn, fid, text, words=words)


def _one_ruiping_note(conn: sqlite3.Connection, article_id: int) -> None:
    """An article has one 锐评 bookmark: the oldest stays, with every merged copy's
    comment and tags."""
    rows = conn.execute(
        "SELECT id, comment, tags FROM notes WHERE article_id = ? AND kind = 'ruiping' "
        "ORDER BY created, id",
        [article_id],
    ).fetchall()
    if len(rows) < 2:
        return
    comments: list[str] = []
    tags: list[str] = []
    for _, comment, tag_json in rows:
        if comment and comment not in comments:
            comments.append(comment)
        tags.extend(t for t in json.loads(tag_json) if t not in tags)
    conn.execute(
        "UPDATE notes SET comment = ?, tags = ? WHERE id = ?",
        ["\n".join(comments), json.dumps(tags, ensure_ascii=False), rows[0][0]],
    )
    conn.executemany("DELETE FROM notes WHERE id = ?", [(row[0],) for row in rows[1:]])


@migrations()
def m012_subscriptions(db: Database) -> None:
    """Subscriptions (PRODUCT.md §10): a feed with a `url` is one the library refreshes.

    Digest and newsletter feeds keep `url` NULL and their `format`; a subscription's
    `format` is its kind (rss | atom | json | folder). `feed_entries` remembers each
    entry a feed has given (its identity, when first seen, its content hash), so an
    undated entry keeps its first-seen date and an unchanged one costs nothing.
    """
    columns = {c.name for c in db.table("feeds").columns}
    for name, definition in (
        ("url", "TEXT"),
        ("folder", "TEXT NOT NULL DEFAULT ''"),
        ("etag", "TEXT"),
        ("last_modified", "TEXT"),
        ("status", "TEXT NOT NULL DEFAULT 'ok'"),  # ok | error | paused | moved | gone
        ("last_error", "TEXT"),
        ("failures", "INTEGER NOT NULL DEFAULT 0"),
        ("full_text", "INTEGER NOT NULL DEFAULT 0"),
        ("moved_to", "TEXT"),
        ("retry_until", "TEXT"),  # ISO UTC: Retry-After
        ("fresh_until", "TEXT"),  # ISO UTC: Cache-Control max-age
        ("last_fetched", "TEXT"),
        ("created", "TEXT"),
    ):
        if name not in columns:
            db.execute(f"ALTER TABLE feeds ADD COLUMN {name} {definition}")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS feeds_url ON feeds(url) WHERE url IS NOT NULL")
    db.execute(
        """CREATE TABLE IF NOT EXISTS feed_entries (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            identity TEXT NOT NULL,
            seen TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (feed_id, identity)
        ) WITHOUT ROWID"""
    )


# What can change which articles a followed search matches, besides new articles
# (store/follow.py counts only those incrementally): an article's text, feed or date
# changing, an article removed, a note (its comment is searched; `is:noted`).
_FOLLOW_TRIGGERS = {
    "follows_article_changed": "AFTER UPDATE OF kind, title, outlets, ruiping, sections, "
    "published, feed_id, sid, fid ON articles",
    "follows_article_removed": "AFTER DELETE ON articles",
    "follows_note_added": "AFTER INSERT ON notes",
    "follows_note_changed": "AFTER UPDATE OF comment, article_id ON notes",
    "follows_note_removed": "AFTER DELETE ON notes",
    # An article already stored joining another feed, or leaving one it stays out of
    # (a new article's first membership, and an article removed whole, are counted above).
    "follows_feed_joined": "AFTER INSERT ON article_feeds WHEN EXISTS (SELECT 1 FROM "
    "article_feeds f WHERE f.article_id = NEW.article_id AND f.feed_id != NEW.feed_id)",
    "follows_feed_left": "AFTER DELETE ON article_feeds WHEN EXISTS (SELECT 1 FROM "
    "articles a WHERE a.id = OLD.article_id)",
}


@migrations()
def m013_follows(db: Database) -> None:
    """Followed searches, and a counter of changes their cached matches cannot follow.

    `seen_id`: the largest article id when the search was last checked or opened in
    the reader (article ids only grow): the articles above it are new. `follows_epoch`
    (meta) moves on every change in _FOLLOW_TRIGGERS.
    """
    db.execute(
        """CREATE TABLE IF NOT EXISTS follows (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            query TEXT NOT NULL,
            created TEXT NOT NULL,
            seen_id INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('follows_epoch', '0')")
    for name, when in _FOLLOW_TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(
            f"CREATE TRIGGER {name} {when} BEGIN UPDATE meta SET value = "
            "CAST(value AS INTEGER) + 1 WHERE key = 'follows_epoch'; END"
        )
