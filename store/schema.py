"""The library's schema, as sqlite-utils Migrations applied in order when a library opens."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("neican")

# Column weights for bm25 over the `search` table, in column order.
SEARCH_COLUMNS = ("title", "body", "ruiping", "extra", "ltitle", "lbody")
SEARCH_WEIGHTS = (4.0, 1.0, 2.0, 1.0, 4.0, 1.0)
CHAR_COLUMNS = "{title body ruiping extra}"
LATIN_COLUMNS = "{ltitle lbody}"
WORDS_WEIGHTS = (4.0, 1.0)


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
    db.execute(
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sid INTEGER NOT NULL UNIQUE,      -- search id: FTS rowid, date order (articles.py)
            key TEXT NOT NULL UNIQUE,         -- feed + title + date: survives re-import
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            kind TEXT NOT NULL,
            published TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            position INTEGER NOT NULL DEFAULT 0,
            source TEXT,
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
    db.execute("CREATE INDEX articles_source ON articles(source)")
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
    # Contentless: the text lives once, in `articles`; the rowid is articles.sid.
    # columnsize=0 halves ranking time (bm25 then ignores document length).
    db.execute(
        "CREATE VIRTUAL TABLE search USING fts5("
        + ", ".join(SEARCH_COLUMNS)
        + ", content='', tokenize='ascii', columnsize=0)"
    )
    db.execute(
        "CREATE VIRTUAL TABLE words USING fts5(title, body, content='', "
        "tokenize='unicode61 remove_diacritics 0', detail=column, columnsize=0)"
    )
    for table in ("search", "words"):
        # Fewer, larger merges: imports of thousands of articles go ~20% faster.
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES('automerge', 16)")
