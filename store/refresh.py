"""Refreshing subscriptions (PRODUCT.md §10): fetch on threads, write in the caller's thread.
Why ~550 lines in one module: fetching, the feed states (moved, gone, paused, fresh)
and writing are one loop over the answers; its pieces make no sense apart.

The network part runs in fetch_many's threads; every result comes back to the calling
thread, which parses it and writes the feed in one transaction (its articles, its
entries and its state), so a refresh killed half-way leaves each feed either refreshed
or as it was. The library is reached through the small `Store` protocol (Library
implements it): this module sits below store/library.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from . import importing, pipeline, settings, subscriptions
from .errors import FeedError, NeicanError, ParseError
from .feeds import fetch as fetching
from .feeds.discover import discover_feeds, looks_like_feed, resolve_rsshub
from .feeds.entries import CHINA_TIME, FeedDocument, FeedEntry, normalize_link, parse_feed
from .feeds.fulltext import extract
from .importing import ImportReport, PreparedArticle, Written
from .model import ParsedArticle
from .subscriptions import Feed

Status = Literal["new", "not-modified", "error", "skipped"]
POLICY = fetching.PAUSE_POLICY
# A refresh of this many feeds parses and tokenises them in HELPERS helper processes
# while this one writes (on one feed, starting a process costs more than it saves).
HELPERS_FROM = 10
HELPERS = 2
# Linked pages fetched at once for a full-text feed (at most two per host, as feeds).
FULL_TEXT_WORKERS = 4


class Store(Protocol):
    """What refresh needs of the library."""

    path: Path
    extract_entities: bool

    @property
    def conn(self) -> sqlite3.Connection: ...

    def transaction(self, name: str) -> AbstractContextManager[None]: ...

    def write_articles(
        self, feed: str, kind: str, articles: Sequence[ParsedArticle], source: str
    ) -> Written: ...

    def prepare_articles(
        self, feed: str, articles: Sequence[ParsedArticle], keys: Sequence[str] | None = None
    ) -> list[PreparedArticle]: ...

    def write_prepared(
        self, feed: str, kind: str, items: list[PreparedArticle], source: str
    ) -> Written: ...

    def import_paths(
        self, inputs: Iterable[Path], progress: Callable[[int, int, str], None] | None = None
    ) -> ImportReport: ...


@dataclass(frozen=True)
class RefreshOutcome:
    """What refreshing one feed did. `status` "new": it answered with content (and
    `new`/`updated` say what changed); "not-modified": a 304, or content with nothing
    new; "error": `error` says why; "skipped": not fetched, `error` says why."""

    id: int
    name: str
    status: Status
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.status in ("new", "not-modified")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "new": self.new,
            "updated": self.updated,
            "error": self.error,
        }


@dataclass
class RefreshReport:
    feeds: list[RefreshOutcome] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.feeds)

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.feeds)

    @property
    def errors(self) -> int:
        return sum(o.status == "error" for o in self.feeds)

    @property
    def answered(self) -> bool:
        """At least one feed answered (`neican refresh` exits 0)."""
        return any(o.answered for o in self.feeds)

    def to_json(self) -> dict[str, Any]:
        return {
            "feeds": [o.to_json() for o in self.feeds],
            "new": self.new,
            "updated": self.updated,
            "errors": self.errors,
        }


Progress = Callable[[RefreshOutcome, int, int], None]
PrepareArticles = Callable[[str, Sequence[ParsedArticle], Sequence[str]], list[PreparedArticle]]


@dataclass(frozen=True)
class Limits:
    """Network limits (tests shorten them)."""

    timeout: tuple[float, float] = (fetching.CONNECT_TIMEOUT, fetching.READ_TIMEOUT)
    deadline: float = fetching.DEADLINE
    max_bytes: int = fetching.MAX_BYTES
    workers: int = 8
    per_host: int = 2

    @classmethod
    def of(cls, timeout: float | None) -> Limits:
        if timeout is None:
            return cls()
        return cls(timeout=(min(timeout, fetching.CONNECT_TIMEOUT), timeout), deadline=timeout)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def _parse_stamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def fetch_url(feed: Feed) -> str:
    """The URL to ask for this feed (an rsshub: route resolved against the settings)."""
    return resolve_rsshub(feed.url, settings.rsshub())


def skip_reason(feed: Feed, *, named: bool, now: dt.datetime) -> str | None:
    """Why a refresh leaves this feed alone now (None: refresh it)."""
    if feed.kind == "folder":
        return None
    if not named:
        if feed.status == "gone":
            return "gone (HTTP 410): refresh it by name to try again"
        if feed.status == "paused":
            return f"paused after {feed.failures} failures in a row: refresh it by name"
    return POLICY.skip_reason(
        feed.failures,
        named=named,
        retry_after=None if named else _parse_stamp(feed.retry_until),
        fresh_until=_parse_stamp(feed.fresh_until),
        now=now,
    )


def refresh(
    store: Store,
    targets: Sequence[str | int] | None = None,
    *,
    progress: Progress | None = None,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> RefreshReport:
    """Refresh every subscription (or the named ones): see the module docstring.

    Once `cancel` is set, the feeds not yet answered are left as they were (no failure
    counted) and refresh returns with what was written so far."""
    conn = store.conn
    named = targets is not None
    if targets is None:
        feeds = subscriptions.all_feeds(conn)
    else:
        feeds = list({f.id: f for f in (subscriptions.find(conn, t) for t in targets)}.values())
    limits = Limits.of(timeout)
    report = RefreshReport()
    total = len(feeds)

    def done(outcome: RefreshOutcome) -> None:
        report.feeds.append(outcome)
        if progress is not None:
            progress(outcome, len(report.feeds), total)

    now = utc_now()
    requests: list[fetching.FetchRequest] = []
    by_id: dict[int, Feed] = {}
    folders: list[Feed] = []
    for feed in feeds:
        reason = skip_reason(feed, named=named, now=now)
        if reason is not None:
            done(RefreshOutcome(feed.id, feed.name, "skipped", error=reason))
        elif feed.kind == "folder":
            folders.append(feed)
        else:
            try:
                url = fetch_url(feed)
            except FeedError as e:
                done(_failed(store, feed, e.reason))
                continue
            by_id[feed.id] = feed
            requests.append(fetching.FetchRequest(url, feed.etag, feed.last_modified, key=feed.id))
    pending: deque[tuple[Feed, fetching.FetchResult, Future[PreparedFeed]]] = deque()

    def write_ready(block: bool) -> None:
        while pending and (block or pending[0][2].done()):
            feed, result, future = pending.popleft()
            try:
                prepared = future.result()
            except BrokenExecutor:  # a helper died: prepare it here
                prepared = prepare_feed(conn, feed, result, store.prepare_articles, limits)
            done(write_feed(store, feed, result, prepared))

    with contextlib.ExitStack() as stack:
        pool: ProcessPoolExecutor | None = None
        for result in fetching.fetch_many(
            requests,
            workers=limits.workers,
            per_host=limits.per_host,
            timeout=limits.timeout,
            deadline=limits.deadline,
            max_bytes=limits.max_bytes,
            cancel=cancel,
        ):
            assert isinstance(result.key, int)
            feed = by_id[result.key]
            if result.status == "ok" and pool is None and _use_helpers(len(requests)):
                # Started at the first answer with content: an all-304 refresh needs none.
                pool = stack.enter_context(
                    pipeline.helper_pool(store.path, store.extract_entities, HELPERS)
                )
            if result.status == "ok" and pool is not None:
                pending.append((feed, result, pool.submit(_helper_prepare, feed, result, limits)))
            else:
                done(apply(store, feed, result, limits=limits))
            write_ready(block=False)
        write_ready(block=True)
    for feed in folders:
        if cancel is not None and cancel.is_set():
            break
        done(refresh_folder(store, feed))
    return report


def _use_helpers(feeds: int) -> bool:
    return feeds >= HELPERS_FROM and (os.cpu_count() or 1) > 1


def _helper_prepare(feed: Feed, result: fetching.FetchResult, limits: Limits) -> PreparedFeed:
    """prepare_feed in a helper process, its articles sent back lean (store/pipeline.py)."""
    conn, extractor = pipeline.helper_state()

    def prepare(
        name: str, articles: Sequence[ParsedArticle], keys: Sequence[str]
    ) -> list[PreparedArticle]:
        items = importing.prepare_articles(conn, name, articles, extractor, keys)
        return [item.lean() for item in items]

    return prepare_feed(conn, feed, result, prepare, limits)


def _failed(
    store: Store, feed: Feed, reason: str, result: fetching.FetchResult | None = None
) -> RefreshOutcome:
    """Record a failure: one more in a row; paused at the policy's count; gone on a 410."""
    failures = POLICY.failures_after(feed.failures, succeeded=False)
    status = "paused" if POLICY.is_paused(failures) else "error"
    if result is not None and result.status == "gone":
        status = "gone"
    fields: dict[str, Any] = {
        "status": status,
        "last_error": reason,
        "failures": failures,
        "last_fetched": _stamp(utc_now()),
    }
    if result is not None:
        fields["retry_until"] = _stamp(result.retry_after)
    with store.transaction(feed.name):
        subscriptions.update(store.conn, feed.id, **fields)
    return RefreshOutcome(feed.id, feed.name, "error", error=reason)


@dataclass
class PreparedFeed:
    """A feed's answer parsed, its new and changed entries found and tokenised (no writes)."""

    kind: str = "rss"
    items: list[PreparedArticle] = field(default_factory=list)
    remember: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # not a feed


def prepare_feed(
    conn: sqlite3.Connection,
    feed: Feed,
    result: fetching.FetchResult,
    prepare: PrepareArticles,
    limits: Limits,
) -> PreparedFeed:
    """Parse a 200's bytes, keep the entries new or changed since the feed last gave
    them (with the linked pages' text on a full-text feed) and tokenise them; safe in
    another thread or process (`conn` only reads)."""
    seen = dt.datetime.now(CHINA_TIME).strftime("%Y-%m-%dT%H:%M")
    try:
        document = parse_feed(
            result.content,
            result.headers,
            result.final_url or result.url,
            outlet=feed.name,
            seen=seen,
        )
    except ParseError as e:
        return PreparedFeed(error=f"not a feed: {e.detail}")
    changed, remember = _changed_entries(conn, feed, document, seen)
    warnings = list(document.warnings)
    articles = [entry.article for entry in changed]
    if feed.full_text and changed:
        articles = _with_full_text(changed, articles, warnings, limits)
    keys = [entry_key(feed, entry) for entry in changed]
    return PreparedFeed(document.kind, prepare(feed.name, articles, keys), remember, warnings)


def entry_key(feed: Feed, entry: FeedEntry) -> str:
    """An entry's article key: its normalised link (the same story from two feeds is one
    article, PRODUCT.md §3), else its identity within this feed."""
    if entry.link:
        return "link:" + normalize_link(entry.link)
    return f"entry:{feed.id}:{entry.identity}"


def apply(
    store: Store, feed: Feed, result: fetching.FetchResult, *, limits: Limits = Limits()
) -> RefreshOutcome:
    """Write what one fetch brought (in the calling thread; one transaction)."""
    prepared = None
    if result.status == "ok":
        prepared = prepare_feed(store.conn, feed, result, store.prepare_articles, limits)
    return write_feed(store, feed, result, prepared)


def write_feed(
    store: Store, feed: Feed, result: fetching.FetchResult, prepared: PreparedFeed | None
) -> RefreshOutcome:
    """Write a fetch's outcome: the feed's state, and its prepared articles (one transaction)."""
    if result.status in ("error", "gone"):
        return _failed(store, feed, result.error or "failed", result)
    if prepared is not None and prepared.error is not None:
        return _failed(store, feed, prepared.error)
    answered: dict[str, Any] = {
        "failures": 0,
        "last_error": None,
        "last_fetched": _stamp(utc_now()),
        "etag": result.etag,
        "last_modified": result.last_modified,
        "fresh_until": _stamp(result.fresh_until),
        "retry_until": None,
        "status": "moved" if result.moved_to else "ok",
        "moved_to": result.moved_to,
    }
    if prepared is None:  # a 304
        if feed.status == "moved" and not result.moved_to:
            answered["status"], answered["moved_to"] = "moved", feed.moved_to
        with store.transaction(feed.name):
            subscriptions.update(store.conn, feed.id, **answered)
        return RefreshOutcome(feed.id, feed.name, "not-modified")
    answered["format"] = prepared.kind
    try:
        with store.transaction(feed.name):
            # The feed's own rows first: a write after the index's inserts would make
            # FTS5 flush them early (store/importing.py).
            subscriptions.update(store.conn, feed.id, **answered)
            subscriptions.remember_entries(store.conn, feed.id, prepared.remember)
            written = store.write_prepared(feed.name, prepared.kind, prepared.items, feed.url)
    except NeicanError as e:  # Refused (a day full), the library not writable
        return _failed(store, feed, str(e))
    status: Status = "new" if written.added or written.updated else "not-modified"
    return RefreshOutcome(
        feed.id,
        feed.name,
        status,
        written.added,
        written.updated,
        warnings=tuple(prepared.warnings),
    )


def _changed_entries(
    conn: sqlite3.Connection, feed: Feed, document: FeedDocument, seen: str
) -> tuple[list[FeedEntry], list[tuple[str, str, str]]]:
    """The entries new or changed since the feed last gave them (an undated entry keeps
    the date it was first seen), and the (identity, seen, hash) rows to remember."""
    known = subscriptions.known_entries(conn, feed.id, [e.identity for e in document.entries])
    changed: list[FeedEntry] = []
    remember: list[tuple[str, str, str]] = []
    for entry in document.entries:
        before = known.get(entry.identity)
        if before is not None and before[1] == entry.content_hash:
            continue
        first_seen = before[0] if before else seen
        if entry.published is None and entry.article.published != first_seen:
            entry = replace(entry, article=replace(entry.article, published=first_seen))
        changed.append(entry)
        remember.append((entry.identity, first_seen, entry.content_hash))
    return changed, remember


def _with_full_text(
    entries: list[FeedEntry], articles: list[ParsedArticle], warnings: list[str], limits: Limits
) -> list[ParsedArticle]:
    """The articles with their linked pages' main text as the body, where it could be had
    (the summary stays, and a warning says why, where not)."""
    requests = [
        fetching.FetchRequest(entry.link, key=n) for n, entry in enumerate(entries) if entry.link
    ]
    out = list(articles)
    for result in fetching.fetch_many(
        requests,
        workers=FULL_TEXT_WORKERS,
        per_host=limits.per_host,
        timeout=limits.timeout,
        deadline=limits.deadline,
        max_bytes=limits.max_bytes,
    ):
        assert isinstance(result.key, int)
        try:
            out[result.key] = with_page(out[result.key], result)
        except FeedError as e:
            warnings.append(f"{e}: kept the summary")
    return out


def with_page(article: ParsedArticle, result: fetching.FetchResult) -> ParsedArticle:
    """The article with the fetched page's main text as its body; FeedError why not."""
    if result.status != "ok":
        raise FeedError(result.url, result.error or f"HTTP {result.http_status}")
    try:
        text = extract(result.content, result.headers, result.final_url or result.url)
    except ParseError as e:
        raise FeedError(result.url, e.detail) from None
    return replace(article, sections=text.sections)


def refresh_folder(store: Store, feed: Feed) -> RefreshOutcome:
    """A folder feed: its new and changed .txt/.md files imported as `neican import` does
    (each file one transaction, its articles under the document's own feed)."""
    folder = Path(feed.url)
    if not folder.is_dir():
        return _failed(store, feed, f"{folder}: no such folder")
    report = store.import_paths([folder])
    warnings = tuple(f"{o.file}: {o.reason}" for o in report.refused)
    added = sum(o.added for o in report.outcomes)
    updated = sum(o.updated for o in report.outcomes)
    with store.transaction(feed.name):
        subscriptions.update(
            store.conn,
            feed.id,
            status="ok",
            failures=0,
            last_error=None,
            last_fetched=_stamp(utc_now()),
        )
    status: Status = "new" if added or updated else "not-modified"
    return RefreshOutcome(feed.id, feed.name, status, added, updated, warnings=warnings)


# -- subscribing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A feed found for a target: its URL to store and its first answer (None: no fetch)."""

    url: str
    result: fetching.FetchResult | None
    document: FeedDocument | None


def find_feed(target: str, *, fetch: bool, limits: Limits = Limits()) -> Found:
    """The feed a URL or rsshub: route points at: the URL itself when it answers with a
    feed, else the first feed its page announces (`<link rel="alternate">`)."""
    url = target.strip()
    if url.lower().startswith("rsshub:"):
        resolved = resolve_rsshub(url, settings.rsshub())  # FeedError: how to set one
    elif url.lower().startswith(("http://", "https://")):
        resolved = url
    else:
        raise FeedError(target, "not a feed URL, an rsshub:/route or a folder")
    if not fetch:
        return Found(url, None, None)
    result = _get(resolved, limits)
    if looks_like_feed(result.content, result.content_type):
        return Found(url, result, _parse(result))
    links = discover_feeds(result.content, result.final_url or resolved, result.content_type)
    if not links:
        try:
            return Found(url, result, _parse(result))
        except FeedError:
            raise FeedError(
                target, 'not a feed, and the page links to none (<link rel="alternate">)'
            ) from None
    feed_url = links[0].url
    result = _get(feed_url, limits)
    return Found(feed_url, result, _parse(result))


def _get(url: str, limits: Limits) -> fetching.FetchResult:
    result = fetching.fetch(
        url, timeout=limits.timeout, deadline=limits.deadline, max_bytes=limits.max_bytes
    )
    if result.status != "ok":
        raise FeedError(url, result.error or "no answer")
    return result


def _parse(result: fetching.FetchResult) -> FeedDocument:
    try:
        return parse_feed(result.content, result.headers, result.final_url or result.url)
    except ParseError as e:
        raise FeedError(result.url, f"not a feed: {e.detail}") from None
