"""Library: the only door to the SQLite file — its connections, migrations and
transactions; importing, the indexes, reading, notes and search live in their own
modules (docs/ARCHITECTURE.md), and Library delegates to them.

(Its ~500 lines are mostly the public methods' signatures and docstrings: one door.)
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from . import follow, importing, index, mentions, notes, paths, pipeline, reading
from .entities import Extractor, Gazetteer
from .errors import LibraryError, NotFound, ParseError
from .importing import (
    FileOutcome,
    ImportReport,
    PreparedArticle,
    PreparedFile,
    Refused,
    Written,
    expand_paths,
)
from .index import Progress
from .mentions import EntityIds
from .model import ParsedArticle
from .records import Article, ArticleRow, EntityInfo, FeedCount, Note, SearchResult
from .schema import migrations
from .search import run_search
from .sql import connect, get_meta

# Imports that add this many articles end with an `optimize` of the search indexes.
OPTIMIZE_AFTER = 5000
T = TypeVar("T")

__all__ = ["FileOutcome", "ImportReport", "Library", "PreparedFile", "Written", "expand_paths"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


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
        self._follow_counter = follow.FollowCounter()  # followed searches' cached matches
        self._open()

    # -- connections and schema ------------------------------------------------------

    @property
    def db(self) -> Database:
        """This thread's connection, wrapped by sqlite-utils."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = connect(self.path)
            with self._lock:
                self._connections.append(conn)
            db = Database(conn, execute_plugins=False)
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
                self._extract_all(None)  # a library from before entities: find them now
            # m006: every index row has a new rowid; m007: the words index has positions.
            # (A new library has nothing to index: jieba stays unloaded, the reader paints.)
            if {"m006_compact_fts_ids", "m007_word_positions"} & set(pending):
                if not self.is_empty():
                    self._announce_upgrade("re-indexing")
                    self._rebuild_search(words=True)
            if get_meta(self.conn, "chars_version") != index.chars_version():
                if not self.is_empty():
                    self._announce_upgrade("re-indexing")
                self._rebuild_search(words=False)
            # A words index built by older code is rebuilt now, not at the first write
            # (which may be a note saved in the reader). Not a new segmenter's version:
            # that needs jieba loaded, and waits for a write.
            built = get_meta(self.conn, "words_version")
            if built and not built.startswith(index.words_prefix()) and not self.is_empty():
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

    def _check_words(self) -> None:
        """Before writing: the words index must have been built as this code builds it
        (a contentless index deletes an article by the tokens it was given)."""
        if self._words_checked:
            return
        if get_meta(self.conn, "words_version") != index.words_version():
            if not self.is_empty():
                self._announce_upgrade("re-indexing the words of")
            self._rebuild_search(words=True, chars=False)
        self._words_checked = True

    @contextmanager
    def _writing(self, name: str) -> Iterator[None]:
        """One transaction of an import; a failure leaves nothing of it behind."""
        self._check_words()
        try:
            with self.db.atomic():
                yield
        except BaseException as e:
            self._local.__dict__.pop("entity_ids", None)  # inserted in the rolled-back transaction
            if isinstance(e, sqlite3.DatabaseError):
                raise LibraryError(f"{name}: the library could not be written: {e}") from None
            raise
        self._writes += 1

    def _entity_ids(self) -> EntityIds:
        ids: EntityIds = self._local.__dict__.setdefault("entity_ids", {})
        return ids

    # -- indexing and entities (store/index.py, store/mentions.py) ----------------------

    def _rebuild_search(
        self, *, words: bool, chars: bool = True, progress: Progress | None = None
    ) -> None:
        index.rebuild(self.db, words=words, chars=chars, progress=progress)
        self._words_checked = words

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild both search indexes (and, once they exist, entity mentions)."""
        self._rebuild_search(words=True, progress=progress)
        self._extract_all(progress)
        self._words_checked = True
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _extract_all(self, progress: Progress | None) -> None:
        """Extract every article's entities again (after the gazetteer changed)."""
        self._extractor = Extractor(Gazetteer.load())
        self._local.__dict__.pop("entity_ids", None)
        mentions.extract_all(self.db, self._extractor, self._entity_ids(), progress)

    def optimize(self) -> None:
        """Merge each search index into one segment (after a large import)."""
        index.optimize(self.db)

    def _reindex_article(self, article_id: int, change: Callable[[], None]) -> None:
        """Apply `change` (which alters what is indexed, e.g. a note comment) and re-index."""
        self._check_words()
        index.reindex_article(self.conn, article_id, change)

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = Extractor(Gazetteer.load())
        return self._extractor

    def _extractor_if_on(self) -> Callable[[], Extractor] | None:
        """The extractor, loaded when first needed, if this library extracts entities."""
        return (lambda: self.extractor) if self.extract_entities else None

    def gazetteer_changed(self) -> bool:
        """Whether the gazetteer was edited since the entities were last extracted."""
        stored = get_meta(self.conn, "gazetteer")
        return stored is not None and stored != self.extractor.gazetteer.fingerprint

    # -- import (store/importing.py, store/pipeline.py) ------------------------------

    def prepare(self, path: Path) -> PreparedFile:
        """Read, parse and tokenise a file without writing (safe in another thread)."""
        return importing.prepare_file(self.conn, path, self._extractor_if_on())

    def write(self, prepared: PreparedFile) -> FileOutcome:
        """Write a prepared file in one transaction: all of it, or nothing."""
        if prepared.error is not None:
            error = prepared.error
            reason = error.detail if isinstance(error, ParseError) else str(error)
            return FileOutcome(prepared.name, "refused", reason=reason)
        if prepared.unchanged or prepared.document is None:
            return FileOutcome(prepared.name, "unchanged")
        document = prepared.document
        try:
            written = self._write(
                document.feed,
                document.format,
                prepared.articles,
                importing.file_id(prepared.path),
                name=prepared.name,
                prune=True,
                record=prepared.file_hash,
            )
        except Refused as e:  # rolled back: this file only
            return FileOutcome(prepared.name, "refused", reason=str(e))
        if not (written.added or written.updated or written.removed):
            return FileOutcome(prepared.name, "unchanged", warnings=document.warnings)
        return FileOutcome(
            prepared.name,
            "imported",
            articles=written.added + written.updated,
            added=written.added,
            updated=written.updated,
            removed=written.removed,
            warnings=document.warnings,
        )

    def write_articles(
        self, feed: str, kind: str, articles: Sequence[ParsedArticle], source: str
    ) -> Written:
        """Write a feed's articles (from any source but a file: a feed's entries) in one
        transaction, indexed and with their entities; articles seen before are updated
        where they changed, and none is removed. `kind` is the feed's format, `source`
        where the articles came from (a URL). Raises Refused (nothing written) when a day
        has no free slot left."""
        items = importing.prepare_articles(self.conn, feed, articles, self._extractor_if_on())
        return self._write(feed, kind, items, source, name=source)

    def _write(
        self,
        feed: str,
        kind: str,
        items: list[PreparedArticle],
        source: str,
        *,
        name: str,
        prune: bool = False,
        record: str | None = None,
    ) -> Written:
        with self._writing(name):
            return importing.write_articles(
                self.conn,
                feed,
                kind,
                items,
                source,
                now=_now(),
                extractor=self._extractor_if_on(),
                entity_ids=self._entity_ids(),
                prune=prune,
                record=record,
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
        prepared_files = pipeline.prepared_files(
            files, self.path, self.extract_entities, self.prepare
        )
        with closing(prepared_files):  # a failed write stops the helpers at once
            for done, (path, prepared) in enumerate(zip(files, prepared_files, strict=True), 1):
                report.outcomes.append(self.write(prepared))
                if progress:
                    progress(done, len(files), str(path))
        added = sum(o.added + o.updated for o in report.outcomes)
        if added >= OPTIMIZE_AFTER or added * 4 >= self.article_count() > 0 and added >= 500:
            self.optimize()
        return report

    # -- reading (store/reading.py) --------------------------------------------------

    def article(self, article_id: int) -> Article:
        return reading.article(self.conn, article_id)

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
        return reading.article_rows(
            self.conn,
            feed=feed,
            outlet=outlet,
            unread_only=unread_only,
            noted_only=noted_only,
            ids=ids,
            entity_ids=entity_ids,
            before_sid=before_sid,
            limit=limit,
        )

    def feeds(self) -> list[FeedCount]:
        """Every feed with its article and unread counts, by name."""
        return reading.feeds(self.conn)

    def outlets(self) -> list[FeedCount]:
        """Every outlet with its article and unread counts, most articles first."""
        return reading.outlets(self.conn)

    def note_count(self) -> int:
        return reading.note_count(self.conn)

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
        return reading.stats(self.conn, self.path)

    def resolve_entity(self, name: str) -> list[tuple[int, str, str]]:
        """(id, name, type) of the entities `name` means: by name or any alias, with the
        gazetteer children of a parent (阿里巴巴 brings 阿里云 and 通义千问)."""
        return reading.resolve_entity(self.conn, self.extractor.gazetteer, name)

    def entities(self, kind: str | None = None) -> list[EntityInfo]:
        """Every entity with its aliases and how many articles and mentions it has."""
        return reading.entities(self.conn, kind)

    def entity_articles(self, name: str) -> tuple[list[tuple[int, str, str]], list[ArticleRow]]:
        """The entities `name` means and every article mentioning any of them, newest first."""
        matched = self.resolve_entity(name)
        if not matched:
            return [], []
        # (a subquery, not the article ids: a common name's articles can outnumber the
        # variables a query may have)
        return matched, self.article_rows(entity_ids=[i for i, _, _ in matched])

    # -- notes (store/notes.py) ------------------------------------------------------

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
        return notes.notes(
            self.conn,
            article_id=article_id,
            text=text,
            tag=tag,
            since=since,
            newest_first=newest_first,
        )

    def note(self, note_id: int) -> Note:
        return notes.note(self.conn, note_id)

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
        note_kind, note_text = notes.note_text(article, kind, text)
        if note_kind == "ruiping":
            existing = [n for n in article.notes if n.kind == "ruiping"]
            if existing:
                return existing[0]
        now = _local_now()
        holder: list[int] = []

        def insert() -> None:
            holder.append(
                notes.insert(self.conn, article_id, note_kind, note_text, comment, tags, now)
            )

        with self.db.atomic():
            self._reindex_article(article_id, insert)
        return self.note(holder[0])

    def update_note(
        self, note_id: int, *, comment: str | None = None, tags: Iterable[str] | None = None
    ) -> Note:
        old = self.note(note_id)
        with self.db.atomic():
            self._reindex_article(
                old.article_id, lambda: notes.update(self.conn, old, comment, tags, _local_now())
            )
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Delete a note; returns it, so that `restore_note` can undo."""
        old = self.note(note_id)
        with self.db.atomic():
            self._reindex_article(old.article_id, lambda: notes.delete(self.conn, note_id))
        return old

    def restore_note(self, note: Note) -> Note:
        """Undo a delete: the note comes back with its id and dates."""
        with self.db.atomic():
            self._reindex_article(note.article_id, lambda: notes.restore(self.conn, note))
        return self.note(note.id)

    def toggle_ruiping(self, article_id: int) -> Note | None:
        """Bookmark the article's 锐评, or remove the bookmark: the new note, or None."""
        existing = [n for n in self.notes(article_id=article_id) if n.kind == "ruiping"]
        if existing:
            self.delete_note(existing[0].id)
            return None
        return self.add_note(article_id, "ruiping")

    # -- search (store/search.py) ----------------------------------------------------

    def search(self, text: str, limit: int | None = 20) -> SearchResult:
        """Run a query (store/query.py syntax); never raises on any input."""
        return run_search(self, text, limit)

    # -- followed searches (store/follow.py) -------------------------------------------

    def follow_add(self, name: str, query: str) -> None:
        """Follow a search as `name`; what the library holds now does not count as new."""
        with self.db.atomic():
            follow.add(self.conn, name, query, _now())

    def follow_remove(self, name: str) -> None:
        with self.db.atomic():
            follow.remove(self.conn, name)

    def follows(self, names: list[str] | None = None) -> list[follow.Follow]:
        """Followed searches (all, by name, or those named) with total, unread and new
        counts; after the first, a count tests only the articles added since."""
        return follow.follows(self, self._follow_counter, names)

    def follow_check(self, names: list[str] | None = None) -> list[follow.Checked]:
        """Each followed search's articles new since its last check or opening, newest
        first; marks them seen (a second check right after finds none)."""
        checked, upto = follow.check(self, self._follow_counter, names)
        with self.db.atomic():
            for item in checked:
                follow.mark_seen(self.conn, item.name, upto)
        return checked

    def follow_seen(self, name: str) -> None:
        """The user opened the followed search: nothing it matches now is new."""
        with self.db.atomic():
            follow.mark_seen(self.conn, name)

    def start_session(self) -> int:
        """The reader starts: remember when; returns the mark of the previous session's
        start (articles with larger ids arrived since: `since_rows`)."""
        with self.db.atomic():
            return follow.start_session(self.conn, _now())

    def since_rows(self, after_id: int, limit: int = 2000) -> list[ArticleRow]:
        """Articles that arrived after `after_id` (a session mark), by feed, newest first."""
        return follow.since_rows(self.conn, after_id, limit)

    def since_counts(self, after_id: int) -> tuple[int, int]:
        """(articles, unread) that arrived after `after_id`."""
        return follow.since_counts(self.conn, after_id)
