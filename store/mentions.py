"""Entity mentions: find an article's entities (store/entities/) and store them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from sqlite_utils import Database

from .entities import Extractor, Found
from .searchable import Sections, searchable_lines
from .sql import set_meta

# (type, name) -> entities.id, for one connection's writes (cleared on a rollback)
EntityIds = dict[tuple[str, str], int]


def find_entities(
    extractor: Extractor,
    title: str,
    ruiping: str | None,
    sections: Sections,
    outlets: tuple[str, ...],
) -> list[Found]:
    """The entities of an article: in its title, 锐评, headings and bullets, and outlets."""
    return extractor.extract(title, searchable_lines(ruiping, sections), outlets)


def store_mentions(
    conn: sqlite3.Connection,
    ids: EntityIds,
    article_id: int,
    found: list[Found],
    new: bool = False,
) -> None:
    """Store an article's mentions, replacing any it had (a `new` article has none)."""
    execute = conn.execute
    if not new:
        execute("DELETE FROM mentions WHERE article_id = ?", [article_id])
    rows = []
    for f in found:
        entity_id = ids.get((f.type, f.name))
        if entity_id is None:
            row = execute(
                "SELECT id FROM entities WHERE type = ? AND name = ?", [f.type, f.name]
            ).fetchone()
            if row is None:
                row = execute(
                    "INSERT INTO entities(name, type, aliases, parent, value, high, unit, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [
                        f.name,
                        f.type,
                        json.dumps(list(f.aliases), ensure_ascii=False),
                        f.parent,
                        f.value,
                        f.high,
                        f.unit,
                        f.source,
                    ],
                ).fetchone()
            entity_id = ids[(f.type, f.name)] = row[0]
        rows.append((article_id, entity_id, f.count))
    conn.executemany(
        "INSERT OR REPLACE INTO mentions(article_id, entity_id, count) VALUES (?, ?, ?)", rows
    )


def extract_all(
    db: Database,
    extractor: Extractor,
    ids: EntityIds,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Extract every article's entities again (after the gazetteer changed)."""
    conn = db.conn
    with db.atomic():
        conn.execute("DELETE FROM mentions")
        conn.execute("DELETE FROM entities")
        rows = conn.execute(
            "SELECT id, title, sections, ruiping, outlets FROM articles ORDER BY id"
        ).fetchall()
        for done, (article_id, title, sections, ruiping, outlets) in enumerate(rows, 1):
            found = find_entities(extractor, title, ruiping, sections, tuple(json.loads(outlets)))
            store_mentions(conn, ids, article_id, found)
            if progress and (done % 500 == 0 or done == len(rows)):
                progress(done, len(rows), "entities")
        set_meta(conn, "gazetteer", extractor.gazetteer.fingerprint)
