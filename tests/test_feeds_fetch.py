"""Fetching feeds from a real HTTP server on 127.0.0.1: validators, redirects, limits."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from store.feeds.fetch import (
    FailurePolicy,
    FetchRequest,
    FetchResult,
    fetch,
    fetch_many,
    user_agent,
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>\xe9\x87\x8f\xe5\xad\x90\xe4\xbd\x8d</title><link>http://127.0.0.1/a</link></item>
</channel></rss>"""

# 量子位发布大模型 in GB2312: no valid UTF-8, and ISO-8859-1 would turn it to mojibake.
GB_TITLE = "量子位发布大模型".encode("gb2312")
GB_RSS = (
    b'<?xml version="1.0" encoding="gb2312"?>\n<rss version="2.0"><channel><title>'
    + GB_TITLE
    + b"</title></channel></rss>"
)


def test_a_feed_arrives_with_its_bytes_headers_and_validators(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        RSS,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Dec 2025 08:00:00 GMT"},
    )
    result = fetch(httpserver.url_for("/feed"))
    assert result.status == "ok" and result.ok
    assert result.content == RSS
    assert result.content_type == "application/rss+xml"
    assert result.etag == '"v1"'
    assert result.last_modified == "Mon, 01 Dec 2025 08:00:00 GMT"
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("neican/")
    assert request.headers["User-Agent"] == user_agent()


def _conditional(etag: str | None, modified: str | None) -> Callable[[Request], Response]:
    """A server that answers 304 when the request carries the validators it sent."""

    def handler(request: Request) -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if modified and request.headers.get("If-Modified-Since") == modified:
            return Response(status=304)
        headers = {"ETag": etag} if etag else {}
        if modified:
            headers["Last-Modified"] = modified
        return Response(RSS, headers=headers, content_type="application/rss+xml")

    return handler


def test_etag_makes_the_second_fetch_a_304(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_handler(_conditional('"abc"', None))
    url = httpserver.url_for("/feed")
    first = fetch(url)
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == "not-modified" and second.ok
    assert second.content == b""
    assert second.etag == '"abc"'
    sent = [request.headers.get("If-None-Match") for request, _ in httpserver.log]
    assert sent == [None, '"abc"']


def test_last_modified_makes_the_second_fetch_a_304(httpserver: HTTPServer) -> None:
    stamp = "Tue, 02 Dec 2025 09:30:00 GMT"
    httpserver.expect_request("/feed").respond_with_handler(_conditional(None, stamp))
    url = httpserver.url_for("/feed")
    first = fetch(url)
    assert first.etag is None and first.last_modified == stamp
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == "not-modified"
    # the 304 repeated no validator: the stored one is kept for the next time
    assert second.last_modified == stamp
    sent = [request.headers.get("If-Modified-Since") for request, _ in httpserver.log]
    assert sent == [None, stamp]


def test_a_permanent_redirect_is_reported_and_its_content_still_read(
    httpserver: HTTPServer,
) -> None:
    for code in (301, 308):
        httpserver.clear()
        new = httpserver.url_for("/new-feed")
        httpserver.expect_request("/old").respond_with_data(
            "", status=code, headers={"Location": new}
        )
        httpserver.expect_request("/new-feed").respond_with_data(RSS)
        result = fetch(httpserver.url_for("/old"))
        assert result.status == "ok"
        assert result.moved_to == new
        assert result.content == RSS


def test_a_temporary_redirect_is_followed_silently(httpserver: HTTPServer) -> None:
    for code in (302, 307):
        httpserver.clear()
        httpserver.expect_request("/today").respond_with_data(
            "", status=code, headers={"Location": "/feed-2025"}
        )
        httpserver.expect_request("/feed-2025").respond_with_data(RSS)
        result = fetch(httpserver.url_for("/today"))
        assert result.status == "ok" and result.moved_to is None
        assert result.content == RSS
        assert result.final_url == httpserver.url_for("/feed-2025")


def test_410_means_gone(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("bye", status=410)
    result = fetch(httpserver.url_for("/feed"))
    assert result.status == "gone" and not result.ok
    assert result.content == b""


def test_429_with_retry_after_in_seconds(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    before = datetime.now(UTC)
    result = fetch(httpserver.url_for("/feed"))
    assert result.status == "error" and result.http_status == 429
    assert result.retry_after is not None
    assert timedelta(seconds=119) <= result.retry_after - before <= timedelta(seconds=125)
    assert result.error is not None and result.error.startswith("HTTP 429 (retry after")


def test_503_with_retry_after_as_an_http_date(httpserver: HTTPServer) -> None:
    when = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    httpserver.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    result = fetch(httpserver.url_for("/feed"))
    assert result.status == "error" and result.retry_after == when


def test_max_age_says_how_long_the_answer_stays_fresh(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        RSS, headers={"Cache-Control": "public, max-age=600"}
    )
    before = datetime.now(UTC)
    result = fetch(httpserver.url_for("/feed"))
    assert result.fresh_until is not None
    assert timedelta(seconds=599) <= result.fresh_until - before <= timedelta(seconds=605)


def test_500_is_a_one_line_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("<h1>oops</h1>\n" * 50, status=500)
    result = fetch(httpserver.url_for("/feed"))
    assert result.status == "error" and result.error == "HTTP 500"


def test_connection_refused_is_a_one_line_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on the port any more
    result = fetch(f"http://127.0.0.1:{port}/feed", timeout=(2, 2))
    assert result.status == "error" and result.error == "connection refused"


@pytest.mark.parametrize(
    ("url", "reason"),
    [("ftp://127.0.0.1/feed", "not an http:// or https:// URL"), ("http://", "not a valid URL")],
)
def test_a_url_that_is_not_http_is_an_error_not_a_crash(url: str, reason: str) -> None:
    assert fetch(url).error == reason


def test_gb2312_bytes_pass_through_untouched(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/none").respond_with_data(
        GB_RSS, headers={"Content-Type": "text/xml"}
    )
    httpserver.expect_request("/wrong").respond_with_data(
        GB_RSS, headers={"Content-Type": "text/xml; charset=iso-8859-1"}
    )
    plain = fetch(httpserver.url_for("/none"))
    wrong = fetch(httpserver.url_for("/wrong"))
    assert plain.content == GB_RSS and GB_TITLE in plain.content
    assert plain.content_type == "text/xml"
    assert wrong.content == GB_RSS
    assert wrong.content_type == "text/xml; charset=iso-8859-1"


# A threaded server for answers pytest-httpserver cannot give: slow, endless, concurrent.


class _Server:
    def __init__(self, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                routes[self.path](self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Callable[[BaseHTTPRequestHandler], None]]], _Server]]:
    servers: list[_Server] = []

    def start(routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> _Server:
        servers.append(_Server(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _send(handler: BaseHTTPRequestHandler, body: bytes = RSS) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except OSError:
        pass  # the client gave up (a test of timeouts)


def test_a_slow_feed_times_out_without_holding_up_another(serve: Callable[..., _Server]) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)  # far longer than the read timeout; released when the test ends
        _send(handler)

    server = serve({"/slow": slow, "/fast": _send})
    order: list[str] = []
    started = time.monotonic()
    results = {
        r.key: r
        for r in fetch_many(
            [
                FetchRequest(server.url("/slow"), key="slow"),
                FetchRequest(server.url("/fast"), key="fast"),
            ],
            timeout=(1, 0.5),
            progress=lambda result, done, total: order.append(str(result.key)),
        )
    }
    release.set()
    assert time.monotonic() - started < 3
    assert order == ["fast", "slow"]
    assert results["fast"].status == "ok" and results["fast"].content == RSS
    assert results["slow"].status == "error"
    assert results["slow"].error == "timed out after 0.5 s"


def test_a_trickling_answer_stops_at_the_deadline(serve: Callable[..., _Server]) -> None:
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"<" * 70000)  # each chunk well inside the read timeout
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up, as it should

    server = serve({"/drip": trickle})
    result = fetch(server.url("/drip"), timeout=(1, 1), deadline=0.3)
    assert result.status == "error"
    assert result.error == "timed out after 0.3 s (the whole answer)"


def _endless(chunked: bool) -> Callable[[BaseHTTPRequestHandler], None]:
    """100 MB of feed, generated as it is sent (never built in memory)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        chunk = b"<item><title>x</title></item>" * 2000  # ~60 KB
        count = 100 * 2**20 // len(chunk)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(count * len(chunk)))
        handler.end_headers()
        handler.sent = 0  # type: ignore[attr-defined]
        try:
            for _ in range(count):
                if chunked:
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    handler.wfile.write(chunk)
                handler.sent += len(chunk)  # type: ignore[attr-defined]
                sent.append(handler.sent)  # type: ignore[attr-defined]
        except OSError:
            pass

    sent: list[int] = []
    answer.sent = sent  # type: ignore[attr-defined]
    return answer


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_100_mb_answer_is_refused_at_the_cap(
    serve: Callable[..., _Server], chunked: bool
) -> None:
    route = _endless(chunked)
    server = serve({"/huge": route})
    started = time.monotonic()
    result = fetch(server.url("/huge"), max_bytes=2 * 2**20)
    assert time.monotonic() - started < 3
    assert result.status == "error" and result.content == b""
    assert result.error is not None and result.error.startswith("answer larger than the 2 MiB cap")
    time.sleep(0.1)
    sent: list[int] = route.sent  # type: ignore[attr-defined]
    # never read all: the server stopped well short of 100 MB (socket buffers aside)
    assert (sent[-1] if sent else 0) < 40 * 2**20


def test_never_more_than_two_at_a_time_per_host(serve: Callable[..., _Server]) -> None:
    lock = threading.Lock()
    now = {"in": 0, "max": 0}

    def counted(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            now["in"] += 1
            now["max"] = max(now["max"], now["in"])
        time.sleep(0.15)
        with lock:
            now["in"] -= 1
        _send(handler)

    routes = {f"/feed{n}": counted for n in range(6)}
    server = serve(routes)
    results = list(
        fetch_many([FetchRequest(server.url(path), key=path) for path in routes], workers=8)
    )
    assert sorted(str(r.key) for r in results) == sorted(routes)
    assert all(r.status == "ok" for r in results)
    assert now["max"] == 2


def test_other_hosts_are_not_held_up_by_a_busy_one(serve: Callable[..., _Server]) -> None:
    """Six feeds on one host wait their turn; a feed on another host starts at once."""

    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.15)
        _send(handler)

    busy = serve({f"/feed{n}": slow for n in range(6)})
    other = serve({"/feed": _send})
    # two ports are two servers, so two hosts to the scheduler
    other_url = other.url("/feed")
    order: list[str] = []
    requests = [FetchRequest(busy.url(f"/feed{n}"), key=f"busy{n}") for n in range(6)]
    requests.append(FetchRequest(other_url, key="other"))
    for result in fetch_many(requests, workers=4):
        order.append(str(result.key))
    assert order[0] == "other"
    assert len(order) == 7


def test_three_failures_in_a_row_pause_a_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=500)
    policy = FailurePolicy()
    failures = 0
    for _ in range(3):
        assert policy.skip_reason(failures) is None
        result: FetchResult = fetch(httpserver.url_for("/feed"))
        failures = policy.failures_after(failures, succeeded=result.ok)
    assert failures == 3 and policy.is_paused(failures)
    assert policy.skip_reason(failures) == "paused after 3 failures in a row: refresh it by name"
    assert policy.skip_reason(failures, named=True) is None  # named: tried again
    assert policy.failures_after(failures, succeeded=True) == 0


def test_retry_after_and_max_age_decide_what_a_refresh_skips() -> None:
    policy = FailurePolicy()
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    later = now + timedelta(minutes=5)
    assert policy.skip_reason(0, retry_after=later, now=now, named=True) is not None
    assert (
        policy.skip_reason(0, fresh_until=later, now=now) == "still fresh (Cache-Control max-age)"
    )
    assert policy.skip_reason(0, fresh_until=later, now=now, named=True) is None
    assert policy.skip_reason(0, retry_after=now - timedelta(seconds=1), now=now) is None


def test_a_302_before_a_301_is_not_a_move(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", 302, {"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", 301, {"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data(RSS)
    result = fetch(httpserver.url_for("/a"))
    assert result.status == "ok" and result.moved_to is None


def test_a_301_then_a_302_moves_to_the_302s_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", 301, {"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", 302, {"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data(RSS)
    result = fetch(httpserver.url_for("/a"))
    assert result.moved_to == httpserver.url_for("/b")


def test_a_redirect_loop_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/loop").respond_with_data("", 302, {"Location": "/loop"})
    result = fetch(httpserver.url_for("/loop"))
    assert result.status == "error" and result.error == "more than 10 redirects"


def test_gzip_is_undone_and_a_gzip_bomb_stops_at_the_cap(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/small").respond_with_data(
        gzip.compress(RSS), headers={"Content-Encoding": "gzip"}
    )
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = b"\0" * 2**20
    bomb = b"".join(packer.compress(zeros) for _ in range(64)) + packer.flush()
    assert len(bomb) < 2**20  # 64 MiB once unpacked
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    assert fetch(httpserver.url_for("/small")).content == RSS
    result = fetch(httpserver.url_for("/bomb"), max_bytes=2 * 2**20)
    assert result.status == "error" and result.content == b""
    assert result.error == "answer larger than the 2 MiB cap"


def test_a_consumer_that_stops_early_starts_nothing_more(serve: Callable[..., _Server]) -> None:
    hits: list[str] = []

    def counted(handler: BaseHTTPRequestHandler) -> None:
        hits.append(handler.path)
        _send(handler)

    server = serve({f"/feed{n}": counted for n in range(20)})
    feeds = fetch_many(
        [FetchRequest(server.url(f"/feed{n}")) for n in range(20)], workers=2, per_host=2
    )
    first = next(feeds)
    feeds.close()
    assert first.status == "ok"
    assert len(hits) <= 3  # the first, and at most the two in flight when it ended


def test_a_cancel_event_ends_fetch_many_within_a_moment(serve: Callable[..., _Server]) -> None:
    release = threading.Event()

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            while not release.wait(0.05):  # a chunk now and then, never the end
                handler.wfile.write(b"1\r\n<\r\n")
                handler.wfile.flush()
        except OSError:
            pass  # the client gave up, as it should

    def silent(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)  # headers only after 5 s (released when the test ends)
        _send(handler)

    server = serve({"/drip": trickle, "/silent": silent})
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    try:
        results = list(
            fetch_many(
                [FetchRequest(server.url("/drip")), FetchRequest(server.url("/silent"))]
                + [FetchRequest(server.url("/silent")) for _ in range(4)],
                per_host=3,
                cancel=cancel,
            )
        )
        elapsed = time.monotonic() - started
        # the requests still waiting for an answer end too: no thread holds the exit
        while _fetch_threads() and time.monotonic() - started < 1.5:
            time.sleep(0.02)
        left = _fetch_threads()
    finally:
        release.set()
    assert elapsed < 1.0
    assert results == []  # nothing answered before the cancel; nothing reported as failed
    assert left == []


def _fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("fetch")]


def test_a_cancel_event_set_beforehand_starts_nothing(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(RSS)
    cancel = threading.Event()
    cancel.set()
    assert fetch(httpserver.url_for("/feed"), cancel=cancel).error == "cancelled"
    assert list(fetch_many([FetchRequest(httpserver.url_for("/feed"))], cancel=cancel)) == []
    assert httpserver.log == []
