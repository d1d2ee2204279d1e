"""Library: the only door to the SQLite file — connections, migrations, import, queries."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from . import grams, paths, segment
from .articles import (
    DAY_SLOTS,
    MAX_ARTICLE_ID,
    Article,
    ArticleRow,
    EntityCount,
    EntityInfo,
    FeedCount,
    Note,
    SearchResult,
    article_key,
    content_hash,
    day_fid,
    in_chunks,
    json_list,
    keys_of,
    search_id,
    sections_json,
    sections_load,
)
from .entities import Extractor, Found, Gazetteer, gazetteer_fingerprint
from .errors import LibraryError, NeicanError, NotFound, ParseError
from .model import ParsedArticle, ParsedDocument
from .parsing import parse_bytes, read_file
from .sanitize import clean_field, clean_text
from .schema import PAGE_SIZE, migrations

# How much of the file reads may map (SQLite caps it at its own limit where lower).
MMAP_SIZE = 2**32

SUFFIXES = (".txt", ".md", ".text")
T = TypeVar("T")


class _FileRefused(NeicanError):
    """A file the library cannot take (the rest of the import goes on)."""


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
    lines: list[str],
    ruiping: str | None,
    extra: list[str],
    words: bool = True,
    chars: bool = True,
) -> IndexedText:
    """Token streams for the search tables from an article's text (`words` loads jieba;
    without `chars`, the streams of the other tables are left empty)."""
    text = "\n".join([title, ruiping or "", *lines, *extra])
    if not chars:
        return IndexedText((b"", b""), (b"", b""), segment.words_stream(text).encode(), b"")
    return IndexedText(
        search=(segment.chars_stream(text).encode(), segment.latin_stream(text).encode()),
        titles=(segment.chars_stream(title).encode(), segment.latin_stream(title).encode()),
        words=segment.words_stream(text).encode() if words else b"",
        grams=grams.grams_stream(text).encode(),
    )


def _chars_version() -> str:
    """The version of the streams that need no jieba: a change re-indexes on open."""
    return f"{segment.STREAM_VERSION}|grams {grams.version()}"


def _words_prefix() -> str:
    """The version of the words stream, without the segmenter's (which loads it)."""
    return f"{segment.STREAM_VERSION}|{segment.WORDS_VERSION}|"


def _body_lines(parsed: ParsedArticle) -> list[str]:
    lines: list[str] = []
    for section in parsed.sections:
        if section.heading:
            lines.append(section.heading)
        lines.extend(b.text for b in section.bullets)
    return lines


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


@dataclass(frozen=True)
class FileOutcome:
    file: str
    result: str  # "imported" | "unchanged" | "refused"
    articles: int = 0  # new or updated
    added: int = 0
    updated: int = 0
    removed: int = 0
    reason: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

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
        return {
            "imported": [{"file": o.file, "articles": o.articles} for o in self.imported],
            "unchanged": [o.file for o in self.unchanged],
            "refused": [{"file": o.file, "reason": o.reason} for o in self.refused],
        }


Progress = Callable[[int, int, str], None]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def clean_note(text: str) -> str:
    """A comment as the user typed it, minus control characters (newlines kept)."""
    return "\n".join(line.rstrip() for line in clean_text(text).strip().split("\n"))


def clean_tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        for part in clean_field(tag).replace(",", " ").split():
            part = part.lstrip("#")
            if part and part not in out:
                out.append(part)
    return out


def expand_paths(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, and folders recursively (their .txt/.md files, hidden ones skipped)."""
    out: list[Path] = []
    for path in inputs:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(
                    Path(root) / f
                    for f in sorted(files)
                    if not f.startswith(".") and Path(f).suffix.lower() in SUFFIXES
                )
        else:
            out.append(path)
    return out


class Library:
    """A neican library file. Open it once; every thread gets its own connection."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        entities: bool = True,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        """Open (create, migrate) the library; `notice` hears of slow work done on opening."""
        self.path = paths.library_path(path)
        self._notice = notice
        self.extract_entities = entities  # off only to measure what extraction costs
        self._extractor: Extractor | None = None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._words_checked = False
        self.backup_path: Path | None = None  # where the file was copied before a migration
        self._writes = 0  # bumped on every write, for caches of this process's own changes
        self._aside: ThreadPoolExecutor | None = None  # see read_aside
        self._open()

    # -- connections and schema ------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only takes effect on a new file
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-65536")
            # Reads go through the mapped file, not a copy per page: a common word's
            # doclists are megabytes (search p95 at 100,000 articles: 25 -> 22 ms).
            conn.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
        except sqlite3.DatabaseError as e:
            raise LibraryError(f"{self.path}: cannot open the library: {e}") from None
        with self._lock:
            self._connections.append(conn)
        return conn

    @property
    def db(self) -> Database:
        """This thread's connection, wrapped by sqlite-utils."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = Database(self._connect(), execute_plugins=False)
            self._local.db = db
        return db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def read_aside(
        self, read: Callable[[sqlite3.Connection, str, list[Any]], T], sql: str, args: list[Any]
    ) -> Future[T]:
        """Run a read on a second thread's connection, in parallel with this thread's work.

        SQLite releases the GIL while it steps, so on two cores a slow count costs no
        wall time beside a slow ranking query.
        """
        with self._lock:
            if self._aside is None:
                self._aside = ThreadPoolExecutor(1, "neican-read-aside")
            aside = self._aside
        return aside.submit(lambda: read(self.conn, sql, args))

    def close(self) -> None:
        with self._lock:
            if self._aside is not None:
                self._aside.shutdown(wait=True)
                self._aside = None
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise LibraryError(f"{self.path}: cannot create its folder: {e.strerror}") from None
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            db = self.db
            pending = [m.name for m in migrations.pending(db)]
            if pending and existed and migrations.applied(db):
                self.backup_path = self._backup()
            if pending:
                migrations.apply(db)
            if "m002_entities" in pending and not self.is_empty():
                self._announce_upgrade("finding entities in")
                self._after_reindex(None)  # a library from before entities: find them now
            # m006: every index row has a new rowid; m007: the words index has positions.
            # (A new library has nothing to index: jieba stays unloaded, the reader paints.)
            if {"m006_compact_fts_ids", "m007_word_positions"} & set(pending):
                if not self.is_empty():
                    self._announce_upgrade("re-indexing")
                    self._rebuild_search(words=True)
            if self._meta("chars_version") != _chars_version():
                if not self.is_empty():
                    self._announce_upgrade("re-indexing")
                self._rebuild_search(words=False)
            # A words index built by older code is rebuilt now, not at the first write
            # (which may be a note saved in the reader). Not a new segmenter's version:
            # that needs jieba loaded, and waits for a write.
            built = self._meta("words_version")
            if built and not built.startswith(_words_prefix()) and not self.is_empty():
                self._announce_upgrade("re-indexing the words of")
                self._rebuild_search(words=True, chars=False)
        except sqlite3.DatabaseError as e:
            raise LibraryError(f"{self.path}: not a neican library or damaged: {e}") from None

    def _announce_upgrade(self, work: str) -> None:
        """Tell the user why opening takes a while (about three minutes at 100,000 articles)."""
        if self._notice is not None:
            count = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            self._notice(f"upgrading {self.path}: {work} its {count:,} articles (once)…")

    def _backup(self) -> Path:
        """Copy the file aside before migrating it: `library.db.v3-backup`."""
        version = len(migrations.applied(self.db))
        target = self.path.with_name(f"{self.path.name}.v{version}-backup")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(self.path, target)
        return target

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def _words_version(self) -> str:
        return _words_prefix() + segment.engine()

    def _check_words(self) -> None:
        """Before writing: the words index must have been built as this code builds it
        (a contentless index deletes an article by the tokens it was given)."""
        if self._words_checked:
            return
        if self._meta("words_version") != self._words_version():
            if not self.is_empty():
                self._announce_upgrade("re-indexing the words of")
            self._rebuild_search(words=True, chars=False)
        self._words_checked = True

    # -- indexing --------------------------------------------------------------------

    def _stored_text(
        self, row: sqlite3.Row | tuple[Any, ...], with_words: bool = True, with_chars: bool = True
    ) -> IndexedText:
        """The streams of an article as stored now (id, title, sections, ruiping, outlets)."""
        article_id, title, sections, ruiping, outlets = row
        parsed_sections = sections_load(sections)
        lines: list[str] = []
        for section in parsed_sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend(b.text for b in section.bullets)
        extra = list(json.loads(outlets)) + self._note_comments(article_id)
        # (the rebuild of the character index must not load jieba)
        return index_text(title, lines, ruiping, extra, words=with_words, chars=with_chars)

    def _note_comments_of(self, article_ids: list[int]) -> dict[int, list[str]]:
        """The note comments of many articles at once (search results)."""
        out: dict[int, list[str]] = {}
        if not self._has_table("notes"):
            return out
        for chunk, marks in in_chunks(article_ids):
            for article_id, comment in self.conn.execute(
                f"SELECT article_id, comment FROM notes WHERE article_id IN ({marks}) "
                "AND comment != '' ORDER BY id",
                chunk,
            ):
                out.setdefault(article_id, []).append(comment)
        return out

    def _note_comments(self, article_id: int) -> list[str]:
        return self._note_comments_of([article_id]).get(article_id, [])

    def _has_table(self, name: str) -> bool:
        cache = self._local.__dict__.setdefault("tables", {})
        if name not in cache:
            cache[name] = bool(
                self.conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
                ).fetchone()
            )
        return bool(cache[name])

    def _index(self, fid: int, text: IndexedText, words: bool = True) -> None:
        execute = self.conn.execute
        execute("INSERT INTO search(rowid, chars, latin) VALUES (?, ?, ?)", [fid, *text.search])
        execute("INSERT INTO titles(rowid, chars, latin) VALUES (?, ?, ?)", [fid, *text.titles])
        execute("INSERT INTO grams(rowid, text) VALUES (?, ?)", [fid, text.grams])
        if words:
            self._index_words(fid, text)

    def _index_words(self, fid: int, text: IndexedText) -> None:
        self.conn.execute("INSERT INTO words(rowid, text) VALUES (?, ?)", [fid, text.words])

    def _unindex(self, fid: int, text: IndexedText) -> None:
        execute = self.conn.execute
        execute(
            "INSERT INTO search(search, rowid, chars, latin) VALUES ('delete', ?, ?, ?)",
            [fid, *text.search],
        )
        execute(
            "INSERT INTO titles(titles, rowid, chars, latin) VALUES ('delete', ?, ?, ?)",
            [fid, *text.titles],
        )
        execute("INSERT INTO grams(grams, rowid, text) VALUES ('delete', ?, ?)", [fid, text.grams])
        execute("INSERT INTO words(words, rowid, text) VALUES ('delete', ?, ?)", [fid, text.words])

    def _reindex_article(self, article_id: int, change: Callable[[], None]) -> None:
        """Apply `change` (which alters what is indexed, e.g. a note comment) and re-index."""
        self._check_words()
        row = self.conn.execute(
            "SELECT fid, id, title, sections, ruiping, outlets FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        if row is None:
            raise NotFound(f"no article {article_id}")
        fid, rest = row[0], row[1:]
        self._unindex(fid, self._stored_text(rest))
        change()
        self._index(fid, self._stored_text(rest))

    def _rebuild_search(
        self, *, words: bool, chars: bool = True, progress: Progress | None = None
    ) -> None:
        """Empty and refill the search indexes from the stored articles (one transaction).

        The character streams need no segmenter; `words` is rebuilt only when asked (it
        loads jieba), and must be before the next write if the segmenter changed;
        `chars=False` rebuilds the words alone.
        """
        tables = (("search", "titles", "grams") if chars else ()) + (("words",) if words else ())
        with self.db.atomic():
            for table in tables:
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES('delete-all')")
            total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            rows = self.conn.execute(
                "SELECT fid, id, title, sections, ruiping, outlets FROM articles ORDER BY fid"
            )
            for done, row in enumerate(rows.fetchall(), 1):
                text = self._stored_text(row[1:], with_words=words, with_chars=chars)
                if chars:
                    self._index(row[0], text, words)
                else:
                    self._index_words(row[0], text)
                if progress and (done % 500 == 0 or done == total):
                    progress(done, total, "index")
            if chars:
                self._set_meta("chars_version", _chars_version())
            if words or not total:
                self._set_meta("words_version", self._words_version() if words else "")
        self._words_checked = words

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild both search indexes (and, once they exist, entity mentions)."""
        self._rebuild_search(words=True, progress=progress)
        self._after_reindex(progress)
        self._words_checked = True
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _after_reindex(self, progress: Progress | None) -> None:
        """Extract every article's entities again (after the gazetteer changed)."""
        self._extractor = Extractor(Gazetteer.load())
        self._local.__dict__.pop("entity_ids", None)
        with self.db.atomic():
            self.conn.execute("DELETE FROM mentions")
            self.conn.execute("DELETE FROM entities")
            rows = self.conn.execute(
                "SELECT id, title, sections, ruiping, outlets FROM articles ORDER BY id"
            ).fetchall()
            for done, (article_id, title, sections, ruiping, outlets) in enumerate(rows, 1):
                lines = []
                for section in sections_load(sections):
                    if section.heading:
                        lines.append(section.heading)
                    lines.extend(b.text for b in section.bullets)
                found = self._entities_for(title, lines, None, ruiping, tuple(json.loads(outlets)))
                self._store_mentions(article_id, found)
                if progress and (done % 500 == 0 or done == len(rows)):
                    progress(done, len(rows), "entities")
            self._set_meta("gazetteer", self.extractor.gazetteer.fingerprint)

    # -- import ----------------------------------------------------------------------

    def prepare(self, path: Path) -> PreparedFile:
        """Read, parse and tokenise a file without writing (safe in another thread)."""
        name = str(path)
        try:
            data = read_file(path)
        except ParseError as e:
            return PreparedFile(path, name, "", error=e)
        file_hash = hashlib.sha256(data).hexdigest()
        prepared = PreparedFile(path, name, file_hash)
        if self._seen(path, file_hash):
            prepared.unchanged = True
            return prepared
        try:
            prepared.document = parse_bytes(data, name)
        except ParseError as e:
            prepared.error = e
            return prepared
        feed = prepared.document.feed
        seen: dict[str, int] = {}
        for position, parsed in enumerate(prepared.document.articles):
            key = article_key(feed, parsed.title, parsed.published)
            if key in seen:  # the same title twice on one date in one feed: tell them apart
                seen[key] += 1
                key = article_key(feed, f"{parsed.title}#{seen[key]}", parsed.published)
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
            prepared.articles.append(PreparedArticle(parsed, key, content, position, sections))
        known = self._hashes([a.key for a in prepared.articles])
        for item in prepared.articles:
            if known.get(item.key) != item.hash:
                item.text = self._text_for(item.parsed)
        self._prepare_extra(prepared)
        return prepared

    def _prepare_extra(self, prepared: PreparedFile) -> None:
        """Entities of the new and changed articles, found off the writer thread."""
        if not self.extract_entities:
            return
        for item in prepared.articles:
            if item.text is not None:
                item.entities = self._entities_for(
                    item.parsed.title, _body_lines(item.parsed), item.parsed
                )

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = Extractor(Gazetteer.load())
        return self._extractor

    def _entities_for(
        self,
        title: str,
        lines: list[str],
        parsed: ParsedArticle | None = None,
        ruiping: str | None = None,
        outlets: tuple[str, ...] = (),
    ) -> list[Found]:
        if parsed is not None:
            ruiping, outlets = parsed.ruiping, parsed.outlets
        text_lines = ([ruiping] if ruiping else []) + lines
        return self.extractor.extract(title, text_lines, outlets)

    def _text_for(self, parsed: ParsedArticle) -> IndexedText:
        return index_text(parsed.title, _body_lines(parsed), parsed.ruiping, list(parsed.outlets))

    def _seen(self, path: Path, file_hash: str) -> bool:
        return bool(
            self.conn.execute(
                "SELECT 1 FROM imports WHERE file = ? AND hash = ? AND result = 'imported'",
                [_file_id(path), file_hash],
            ).fetchone()
        )

    def _hashes(self, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk, marks in in_chunks(keys):
            out.update(
                self.conn.execute(
                    f"SELECT key, hash FROM articles WHERE key IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def write(self, prepared: PreparedFile) -> FileOutcome:
        """Write a prepared file in one transaction: all of it, or nothing."""
        if prepared.error is not None:
            error = prepared.error
            reason = error.detail if isinstance(error, ParseError) else str(error)
            return FileOutcome(prepared.name, "refused", reason=reason)
        if prepared.unchanged or prepared.document is None:
            return FileOutcome(prepared.name, "unchanged")
        self._check_words()
        document = prepared.document
        now = _now()
        file_id = _file_id(prepared.path)
        added = updated = removed = 0
        try:
            with self.db.atomic():
                source = self._source_id(file_id)
                feed_id = self._feed_id(document.feed, document.format)
                existing = {
                    row[0]: row[1:] for row in self._existing([a.key for a in prepared.articles])
                }
                next_id = self._next_article_id()
                fids = self._new_fids(
                    [item for item in prepared.articles if item.key not in existing], next_id
                )
                # The search indexes are written last, all at once: any other write after
                # an FTS5 insert in the same transaction makes FTS5 flush what it holds
                # in memory (a statement savepoint), and tiny flushes cost a third of an
                # import in merging.
                unindex: list[tuple[int, IndexedText]] = []
                index: list[tuple[int, IndexedText]] = []
                for item in prepared.articles:
                    old = existing.get(item.key)
                    if old is not None and old[3] == item.hash:
                        continue
                    if old is None:
                        if next_id > MAX_ARTICLE_ID:
                            raise LibraryError(
                                "the library holds its maximum of 9,999,999 articles"
                            )
                        article_id, next_id = next_id, next_id + 1
                        sid = search_id(item.parsed.published, article_id)
                        fid = fids[item.key]
                        self._insert_article(article_id, sid, fid, feed_id, item, source, now)
                        index.append((fid, item.text or self._text_for(item.whole())))
                        added += 1
                    else:
                        # Re-read what is indexed (notes' comments included) before and after.
                        article_id, sid, fid = old[0], old[1], old[2]
                        unindex.append((fid, self._stored_text(self._text_row(article_id))))
                        self._update_article(article_id, sid, fid, item, source, now)
                        index.append((fid, self._stored_text(self._text_row(article_id))))
                        updated += 1
                    self._write_extra(article_id, item, new=old is None)
                keys = {a.key for a in prepared.articles}
                for article_id, fid, key in self.conn.execute(
                    "SELECT id, fid, key FROM articles WHERE source_id = ?", [source]
                ).fetchall():
                    if key not in keys and not self._is_noted(article_id):
                        unindex.append((fid, self._stored_text(self._text_row(article_id))))
                        self.conn.execute("DELETE FROM articles WHERE id = ?", [article_id])
                        removed += 1
                if self.extract_entities and self._meta("gazetteer") is None:
                    self._set_meta("gazetteer", gazetteer_fingerprint())
                self.conn.execute(
                    "INSERT INTO imports(file, hash, time, result, articles) VALUES (?, ?, ?, 'imported', ?)",
                    [file_id, prepared.file_hash, now, len(prepared.articles)],
                )
                # In rowid order: a rowid lower than the last one makes FTS5 flush what
                # it holds into a new segment (a digest lists its newest articles first).
                for fid, text in sorted(unindex, key=lambda item: item[0]):
                    self._unindex(fid, text)
                for fid, text in sorted(index, key=lambda item: item[0]):
                    self._index(fid, text)
        except _FileRefused as e:  # rolled back: this file only
            self._local.__dict__.pop("entity_ids", None)
            return FileOutcome(prepared.name, "refused", reason=str(e))
        except BaseException as e:
            self._local.__dict__.pop(
                "entity_ids", None
            )  # ids inserted in the rolled-back transaction
            if isinstance(e, sqlite3.DatabaseError):
                raise LibraryError(
                    f"{prepared.name}: the library could not be written: {e}"
                ) from None
            raise
        self._writes += 1
        if not (added or updated or removed):
            return FileOutcome(prepared.name, "unchanged", warnings=document.warnings)
        return FileOutcome(
            prepared.name,
            "imported",
            articles=added + updated,
            added=added,
            updated=updated,
            removed=removed,
            warnings=document.warnings,
        )

    def import_file(self, path: Path) -> FileOutcome:
        return self.write(self.prepare(path))

    def import_paths(
        self, inputs: Iterable[Path], progress: Progress | None = None
    ) -> ImportReport:
        """Import files and folders, one transaction per file.

        Reading, parsing and tokenising (pure Python, holding the GIL) happen in a
        second process for large imports, a thread otherwise, while this one writes.
        """
        files = expand_paths(inputs)
        report = ImportReport()
        with _preparer(self, files) as prepare:
            queue = [prepare(path) for path in files[:AHEAD]]
            for index, path in enumerate(files):
                try:
                    prepared = queue.pop(0).result()
                except BrokenExecutor:  # the helper process died: carry on in this one
                    prepare = _inline(self)
                    queue = [prepare(p) for p in files[index + 1 : index + AHEAD]]
                    prepared = self.prepare(path)
                if index + AHEAD < len(files):
                    queue.append(prepare(files[index + AHEAD]))
                report.outcomes.append(self.write(prepared))
                if progress:
                    progress(index + 1, len(files), str(path))
        added = sum(o.added + o.updated for o in report.outcomes)
        if added >= OPTIMIZE_AFTER or added * 4 >= self.article_count() > 0 and added >= 500:
            self.optimize()
        return report

    def optimize(self) -> None:
        """Merge each search index into one segment: after a large import, queries run
        about twice as fast (~10 s at 100,000 articles; of it the words index 3.5 s,
        which searches need too: their p95 was 15.9-20.3 ms without, 14.5-15.8 with)."""
        with self.db.atomic():
            for table in ("search", "titles", "grams", "words"):
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")

    def _existing(self, keys: list[str]) -> Iterator[tuple[Any, ...]]:
        for chunk, marks in in_chunks(keys):
            yield from self.conn.execute(
                f"SELECT key, id, sid, fid, hash FROM articles WHERE key IN ({marks})", chunk
            )

    def _next_article_id(self) -> int:
        row = self.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'articles'"
        ).fetchone()
        return (row[0] if row else 0) + 1

    def _source_id(self, path: str) -> int:
        row = self.conn.execute("SELECT id FROM sources WHERE path = ?", [path]).fetchone()
        if row:
            return int(row[0])
        cursor = self.conn.execute("INSERT INTO sources(path) VALUES (?)", [path])
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _feed_id(self, name: str, kind: str) -> int:
        row = self.conn.execute("SELECT id FROM feeds WHERE name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        cursor = self.conn.execute("INSERT INTO feeds(name, format) VALUES (?, ?)", [name, kind])
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _new_fids(self, new: list[PreparedArticle], first_id: int) -> dict[str, int]:
        """The fids of a file's new articles (keyed by article key), in search id order per day.

        A day's next free slot follows its highest; a full range falls back to a gap
        left by removed articles, else the file is refused.
        """
        order = sorted(
            range(len(new)), key=lambda i: search_id(new[i].parsed.published, first_id + i)
        )
        highest: dict[int, int] = {}
        out: dict[str, int] = {}
        for i in order:
            published = new[i].parsed.published
            base = day_fid(published)
            if base not in highest:
                row = self.conn.execute(
                    "SELECT max(fid) FROM articles WHERE fid >= ? AND fid < ?",
                    [base, base + DAY_SLOTS],
                ).fetchone()
                highest[base] = base - 1 if row[0] is None else int(row[0])
            fid = highest[base] + 1
            if fid >= base + DAY_SLOTS:
                fid = self._free_fid(base, published, set(out.values()))
            else:
                highest[base] = fid
            out[new[i].key] = fid
        return out

    def _free_fid(self, base: int, published: str, pending: set[int]) -> int:
        used = pending | {
            r[0]
            for r in self.conn.execute(
                "SELECT fid FROM articles WHERE fid >= ? AND fid < ?", [base, base + DAY_SLOTS]
            )
        }
        for fid in range(base, base + DAY_SLOTS):
            if fid not in used:
                return fid
        raise _FileRefused(
            f"the library holds its maximum of {DAY_SLOTS:,} articles dated {published[:10]}"
        )

    def _insert_article(
        self,
        article_id: int,
        sid: int,
        fid: int,
        feed_id: int,
        item: PreparedArticle,
        source: int,
        now: str,
    ) -> None:
        p = item.parsed
        self.conn.execute(
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
        self.conn.executemany(
            "INSERT OR IGNORE INTO article_outlets(article_id, name, sid, fid) VALUES (?, ?, ?, ?)",
            [(article_id, o, sid, fid) for o in p.outlets],
        )

    def _update_article(
        self, article_id: int, sid: int, fid: int, item: PreparedArticle, source: int, now: str
    ) -> None:
        p = item.parsed
        self.conn.execute(
            "UPDATE articles SET kind = ?, position = ?, source_id = ?, hash = ?, updated = ?, "
            "outlets = ?, links = ?, ruiping = ?, sections = ? WHERE id = ?",
            [
                p.kind,
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
        self.conn.execute("DELETE FROM article_outlets WHERE article_id = ?", [article_id])
        self.conn.executemany(
            "INSERT OR IGNORE INTO article_outlets(article_id, name, sid, fid) VALUES (?, ?, ?, ?)",
            [(article_id, o, sid, fid) for o in p.outlets],
        )

    def _write_extra(self, article_id: int, item: PreparedArticle, new: bool = False) -> None:
        """Store the article's entity mentions (replacing any it had)."""
        if not self.extract_entities:
            return
        found = item.entities
        if found is None:
            whole = item.whole()
            found = self._entities_for(whole.title, _body_lines(whole), whole)
        self._store_mentions(article_id, found, new)

    def _store_mentions(self, article_id: int, found: list[Found], new: bool = False) -> None:
        """Store an article's mentions, replacing any it had (a `new` article has none)."""
        execute = self.conn.execute
        if not new:
            execute("DELETE FROM mentions WHERE article_id = ?", [article_id])
        ids = self._local.__dict__.setdefault("entity_ids", {})
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
        self.conn.executemany(
            "INSERT OR REPLACE INTO mentions(article_id, entity_id, count) VALUES (?, ?, ?)", rows
        )

    def _text_row(self, article_id: int) -> tuple[Any, ...]:
        row = self.conn.execute(
            "SELECT id, title, sections, ruiping, outlets FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"no article {article_id}")
        return tuple(row)

    def _is_noted(self, article_id: int) -> bool:
        if not self._has_table("notes"):
            return False
        return bool(
            self.conn.execute(
                "SELECT 1 FROM notes WHERE article_id = ? LIMIT 1", [article_id]
            ).fetchone()
        )

    # -- reading ---------------------------------------------------------------------

    def article(self, article_id: int) -> Article:
        row = self.conn.execute(
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
            notes=self._notes_of(article_id),
            entities=self._entities_of(article_id),
        )

    def _notes_of(self, article_id: int) -> tuple[Note, ...]:
        return tuple(self.notes(article_id=article_id, newest_first=False))

    def _entities_of(self, article_id: int) -> tuple[EntityCount, ...]:
        rows = self.conn.execute(
            "SELECT e.name, e.type, m.count, e.aliases, e.value, e.unit FROM mentions m "
            "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? "
            "ORDER BY m.count DESC, e.name",
            [article_id],
        ).fetchall()
        return tuple(
            EntityCount(name, kind, count, tuple(json.loads(aliases)), value, unit)
            for name, kind, count, aliases, value, unit in rows
        )

    def resolve_entity(self, name: str) -> list[tuple[int, str, str]]:
        """(id, name, type) of the entities `name` means: by name or any alias, with the
        gazetteer children of a parent (阿里巴巴 brings 阿里云 and 通义千问)."""
        wanted = name.strip()
        entry = self.extractor.gazetteer.lookup(wanted)
        names = {wanted.lower()}
        if entry is not None:
            names.add(entry.name.lower())
            names.update(
                child.name.lower() for child in self.extractor.gazetteer.children(entry.name)
            )
        rows = self.conn.execute("SELECT id, name, type FROM entities").fetchall()
        first = (entry.name if entry else wanted).lower()
        found = [(i, n, t) for i, n, t in rows if n.lower() in names]
        return sorted(found, key=lambda r: (r[1].lower() != first, r[1]))

    def _entity_filter(self, name: str, column: str, key: str = "sid") -> tuple[str, list[Any]]:
        """SQL (on `sid`s or FTS rowids, `fid`s) for `entity:NAME`, alias-aware."""
        ids = [i for i, _, _ in self.resolve_entity(name)]
        marks = ",".join("?" * len(ids))
        mentioned = f"SELECT article_id FROM mentions WHERE entity_id IN ({marks})"
        return f"{column} IN ({keys_of(key, mentioned)})", ids

    def entities(self, kind: str | None = None) -> list[EntityInfo]:
        """Every entity with its aliases and how many articles and mentions it has."""
        where = "WHERE e.type = ?" if kind else ""
        rows = self.conn.execute(
            "SELECT e.name, e.type, e.aliases, count(m.article_id), coalesce(sum(m.count), 0), e.value, e.unit "
            f"FROM entities e JOIN mentions m ON m.entity_id = e.id {where} "
            "GROUP BY e.id ORDER BY count(m.article_id) DESC, sum(m.count) DESC, e.name",
            [kind] if kind else [],
        ).fetchall()
        return [
            EntityInfo(name, t, tuple(json.loads(aliases)), articles, mentions, value, unit)
            for name, t, aliases, articles, mentions, value, unit in rows
        ]

    def entity_articles(self, name: str) -> tuple[list[tuple[int, str, str]], list[ArticleRow]]:
        """The entities `name` means and every article mentioning any of them, newest first."""
        matched = self.resolve_entity(name)
        if not matched:
            return [], []
        # (a subquery, not the article ids: a common name's articles can outnumber the
        # variables a query may have)
        return matched, self.article_rows(entity_ids=[i for i, _, _ in matched])

    def gazetteer_changed(self) -> bool:
        """Whether the gazetteer was edited since the entities were last extracted."""
        stored = self._meta("gazetteer")
        return stored is not None and stored != self.extractor.gazetteer.fingerprint

    def _noted_sql(self) -> str:
        """SQL for "this article has a note" (false until the notes table exists)."""
        if self._has_table("notes"):
            return "EXISTS (SELECT 1 FROM notes n WHERE n.article_id = a.id)"
        return "0"

    def article_rows(
        self,
        *,
        feed: str | None = None,
        outlet: str | None = None,
        unread_only: bool = False,
        noted_only: bool = False,
        ids: list[int] | None = None,
        entity_ids: list[int] | None = None,
        before_sid: int | None = None,
        limit: int | None = None,
    ) -> list[ArticleRow]:
        """Articles for a list, newest first (a newsletter issue in its own order).

        Pages continue with `before_sid` = the last row's `sid` (no OFFSET scans).
        """
        where, params = self._row_filter(feed, None, unread_only, noted_only, ids)
        if entity_ids is not None:
            where += (" AND " if where else "WHERE ") + (
                f"a.id IN (SELECT article_id FROM mentions WHERE entity_id IN ({','.join('?' * len(entity_ids))}))"
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
            f"SELECT a.id, f.name, a.kind, a.title, a.outlets, a.published, a.read, {self._noted_sql()}, a.sid "
            f"FROM articles a JOIN feeds f ON f.id = a.feed_id {where} ORDER BY a.sid DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            ArticleRow(
                r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], bool(r[6]), bool(r[7]), r[8]
            )
            for r in self.conn.execute(sql, params)
        ]

    def note_count(self) -> int:
        if not self._has_table("notes"):
            return 0
        return int(self.conn.execute("SELECT count(DISTINCT article_id) FROM notes").fetchone()[0])

    def _row_filter(
        self,
        feed: str | None,
        outlet: str | None,
        unread_only: bool,
        noted_only: bool,
        ids: list[int] | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if feed is not None:
            row = self.conn.execute("SELECT id FROM feeds WHERE name = ?", [feed]).fetchone()
            clauses.append("a.feed_id = ?")  # by id: the (feed_id, sid) index gives the order
            params.append(row[0] if row else -1)
        if outlet is not None:
            clauses.append("a.sid IN (SELECT sid FROM article_outlets WHERE name = ?)")
            params.append(outlet)
        if unread_only:
            clauses.append("a.read = 0")
        if noted_only:
            clauses.append(self._noted_sql())
        if ids is not None:
            clauses.append(f"a.id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    def feeds(self) -> list[FeedCount]:
        """Every feed with its article and unread counts, by name."""
        return [
            FeedCount(name, "feed", total, unread)
            for name, total, unread in self.conn.execute(
                "SELECT f.name, count(a.id), coalesce(sum(a.read = 0), 0) FROM feeds f "
                "JOIN articles a ON a.feed_id = f.id GROUP BY f.id ORDER BY f.name"
            )
        ]

    def outlets(self) -> list[FeedCount]:
        """Every outlet with its article and unread counts, most articles first."""
        return [
            FeedCount(name, "outlet", total, unread)
            for name, total, unread in self.conn.execute(
                "SELECT o.name, count(*), coalesce(sum(a.read = 0), 0) FROM article_outlets o "
                "JOIN articles a ON a.id = o.article_id GROUP BY o.name ORDER BY count(*) DESC, o.name"
            )
        ]

    def totals(self) -> tuple[int, int]:
        """(articles, unread) in the whole library."""
        total = self.article_count()
        read = self.conn.execute("SELECT count(*) FROM articles WHERE read = 1").fetchone()[0]
        return total, total - int(read)

    def article_count(self) -> int:
        """How many articles the library holds (cached until the file changes)."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        cached = getattr(self._local, "count", None)
        if cached is None or cached[0] != (version, self._writes):
            count = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            self._local.count = cached = ((version, self._writes), int(count))
        return int(cached[1])

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def set_read(self, article_id: int, read: bool = True) -> None:
        with self.db.atomic():
            cursor = self.conn.execute(
                "UPDATE articles SET read = ? WHERE id = ?", [int(read), article_id]
            )
            if cursor.rowcount == 0:
                raise NotFound(f"no article {article_id}")

    def stats(self) -> dict[str, Any]:
        articles, first, last = self.conn.execute(
            "SELECT count(*), min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles"
        ).fetchone()
        notes = (
            self.conn.execute("SELECT count(*) FROM notes").fetchone()[0]
            if self._has_table("notes")
            else 0
        )
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        size = self.path.stat().st_size
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            size += wal.stat().st_size
        return {
            "articles": articles,
            "feeds": self.conn.execute(
                "SELECT count(*) FROM feeds WHERE id IN (SELECT feed_id FROM articles)"
            ).fetchone()[0],
            "outlets": self.conn.execute(
                "SELECT count(DISTINCT name) FROM article_outlets"
            ).fetchone()[0],
            "notes": notes,
            "first": first,
            "last": last,
            "bytes": size,
        }

    # -- notes -----------------------------------------------------------------------

    _NOTE_SELECT = (
        "SELECT n.id, n.article_id, n.kind, n.text, n.comment, n.tags, n.created, n.updated, "
        "a.title, a.published FROM notes n JOIN articles a ON a.id = n.article_id"
    )

    def _note(self, row: tuple[Any, ...]) -> Note:
        return Note(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            tuple(json.loads(row[5])),
            row[6],
            row[7],
            row[8],
            row[9],
        )

    def notes(
        self,
        *,
        article_id: int | None = None,
        text: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        newest_first: bool = True,
    ) -> list[Note]:
        """Notes, newest first; `text` filters on the note, comment, tags and title."""
        clauses: list[str] = []
        params: list[Any] = []
        if article_id is not None:
            clauses.append("n.article_id = ?")
            params.append(article_id)
        if since:
            clauses.append("n.updated >= ?")
            params.append(since)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        order = "DESC" if newest_first else "ASC"
        notes = [
            self._note(r)
            for r in self.conn.execute(
                f"{self._NOTE_SELECT} {where} ORDER BY n.created {order}, n.id {order}", params
            )
        ]
        if tag:
            wanted = tag.lstrip("#").lower()
            notes = [n for n in notes if wanted in (t.lower() for t in n.tags)]
        if text:
            words = text.lower().split()
            notes = [
                n
                for n in notes
                if all(
                    w in f"{n.text}\n{n.comment}\n{' '.join(n.tags)}\n{n.article_title}".lower()
                    for w in words
                )
            ]
        return notes

    def note(self, note_id: int) -> Note:
        row = self.conn.execute(f"{self._NOTE_SELECT} WHERE n.id = ?", [note_id]).fetchone()
        if row is None:
            raise NotFound(f"no note {note_id}")
        return self._note(row)

    def add_note(
        self,
        article_id: int,
        kind: str = "quote",
        text: str | None = None,
        comment: str = "",
        tags: Iterable[str] = (),
    ) -> Note:
        """Keep a note: `ruiping` (the article's 锐评; once per article) or a `quote`."""
        article = self.article(article_id)
        if kind == "ruiping":
            if not article.ruiping:
                raise NeicanError(f"article {article_id} has no 锐评 to bookmark")
            existing = [n for n in article.notes if n.kind == "ruiping"]
            if existing:
                return existing[0]
            text = article.ruiping
        elif kind == "quote":
            text = clean_text(text or "").strip()
            if not text:
                raise NeicanError("a quote note needs the text it quotes")
        else:
            raise NeicanError(f"unknown note kind {kind!r} (ruiping or quote)")
        now = _local_now()
        holder: list[int] = []

        def insert() -> None:
            cursor = self.conn.execute(
                "INSERT INTO notes(article_id, kind, text, comment, tags, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    article_id,
                    kind,
                    text,
                    clean_note(comment),
                    json.dumps(clean_tags(tags), ensure_ascii=False),
                    now,
                    now,
                ],
            )
            assert cursor.lastrowid is not None
            holder.append(cursor.lastrowid)

        with self.db.atomic():
            self._reindex_article(article_id, insert)
        return self.note(holder[0])

    def update_note(
        self, note_id: int, *, comment: str | None = None, tags: Iterable[str] | None = None
    ) -> Note:
        note = self.note(note_id)

        def change() -> None:
            self.conn.execute(
                "UPDATE notes SET comment = ?, tags = ?, updated = ? WHERE id = ?",
                [
                    note.comment if comment is None else clean_note(comment),
                    json.dumps(
                        list(note.tags) if tags is None else clean_tags(tags), ensure_ascii=False
                    ),
                    _local_now(),
                    note_id,
                ],
            )

        with self.db.atomic():
            self._reindex_article(note.article_id, change)
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Delete a note; returns it, so that `restore_note` can undo."""
        note = self.note(note_id)

        def delete() -> None:
            self.conn.execute("DELETE FROM notes WHERE id = ?", [note_id])

        with self.db.atomic():
            self._reindex_article(note.article_id, delete)
        return note

    def restore_note(self, note: Note) -> Note:
        """Undo a delete: the note comes back with its id and dates."""

        def insert() -> None:
            self.conn.execute(
                "INSERT INTO notes(id, article_id, kind, text, comment, tags, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    note.id,
                    note.article_id,
                    note.kind,
                    note.text,
                    note.comment,
                    json.dumps(list(note.tags), ensure_ascii=False),
                    note.created,
                    note.updated,
                ],
            )

        with self.db.atomic():
            self._reindex_article(note.article_id, insert)
        return self.note(note.id)

    def toggle_ruiping(self, article_id: int) -> Note | None:
        """Bookmark the article's 锐评, or remove the bookmark: the new note, or None."""
        existing = [n for n in self.notes(article_id=article_id) if n.kind == "ruiping"]
        if existing:
            self.delete_note(existing[0].id)
            return None
        return self.add_note(article_id, "ruiping")

    # -- search ----------------------------------------------------------------------

    def search(self, text: str, limit: int | None = 20) -> SearchResult:
        """Run a query (store/query.py syntax); never raises on any input."""
        from .search import run_search

        return run_search(self, text, limit)


# Files being prepared ahead of the one being written.
AHEAD = 3
# Imports that add this many articles end with an `optimize` of the search indexes.
OPTIMIZE_AFTER = 5000
# Below this much to read, a second process costs more (its start, ~0.5 s) than it saves.
PROCESS_MIN_BYTES = 4 * 2**20
_worker: Library | None = None


def _worker_start(path: str, entities: bool) -> None:
    global _worker
    # The writer is the import's critical path: on two cores, three equal processes
    # would leave it two thirds of one (an import ran ~20% longer).
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    _worker = Library(path, entities=entities)
    parent = os.getppid()

    def watch() -> None:  # a helper must not outlive an import that was killed
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="neican-parent-watch", daemon=True).start()


def _worker_prepare(path: Path) -> PreparedFile:
    assert _worker is not None
    prepared = _worker.prepare(path)
    if prepared.document is not None:  # the writer needs the articles' fields, not the tree
        prepared.document = replace(prepared.document, articles=())
    prepared.articles = [item.lean() for item in prepared.articles]
    return prepared


def _inline(library: Library) -> Callable[[Path], Future[PreparedFile]]:
    def prepare(path: Path) -> Future[PreparedFile]:
        future: Future[PreparedFile] = Future()
        future.set_result(library.prepare(path))
        return future

    return prepare


@contextlib.contextmanager
def _preparer(
    library: Library, files: list[Path]
) -> Iterator[Callable[[Path], Future[PreparedFile]]]:
    """A function that starts preparing a file in the background and returns its future."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    cpus = os.cpu_count() or 1
    if size >= PROCESS_MIN_BYTES and cpus > 1:
        # Two preparers on a large import: parsing, tokenising and entities take more
        # than the writer; with two the writer is the one kept busy.
        workers = 2 if len(files) >= 8 else 1
        context = multiprocessing.get_context("spawn")
        init = (str(library.path), library.extract_entities)
        with ProcessPoolExecutor(workers, context, _worker_start, init) as pool:
            yield lambda path: pool.submit(_worker_prepare, path)
    else:
        with ThreadPoolExecutor(1, "neican-prepare") as threads:
            yield lambda path: threads.submit(library.prepare, path)


def _file_id(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())
