"""Benchmark: `Library.refresh()` of 200 feeds × 50 entries from local servers (50 ms latency).

    python tests/bench/bench_feeds.py [--feeds 200] [--entries 50] [--latency 0.05]
                                      [--hosts 25] [--corpus FILE]

The feeds and servers are bench_fetch.py's (RSS 2.0, ~300–1,000 Chinese characters an
entry, ETag and 304; each port of 127.0.0.1 is one host to the per-host limit). Times,
in the same run: a first refresh into an empty library (every entry a new article:
fetching, parsing, indexing and entities — articles/s), a second refresh (every answer a
304), and the same two passes refreshing the feeds one after another
(`Library.refresh([feed])` per feed) into a second library. Goals (PRODUCT.md §10, issue
19): first ≤ 15 s, all-304 ≤ 2 s, ≥ 1,000 articles/s. Stops by itself; not run by CI.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench_fetch import Server, make_feed, texts  # noqa: E402

from store.library import Library  # noqa: E402
from store.refresh import RefreshReport  # noqa: E402


def line(label: str, seconds: float, report: RefreshReport, articles: int) -> None:
    statuses: dict[str, int] = {}
    for outcome in report.feeds:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    rate = f"{report.new / seconds:7.0f} articles/s" if report.new else " " * 18
    print(
        f"{label:<36} {seconds:7.2f} s  {rate}  {report.new:6,} new  "
        f"{articles:6,} in the library  {statuses}"
    )


def subscribe_all(library: Library, urls: list[str]) -> None:
    for n, url in enumerate(urls):
        library.subscribe(url, name=f"源{n}", fetch=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hosts", type=int, default=25)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()

    rng = random.Random(19)
    pairs, source = texts(args.corpus, rng)
    bodies = [make_feed(n, args.entries, pairs) for n in range(args.feeds)]
    print(
        f"{args.feeds} feeds × {args.entries} entries from {source}: "
        f"{sum(map(len, bodies)) / 2**20:.1f} MiB; {args.hosts} hosts, "
        f"{args.latency * 1000:.0f} ms latency"
    )
    servers = []
    urls: list[str] = []
    for host in range(args.hosts):
        mine = {f"/feed{n}": bodies[n] for n in range(host, args.feeds, args.hosts)}
        servers.append(Server(mine, args.latency))
        urls += [servers[-1].url(path) for path in mine]
    try:
        with tempfile.TemporaryDirectory() as folder:
            with Library(Path(folder) / "together.db") as library:
                subscribe_all(library, urls)
                library.extractor  # noqa: B018  (the gazetteer loads once, not timed)
                for label in ("Library.refresh(), first (200s)", "Library.refresh(), again (304s)"):
                    started = time.perf_counter()
                    report = library.refresh()
                    seconds = time.perf_counter() - started
                    line(label, seconds, report, library.article_count())
            with Library(Path(folder) / "one-by-one.db") as library:
                subscribe_all(library, urls)
                library.extractor  # noqa: B018
                ids = [feed.id for feed in library.subscriptions()]
                for label in ("one feed after another, first", "one feed after another, again"):
                    started = time.perf_counter()
                    total = RefreshReport()
                    for feed_id in ids:
                        total.feeds += library.refresh([feed_id]).feeds
                    seconds = time.perf_counter() - started
                    line(label, seconds, total, library.article_count())
    finally:
        for server in servers:
            server.close()


if __name__ == "__main__":
    main()
