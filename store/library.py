"""Library: the only door to the SQLite file — its connections, migrations and
transactions; importing, the indexes, reading, notes, search, feeds and follows live
in their own modules (docs/ARCHITECTURE.md), and Library delegates to them. Why ~900
lines: they are the public methods' signatures and docstrings of that one door.
"""

from __future__ import annotations

import contextlib
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

from . import (
    follow,
    importing,
    index,
    mentions,
    notes,
    paths,
    pipeline,
    reading,
    refresh,
    subscriptions,
)
from .entities import Extractor, Gazetteer
from .errors import FeedError, LibraryDamaged, LibraryError, LibraryReadOnly, NotFound, ParseError
from .feeds import fetch as fetching
from .feeds import opml
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
from .records import Article, ArticleRow, EntityInfo, FeedCount, FeedInfo, Note, SearchResult
from .refresh import RefreshOutcome, RefreshReport
from .schema import migrations
from .search import run_search
from .sql import (
    APPLICATION_ID,
    CLICK_WAIT,
    WRITE_WAIT,
    connect,
    damaged,
    explain,
    get_meta,
    has_table,
    immediate,
    wal_of,
)

# Imports that add this many articles end with an `optimize` of the search indexes.
OPTIMIZE_AFTER = 5000
# Libraries up to this size get SQLite's quick check on every open (~1 ms a MB when
# cached: 0.2 s for 187 MB, 20,000 articles); larger ones before the first write of
# the process, not at every `search` (an 850 MB library: ~1 s, more from a cold disk).
QUICK_CHECK_ON_OPEN = 32 * 2**20
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
        self.read_only: str | None = None  # why this library cannot be written, if it cannot
        self._checked = False  # the quick check passed in this process
        self._follow_counter = follow.FollowCounter()  # followed searches' cached matches
        self._open()

    # -- connections and schema ------------------------------------------------------

    @property
    def db(self) -> Database:
        """This thread's connection, wrapped by sqlite-utils."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = connect(self.path, read_only=self.read_only is not None)
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
        if existed:
            self._inspect()  # before any write: not ours, damaged or read-only is said now
        try:
            db = self.db
            if self.read_only is not None:
                if migrations.pending(db):
                    raise LibraryReadOnly(
                        f"{self.path}: needs an upgrade, but cannot be written: {self.read_only}"
                    )
                return
            pending = self._migrate(existed)
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
        except sqlite3.Error as e:
            raise explain(e, self.path, "cannot open the library") from None

    def _inspect(self) -> None:
        """Check an existing file without changing a byte of it: a neican library (not
        some other program's SQLite file), not damaged, writable by this neican."""
        try:
            with self.path.open("rb") as f:
                header = f.read(16)
        except OSError as e:
            raise explain(e, self.path, "cannot read the library") from None
        if header != b"SQLite format 3\x00":
            raise LibraryError(f"{self.path}: not a neican library (not an SQLite database)")
        try:
            self._inspect_with(connect(self.path, untouched=True))
        except LibraryDamaged:
            if not wal_of(self.path).exists():
                raise
            # Another neican began writing while it was read as a still file: again, live.
            self._inspect_with(connect(self.path, read_only=True))

    def _inspect_with(self, conn: sqlite3.Connection) -> None:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            applied: set[str] = set()
            if has_table(conn, "_sqlite_migrations"):  # what older neicans leave (no app id)
                applied = {
                    row[0]
                    for row in conn.execute(
                        "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                        [migrations.name],
                    )
                }
            # (No table at all: a library another neican is creating this moment.)
            blank = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
            if app_id != APPLICATION_ID and not (app_id == 0 and (applied or blank)):
                raise LibraryError(
                    f"{self.path}: not a neican library (another program's SQLite database): "
                    "left as it is"
                )
            if self.path.stat().st_size <= QUICK_CHECK_ON_OPEN:
                self._quick_check(conn)
            known = {m.name for m in migrations._migrations}
            if applied - known:
                self.read_only = "made by a newer neican: upgrade to write to it"
            else:
                self.read_only = self._unwritable()
        except sqlite3.Error as e:
            raise explain(e, self.path, "cannot read the library") from None
        finally:
            conn.close()

    def _unwritable(self) -> str | None:
        """Why the file cannot be written here (None if it can)."""
        if not os.access(self.path, os.W_OK):
            return "the file is read-only"
        companions = [self.path.with_name(self.path.name + end) for end in ("-wal", "-shm")]
        if not os.access(self.path.parent, os.W_OK | os.X_OK) and not all(
            os.access(c, os.W_OK) for c in companions
        ):
            return "its folder is read-only"
        return None

    def _quick_check(self, conn: sqlite3.Connection) -> None:
        try:
            rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.DatabaseError as e:
            raise damaged(self.path, str(e)) from None
        if rows != [("ok",)]:
            raise damaged(self.path, f"quick check: {rows[0][0] if rows else 'no answer'}")
        self._checked = True

    def _migrate(self, existed: bool) -> list[str]:
        """Apply pending migrations (under the write lock: another neican may be opening
        the same new library) and mark the file as neican's; returns those applied here."""
        if not migrations.pending(self.db) and (
            self.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        ):
            return []
        if existed and migrations.pending(self.db) and migrations.applied(self.db):
            self._before_write()
            self.backup_path = self._backup()
        with self._transaction():
            pending = [m.name for m in migrations.pending(self.db)]
            if pending:
                migrations.apply(self.db)
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        return pending

    def _before_write(self) -> None:
        """Refuse to write a library that cannot be (read-only) or must not be (damaged)."""
        if self.read_only is not None:
            raise LibraryReadOnly(f"{self.path}: cannot write: {self.read_only}")
        if not self._checked:
            self._quick_check(self.conn)

    @contextmanager
    def _transaction(self, wait: float = WRITE_WAIT, name: str | None = None) -> Iterator[None]:
        """A write transaction holding the write lock from its start; another neican's
        write is waited for up to `wait` seconds, then LibraryBusy."""
        self._before_write()
        try:
            with immediate(self.conn, self.path, wait):
                yield
        except (sqlite3.Error, OSError) as e:
            error = explain(e, self.path, "cannot write")
            if name and type(error) is LibraryError:  # no better word for it: which write failed
                error = LibraryError(f"{name}: the library could not be written: {e}")
            raise error from None

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
        self._before_write()
        self._check_words()
        try:
            with self._transaction(WRITE_WAIT, name):
                yield
        except BaseException:
            self._local.__dict__.pop("entity_ids", None)  # inserted in the rolled-back transaction
            raise
        self._writes += 1

    def transaction(self, name: str) -> contextlib.AbstractContextManager[None]:
        """One write transaction (nested ones are savepoints); errors name `name`."""
        return self._writing(name)

    def _entity_ids(self) -> EntityIds:
        ids: EntityIds = self._local.__dict__.setdefault("entity_ids", {})
        return ids

    # -- indexing and entities (store/index.py, store/mentions.py) ----------------------

    def _rebuild_search(
        self, *, words: bool, chars: bool = True, progress: Progress | None = None
    ) -> None:
        with self._transaction():
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
        try:
            with self._transaction():
                mentions.extract_all(self.db, self._extractor, self._entity_ids(), progress)
        except BaseException:
            self._local.__dict__.pop("entity_ids", None)  # inserted in the rolled-back transaction
            raise

    def optimize(self) -> None:
        """Merge each search index into one segment (after a large import)."""
        with self._transaction():
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
        self,
        feed: str,
        kind: str,
        articles: Sequence[ParsedArticle],
        source: str,
        keys: Sequence[str] | None = None,
    ) -> Written:
        """Write a feed's articles (from any source but a file: a feed's entries) in one
        transaction, indexed and with their entities; articles seen before are updated
        where they changed (and join this feed), and none is removed. `kind` is the
        feed's format, `source` where the articles came from (a URL); `keys`, one per
        article, are their identities (e.g. `link:<normalised URL>`; without them: title,
        outlets and date). Raises Refused (nothing written) when a day has no free slot
        left."""
        items = importing.prepare_articles(self.conn, feed, articles, self._extractor_if_on(), keys)
        return self._write(feed, kind, items, source, name=source)

    def prepare_articles(
        self, feed: str, articles: Sequence[ParsedArticle], keys: Sequence[str] | None = None
    ) -> list[PreparedArticle]:
        """Keys, hashes, index streams and entities of a feed's articles (no writes)."""
        return importing.prepare_articles(self.conn, feed, articles, self._extractor_if_on(), keys)

    def write_prepared(
        self, feed: str, kind: str, items: list[PreparedArticle], source: str
    ) -> Written:
        """write_articles for articles prepared already (by prepare_articles, maybe in
        a helper process)."""
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
        self._before_write()  # a library that cannot be written is said before any reading
        files, problems = expand_paths(inputs)
        report = ImportReport()
        for problem in problems:
            if (refused := importing.unlistable(problem)) is not None:
                report.outcomes.append(refused)
            else:
                report.problems.append(problem)
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

        folder: a folder subscription's URL: the articles imported from under it.
        Pages continue with `before_sid` = the last row's `sid` (no OFFSET scans).
        """
        return reading.article_rows(
            self.conn,
            feed=feed,
            folder=folder,
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
        with self._transaction(CLICK_WAIT):
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

        with self._transaction(CLICK_WAIT):
            self._reindex_article(article_id, insert)
        return self.note(holder[0])

    def update_note(
        self, note_id: int, *, comment: str | None = None, tags: Iterable[str] | None = None
    ) -> Note:
        old = self.note(note_id)
        with self._transaction(CLICK_WAIT):
            self._reindex_article(
                old.article_id, lambda: notes.update(self.conn, old, comment, tags, _local_now())
            )
        return self.note(note_id)

    def delete_note(self, note_id: int) -> Note:
        """Delete a note; returns it, so that `restore_note` can undo."""
        old = self.note(note_id)
        with self._transaction(CLICK_WAIT):
            self._reindex_article(old.article_id, lambda: notes.delete(self.conn, note_id))
        return old

    def restore_note(self, note: Note) -> Note:
        """Undo a delete: the note comes back with its id and dates."""
        with self._transaction(CLICK_WAIT):
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

    # -- subscriptions (store/subscriptions.py, store/refresh.py) ----------------------

    def subscriptions(self) -> list[FeedInfo]:
        """Every subscribed feed with its counts and state, by folder then name."""
        return subscriptions.info(self.conn)

    def subscribe(
        self,
        target: str,
        *,
        name: str | None = None,
        folder: str | None = None,
        full_text: bool = False,
        fetch: bool = True,
        timeout: float | None = None,
    ) -> RefreshOutcome:
        """Subscribe to a feed URL, a page announcing one, an `rsshub:/route` or a local
        folder, and fetch it once (not with fetch=False). FeedError when there is no
        feed there or it is subscribed already (nothing is stored then)."""
        limits = refresh.Limits.of(timeout)
        path = Path(target).expanduser()
        is_url = target.strip().lower().startswith(("http://", "https://", "rsshub:"))
        if not is_url and path.is_dir():
            url, kind, title = str(path.resolve()), "folder", path.resolve().name
            found = None
        else:
            found = refresh.find_feed(target, fetch=fetch, limits=limits)
            url = found.url
            document = found.document
            kind = document.kind if document else "rss"
            title = (document.title if document else "") or _host(url)
        existing = subscriptions.by_url(self.conn, url)
        if existing is not None:
            raise FeedError(url, f"already subscribed as {existing.name!r}")
        with self.transaction(url):
            feed = subscriptions.insert(
                self.conn,
                name or title,
                url,
                kind=kind,
                folder=(folder or "").strip("/ "),
                full_text=full_text,
                now=_now(),
            )
        if not fetch:
            return RefreshOutcome(feed.id, feed.name, "skipped", error="not fetched")
        if found is None:
            return refresh.refresh_folder(self, feed)
        assert found.result is not None
        return refresh.apply(self, feed, found.result, limits=limits)

    def unsubscribe(self, name_or_id: str | int) -> int:
        """Unsubscribe; returns how many articles went (noted ones stay)."""
        feed = subscriptions.find(self.conn, name_or_id)
        self._check_words()
        with self.transaction(feed.name):
            return subscriptions.remove(self.conn, feed)

    def rename_feed(self, name_or_id: str | int, new: str) -> FeedInfo:
        """Rename a subscription (its articles already stored keep their outlet)."""
        feed = subscriptions.find(self.conn, name_or_id)
        with self.transaction(feed.name):
            subscriptions.rename(self.conn, feed, new)
        return self._feed_info(feed.id)

    def _feed_info(self, feed_id: int) -> FeedInfo:
        return next(f for f in self.subscriptions() if f.id == feed_id)

    def apply_move(self, name_or_id: str | int) -> FeedInfo:
        """Take a moved feed's new URL (the 301/308 it answered with) as its URL."""
        feed = subscriptions.find(self.conn, name_or_id)
        if feed.status != "moved" or not feed.moved_to:
            raise FeedError(feed.url, f"{feed.name} has not moved")
        other = subscriptions.by_url(self.conn, feed.moved_to)
        if other is not None and other.id != feed.id:
            raise FeedError(feed.moved_to, f"already subscribed as {other.name!r}")
        with self.transaction(feed.name):
            subscriptions.update(
                self.conn,
                feed.id,
                url=feed.moved_to,
                moved_to=None,
                status="ok",
                etag=None,
                last_modified=None,
            )
        return self._feed_info(feed.id)

    def import_opml(self, data: bytes, name: str = "OPML") -> tuple[int, int]:
        """Subscribe to an OPML file's feeds (folders from nested outlines) without
        fetching them; returns (added, skipped: already subscribed or not feed URLs)."""
        document = opml.parse_opml(data, name)
        added, skipped = 0, document.skipped
        with self.transaction(name):
            for sub in document.subscriptions:
                if subscriptions.by_url(self.conn, sub.url) is not None:
                    skipped += 1
                    continue
                subscriptions.insert(
                    self.conn,
                    sub.title or _host(sub.url),
                    sub.url,
                    kind="rss",
                    folder=sub.folder,
                    full_text=False,
                    now=_now(),
                )
                added += 1
        return added, skipped

    def export_opml(self) -> str:
        """Every URL subscription as OPML 2.0 (folder feeds are local: not exported)."""
        return opml.export_opml(
            opml.Subscription(f.url, f.name, folder=f.folder)
            for f in subscriptions.all_feeds(self.conn)
            if f.kind != "folder"
        )

    def refresh(
        self,
        targets: Sequence[str | int] | None = None,
        *,
        progress: Callable[[RefreshOutcome, int, int], None] | None = None,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> RefreshReport:
        """Refresh every subscription (skipping paused, gone, rate-limited and still-fresh
        ones), or the named ones (whatever their state). Fetching runs on threads; the
        writes happen in this thread, one transaction per feed. Setting `cancel` stops it
        within a moment, the feeds not yet answered untouched."""
        return refresh.refresh(self, targets, progress=progress, timeout=timeout, cancel=cancel)

    def fetch_full_text(self, article_id: int, *, timeout: float | None = None) -> Article:
        """Fetch an article's linked page and store its main text as the body.

        Only for an article a subscription brought (its entry's link is its key): it is
        written as that subscription's (its first feed may be a digest, whose articles
        keep their text). FeedError (the article unchanged) when it came from no
        subscription, has no link, or no text could be had.
        """
        article = self.article(article_id)
        # The subscription that brought it (its first feed first), and from which URL.
        found = self.conn.execute(
            "SELECT f.name, f.format, coalesce(s.path, f.url) FROM article_feeds m "
            "JOIN feeds f ON f.id = m.feed_id LEFT JOIN sources s ON s.id = m.source_id "
            "WHERE m.article_id = ? AND f.url IS NOT NULL AND f.format != 'folder' "
            "ORDER BY f.id != (SELECT feed_id FROM articles WHERE id = ?), f.id LIMIT 1",
            [article_id, article_id],
        ).fetchone()
        if found is None:
            raise FeedError(
                f"article {article_id}", "F works on feed articles; this one came from a digest"
            )
        if not article.links:
            raise FeedError(f"article {article_id}", "it has no link to fetch")
        limits = refresh.Limits.of(timeout)
        result = fetching.fetch(
            article.links[0],
            timeout=limits.timeout,
            deadline=limits.deadline,
            max_bytes=limits.max_bytes,
        )
        parsed = ParsedArticle(
            kind=article.kind,
            title=article.title,
            outlets=article.outlets,
            published=article.published,
            links=article.links,
            ruiping=article.ruiping,
            sections=article.sections,
        )
        parsed = refresh.with_page(parsed, result)
        (key,) = self.conn.execute("SELECT key FROM articles WHERE id = ?", [article_id]).fetchone()
        # its own key, its subscription and source: updated in place, no new membership
        feed, kind, source = found
        self.write_articles(feed, kind, [parsed], source, keys=[key])
        return self.article(article_id)

    # -- followed searches (store/follow.py) -------------------------------------------

    def follow_add(self, name: str, query: str) -> None:
        """Follow a search as `name`; what the library holds now does not count as new."""
        with self._transaction(name=name):
            follow.add(self.conn, name, query, _now())

    def follow_remove(self, name: str) -> None:
        with self._transaction(name=name):
            follow.remove(self.conn, name)

    def follows(self, names: list[str] | None = None) -> list[follow.Follow]:
        """Followed searches (all, by name, or those named) with total, unread and new
        counts; after the first, a count tests only the articles added since."""
        return follow.follows(self, self._follow_counter, names)

    def follow_check(self, names: list[str] | None = None) -> list[follow.Checked]:
        """Each followed search's articles new since its last check or opening, newest
        first; marks them seen (a second check right after finds none)."""
        checked, upto = follow.check(self, self._follow_counter, names)
        with self._transaction(name="followed searches"):
            for item in checked:
                follow.mark_seen(self.conn, item.name, upto)
        return checked

    def follow_seen(self, name: str) -> None:
        """The user opened the followed search: nothing it matches now is new."""
        with self._transaction(CLICK_WAIT, name):
            follow.mark_seen(self.conn, name)

    def start_session(self) -> int:
        """The reader starts: remember when; returns the mark of the previous session's
        start (articles with larger ids arrived since: `since_rows`)."""
        if self.read_only:  # read, not written: the previous session stays the mark
            return follow.session_mark(self.conn)
        with self._transaction(CLICK_WAIT):
            return follow.start_session(self.conn, _now())

    def since_rows(self, after_id: int, limit: int = 2000) -> list[ArticleRow]:
        """Articles that arrived after `after_id` (a session mark), by feed, newest first."""
        return follow.since_rows(self.conn, after_id, limit)

    def since_counts(self, after_id: int) -> tuple[int, int]:
        """(articles, unread) that arrived after `after_id`."""
        return follow.since_counts(self.conn, after_id)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url
