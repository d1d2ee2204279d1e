"""Fetching feeds over HTTP: conditional GET, timeouts, a size cap, a few at a time per host.
Why ~590 lines in one module: one fetch and many share the session, the cap, the
deadline and the cancel event, and every answer's meaning (moved, gone, retry, fresh).

`fetch` asks for one URL and never raises: whatever happens comes back as a `FetchResult`
whose `status` says what the caller should do. `fetch_many` runs many fetches on a
thread pool with at most `per_host` in flight per host and yields results as they
finish. No retries happen here: a failure is reported, and `FailurePolicy` says when
the library stops trying (paused after three failures in a row).

The bytes are passed on untouched (only a Content-Encoding such as gzip is undone) with
the response headers: decoding is the feed parser's job, which knows to look at the
XML declaration and the Content-Type charset. Nothing here calls `Response.text`,
which would decode a charset-less text/* answer as ISO-8859-1.
"""

from __future__ import annotations

import email.utils
import functools
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
# A whole answer, however it trickles in: a server sending one byte every 19 s never
# trips the read timeout, but it does trip this (checked between chunks).
DEADLINE = 60.0
# The largest real feed in the test kit is 1.6 MB (36氪's JSON Feed); ten times that
# leaves room, and a mistaken URL of a video file stops here.
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
# Retry-After and max-age beyond this are taken as this: a server's typo must not
# silence a feed for years.
MAX_WAIT = timedelta(days=7)
_CHUNK = 64 * 1024
# How often fetch_many looks at its cancel event while every request is still running.
_CANCEL_POLL = 0.05
CANCELLED = "cancelled"

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)

Status = Literal["ok", "not-modified", "gone", "error"]


@functools.cache
def user_agent() -> str:
    """`neican/VERSION (feed reader)`: servers that log or rate-limit us can tell who we are."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("neican")
    except PackageNotFoundError:
        mine = "dev"
    return f"neican/{mine} (feed reader; +https://pypi.org/project/neican/)"


@dataclass(frozen=True)
class FetchRequest:
    """One feed to fetch, with the validators stored from its last answer."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    # The caller's handle (a feed id), given back on the result by `fetch_many`.
    key: Hashable = None


@dataclass(frozen=True)
class FetchResult:
    """What one fetch brought back.

    status:
      "ok"            content holds the answer's bytes (possibly empty: a 204);
      "not-modified"  a 304 to our conditional GET: nothing to parse;
      "gone"          a 410: the feed was removed for good;
      "error"         `error` says why in one line (timeout, HTTP 500, refused, too large…).
    moved_to is set when the URL answered with a permanent redirect (301/308) at the
    start of its redirect chain: the caller shows `moved` and changes the stored URL only
    when the user says so; the content of the final answer is still there to parse.
    """

    url: str
    status: Status
    content: bytes = b""
    # Response headers with lower-case names (the parser reads content-type).
    headers: dict[str, str] = field(default_factory=dict)
    http_status: int | None = None
    final_url: str = ""
    moved_to: str | None = None
    # Validators to store for the next conditional GET (the old ones kept on a 304
    # that does not repeat them).
    etag: str | None = None
    last_modified: str | None = None
    # Do not ask again before these (Retry-After on 429/503; Cache-Control max-age).
    retry_after: datetime | None = None
    fresh_until: datetime | None = None
    error: str | None = None
    elapsed: float = 0.0
    key: Hashable = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def ok(self) -> bool:
        """The server answered as a feed server should (new content, or none to send)."""
        return self.status in ("ok", "not-modified")


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    session: requests.Session | None = None,
    cancel: threading.Event | None = None,
) -> FetchResult:
    """GET one feed URL (conditionally, given validators); never raises.

    timeout is (connect, read) in seconds, each for one socket operation; deadline
    bounds the whole answer. An answer larger than max_bytes (by Content-Length, or
    once that many bytes have arrived) is refused without reading the rest. Once
    `cancel` is set, no request starts and an answer stops at its next chunk.
    """
    started = time.monotonic()
    if cancel is not None and cancel.is_set():
        return FetchResult(url, "error", error=CANCELLED)
    own = session is None
    http = _session() if session is None else session
    # Sent on every request, so a caller's own Session still names neican.
    headers = {"Accept": ACCEPT, "User-Agent": user_agent()}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    response: requests.Response | None = None
    try:
        response = http.get(
            url, headers=headers, timeout=timeout, stream=True, allow_redirects=True
        )
        result = _answer(url, response, etag, last_modified, started, deadline, max_bytes, cancel)
    except requests.RequestException as e:
        result = FetchResult(url, "error", error=_reason(e, timeout))
    except (OSError, ValueError, urllib3.exceptions.HTTPError) as e:
        # urllib3 and http.client let a few errors through unwrapped (a malformed
        # header line, a bad port number): still one line, never a crash.
        result = FetchResult(url, "error", error=_one_line(f"request failed: {e}"))
    finally:
        if response is not None:
            response.close()
        if own:
            http.close()
    return replace(result, elapsed=time.monotonic() - started)


def _session() -> requests.Session:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    return session


class _Sockets:
    """The sockets opened by one fetch_many's threads. On cancel they are shut down, so a
    request still waiting for its answer ends now, not at its timeout: its thread would
    otherwise hold the process's exit (Python joins a pool's threads at exit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._shut = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.append(sock)
            if self._shut:
                _shut_down(sock)

    def shut_down(self) -> None:
        with self._lock:
            self._shut = True
            for sock in self._open:
                _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already


_tracking = threading.local()  # .sockets: the _Sockets of the fetch_many this thread serves


def _track(sock: socket.socket | None) -> None:
    sockets: _Sockets | None = getattr(_tracking, "sockets", None)
    if sockets is not None and sock is not None:
        sockets.add(sock)


class _TrackedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _track(self.sock)


class _TrackedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _track(self.sock)


class _TrackedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _TrackedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class _TrackingAdapter(HTTPAdapter):
    """requests' adapter, its connections' sockets recorded (see _Sockets)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _TrackedHTTPPool,
            "https": _TrackedHTTPSPool,
        }


def _tracking_session(sockets: _Sockets) -> requests.Session:
    _tracking.sockets = sockets
    session = _session()
    adapter = _TrackingAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _answer(
    url: str,
    response: requests.Response,
    etag: str | None,
    last_modified: str | None,
    started: float,
    deadline: float,
    max_bytes: int,
    cancel: threading.Event | None = None,
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    code = response.status_code
    now = datetime.now(UTC)
    base = FetchResult(
        url,
        "error",
        headers=headers,
        http_status=code,
        final_url=response.url,
        moved_to=_moved_to(url, response),
        etag=headers.get("etag") or etag,
        last_modified=headers.get("last-modified") or last_modified,
        fresh_until=_max_age(headers.get("cache-control", ""), now),
    )
    if code == 304:
        return replace(base, status="not-modified")
    if code == 410:
        return replace(base, status="gone", error="HTTP 410 (gone)")
    if code in (429, 503):
        retry = _retry_after(headers.get("retry-after", ""), now)
        reason = f"HTTP {code}" + (f" (retry after {retry:%Y-%m-%d %H:%M} UTC)" if retry else "")
        return replace(base, error=reason, retry_after=retry)
    if 300 <= code < 400:
        # requests followed every redirect it could: this one had no usable Location.
        return replace(base, error=f"HTTP {code} without a usable Location")
    if not 200 <= code < 300:
        return replace(base, error=f"HTTP {code}")
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return replace(base, error=_too_large(max_bytes, f"Content-Length {int(declared):,}"))
    body = bytearray()
    for chunk in response.iter_content(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            return replace(base, error=_too_large(max_bytes))
        if time.monotonic() - started > deadline:
            return replace(
                base, error=f"timed out after {_timeout_text(deadline)} (the whole answer)"
            )
        if cancel is not None and cancel.is_set():
            return replace(base, error=CANCELLED)
    return replace(base, status="ok", content=bytes(body))


def _moved_to(url: str, response: requests.Response) -> str | None:
    """Where the permanent redirects at the start of the chain lead (None when none).

    A 301 then a 302 moves the feed to the 302's URL (which itself may change); a 302
    first means the feed's URL is still the right one to ask.
    """
    hops = [*response.history, response]
    moved: str | None = None
    for hop, after in zip(hops, hops[1:], strict=False):
        if hop.status_code not in (301, 308):
            break
        moved = after.url
    return moved if moved and moved != url else None


def _retry_after(value: str, now: datetime) -> datetime | None:
    """Retry-After as seconds (`120`) or an HTTP date; None when absent or unreadable."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return now + min(timedelta(seconds=int(value[:9])), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP dates are GMT
    return min(max(when, now), now + MAX_WAIT)


_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _max_age(value: str, now: datetime) -> datetime | None:
    """Cache-Control max-age as the time the answer stays fresh (None when absent)."""
    if re.search(r"no-cache|no-store", value, re.IGNORECASE):
        return None
    match = _MAX_AGE.search(value)
    if not match:
        return None
    return now + min(timedelta(seconds=int(match.group(1)[:9])), MAX_WAIT)


def _too_large(max_bytes: int, detail: str = "") -> str:
    cap = f"{max_bytes / 2**20:g} MiB" if max_bytes >= 2**20 else f"{max_bytes:,} bytes"
    return f"answer larger than the {cap} cap" + (f" ({detail})" if detail else "")


def _timeout_text(seconds: float) -> str:
    return f"{seconds:g} s"


def _reason(error: requests.RequestException, timeout: tuple[float, float]) -> str:
    """A one-line reason for a failed request, in the words a user would use."""
    connect, read = timeout
    if isinstance(error, requests.ConnectTimeout):
        return f"timed out after {_timeout_text(connect)} (connecting)"
    if isinstance(error, requests.ReadTimeout):
        return f"timed out after {_timeout_text(read)}"
    if isinstance(error, requests.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(error, (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return "not an http:// or https:// URL"
    if isinstance(error, requests.exceptions.InvalidURL):
        return "not a valid URL"
    if isinstance(error, requests.exceptions.SSLError):
        return _one_line(f"TLS error: {_innermost(error)}")
    if isinstance(error, requests.exceptions.ContentDecodingError):
        return "the compressed answer is corrupt"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the connection broke in the middle of the answer"
    if isinstance(error, requests.ConnectionError):
        # iter_content wraps a read timeout in a ConnectionError
        cause = error.args[0] if error.args else None
        if isinstance(cause, urllib3.exceptions.ReadTimeoutError):
            return f"timed out after {_timeout_text(read)}"
        inner = _innermost(error)
        if isinstance(inner, ConnectionRefusedError) or "refused" in str(inner).lower():
            return "connection refused"
        if (
            isinstance(inner, urllib3.exceptions.NameResolutionError)
            or "resolve" in str(inner).lower()
        ):
            return "host not found"
        if isinstance(inner, ConnectionResetError):
            return "connection reset by the server"
        return _one_line(f"connection failed: {inner}")
    return _one_line(f"request failed: {type(error).__name__}")


def _innermost(error: BaseException) -> BaseException:
    """The root cause under requests' and urllib3's wrappers."""
    seen: set[int] = set()
    while id(error) not in seen:
        seen.add(id(error))
        reason = getattr(error, "reason", None)
        if isinstance(reason, BaseException):
            error = reason
            continue
        nested = error.args[0] if error.args else None
        if isinstance(nested, BaseException):
            error = nested
            continue
        if error.__cause__ is not None:
            error = error.__cause__
            continue
        break
    return error


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


Progress = Callable[[FetchResult, int, int], None]


def fetch_many(
    feeds: Iterable[FetchRequest],
    *,
    workers: int = 8,
    per_host: int = 2,
    progress: Progress | None = None,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    cancel: threading.Event | None = None,
) -> Iterator[FetchResult]:
    """Fetch many feeds on `workers` threads, at most `per_host` at a time per host.

    Yields each result as soon as it finishes (in the caller's thread, so the caller
    can write it to SQLite right away) and calls progress(result, done, total) first.
    A request waits for its host only in the queue, never on a worker thread: a slow
    host holds at most `per_host` workers, and every other feed carries on. Each worker
    thread keeps its own requests.Session (connections are reused per host; a Session
    is not meant to be shared between threads).

    Once `cancel` is set (the reader is quitting), nothing more is yielded or started:
    fetch_many returns within a moment, without waiting for the requests in flight
    (they end on their own, at their next chunk or their timeout, on threads nobody waits
    for here).
    """
    workers, per_host = max(1, workers), max(1, per_host)
    queued: dict[str, deque[FetchRequest]] = {}
    total = 0
    for request in feeds:
        queued.setdefault(_host(request.url), deque()).append(request)
        total += 1
    busy: dict[str, int] = dict.fromkeys(queued, 0)
    local = threading.local()
    sessions: list[requests.Session] = []
    sockets = _Sockets()
    lock = threading.Lock()

    def one(request: FetchRequest) -> FetchResult:
        session: requests.Session | None = getattr(local, "session", None)
        if session is None:
            session = local.session = _tracking_session(sockets)
            with lock:
                sessions.append(session)
        result = fetch(
            request.url,
            etag=request.etag,
            last_modified=request.last_modified,
            timeout=timeout,
            deadline=deadline,
            max_bytes=max_bytes,
            session=session,
            cancel=cancel,
        )
        return replace(result, key=request.key)

    def cancelled() -> bool:
        return cancel is not None and cancel.is_set()

    done = 0
    running: dict[Future[FetchResult], str] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
    try:

        def start() -> None:
            # Hosts in the order first seen: one pass fills every free slot whose
            # host has room.
            for host, waiting in queued.items():
                while waiting and busy[host] < per_host and len(running) < workers:
                    running[pool.submit(one, waiting.popleft())] = host
                    busy[host] += 1

        start()
        # With a cancel event, the wait wakes now and then to look at it.
        poll = None if cancel is None else _CANCEL_POLL
        while running and not cancelled():
            finished, _ = wait(running, timeout=poll, return_when=FIRST_COMPLETED)
            for future in finished:
                if cancelled():  # a cancelled answer is no failure of its feed: not given
                    return
                host = running.pop(future)
                busy[host] -= 1
                result = future.result()  # fetch never raises
                done += 1
                if progress is not None:
                    progress(result, done, total)
                yield result
            start()
    finally:
        for waiting in queued.values():
            waiting.clear()  # a consumer that stops early starts nothing more
        if cancelled():
            sockets.shut_down()
        pool.shutdown(wait=not cancelled(), cancel_futures=True)
        for session in sessions:
            session.close()


def _host(url: str) -> str:
    """What the per-host limit counts: host name and port (a port is its own server)."""
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:
        return ""


@dataclass(frozen=True)
class FailurePolicy:
    """When the library stops refreshing a failing feed (PRODUCT.md §10).

    A feed keeps a count of failures in a row: a fetch or parse that fails adds one, a
    fetch that answers (new content or a 304) and parses sets it back to 0. From
    `pause_after` failures on, the feed is paused: a refresh of everything skips it;
    a refresh that names it tries it again (and a success unpauses it). A `gone` feed
    (410) is not counted here: the library marks it gone at once. Retry-After is always
    honoured; Cache-Control max-age only spares a feed from a refresh of everything.
    """

    pause_after: int = 3

    def failures_after(self, failures: int, *, succeeded: bool) -> int:
        """The new count after one more attempt."""
        return 0 if succeeded else failures + 1

    def is_paused(self, failures: int) -> bool:
        return failures >= self.pause_after

    def skip_reason(
        self,
        failures: int,
        *,
        named: bool = False,
        retry_after: datetime | None = None,
        fresh_until: datetime | None = None,
        now: datetime | None = None,
    ) -> str | None:
        """Why a refresh should not fetch this feed now (None: fetch it).

        named is True when the user named the feed (`neican refresh NAME`, `R`).
        """
        now = now or datetime.now(UTC)
        if retry_after is not None and retry_after > now:
            return f"the server asked to wait until {retry_after:%Y-%m-%d %H:%M} UTC"
        if named:
            return None
        if self.is_paused(failures):
            return f"paused after {failures} failures in a row: refresh it by name"
        if fresh_until is not None and fresh_until > now:
            return "still fresh (Cache-Control max-age)"
        return None


PAUSE_POLICY = FailurePolicy()
