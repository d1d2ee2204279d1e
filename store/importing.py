"""Import: read and parse files, prepare their articles, and write articles with their
index streams and entities (a file's articles, or any other source's, as feeds' entries).
Why one module of ~550 lines: preparing and writing share the keys, hashes and streams
of one transaction, and splitting them would pass those through a third module."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from . import index
from .columns import json_list, sections_json, sections_load
from .entities import Extractor, Found, gazetteer_fingerprint
from .errors import LibraryError, NeicanError, ParseError
from .files import CANNOT_LIST, Walked, walk_files
from .hashing import article_key, content_hash
from .ids import DAY_SLOTS, MAX_ARTICLE_ID, day_fid, search_id
from .index import IndexedText, index_text
from .mentions import EntityIds, find_entities, store_mentions
from .model import ParsedArticle, ParsedDocument
from .parsing import parse_bytes, read_file
from .searchable import searchable_lines
from .sql import get_meta, has_table, in_chunks, set_meta

SUFFIXES = (".txt", ".md", ".text")


class Refused(NeicanError):
    """Articles the library cannot take (a file's import: the rest of the import goes on)."""


@dataclass
class PreparedArticle:
    parsed: ParsedArticle  # without its sections when it comes from a helper process
    key: str
    hash: str
    position: int
    sections: str  # the sections as stored (JSON)
    text: IndexedText | None = None
    entities: list[Found] | None = None

    def whole(self) -> ParsedArticle:
        """The parsed article with its sections (read back from their JSON if sent without)."""
        if self.parsed.sections or self.sections == "[]":
            return self.parsed
        return replace(self.parsed, sections=sections_load(self.sections))

    def lean(self) -> PreparedArticle:
        """The same, cheap to send to another process: the sections only as JSON.

        Unpickling the sections' dataclasses cost the writer ~0.15 ms an article.
        """
        return replace(self, parsed=replace(self.parsed, sections=()))


@dataclass
class PreparedFile:
    path: Path
    name: str
    file_hash: str
    document: ParsedDocument | None = None
    articles: list[PreparedArticle] = field(default_factory=list)
    unchanged: bool = False
    error: NeicanError | None = None


Result = Literal["imported", "unchanged", "refused"]


@dataclass(frozen=True)
class FileOutcome:
    file: str
    result: Result
    articles: int = 0  # new or updated
    added: int = 0
    updated: int = 0
    removed: int = 0
    reason: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # warnings: files skipped, empty folders

    @property
    def imported(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.result == "imported"]

    @property
    def unchanged(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.result == "unchanged"]

    @property
    def refused(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.result == "refused"]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "imported": [{"file": o.file, "articles": o.articles} for o in self.imported],
            "unchanged": [o.file for o in self.unchanged],
            "refused": [{"file": o.file, "reason": o.reason} for o in self.refused],
        }
        if self.problems:  # files skipped for their suffix, folders with nothing to import
            data["problems"] = self.problems
        return data


@dataclass(frozen=True)
class Written:
    """What one write of articles did."""

    added: int = 0
    updated: int = 0
    removed: int = 0


def expand_paths(inputs: Iterable[Path]) -> Walked:
    """Files as given, and folders recursively (their .txt/.md files, hidden ones skipped),
    with one line per problem: a folder that cannot be listed, files skipped, nothing found."""
    return walk_files(inputs, SUFFIXES)


def unlistable(problem: str) -> FileOutcome | None:
    """A folder that could not be listed, as a refused outcome (the import exits 1)."""
    if CANNOT_LIST not in problem:
        return None
    folder, reason = problem.split(CANNOT_LIST, 1)
    return FileOutcome(folder, "refused", reason=f"cannot list: {reason}")


def file_id(path: Path) -> str:
    """A file as the library's sources and import log name it."""
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


# -- preparing (no writes: safe in another thread or process) ----------------------------


def prepare_file(
    conn: sqlite3.Connection, path: Path, extractor: Callable[[], Extractor] | None
) -> PreparedFile:
    """Read, parse and tokenise a file without writing (`extractor`: entities too)."""
    name = str(path)
    try:
        data = read_file(path)
    except ParseError as e:
        return PreparedFile(path, name, "", error=e)
    file_hash = hashlib.sha256(data).hexdigest()
    prepared = PreparedFile(path, name, file_hash)
    if _seen(conn, path, file_hash):
        prepared.unchanged = True
        return prepared
    try:
        prepared.document = parse_bytes(data, name)
    except ParseError as e:
        prepared.error = e
        return prepared
    document = prepared.document
    prepared.articles = prepare_articles(conn, document.feed, document.articles, extractor)
    return prepared


def prepare_articles(
    conn: sqlite3.Connection,
    feed: str,
    articles: Iterable[ParsedArticle],
    extractor: Callable[[], Extractor] | None,
    keys: Sequence[str] | None = None,
) -> list[PreparedArticle]:
    """Keys and content hashes of a feed's articles; the index streams (and entities)
    of those new or changed since the library last stored them.

    An article's key is its identity in every feed (PRODUCT.md §3): title, outlets and
    date, unless the source gives its own `keys` (one per article, e.g. a feed entry's
    normalised link); an article keyed twice in one call is kept once, the first.
    """
    prepared: list[PreparedArticle] = []
    seen: dict[str, int] = {}
    given = list(keys) if keys is not None else None
    articles = list(articles)
    if given is not None and len(given) != len(articles):
        raise ValueError(f"{feed}: {len(given)} keys for {len(articles)} articles")
    for position, parsed in enumerate(articles):
        if given is not None:
            key = given[position]
            if key in seen:
                continue
            seen[key] = 1
        else:
            key = article_key(parsed.title, parsed.outlets, parsed.published)
            if key in seen:  # the same article twice in one file: tell them apart
                seen[key] += 1
                key = article_key(f"{parsed.title}#{seen[key]}", parsed.outlets, parsed.published)
            else:
                seen[key] = 1
        sections = sections_json(parsed.sections)
        content = content_hash(
            parsed.kind,
            parsed.title,
            json_list(parsed.outlets),
            parsed.published,
            json_list(parsed.links),
            parsed.ruiping,
            sections,
        )
        prepared.append(PreparedArticle(parsed, key, content, position, sections))
    known = _hashes(conn, [a.key for a in prepared])
    for item in prepared:
        if known.get(item.key) != item.hash:
            item.text = text_of(item.parsed)
    if extractor is not None:  # entities of the new and changed articles, off the writer
        for item in prepared:
            if item.text is not None:
                item.entities = entities_of(extractor(), item.parsed)
    return prepared


def text_of(parsed: ParsedArticle) -> IndexedText:
    """The index streams of a parsed article (a new one: no notes yet)."""
    lines = searchable_lines(parsed.ruiping, parsed.sections, parsed.outlets)
    return index_text(parsed.title, parsed.ruiping, lines)


def entities_of(extractor: Extractor, parsed: ParsedArticle) -> list[Found]:
    return find_entities(extractor, parsed.title, parsed.ruiping, parsed.sections, parsed.outlets)


def _seen(conn: sqlite3.Connection, path: Path, file_hash: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM imports WHERE file = ? AND hash = ? AND result = 'imported'",
            [file_id(path), file_hash],
        ).fetchone()
    )


def _hashes(conn: sqlite3.Connection, keys: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk, marks in in_chunks(keys):
        out.update(
            conn.execute(f"SELECT key, hash FROM articles WHERE key IN ({marks})", chunk).fetchall()
        )
    return out


# -- writing (inside the caller's transaction) ------------------------------------------


def write_articles(
    conn: sqlite3.Connection,
    feed: str,
    kind: str,
    items: list[PreparedArticle],
    source: str,
    *,
    now: str,
    extractor: Callable[[], Extractor] | None,
    entity_ids: EntityIds,
    prune: bool = False,
    record: str | None = None,
) -> Written:
    """Write a feed's prepared articles from one source, with their index streams and
    (given an `extractor`) entities: new ones added, changed ones updated, and each
    made a member of the feed (an article already in another feed joins this one too:
    counted as added). `prune` takes the source's articles not among them out of it (a
    file is the whole of its source): an article in no feed any more is removed unless
    it has notes; `record` logs the source's import with that content hash.

    Runs inside the caller's transaction: on an error, roll back (and forget
    `entity_ids`). Raises Refused when a day has no free slot.
    """
    source_id = _source_id(conn, source)
    feed_id = _feed_id(conn, feed, kind)
    if record is not None:
        conn.execute(
            "INSERT INTO imports(file, hash, time, result, articles) VALUES (?, ?, ?, 'imported', ?)",
            [source, record, now, len(items)],
        )
    existing = {row[0]: row[1:] for row in _existing(conn, [a.key for a in items])}
    next_id = _next_article_id(conn)
    fids = _new_fids(conn, [item for item in items if item.key not in existing], next_id)
    # The search indexes are written last, all at once: any other write after an FTS5
    # insert in the same transaction makes FTS5 flush what it holds in memory (a
    # statement savepoint), and tiny flushes cost a third of an import in merging.
    unindex: list[tuple[int, IndexedText]] = []
    reindex: list[tuple[int, IndexedText]] = []
    added = updated = removed = 0
    for item in items:
        old = existing.get(item.key)
        joined = False
        if old is not None:  # an article seen before: in this feed from this source too
            joined = _join_feed(conn, old[0], feed_id, source_id, old[1], old[2])
            # New to this feed (its list and count change): counted as added.
            added += joined
            if old[3] == item.hash:
                continue
        if old is None:
            if next_id > MAX_ARTICLE_ID:
                raise LibraryError("the library holds its maximum of 9,999,999 articles")
            article_id, next_id = next_id, next_id + 1
            sid = search_id(item.parsed.published, article_id)
            fid = fids[item.key]
            _insert_article(conn, article_id, sid, fid, feed_id, item, source_id, now)
            reindex.append((fid, item.text or text_of(item.whole())))
            added += 1
        else:
            # Re-read what is indexed (notes' comments included) before and after.
            article_id, sid, fid = old[0], old[1], old[2]
            unindex.append((fid, index.stored_text(conn, index.text_row(conn, article_id))))
            _update_article(conn, article_id, sid, fid, item, source_id, now)
            reindex.append((fid, index.stored_text(conn, index.text_row(conn, article_id))))
            updated += not joined
        if extractor is not None:
            found = item.entities
            if found is None:
                found = entities_of(extractor(), item.whole())
            store_mentions(conn, entity_ids, article_id, found, new=old is None)
    if prune:
        removed, gone = _prune(conn, feed_id, source_id, {a.key for a in items})
        unindex.extend(gone)
    if extractor is not None and get_meta(conn, "gazetteer") is None:
        set_meta(conn, "gazetteer", gazetteer_fingerprint())
    # In rowid order: a rowid lower than the last one makes FTS5 flush what it holds
    # into a new segment (a digest lists its newest articles first).
    for fid, text in sorted(unindex, key=lambda pair: pair[0]):
        index.remove(conn, fid, text)
    for fid, text in sorted(reindex, key=lambda pair: pair[0]):
        index.add(conn, fid, text)
    return Written(added, updated, removed)


def _existing(conn: sqlite3.Connection, keys: list[str]) -> Iterator[tuple[Any, ...]]:
    for chunk, marks in in_chunks(keys):
        yield from conn.execute(
            f"SELECT key, id, sid, fid, hash FROM articles WHERE key IN ({marks})", chunk
        )


def _next_article_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
    return (row[0] if row else 0) + 1


def _source_id(conn: sqlite3.Connection, path: str) -> int:
    row = conn.execute("SELECT id FROM sources WHERE path = ?", [path]).fetchone()
    if row:
        return int(row[0])
    cursor = conn.execute("INSERT INTO sources(path) VALUES (?)", [path])
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _feed_id(conn: sqlite3.Connection, name: str, kind: str) -> int:
    row = conn.execute("SELECT id FROM feeds WHERE name = ?", [name]).fetchone()
    if row:
        return int(row[0])
    cursor = conn.execute("INSERT INTO feeds(name, format) VALUES (?, ?)", [name, kind])
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _new_fids(
    conn: sqlite3.Connection, new: list[PreparedArticle], first_id: int
) -> dict[str, int]:
    """The fids of a file's new articles (keyed by article key), in search id order per day.

    A day's next free slot follows its highest; a full range falls back to a gap
    left by removed articles, else the file is refused.
    """
    order = sorted(range(len(new)), key=lambda i: search_id(new[i].parsed.published, first_id + i))
    highest: dict[int, int] = {}
    out: dict[str, int] = {}
    for i in order:
        published = new[i].parsed.published
        base = day_fid(published)
        if base not in highest:
            row = conn.execute(
                "SELECT max(fid) FROM articles WHERE fid >= ? AND fid < ?",
                [base, base + DAY_SLOTS],
            ).fetchone()
            highest[base] = base - 1 if row[0] is None else int(row[0])
        fid = highest[base] + 1
        if fid >= base + DAY_SLOTS:
            fid = _free_fid(conn, base, published, set(out.values()))
        else:
            highest[base] = fid
        out[new[i].key] = fid
    return out


def _free_fid(conn: sqlite3.Connection, base: int, published: str, pending: set[int]) -> int:
    used = pending | {
        r[0]
        for r in conn.execute(
            "SELECT fid FROM articles WHERE fid >= ? AND fid < ?", [base, base + DAY_SLOTS]
        )
    }
    for fid in range(base, base + DAY_SLOTS):
        if fid not in used:
            return fid
    raise Refused(f"the library holds its maximum of {DAY_SLOTS:,} articles dated {published[:10]}")


def _insert_article(
    conn: sqlite3.Connection,
    article_id: int,
    sid: int,
    fid: int,
    feed_id: int,
    item: PreparedArticle,
    source: int,
    now: str,
) -> None:
    p = item.parsed
    conn.execute(
        "INSERT INTO articles(id, sid, fid, key, feed_id, kind, published, position, source_id, "
        "hash, imported, updated, title, outlets, links, ruiping, sections) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            article_id,
            sid,
            fid,
            item.key,
            feed_id,
            p.kind,
            p.published,
            item.position,
            source,
            item.hash,
            now,
            now,
            p.title,
            json_list(p.outlets),
            json_list(p.links),
            p.ruiping,
            item.sections,
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_outlets(article_id, name, sid, fid) VALUES (?, ?, ?, ?)",
        [(article_id, o, sid, fid) for o in p.outlets],
    )
    conn.execute(
        "INSERT INTO article_feeds(article_id, feed_id, source_id, sid, fid) VALUES (?, ?, ?, ?, ?)",
        [article_id, feed_id, source, sid, fid],
    )


def _update_article(
    conn: sqlite3.Connection,
    article_id: int,
    sid: int,
    fid: int,
    item: PreparedArticle,
    source: int,
    now: str,
) -> None:
    p = item.parsed
    conn.execute(
        "UPDATE articles SET kind = ?, title = ?, position = ?, source_id = ?, hash = ?, "
        "updated = ?, outlets = ?, links = ?, ruiping = ?, sections = ? WHERE id = ?",
        [
            p.kind,
            p.title,  # (an article keyed by its link may be retitled)
            item.position,
            source,
            item.hash,
            now,
            json_list(p.outlets),
            json_list(p.links),
            p.ruiping,
            item.sections,
            article_id,
        ],
    )
    conn.execute("DELETE FROM article_outlets WHERE article_id = ?", [article_id])
    conn.executemany(
        "INSERT OR IGNORE INTO article_outlets(article_id, name, sid, fid) VALUES (?, ?, ?, ?)",
        [(article_id, o, sid, fid) for o in p.outlets],
    )


def _join_feed(
    conn: sqlite3.Connection, article_id: int, feed_id: int, source_id: int, sid: int, fid: int
) -> bool:
    """Make an article a member of a feed from a source: whether it is new to the feed."""
    new = not conn.execute(
        "SELECT 1 FROM article_feeds WHERE article_id = ? AND feed_id = ? LIMIT 1",
        [article_id, feed_id],
    ).fetchone()
    conn.execute(
        "INSERT OR IGNORE INTO article_feeds(article_id, feed_id, source_id, sid, fid) "
        "VALUES (?, ?, ?, ?, ?)",
        [article_id, feed_id, source_id, sid, fid],
    )
    return new


def _prune(
    conn: sqlite3.Connection, feed_id: int, source_id: int, keys: set[str]
) -> tuple[int, list[tuple[int, IndexedText]]]:
    """Take a source's articles not among `keys` (or no longer in `feed_id`: the file's
    feed line changed) out of it: (how many left the source, the index streams of those
    removed from the library). An article leaves the library with its last membership,
    unless it has notes: then it keeps that one (it stays listed in its feed)."""
    left = 0
    gone: list[tuple[int, IndexedText]] = []
    stale = [
        (article_id, member_feed, fid)
        for article_id, member_feed, fid, key in conn.execute(
            "SELECT m.article_id, m.feed_id, m.fid, a.key FROM article_feeds m "
            "JOIN articles a ON a.id = m.article_id WHERE m.source_id = ?",
            [source_id],
        ).fetchall()
        if key not in keys or member_feed != feed_id
    ]
    for article_id, member_feed, fid in stale:
        others = conn.execute(
            "SELECT feed_id FROM article_feeds WHERE article_id = ? "
            "AND NOT (feed_id = ? AND source_id = ?) ORDER BY feed_id",
            [article_id, member_feed, source_id],
        ).fetchall()
        if not others and _is_noted(conn, article_id):
            continue
        left += 1
        if not others:
            gone.append((fid, index.stored_text(conn, index.text_row(conn, article_id))))
            conn.execute("DELETE FROM articles WHERE id = ?", [article_id])
            continue
        conn.execute(
            "DELETE FROM article_feeds WHERE article_id = ? AND feed_id = ? AND source_id = ?",
            [article_id, member_feed, source_id],
        )
        if member_feed not in {row[0] for row in others}:
            # `articles.feed_id` is the article's first feed still carrying it.
            conn.execute(
                "UPDATE articles SET feed_id = ? WHERE id = ? AND feed_id = ?",
                [others[0][0], article_id, member_feed],
            )
    return left, gone


def _is_noted(conn: sqlite3.Connection, article_id: int) -> bool:
    if not has_table(conn, "notes"):
        return False
    return bool(
        conn.execute("SELECT 1 FROM notes WHERE article_id = ? LIMIT 1", [article_id]).fetchone()
    )
