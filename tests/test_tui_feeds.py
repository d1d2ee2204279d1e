"""The reader's side of feeds (PRODUCT.md §10): the feeds pane by folder, r/R/A/F, against
feeds served on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from conftest import until
from pytest_httpserver import HTTPServer
from textual.widgets import Input
from werkzeug import Request, Response

from store.library import Library
from store.paths import bundled_seeds
from tui.app import NeicanApp
from tui.screens.add_feed import AddFeedModal
from tui.widgets.article_list import ArticleList
from tui.widgets.article_view import ArticleView
from tui.widgets.feed_list import FeedList, View
from tui.widgets.status_bar import StatusBar

SIZE = (120, 35)
HOSTILE = "[bold]x[/]\x1b[31m红"


def rss(items: list[tuple[str, str, str]], title: str, link: str = "https://example.com") -> bytes:
    """An RSS 2.0 feed of (guid, title, body) items, dated a day apart; each links to
    `link`/guid."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{link}/{g}</link>"
        f"<guid isPermaLink='false'>{g}</guid>"
        f"<pubDate>Mon, {5 + n:02d} Jan 2026 08:00:00 GMT</pubDate>"
        f"<description>{escape(d)}</description></item>"
        for n, (g, t, d) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def items(prefix: str, count: int) -> list[tuple[str, str, str]]:
    return [
        (f"{prefix}{n}", f"{prefix}第{n}条:大模型进展", f"{prefix}的报道{n}:智能体公司发布新产品。")
        for n in range(count)
    ]


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    """A threaded server on 127.0.0.1: a slow answer holds up no other."""
    httpd = HTTPServer(host="127.0.0.1", threaded=True)
    httpd.start()
    yield httpd
    httpd.clear()
    httpd.stop()


def serve(server: HTTPServer, path: str, data: bytes) -> None:
    server.expect_request(path).respond_with_data(data, content_type="application/rss+xml")


def titles(app: NeicanApp) -> list[str]:
    return [r.title for r in app.query_one(ArticleList).rows]


def toasts(app: NeicanApp) -> str:
    """The notifications now showing (their text, as notify got it: never markup)."""
    return "\n".join(n.message for n in app._notifications)


def pane_lines(app: NeicanApp) -> list[str]:
    feeds = app.query_one(FeedList)
    return [
        feeds.get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
        for i in range(feeds.option_count)
    ]


def status(app: NeicanApp) -> tuple[str, str]:
    bar = app.query_one(StatusBar)
    return bar.left.plain, bar.right.plain


async def ready(app: NeicanApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.segmenter_ready.wait()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_A_subscribes_and_the_feed_appears_with_its_count(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/feed", rss(items("量子", 3), "量子位"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AddFeedModal))
        app.screen.query_one(Input).value = server.url_for("/feed")
        await pilot.press("enter")
        await until(pilot, lambda: "量子位" in app.query_one(FeedList).subscriptions)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "已订阅 量子位: 3 篇" in toasts(app)
        line = next(line for line in pane_lines(app) if line.startswith("量子位"))
        assert line.split()[-1] == "3/3"
        assert "量子第2条:大模型进展" in titles(app)  # the open list (全部) has them too


async def test_A_then_escape_subscribes_nothing(seeded_db: Path) -> None:
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("A", "h", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, AddFeedModal)
        assert app.query_one(FeedList).subscriptions == {}


async def test_A_with_no_feed_there_says_why_in_one_line(
    server: HTTPServer, seeded_db: Path
) -> None:
    server.expect_request("/page").respond_with_data(
        "<html>nothing</html>", content_type="text/html"
    )
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("A")
        app.screen.query_one(Input).value = server.url_for("/page")
        await pilot.press("enter")
        await until(pilot, lambda: server.url_for("/page") in toasts(app))
        assert len(toasts(app).splitlines()) == 1
        assert app.query_one(FeedList).subscriptions == {}


async def test_r_shows_progress_and_new_articles_appear_without_a_restart(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/feed", rss(items("量子", 2), "量子位"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/feed"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j")
        reading = app.main.article
        assert reading is not None
        server.clear()
        serve(server, "/feed", rss(items("量子", 4), "量子位"))
        await pilot.press("r")
        await until(pilot, lambda: "量子第3条:大模型进展" in titles(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "刷新完成: 2 篇新文章" in toasts(app)
        # the cursor and the open article stayed on what was being read
        assert app.main.article is not None and app.main.article.id == reading.id
        assert app.query_one(ArticleList).current.id == reading.id  # type: ignore[union-attr]
        line = next(line for line in pane_lines(app) if line.startswith("量子位"))
        assert line.split()[-1] == "4/4"


async def test_r_in_the_unread_view_keeps_the_article_just_read(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/feed", rss(items("量子", 2), "量子位"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/feed"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.go_to_view(View("unread"))
        await pilot.press("j", "j", "enter")  # opened: read, so no longer "unread"
        reading = app.main.article
        assert reading is not None and reading.read
        server.clear()
        serve(server, "/feed", rss(items("量子", 3), "量子位"))
        await pilot.press("r")
        await until(pilot, lambda: "量子第2条:大模型进展" in titles(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        articles = app.query_one(ArticleList)
        assert articles.current is not None and articles.current.id == reading.id
        assert app.main.article is not None and app.main.article.id == reading.id


async def test_a_slow_feed_changes_nothing_for_the_keys(
    server: HTTPServer, seeded_db: Path
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)  # at most 5 s; released as soon as the test has seen enough
        return Response(rss(items("慢", 1), "慢源"), content_type="application/rss+xml")

    server.expect_request("/slow").respond_with_handler(slow)
    serve(server, "/fast", rss(items("快", 1), "快源"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/fast"))
        library.subscribe(server.url_for("/slow"), name="慢源", fetch=False)
    server.clear()
    server.expect_request("/slow").respond_with_handler(slow)
    serve(server, "/fast", rss(items("快", 3), "快源"))
    app = NeicanApp(seeded_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("r")
            # the fast feed is in while the slow one still answers nothing
            await until(pilot, lambda: "快第2条:大模型进展" in titles(app))
            assert app.refreshing and not release.is_set()
            assert status(app)[1] == "刷新 1/2 · 快源"
            articles = app.query_one(ArticleList)
            for key, expected in (("j", 1), ("j", 2), ("k", 1)):
                await pilot.press(key)
                await pilot.pause()
                assert articles.highlighted == expected
                assert app.main.article is not None
                assert app.main.article.id == articles.rows[expected].id
            assert app.refreshing and not release.is_set()  # all that within the slow answer
            release.set()
            await until(pilot, lambda: not app.refreshing)
            await pilot.pause()
            assert "慢第0条:大模型进展" in titles(app)
            assert status(app)[1] == ""
    finally:
        release.set()


async def test_q_during_a_refresh_quits_at_once(server: HTTPServer, seeded_db: Path) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)  # at most 5 s; released when the test ends
        return Response(rss(items("慢", 1), "慢源"), content_type="application/rss+xml")

    server.expect_request("/slow").respond_with_handler(slow)
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/slow"), name="慢源", fetch=False)
    app = NeicanApp(seeded_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(app, pilot)
            await pilot.press("r")
            await until(pilot, lambda: app.refreshing)
            await pilot.pause(0.2)  # the request is out, its answer 5 s away
            started = time.monotonic()
            await pilot.press("q")
        quit_after = time.monotonic() - started
    finally:
        release.set()
    assert quit_after < 2
    with Library(seeded_db) as library:  # the unanswered feed is no failure
        assert [f.last_error for f in library.subscriptions() if f.name == "慢源"] == [None]


async def test_a_folder_subscription_lists_the_articles_it_brought(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "lib.db"
    with Library(db) as library:
        library.subscribe(str(inbox), name="收件箱")
        shutil.copy(bundled_seeds()[0], inbox / "today.txt")
        [outcome] = library.refresh().feeds
    assert outcome.new > 0
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        [sub] = app.query_one(FeedList).subscriptions.values()
        app.main.go_to_view(View("feed", "收件箱"))
        await until(pilot, lambda: len(titles(app)) == outcome.new)
        assert sub.articles == outcome.new
        assert {app.library.article(r.id).source for r in app.query_one(ArticleList).rows} == {
            str((inbox / "today.txt").resolve())
        }


async def test_m_on_an_article_in_two_feeds_changes_both_counts_at_once(
    server: HTTPServer, tmp_path: Path
) -> None:
    # one story (the same link) in two feeds: one article
    serve(server, "/a", rss(items("同", 1), "甲源", link="https://example.com/same"))
    serve(server, "/b", rss(items("同", 1), "乙源", link="https://example.com/same"))
    db = tmp_path / "lib.db"
    with Library(db) as library:
        library.subscribe(server.url_for("/a"))
        library.subscribe(server.url_for("/b"))
        assert library.article_count() == 1
    app = NeicanApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        feeds = app.query_one(FeedList)
        assert (feeds.counts["feed:甲源"], feeds.counts["feed:乙源"]) == ((1, 1), (1, 1))
        await pilot.press("m")  # no waiting for the counts to be read again
        assert (feeds.counts["feed:甲源"], feeds.counts["feed:乙源"]) == ((1, 0), (1, 0))


async def test_R_refreshes_the_highlighted_feed_only(server: HTTPServer, seeded_db: Path) -> None:
    serve(server, "/a", rss(items("甲", 1), "甲源"))
    serve(server, "/b", rss(items("乙", 1), "乙源"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/a"))
        library.subscribe(server.url_for("/b"))
    server.clear()
    serve(server, "/a", rss(items("甲", 2), "甲源"))
    serve(server, "/b", rss(items("乙", 2), "乙源"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.go_to_view(View("feed", "乙源"))
        await pilot.pause()
        await pilot.press("R")
        await until(pilot, lambda: "乙第1条:大模型进展" in titles(app))
        await app.workers.wait_for_complete()
        assert [r.url for r, _ in server.log if r.path == "/a"] == []


async def test_R_on_an_article_refreshes_its_feed(server: HTTPServer, seeded_db: Path) -> None:
    serve(server, "/a", rss(items("甲", 1), "甲源"))
    serve(server, "/b", rss(items("乙", 1), "乙源"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/a"))
        library.subscribe(server.url_for("/b"))
    server.clear()
    serve(server, "/a", rss(items("甲", 2), "甲源"))
    serve(server, "/b", rss(items("乙", 2), "乙源"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.open_article_id(
            next(r.id for r in app.query_one(ArticleList).rows if r.feed == "甲源")
        )
        await pilot.press("R")
        await until(pilot, lambda: "甲第1条:大模型进展" in titles(app))
        await app.workers.wait_for_complete()
        assert [r.url for r, _ in server.log if r.path == "/b"] == []


async def test_F_replaces_the_summary_with_the_full_text(
    server: HTTPServer, seeded_db: Path
) -> None:
    page = (
        "<html><head><title>长文</title></head><body><nav>首页 关于</nav><article><h1>长文</h1>"
        + "".join(f"<p>第{n}段:大模型推理成本持续下降,企业纷纷部署智能体。</p>" for n in range(8))
        + "</article><footer>版权所有</footer></body></html>"
    )
    serve(server, "/feed", rss([("p1", "长文", "摘要而已")], "长文源", server.url_for("/post")))
    server.expect_request("/post/p1").respond_with_data(page, content_type="text/html")
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/feed"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.go_to_view(View("feed", "长文源"))
        await pilot.pause()
        view = app.query_one(ArticleView)

        def shown() -> str:
            return "\n".join(
                view.get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
                for i in range(view.option_count)
            )

        assert "摘要而已" in shown()
        await pilot.press("F")
        await until(pilot, lambda: "第7段" in shown())
        assert "摘要而已" not in shown()


async def test_F_that_fails_keeps_the_summary_and_says_why(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/feed", rss([("p1", "长文", "摘要而已")], "长文源", server.url_for("/gone")))
    server.expect_request("/gone/p1").respond_with_data("no", status=404)
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/feed"))
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        app.main.go_to_view(View("feed", "长文源"))
        await pilot.pause()
        await pilot.press("F")
        await until(pilot, lambda: "404" in toasts(app))
        await app.workers.wait_for_complete()
        assert len(toasts(app).splitlines()) == 1
        assert app.main.article is not None
        assert "摘要而已" in str(app.main.article.to_json())
        assert status(app)[1] == ""


async def test_feeds_pane_groups_by_folder_and_marks_a_failing_feed(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/a", rss(items("甲", 2), "甲源"))
    serve(server, "/b", rss(items("乙", 1), "乙源"))
    server.expect_request("/bad").respond_with_data("oops", status=500)
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/a"), folder="中文媒体")
        library.subscribe(server.url_for("/b"), folder="实验室")
        library.subscribe(server.url_for("/bad"), name="坏源", folder="实验室", fetch=False)
        library.refresh(["坏源"])
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        lines = pane_lines(app)
        start = lines.index("中文媒体")
        assert [line.split()[0] for line in lines[start : start + 5]] == [
            "中文媒体",
            "甲源",
            "实验室",
            "乙源",
            "⚠坏源",
        ]
        feeds = app.query_one(FeedList)
        assert feeds.views.index(View("feed", "甲源")) < feeds.views.index(View("feed", "AI内参"))
        # highlighting the failing feed shows its last error, literally
        feeds.focus()
        feeds.highlighted = feeds.views.index(View("feed", "坏源"))
        await pilot.pause()
        left = status(app)[0]
        assert "⚠ error" in left and "500" in left
        # a heading is passed over by j/k
        feeds.highlighted = feeds.views.index(View("feed", "甲源"))
        await pilot.press("j")
        assert feeds.views[feeds.highlighted] == View("feed", "乙源")  # type: ignore[index]


async def test_hostile_feed_name_title_and_error_show_literally(
    server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/feed", rss([("h1", f"标题{HOSTILE}", "正文")], f"源{HOSTILE}"))
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/feed"), folder=f"夹{HOSTILE}")
        [feed] = library.subscriptions()
    with sqlite3.connect(seeded_db) as conn:
        conn.execute(
            "UPDATE feeds SET status = 'error', last_error = ? WHERE id = ?",
            [f"错误{HOSTILE} http://127.0.0.1/[x]", feed.id],
        )
    shown = "[bold]x[/]红"
    app = NeicanApp(seeded_db)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        feeds = app.query_one(FeedList)
        lines = pane_lines(app)
        assert f"夹{shown}" in lines
        assert any(line.startswith(" ⚠源[bold]x[/]") for line in lines), lines  # (cut to fit)
        feeds.highlighted = feeds.views.index(View("feed", feed.name))
        await pilot.pause()
        assert f"错误{shown} http://127.0.0.1/[x]" in status(app)[0]
        assert f"标题{shown}" in titles(app)
        assert "\x1b" not in "".join(lines) + status(app)[0]


def test_snapshot_subscriptions_in_two_folders(
    snap_compare, server: HTTPServer, seeded_db: Path
) -> None:
    serve(server, "/qbit", rss(items("量子", 3), "量子位"))
    serve(server, "/jqzx", rss(items("机器", 2), "机器之心"))
    serve(server, "/openai", rss(items("OpenAI", 2), "OpenAI News"))
    server.expect_request("/bad").respond_with_data("oops", status=500)
    with Library(seeded_db) as library:
        library.subscribe(server.url_for("/qbit"), folder="中文媒体")
        library.subscribe(server.url_for("/jqzx"), folder="中文媒体")
        library.subscribe(server.url_for("/openai"), folder="实验室与公司")
        library.subscribe(server.url_for("/bad"), name="坏源", folder="实验室与公司", fetch=False)
        library.refresh(["坏源"])

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await ready(app, pilot)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(NeicanApp(seeded_db), terminal_size=SIZE, run_before=run_before)
