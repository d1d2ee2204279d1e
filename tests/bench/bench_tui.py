"""Benchmark: the reader on a 100,000-article library against the seed library, with Pilot.

    python tests/bench/bench_tui.py [--library PATH] [--articles 100000]

Prints the time to the first screen (and its ratio to the seed library's) and p50/p95
per keypress for j, k, page down and switching feeds; and for j held down (30 keys a
second, 30 at a time, 5 times), how long after the last key the screen has caught up. Without --library it builds one
with the search benchmark's generator (a few minutes). Not run by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_library_files  # noqa: E402
from textual import events  # noqa: E402

from store.library import Library  # noqa: E402
from store.paths import bundled_seeds  # noqa: E402
from tui.app import NeicanApp  # noqa: E402
from tui.widgets.article_list import ArticleList  # noqa: E402
from tui.widgets.feed_list import FeedList  # noqa: E402

SIZE = (120, 35)
HELD = 30  # keys per held-key burst, sent at 30 a second


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def first_paint(db: Path) -> float:
    """Seconds from starting the app to its first screen painted, the article list filled.

    (Not pilot.pause(): it also waits for the counts worker, which runs after the paint.)
    """
    start = time.perf_counter()
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        elapsed = time.perf_counter() - start
        assert app.query_one(ArticleList).rows
        await app.workers.wait_for_complete()
    return elapsed


async def keypresses(db: Path, rounds: int) -> dict[str, list[float]]:
    """Milliseconds per keypress, from the key to the repainted screen."""
    out: dict[str, list[float]] = {
        "j": [],
        "k": [],
        "pagedown": [],
        "feed switch": [],
        "held j": [],
    }
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.segmenter_ready.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()

        articles = app.query_one(ArticleList)

        def state() -> tuple[object, ...]:
            return (app.main.view, articles.highlighted)

        async def timed(key: str, bucket: str) -> None:
            # From the key to the screen painted: the key event goes to the driver as a
            # terminal's would; Pilot waits until the widgets have processed what follows
            # from it, until the list moved and the article pane shows the article under
            # the cursor; then one compositor update paints. (pilot.press() itself sleeps
            # 40 ms or more per key waiting for the process to look idle: not latency.)
            before = state()
            event = events.Key(key, key if len(key) == 1 else None)
            event.set_sender(app)
            start = time.perf_counter()
            app._driver.send_message(event)
            for attempt in range(200):
                await pilot._wait_for_screen()
                current = articles.current
                shown = current is None or (
                    app.main.article is not None and app.main.article.id == current.id
                )
                if (
                    state() != before and shown
                ):  # moved; the article pane caught up (or the list is empty)
                    break
                if attempt >= 20 and state() == before:
                    break  # nothing to move to (the end of a short list)
            app.screen._on_timer_update()
            out[bucket].append((time.perf_counter() - start) * 1000)
            await pilot.pause()  # let workers and timers settle before the next key

        for _ in range(rounds):
            await timed("j", "j")
        for _ in range(rounds):
            await timed("k", "k")
        for _ in range(max(10, rounds // 4)):
            await timed("pagedown", "pagedown")
        # A held key: autorepeat sends j 30 times a second whether or not the reader
        # keeps up; how long after the last one is the screen caught up?
        articles.focus()
        for _ in range(5):
            await pilot.press("home")
            await pilot.pause()
            start_index = articles.highlighted or 0
            for _ in range(HELD):
                event = events.Key("j", "j")
                event.set_sender(app)
                app._driver.send_message(event)
                await asyncio.sleep(1 / 30)
            last = time.perf_counter()
            target = min(start_index + HELD, len(articles.rows) - 1)
            while True:
                await pilot._wait_for_screen()
                if time.perf_counter() - last > 10:
                    raise SystemExit(f"held j: stuck at {articles.highlighted}, not {target}")
                current = articles.current
                if (
                    articles.highlighted is not None
                    and articles.highlighted >= target
                    and current is not None
                    and app.main.article is not None
                    and app.main.article.id == current.id
                ):
                    break
            app.screen._on_timer_update()
            out["held j"].append((time.perf_counter() - last) * 1000)
            await pilot.pause()
        feeds = app.query_one(FeedList)
        feeds.focus()
        await pilot.pause()
        steps = min(len(feeds.views) - 1, 30)
        for n in range(max(10, rounds // 4)):
            await timed("j" if (n // steps) % 2 == 0 else "k", "feed switch")
    return out


def report(label: str, seeds: dict[str, list[float]], big: dict[str, list[float]]) -> None:
    for key in big:
        b, s = big[key], seeds[key]
        print(
            f"{label} {key:12} p50 {percentile(b, 0.5):6.1f} ms  p95 {percentile(b, 0.95):6.1f} ms"
            f"  | seeds p50 {percentile(s, 0.5):5.1f} ms  p95 {percentile(s, 0.95):5.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--library", type=Path, help="an existing large library (e.g. from bench_search --keep)"
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    # The bundled gazetteer, not a copy the user may have edited (or an old one).
    os.environ["NEICAN_CONFIG_DIR"] = tempfile.mkdtemp(prefix="neican-bench-config-")
    work = Path(tempfile.mkdtemp(prefix="neican-tui-bench-"))
    try:
        seeds_db = work / "seeds.db"
        Library(seeds_db).import_paths(bundled_seeds())
        big_db = args.library
        if big_db is None:
            big_db = work / "big.db"
            count, _ = write_library_files(work / "files", args.articles)
            print(f"building a library of {count:,} articles…")
            Library(big_db).import_paths([work / "files"])
        articles = Library(big_db).article_count()
        print(f"neican reader benchmark: {articles:,} articles against the seed library")
        paint_seeds = [asyncio.run(first_paint(seeds_db)) for _ in range(5)]
        paint_big = [asyncio.run(first_paint(big_db)) for _ in range(5)]
        s, b = statistics.median(paint_seeds), statistics.median(paint_big)
        print(
            f"first screen  seeds {s * 1000:.0f} ms, {articles:,} articles {b * 1000:.0f} ms: {b / s:.2f}× (median of 5)"
        )
        seeds = asyncio.run(keypresses(seeds_db, args.rounds))
        big = asyncio.run(keypresses(big_db, args.rounds))
        report("keys", seeds, big)
        worst = max(percentile(v, 0.95) for k, v in big.items() if k != "held j")
        print(f"worst p95 at {articles:,} articles: {worst:.1f} ms (target ≤ 50 ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
