"""Benchmark: 20 followed searches' counts at 100,000 articles, and the reader's first paint.

    python tests/bench/bench_follow.py [--articles 100000] [--keep DIR]
    python tests/bench/bench_follow.py --library DIR/bench.db   # on a kept library (copied)

Prints the time to count 20 followed searches from nothing, again with nothing new,
after an import of 500 articles (only those are searched), and after marking one
article read; checks every count against `Library.search(q, limit=0).total`; and the
reader's first paint with the 关注 group on this library against the seed library's,
with the time until the group's counts arrive (off the UI thread). Needs
../shared/corpus/news-zh.jsonl; not run by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tui import SIZE, first_paint  # noqa: E402
from corpus import write_library_files  # noqa: E402

from store.library import Library  # noqa: E402
from store.paths import bundled_seeds  # noqa: E402
from tui.app import NeicanApp  # noqa: E402
from tui.widgets.feed_list import FeedList, View  # noqa: E402

FOLLOWS = {
    "融资": "融资",
    "大额融资": "money:>=1亿美元",
    "人民币大额": "money:>10亿元 融资",
    "芯片": "芯片",
    "英特尔": "英特尔",
    "苹果": "苹果 -手机",
    "谷歌": "谷歌",
    "微软": "微软",
    "腾讯": "entity:腾讯",
    "百度": "entity:百度",
    "阿里": "entity:阿里巴巴",
    "人工智能": '"人工 智能"',
    "科技新浪": "outlet:新浪科技 手机",
    "央行": "央行 利率",
    "房价": "房价 -北京",
    "游戏": "游戏 after:2025-01-01",
    "足球": "足球",
    "基金": "基金 股",
    "云": "云",
    "未读芯片": "is:unread 芯片",
}


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1000


def recent(folder: Path) -> None:
    """Re-date a folder's articles to the corpus's last three days (2025-12-26..28)."""
    for n, path in enumerate(sorted(folder.iterdir())):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"· \d{4}-\d{2}-\d{2} ", f"· 2025-12-{26 + n % 3} ", text)
        path.write_text(text, encoding="utf-8")


def check_exact(library: Library) -> None:
    for follow in library.follows():
        total = library.search(follow.query, limit=0).total
        assert follow.total == total, (follow.name, follow.total, total)


async def group_counts(db: Path) -> tuple[float, float]:
    """(first paint, time until the 关注 group's counts are shown), seconds."""
    start = time.perf_counter()
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot._wait_for_screen()
        paint = time.perf_counter() - start
        feeds = app.query_one(FeedList)
        name = next(iter(FOLLOWS))
        while View("follow", name).id not in feeds.counts:
            await pilot.pause(0.005)
        counted = time.perf_counter() - start
        await app.workers.wait_for_complete()
    return paint, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--library", type=Path, help="a kept library (it is copied, not changed)")
    parser.add_argument("--keep", type=Path, help="build the library here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "bench.db"
        if args.library:
            shutil.copyfile(args.library, db)
        else:
            target = (args.keep or work) / "bench.db"
            target.parent.mkdir(parents=True, exist_ok=True)
            write_library_files(work / "files", args.articles)
            with Library(target) as library:
                library.import_paths([work / "files"])
            if target != db:
                shutil.copyfile(target, db)
        run(db, work)


def run(db: Path, work: Path) -> None:
    with Library(db) as library:
        count = library.article_count()
        print(f"library: {count:,} articles; {len(FOLLOWS)} followed searches")
        for name, query in FOLLOWS.items():
            library.follow_add(name, query)
    with Library(db) as library:
        library.search("预热")  # jieba and the page cache, as the reader has them
        _, cold = timed(library.follows)
        _, warm = timed(library.follows)
        print(f"counts from nothing (a new process): {cold:.0f} ms")
        print(f"counts again, nothing changed:       {warm:.1f} ms")
        incremental = []
        # Three refreshes of 500 new articles of the last days (as feeds bring them), then
        # one of 500 spread over the two years (a backlog: every doclist's whole span).
        for round_ in range(4):
            more = work / f"more{round_}"
            write_library_files(more, 500, seed=99 + round_)
            if round_ < 3:
                recent(more)
            report, imported = timed(lambda more=more: library.import_paths([more]))
            added = sum(o.added for o in report.imported)
            _, ms = timed(library.follows)
            incremental.append(ms)
            kind = "of the last days" if round_ < 3 else "spread over two years"
            print(
                f"counts after an import of {added} articles {kind} "
                f"({imported / 1000:.1f} s): {ms:.0f} ms"
            )
        article = library.article_rows(limit=1)[0].id
        library.set_read(article, True)
        _, after_read = timed(library.follows)
        print(f"counts after marking one article read: {after_read:.1f} ms")
        _, exact_ms = timed(lambda: check_exact(library))
        print(f"every count equals search(q, limit=0).total ({exact_ms / 1000:.1f} s to check)")
    seeds = work / "seeds.db"
    with Library(seeds) as library:
        library.import_paths(bundled_seeds())
        for name, query in FOLLOWS.items():
            library.follow_add(name, query)
    rounds = 3
    seed_paint = min(asyncio.run(first_paint(seeds)) for _ in range(rounds))
    big = [asyncio.run(group_counts(db)) for _ in range(rounds)]
    big_paint = min(p for p, _ in big)
    print(
        f"first paint with the 关注 group: seeds {seed_paint * 1000:.0f} ms, "
        f"{count:,} articles {big_paint * 1000:.0f} ms ({big_paint / seed_paint:.2f}×); "
        f"the group's counts shown after {min(c for _, c in big) * 1000:.0f} ms (off the UI thread)"
    )


if __name__ == "__main__":
    main()
