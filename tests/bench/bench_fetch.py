"""Benchmark: fetching 200 feeds × 50 entries from local servers that add 50 ms per answer.

    python tests/bench/bench_fetch.py [--feeds 200] [--entries 50] [--latency 0.05]
                                      [--hosts 25] [--workers 8] [--corpus FILE]

Serves RSS 2.0 feeds (entries of ~300–1,000 Chinese characters, from
../shared/corpus/news-zh.jsonl when present, else synthetic) from `--hosts` servers on
127.0.0.1 (each port is one host to the per-host limit), with ETag support. Times, in
the same run: fetch_many over all feeds (every answer a 200), again with the stored
ETags (every answer a 304), and the same two passes one feed after another. Only the
network part of a refresh: the library's import of the entries is not measured here.
Stops by itself; not run by CI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from store.feeds.fetch import FetchRequest, FetchResult, fetch, fetch_many  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPORA = [
    ROOT.parent / "shared" / "corpus" / "news-zh.jsonl",
    Path("/work/shared/corpus/news-zh.jsonl"),
]
SYNTHETIC = "大模型公司发布新一代推理芯片，训练成本下降三成，多家云厂商宣布接入并开放内测。"


def texts(corpus: Path | None, rng: random.Random) -> tuple[list[tuple[str, str]], str]:
    """(title, body) pairs with bodies cut to 300–1,000 characters; and their source."""
    for path in [corpus] if corpus else CORPORA:
        if path and path.exists():
            pairs = []
            for line in path.read_text(encoding="utf-8").splitlines():
                doc = json.loads(line)
                body = doc["body"][: rng.randint(300, 1000)]
                if len(body) >= 300:
                    pairs.append((doc["title"], body))
            return pairs, str(path)
    pairs = [(f"合成新闻 {n}", SYNTHETIC * rng.randint(8, 27)) for n in range(500)]
    return pairs, "synthetic text"


def make_feed(number: int, entries: int, pairs: list[tuple[str, str]]) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for n in range(entries):
        title, body = pairs[(number * entries + n) % len(pairs)]
        when = format_datetime(start + timedelta(hours=number + n), usegmt=True)
        items.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>http://127.0.0.1/feed{number}/{n}</link>"
            f"<guid isPermaLink='false'>feed{number}-{n}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>测试源 {number}</title><link>http://127.0.0.1/</link>"
        f"<description>bench</description>{''.join(items)}</channel></rss>"
    ).encode()


class Server:
    """One host: a threaded server answering /feedN with 50 ms of latency, ETag, 304."""

    def __init__(self, feeds: dict[str, bytes], latency: float) -> None:
        tags = {
            path: '"' + hashlib.sha1(body).hexdigest()[:16] + '"' for path, body in feeds.items()
        }
        self.hits: Counter[int] = Counter()
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                time.sleep(latency)
                body = feeds.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == tags[self.path]:
                    hits[304] += 1
                    self.send_response(304)
                    self.send_header("ETag", tags[self.path])
                    self.end_headers()
                    return
                hits[200] += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", tags[self.path])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def timed(run: Callable[[], list[FetchResult]]) -> tuple[float, list[FetchResult]]:
    started = time.perf_counter()
    results = run()
    return time.perf_counter() - started, results


def sequential(requests_: Iterable[FetchRequest]) -> list[FetchResult]:
    with requests.Session() as session:
        return [
            fetch(r.url, etag=r.etag, last_modified=r.last_modified, session=session)
            for r in requests_
        ]


def report(label: str, seconds: float, results: list[FetchResult]) -> None:
    statuses = Counter(r.status for r in results)
    size = sum(len(r.content) for r in results)
    slowest = max((r.elapsed for r in results), default=0.0)
    print(
        f"{label:<34} {seconds:7.2f} s  {len(results) / seconds:7.1f} feeds/s  "
        f"{size / 2**20:6.1f} MiB  slowest {slowest * 1000:5.0f} ms  {dict(statuses)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hosts", type=int, default=25)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()

    rng = random.Random(19)
    pairs, source = texts(args.corpus, rng)
    started = time.perf_counter()
    bodies = [make_feed(n, args.entries, pairs) for n in range(args.feeds)]
    print(
        f"{args.feeds} feeds × {args.entries} entries from {source}: "
        f"{sum(map(len, bodies)) / 2**20:.1f} MiB, built in {time.perf_counter() - started:.1f} s; "
        f"{args.hosts} hosts, {args.latency * 1000:.0f} ms latency, "
        f"{args.workers} workers, {args.per_host} per host"
    )
    servers = []
    requests_: list[FetchRequest] = []
    for host in range(args.hosts):
        mine = {f"/feed{n}": bodies[n] for n in range(host, args.feeds, args.hosts)}
        servers.append(Server(mine, args.latency))
        requests_ += [FetchRequest(servers[-1].url(path), key=path) for path in mine]
    try:

        def many(reqs: list[FetchRequest]) -> Callable[[], list[FetchResult]]:
            return lambda: list(fetch_many(reqs, workers=args.workers, per_host=args.per_host))

        def again(results: list[FetchResult]) -> list[FetchRequest]:
            return [FetchRequest(r.url, etag=r.etag, key=r.key) for r in results]

        seconds, first = timed(many(requests_))
        report("fetch_many, first pass (200s)", seconds, first)
        seconds, second = timed(many(again(first)))
        report("fetch_many, second pass (304s)", seconds, second)
        seconds, first_seq = timed(lambda: sequential(requests_))
        report("one after another, first pass", seconds, first_seq)
        seconds, second_seq = timed(lambda: sequential(again(first_seq)))
        report("one after another, second pass", seconds, second_seq)
        bad = [r for r in first + second + first_seq + second_seq if not r.ok]
        if bad:
            print(f"{len(bad)} failures, e.g. {bad[0].url}: {bad[0].error}")
    finally:
        for server in servers:
            server.close()


if __name__ == "__main__":
    main()
