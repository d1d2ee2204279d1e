"""Reading the library: an article, list pages, feed and outlet counts, entities, stats."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from . import notes
from .columns import sections_load
from .entities import Gazetteer
from .errors import NotFound
from .records import Article, ArticleRow, EntityCount, EntityInfo, FeedCount
from .sql import FROM_FOLDER, folder_params, has_table, marks, noted_sql


def article(conn: sqlite3.Connection, article_id: int) -> Article:
    row = conn.execute(
        "SELECT a.id, f.name, a.kind, a.title, a.outlets, a.published, a.links, a.ruiping, "
        "a.sections, a.read, s.path FROM articles a JOIN feeds f ON f.id = a.feed_id "
        "LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        raise NotFound(f"no article {article_id}")
    return Article(
        id=row[0],
        feed=row[1],
        kind=row[2],
        title=row[3],
        outlets=tuple(json.loads(row[4])),
        published=row[5],
        links=tuple(json.loads(row[6])),
        ruiping=row[7],
        sections=sections_load(row[8]),
        read=bool(row[9]),
        source=row[10],
        feeds=feeds_of(conn, article_id),
        notes=tuple(notes.notes(conn, article_id=article_id, newest_first=False)),
        entities=_entities_of(conn, article_id),
    )


def feeds_of(conn: sqlite3.Connection, article_id: int) -> tuple[str, ...]:
    """The names of every feed carrying an article: its first feed first, then by age."""
    rows = conn.execute(
        "SELECT f.name FROM feeds f WHERE f.id IN "
        "(SELECT feed_id FROM article_feeds WHERE article_id = ?) "
        "ORDER BY f.id != (SELECT feed_id FROM articles WHERE id = ?), f.id",
        [article_id, article_id],
    ).fetchall()
    return tuple(name for (name,) in rows)


def _entities_of(conn: sqlite3.Connection, article_id: int) -> tuple[EntityCount, ...]:
    rows = conn.execute(
        "SELECT e.name, e.type, m.count, e.aliases, e.value, e.unit FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? "
        "ORDER BY m.count DESC, e.name",
        [article_id],
    ).fetchall()
    return tuple(
        EntityCount(name, kind, count, tuple(json.loads(aliases)), value, unit)
        for name, kind, count, aliases, value, unit in rows
    )


def article_rows(
    conn: sqlite3.Connection,
    *,
    feed: str | None = None,
    folder: str | None = None,
    outlet: str | None = None,
    unread_only: bool = False,
    noted_only: bool = False,
    ids: list[int] | None = None,
    entity_ids: list[int] | None = None,
    before_sid: int | None = None,
    limit: int | None = None,
) -> list[ArticleRow]:
    """Articles for a list, newest first (a newsletter issue in its own order).

    folder: the articles imported from files under that folder (a folder subscription's
    URL: its articles belong to their documents' own feeds).
    Pages continue with `before_sid` = the last row's `sid` (no OFFSET scans).
    """
    where, params = _row_filter(conn, unread_only, noted_only, ids)
    if feed is not None or folder is not None:
        if folder is not None:  # by the sources under it, as subscriptions.info counts them
            inner = f"SELECT DISTINCT sid FROM article_feeds WHERE {FROM_FOLDER}"
            params += folder_params(folder)
        else:  # a page of a feed straight off its (feed_id, sid) index
            row = conn.execute("SELECT id FROM feeds WHERE name = ?", [feed]).fetchone()
            inner = "SELECT DISTINCT sid FROM article_feeds WHERE feed_id = ?"
            params.append(row[0] if row else -1)
        # (cut to a page here only when nothing else filters the rows)
        paged = limit is not None and not where and entity_ids is None and outlet is None
        if before_sid is not None:
            inner += " AND sid < ?"
            params.append(before_sid)
        if paged:
            inner += " ORDER BY sid DESC LIMIT ?"
            params.append(limit)
        where += (" AND " if where else "WHERE ") + f"a.sid IN ({inner})"
    if entity_ids is not None:
        where += (" AND " if where else "WHERE ") + (
            f"a.id IN (SELECT article_id FROM mentions WHERE entity_id IN ({marks(entity_ids)}))"
        )
        params += entity_ids
    if outlet is not None:  # the page of an outlet straight off its (name, sid) index
        inner = "SELECT sid FROM article_outlets WHERE name = ?"
        params.append(outlet)
        if before_sid is not None:
            inner += " AND sid < ?"
            params.append(before_sid)
        inner += " ORDER BY sid DESC" + (" LIMIT ?" if limit is not None else "")
        if limit is not None:
            params.append(limit)
        where += (" AND " if where else "WHERE ") + f"a.sid IN ({inner})"
    if before_sid is not None:
        where += (" AND " if where else "WHERE ") + "a.sid < ?"
        params.append(before_sid)
    sql = (
        f"SELECT a.id, f.name, a.kind, a.title, a.outlets, a.published, a.read, {noted_sql(conn)}, a.sid "
        f"FROM articles a JOIN feeds f ON f.id = a.feed_id {where} ORDER BY a.sid DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [
        ArticleRow(
            r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], bool(r[6]), bool(r[7]), r[8]
        )
        for r in conn.execute(sql, params)
    ]


def _row_filter(
    conn: sqlite3.Connection,
    unread_only: bool,
    noted_only: bool,
    ids: list[int] | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if unread_only:
        clauses.append("a.read = 0")
    if noted_only:
        clauses.append(noted_sql(conn))
    if ids is not None:
        clauses.append(f"a.id IN ({marks(ids)})")
        params.extend(ids)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def note_count(conn: sqlite3.Connection) -> int:
    if not has_table(conn, "notes"):
        return 0
    return int(conn.execute("SELECT count(DISTINCT article_id) FROM notes").fetchone()[0])


def feeds(conn: sqlite3.Connection) -> list[FeedCount]:
    """Every feed with its article and unread counts, by name (an article in two feeds
    counts in each)."""
    return [
        FeedCount(name, "feed", total, unread)
        for name, total, unread in conn.execute(
            "SELECT f.name, count(*), coalesce(sum(a.read = 0), 0) FROM feeds f "
            "JOIN (SELECT DISTINCT feed_id, article_id FROM article_feeds) m ON m.feed_id = f.id "
            "JOIN articles a ON a.id = m.article_id GROUP BY f.id ORDER BY f.name"
        )
    ]


def outlets(conn: sqlite3.Connection) -> list[FeedCount]:
    """Every outlet with its article and unread counts, most articles first."""
    return [
        FeedCount(name, "outlet", total, unread)
        for name, total, unread in conn.execute(
            "SELECT o.name, count(*), coalesce(sum(a.read = 0), 0) FROM article_outlets o "
            "JOIN articles a ON a.id = o.article_id GROUP BY o.name ORDER BY count(*) DESC, o.name"
        )
    ]


def stats(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    articles, first, last = conn.execute(
        "SELECT count(*), min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles"
    ).fetchone()
    note_total = (
        conn.execute("SELECT count(*) FROM notes").fetchone()[0] if has_table(conn, "notes") else 0
    )
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        size += wal.stat().st_size
    return {
        "articles": articles,
        "feeds": conn.execute(
            "SELECT count(*) FROM feeds WHERE id IN (SELECT feed_id FROM article_feeds)"
        ).fetchone()[0],
        "outlets": conn.execute("SELECT count(DISTINCT name) FROM article_outlets").fetchone()[0],
        "notes": note_total,
        "first": first,
        "last": last,
        "bytes": size,
    }


def resolve_entity(
    conn: sqlite3.Connection, gazetteer: Gazetteer, name: str
) -> list[tuple[int, str, str]]:
    """(id, name, type) of the entities `name` means: by name or any alias, with the
    gazetteer children of a parent (阿里巴巴 brings 阿里云 and 通义千问)."""
    wanted = name.strip()
    entry = gazetteer.lookup(wanted)
    names = {wanted.lower()}
    if entry is not None:
        names.add(entry.name.lower())
        names.update(child.name.lower() for child in gazetteer.children(entry.name))
    rows = conn.execute("SELECT id, name, type FROM entities").fetchall()
    first = (entry.name if entry else wanted).lower()
    found = [(i, n, t) for i, n, t in rows if n.lower() in names]
    return sorted(found, key=lambda r: (r[1].lower() != first, r[1]))


def entities(conn: sqlite3.Connection, kind: str | None = None) -> list[EntityInfo]:
    """Every entity with its aliases and how many articles and mentions it has."""
    where = "WHERE e.type = ?" if kind else ""
    rows = conn.execute(
        "SELECT e.name, e.type, e.aliases, count(m.article_id), coalesce(sum(m.count), 0), e.value, e.unit "
        f"FROM entities e JOIN mentions m ON m.entity_id = e.id {where} "
        "GROUP BY e.id ORDER BY count(m.article_id) DESC, sum(m.count) DESC, e.name",
        [kind] if kind else [],
    ).fetchall()
    return [
        EntityInfo(name, t, tuple(json.loads(aliases)), articles, mentions, value, unit)
        for name, t, aliases, articles, mentions, value, unit in rows
    ]
