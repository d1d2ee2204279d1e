"""Subscriptions and refresh (PRODUCT.md §10) against feeds served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SHARED, needs_shared
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from store.errors import FeedError, NotFound
from store.feeds.entries import normalize_link
from store.feeds.opml import parse_opml
from store.library import Library
from store.model import Bullet, ParsedArticle, Section

FEEDS = SHARED / "fixtures" / "feeds"


def rss(items: list[tuple[str, str, str]], title: str = "测试源", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 feed of (guid, title, body) items."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>http://127.0.0.1/post/{g}</link>"
        f"<guid isPermaLink='false'>{g}</guid><pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate>"
        f"<description>{escape(d)}</description></item>"
        for g, t, d in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>{body}</channel></rss>"
    ).encode(encoding)


ITEMS = [
    ("a1", "智谱发布新一代大模型", "智谱今天发布了新一代推理模型，训练成本下降三成。"),
    ("a2", "芯片公司完成融资", "一家芯片公司完成新一轮融资，投资方包括多家机构。"),
]


@pytest.fixture
def library() -> Iterator[Library]:
    with Library() as lib:
        yield lib


def conditional(etag: str, content: Callable[[], bytes]) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(
            content(),
            headers={"ETag": etag, "Last-Modified": "Mon, 05 Jan 2026 08:00:00 GMT"},
            content_type="application/rss+xml; charset=utf-8",
        )

    return handler


def test_subscribe_to_a_served_feed(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="text/xml")
    outcome = library.subscribe(httpserver.url_for("/feed"), folder="科技")
    assert (outcome.status, outcome.new) == ("new", 2)
    [feed] = library.subscriptions()
    assert (feed.name, feed.url, feed.folder, feed.kind) == (
        "测试源",
        httpserver.url_for("/feed"),
        "科技",
        "rss",
    )
    assert (feed.articles, feed.unread, feed.status) == (2, 2, "ok")
    rows = library.article_rows(feed="测试源")
    article = library.article(rows[0].id)
    assert article.outlets == ("测试源",)
    assert article.links and article.links[0].startswith("http://127.0.0.1/post/")
    with pytest.raises(FeedError, match="already subscribed"):
        library.subscribe(httpserver.url_for("/feed"))


def test_subscribe_to_a_page_that_links_its_feed(httpserver: HTTPServer, library: Library) -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head></html>'
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/rss.xml").respond_with_data(rss(ITEMS), content_type="text/xml")
    outcome = library.subscribe(httpserver.url_for("/"), name="页面")
    assert outcome.new == 2
    [feed] = library.subscriptions()
    assert (feed.name, feed.url) == ("页面", httpserver.url_for("/rss.xml"))


def test_not_a_feed_is_refused_and_nothing_subscribed(
    httpserver: HTTPServer, library: Library
) -> None:
    httpserver.expect_request("/").respond_with_data(
        b"<html><p>hi</p></html>", content_type="text/html"
    )
    with pytest.raises(FeedError, match="links to none"):
        library.subscribe(httpserver.url_for("/"))
    assert library.subscriptions() == []


def test_second_refresh_is_not_modified(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_handler(conditional('"v1"', lambda: rss(ITEMS)))
    library.subscribe(httpserver.url_for("/feed"))
    report = library.refresh()
    assert [o.status for o in report.feeds] == ["not-modified"]
    assert report.to_json()["new"] == 0
    request, _ = httpserver.log[-1]
    assert request.headers.get("If-None-Match") == '"v1"'
    assert request.headers.get("If-Modified-Since") == "Mon, 05 Jan 2026 08:00:00 GMT"


def test_a_changed_entry_updates_its_article_keeping_read_flag_and_notes(
    httpserver: HTTPServer, library: Library
) -> None:
    items = list(ITEMS)
    httpserver.expect_request("/feed").respond_with_handler(lambda r: Response(rss(items)))
    library.subscribe(httpserver.url_for("/feed"))
    first = library.article_rows(feed="测试源")
    target = next(r for r in first if r.title == ITEMS[0][1])
    library.set_read(target.id)
    note = library.add_note(target.id, "quote", "智谱今天发布了新一代推理模型")
    items[0] = (ITEMS[0][0], ITEMS[0][1], ITEMS[0][2] + "开源社区反响热烈。")
    report = library.refresh()
    assert [(o.status, o.new, o.updated) for o in report.feeds] == [("new", 0, 1)]
    article = library.article(target.id)
    assert article.read and [n.id for n in article.notes] == [note.id]
    assert "开源社区反响热烈" in json.dumps(article.to_json(), ensure_ascii=False)
    assert library.refresh().feeds[0].status == "not-modified"  # unchanged: nothing


def test_301_is_shown_as_moved_and_applied_only_on_request(
    httpserver: HTTPServer, library: Library
) -> None:
    new = httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": new})
    httpserver.expect_request("/new").respond_with_data(rss(ITEMS), content_type="text/xml")
    library.subscribe(httpserver.url_for("/feed-placeholder"), fetch=False, name="源")
    # an OPML-imported URL that later moved
    library.conn.execute("UPDATE feeds SET url = ? WHERE name = '源'", [httpserver.url_for("/old")])
    outcome = library.refresh().feeds[0]
    assert (outcome.status, outcome.new) == ("new", 2)
    [feed] = library.subscriptions()
    assert (feed.status, feed.moved_to, feed.url) == ("moved", new, httpserver.url_for("/old"))
    library.apply_move("源")
    [feed] = library.subscriptions()
    assert (feed.status, feed.url, feed.moved_to) == ("ok", new, None)
    with pytest.raises(FeedError, match="has not moved"):
        library.apply_move("源")


def test_410_marks_the_feed_gone(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_data("bye", status=410)
    library.subscribe(httpserver.url_for("/feed"), name="g", fetch=False)
    assert library.refresh().feeds[0].status == "error"
    assert library.subscriptions()[0].status == "gone"
    hits = len(httpserver.log)
    outcome = library.refresh().feeds[0]
    assert outcome.status == "skipped" and "gone" in (outcome.error or "")
    assert len(httpserver.log) == hits  # not asked again
    assert library.refresh(["g"]).feeds[0].status == "error"  # named: asked
    assert len(httpserver.log) == hits + 1


def test_429_with_retry_after_is_skipped_with_the_reason(
    httpserver: HTTPServer, library: Library
) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    library.subscribe(httpserver.url_for("/feed"), name="r", fetch=False)
    first = library.refresh().feeds[0]
    assert first.status == "error" and (first.error or "").startswith("HTTP 429 (retry after")
    outcome = library.refresh().feeds[0]
    assert outcome.status == "skipped"
    assert "the server asked to wait until" in (outcome.error or "")


def test_three_failures_in_a_row_pause_a_feed(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_data("oops", status=500)
    library.subscribe(httpserver.url_for("/feed"), name="bad", fetch=False)
    for _ in range(3):
        assert library.refresh().feeds[0].error == "HTTP 500"
    [feed] = library.subscriptions()
    assert (feed.status, feed.last_error) == ("paused", "HTTP 500")
    hits = len(httpserver.log)
    outcome = library.refresh().feeds[0]
    assert outcome.status == "skipped" and "paused after 3 failures" in (outcome.error or "")
    assert len(httpserver.log) == hits
    library.refresh(["bad"])  # by name: tried again
    assert len(httpserver.log) == hits + 1


class _Threaded:
    """A threaded server (pytest-httpserver answers one request at a time)."""

    def __init__(self, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                routes[self.path](self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


def _send(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def test_a_slow_feed_times_out_while_another_refreshes(library: Library) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)
        _send(handler, rss(ITEMS))

    server = _Threaded({"/slow": slow, "/fast": lambda h: _send(h, rss(ITEMS, "快"))})
    try:
        library.subscribe(server.url("/slow"), name="慢", fetch=False)
        library.subscribe(server.url("/fast"), name="快", fetch=False)
        order: list[str] = []
        started = time.monotonic()
        report = library.refresh(timeout=0.5, progress=lambda o, d, t: order.append(o.name))
        assert time.monotonic() - started < 4
    finally:
        release.set()
        server.httpd.shutdown()
    assert order == ["快", "慢"]
    outcomes = {o.name: o for o in report.feeds}
    assert (outcomes["快"].status, outcomes["快"].new) == ("new", 2)
    assert outcomes["慢"].status == "error" and "timed out" in (outcomes["慢"].error or "")
    assert report.answered


def test_a_gb2312_feed_without_charset_is_read_and_searchable(
    httpserver: HTTPServer, library: Library
) -> None:
    data = rss(
        [("g1", "国产大模型登顶榜单", "多家厂商的国产大模型在评测中登顶。")], "国内源", "gb2312"
    )
    httpserver.expect_request("/feed").respond_with_data(data, headers={"Content-Type": "text/xml"})
    assert library.subscribe(httpserver.url_for("/feed")).new == 1
    assert [f.name for f in library.subscriptions()] == ["国内源"]
    result = library.search("登顶榜单")
    assert result.total == 1 and result.hits[0].title == "国产大模型登顶榜单"


def _expected_counts() -> dict[str, int | None]:
    data = json.loads((FEEDS / "EXPECTATIONS.json").read_text(encoding="utf-8"))
    return {name: info["feedparser"]["entries"] for name, info in data["files"].items()}


@needs_shared
def test_every_fixture_feed_subscribes_or_is_reported_not_a_feed(
    httpserver: HTTPServer, library: Library
) -> None:
    files = sorted(p for p in FEEDS.iterdir() if p.name not in ("EXPECTATIONS.json", "README.md"))
    assert len(files) == 35
    from store.feeds.entries import parse_feed

    counts: dict[str, int] = {}
    for path in files:
        data = path.read_bytes()
        httpserver.expect_request(f"/{path.name}").respond_with_data(
            data, content_type="application/xml"
        )
        url = httpserver.url_for(f"/{path.name}")
        try:  # what the entries parser gives (test_feeds_entries checks it against feedparser)
            expected = len({e.identity for e in parse_feed(data, {}, url).entries})
        except Exception:
            expected = None
        try:
            outcome = library.subscribe(url, name=path.name)
        except FeedError as e:
            assert expected is None or expected == 0, f"{path.name}: {e}"
            assert "\n" not in str(e)
            continue
        assert outcome.status in ("new", "not-modified"), f"{path.name}: {outcome}"
        assert outcome.new == expected, path.name
        feed = next(f for f in library.subscriptions() if f.name == path.name)
        assert feed.articles == expected, path.name
        counts[path.name] = feed.articles
    # the entries parser's counts are EXPECTATIONS.json's (feedparser's) but where
    # test_feeds_entries explains why not; every feed with entries was subscribed
    wanted = _expected_counts()
    assert [n for n in counts if counts[n] != wanted[n]] == [
        "feedparser__incomplete_cdata.xml",
        "rss-parser__incomplete-fields.atom",
    ]
    assert len(counts) == 33  # the other two are reported "not a feed"


def test_opml_round_trip(library: Library, tmp_path: Path) -> None:
    data = b"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
    <outline text="AI"><outline text="Labs">
      <outline type="rss" text="OpenAI" xmlUrl="http://127.0.0.1:9/openai.xml"/></outline>
      <outline type="rss" text="HF" xmlUrl="http://127.0.0.1:9/hf.xml"/></outline>
    <outline type="rss" text="HN" xmlUrl="http://127.0.0.1:9/hn.xml"/>
    </body></opml>"""
    assert library.import_opml(data, "a.opml") == (3, 0)
    assert library.import_opml(data, "a.opml") == (0, 3)  # already subscribed
    exported = library.export_opml()
    subs = {(s.url, s.title, s.folder) for s in parse_opml(exported).subscriptions}
    assert subs == {(f.url, f.name, f.folder) for f in library.subscriptions()}
    assert {f.folder for f in library.subscriptions()} == {"AI/Labs", "AI", ""}
    with Library(tmp_path / "other.db") as other:
        assert other.import_opml(exported.encode(), "b.opml") == (3, 0)
        assert {(f.url, f.name, f.folder) for f in other.subscriptions()} == subs


def test_unsubscribe_removes_articles_but_noted_ones(
    httpserver: HTTPServer, library: Library
) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="text/xml")
    library.subscribe(httpserver.url_for("/feed"), name="源")
    rows = library.article_rows(feed="源")
    library.add_note(rows[0].id, "quote", rows[0].title)
    assert library.unsubscribe("源") == 1
    assert library.subscriptions() == []
    assert library.search("芯片公司").total + library.search("智谱").total == 1
    with pytest.raises(NotFound):
        library.unsubscribe("源")


def test_rename_feed(httpserver: HTTPServer, library: Library) -> None:
    library.subscribe(httpserver.url_for("/feed"), name="旧", fetch=False)
    assert library.rename_feed("旧", "新").name == "新"
    with pytest.raises(NotFound):
        library.rename_feed("旧", "x")


def test_rsshub_routes_need_an_instance(httpserver: HTTPServer, library: Library) -> None:
    with pytest.raises(FeedError, match="neican config set rsshub URL"):
        library.subscribe("rsshub:/jiqizhixin/index")
    from store import settings

    settings.set_value("rsshub", httpserver.url_for("/"))
    httpserver.expect_request("/jiqizhixin/index").respond_with_data(
        rss(ITEMS, "机器之心"), content_type="application/rss+xml"
    )
    assert library.subscribe("rsshub:/jiqizhixin/index").new == 2
    [feed] = library.subscriptions()
    assert (feed.name, feed.url) == ("机器之心", "rsshub:/jiqizhixin/index")
    assert library.refresh().feeds[0].status == "not-modified"


PAGE = (
    "<html><head><title>长文</title></head><body><nav>首页 关于</nav><article><h1>长文</h1>"
    + "".join(
        f"<p>第{n}段：大模型推理成本持续下降，企业纷纷部署自己的智能体应用。</p>" for n in range(8)
    )
    + "</article><footer>版权所有</footer></body></html>"
).encode()


def test_full_text_feed_stores_the_linked_page(httpserver: HTTPServer, library: Library) -> None:
    feed = rss([("p1", "长文", "摘要而已")]).replace(
        b"http://127.0.0.1/post/p1", httpserver.url_for("/post/p1").encode()
    )
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="text/xml")
    httpserver.expect_request("/post/p1").respond_with_data(PAGE, content_type="text/html")
    outcome = library.subscribe(httpserver.url_for("/feed"), full_text=True)
    assert outcome.new == 1 and outcome.warnings == ()
    [row] = library.article_rows()
    text = json.dumps(library.article(row.id).to_json(), ensure_ascii=False)
    assert "第7段" in text and "摘要而已" not in text
    assert library.search("企业纷纷部署").total == 1


def test_full_text_failure_keeps_the_summary(httpserver: HTTPServer, library: Library) -> None:
    feed = rss([("p1", "长文", "摘要而已")]).replace(
        b"http://127.0.0.1/post/p1", httpserver.url_for("/missing").encode()
    )
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="text/xml")
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    outcome = library.subscribe(httpserver.url_for("/feed"), full_text=True)
    assert outcome.new == 1 and "HTTP 404" in outcome.warnings[0]
    [row] = library.article_rows()
    assert "摘要而已" in json.dumps(library.article(row.id).to_json(), ensure_ascii=False)


def test_fetch_full_text_of_one_article(httpserver: HTTPServer, library: Library) -> None:
    feed = rss([("p1", "长文", "摘要而已")]).replace(
        b"http://127.0.0.1/post/p1", httpserver.url_for("/post/p1").encode()
    )
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="text/xml")
    httpserver.expect_request("/post/p1").respond_with_data(PAGE, content_type="text/html")
    library.subscribe(httpserver.url_for("/feed"))
    [row] = library.article_rows()
    library.set_read(row.id)
    article = library.fetch_full_text(row.id)
    text = json.dumps(article.to_json(), ensure_ascii=False)
    assert "第7段" in text and article.read and article.id == row.id
    assert library.search("企业纷纷部署").total == 1
    assert library.refresh().feeds[0].status == "not-modified"  # the full text stays
    assert "第7段" in json.dumps(library.article(row.id).to_json(), ensure_ascii=False)


def test_search_recall_on_feed_articles(httpserver: HTTPServer, library: Library) -> None:
    items = [
        (f"s{n}", f"第{n}条：{w}进展", f"关于{w}的报道，{w}公司今天宣布新进展。")
        for n, w in enumerate(["大模型", "芯片", "机器人", "大模型", "智能体", "芯片"])
    ]
    httpserver.expect_request("/feed").respond_with_data(rss(items), content_type="text/xml")
    library.subscribe(httpserver.url_for("/feed"))
    for query in ("大模型", "芯片", "智能体", "公司今天"):
        truth = sum(query in t or query in d for _, t, d in items)
        assert library.search(query, limit=None).total == truth, query


def test_entities_are_found_in_feed_articles(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="text/xml")
    library.subscribe(httpserver.url_for("/feed"))
    assert any(e.name == "智谱" and e.articles == 1 for e in library.entities("org"))


def test_a_large_refresh_prepares_in_helper_processes(
    httpserver: HTTPServer, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import refresh

    monkeypatch.setattr(refresh, "HELPERS_FROM", 2)
    monkeypatch.setattr(refresh, "HELPERS", 1)
    for n in range(3):
        items = [
            (f"h{n}-{i}", f"源{n}的第{i}条：智谱发布", f"正文{n}-{i}，大模型进展。")
            for i in range(4)
        ]
        httpserver.expect_request(f"/f{n}").respond_with_data(rss(items), content_type="text/xml")
        library.subscribe(httpserver.url_for(f"/f{n}"), name=f"源{n}", fetch=False)
    report = library.refresh()
    assert sorted((o.name, o.status, o.new) for o in report.feeds) == [
        (f"源{n}", "new", 4) for n in range(3)
    ]
    assert library.search("大模型进展", limit=None).total == 12
    assert [e.articles for e in library.entities("org") if e.name == "智谱"] == [12]
    assert {o.status for o in library.refresh().feeds} == {"not-modified"}


def test_max_age_spares_a_fresh_feed_unless_named(httpserver: HTTPServer, library: Library) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        rss(ITEMS), content_type="text/xml", headers={"Cache-Control": "max-age=3600"}
    )
    library.subscribe(httpserver.url_for("/feed"), name="鲜")
    hits = len(httpserver.log)
    outcome = library.refresh().feeds[0]
    assert outcome.status == "skipped" and "max-age" in (outcome.error or "")
    assert len(httpserver.log) == hits
    assert library.refresh(["鲜"]).feeds[0].status == "not-modified"
    assert len(httpserver.log) == hits + 1


def test_a_gb2312_feed_with_a_wrong_charset_is_read_right(
    httpserver: HTTPServer, library: Library
) -> None:
    data = rss(
        [("g1", "国产大模型登顶榜单", "多家厂商的国产大模型在评测中登顶。")], "国内源", "gb2312"
    )
    httpserver.expect_request("/feed").respond_with_data(
        data, headers={"Content-Type": "text/xml; charset=iso-8859-1"}
    )
    assert library.subscribe(httpserver.url_for("/feed")).new == 1
    assert library.search("国产大模型").total == 1


def test_the_same_link_from_two_feeds_is_one_article(
    httpserver: HTTPServer, library: Library
) -> None:
    httpserver.expect_request("/one").respond_with_data(rss(ITEMS, "甲"), content_type="text/xml")
    retitled = [(g, f"转载：{t}", d) for g, t, d in ITEMS[:1]]  # the same link
    httpserver.expect_request("/two").respond_with_data(
        rss(retitled, "乙"), content_type="text/xml"
    )
    library.subscribe(httpserver.url_for("/one"))
    library.subscribe(httpserver.url_for("/two"))
    assert library.article_count() == 2
    counts = {f.name: f.articles for f in library.subscriptions()}
    assert counts == {"甲": 2, "乙": 1}
    assert library.search("智谱", limit=None).total == 1
    assert library.unsubscribe("甲") == 1  # the shared one stays, in 乙
    assert library.article_count() == 1
    assert [(f.name, f.articles) for f in library.subscriptions()] == [("乙", 1)]


def test_a_folder_feed_lists_what_it_brought_even_articles_held_already(
    seeded_db: Path, tmp_path: Path
) -> None:
    from store.paths import bundled_seeds

    inbox, other = tmp_path / "inbox", tmp_path / "inbox2"  # a prefix of the other's path
    inbox.mkdir()
    other.mkdir()
    seed = bundled_seeds()[0]
    (other / "b.txt").write_bytes(bundled_seeds()[1].read_bytes())
    with Library(seeded_db) as library:
        library.subscribe(str(inbox), name="收件箱")
        library.import_paths([other])
        (inbox / "a.txt").write_bytes(seed.read_bytes())  # the seed library has it already
        library.refresh()
        rows = library.article_rows(folder=str(inbox))
        expected = {
            r.id for r in library.article_rows() if library.article(r.id).source == str(seed)
        }
        [info] = library.subscriptions()
    assert {r.id for r in rows} == expected and expected
    assert info.articles == len(rows)


def _digest_article(link: str, key: str | None = None) -> tuple[ParsedArticle, list[str] | None]:
    article = ParsedArticle(
        kind="digest",
        title="日报里的长文",
        outlets=(),
        published="2026-01-02T10:00",
        links=(link,),
        ruiping=None,
        sections=(Section("", (Bullet("日报的摘要"),)),),
    )
    return article, None if key is None else [key]


def test_full_text_refuses_an_article_from_a_digest(
    httpserver: HTTPServer, library: Library
) -> None:
    httpserver.expect_request("/post/p1").respond_with_data(PAGE, content_type="text/html")
    article, _ = _digest_article(httpserver.url_for("/post/p1"))
    library.write_articles("日报", "digest", [article], "/digests/today.txt")
    [row] = library.article_rows()
    with pytest.raises(FeedError) as refused:
        library.fetch_full_text(row.id)
    assert str(refused.value) == (
        f"article {row.id}: F works on feed articles; this one came from a digest"
    )
    assert "日报的摘要" in json.dumps(library.article(row.id).to_json(), ensure_ascii=False)
    assert httpserver.log == []


def test_full_text_of_an_article_first_in_a_digest_is_written_as_its_subscription(
    httpserver: HTTPServer, library: Library
) -> None:
    link = httpserver.url_for("/post/p1")
    feed = rss([("p1", "长文", "摘要而已")]).replace(b"http://127.0.0.1/post/p1", link.encode())
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="text/xml")
    httpserver.expect_request("/post/p1").respond_with_data(PAGE, content_type="text/html")
    # the same link in a digest first: one article in two feeds, its first a digest
    article, keys = _digest_article(link, "link:" + normalize_link(link))
    library.write_articles("日报", "digest", [article], "/digests/today.txt", keys=keys)
    library.subscribe(httpserver.url_for("/feed"), name="长文源")
    [row] = library.article_rows()
    assert library.article(row.id).feeds == ("日报", "长文源")

    def memberships() -> list[tuple[str, str]]:
        return library.conn.execute(
            "SELECT f.name, s.path FROM article_feeds m JOIN feeds f ON f.id = m.feed_id "
            "JOIN sources s ON s.id = m.source_id ORDER BY f.name, s.path"
        ).fetchall()

    before = memberships()
    article_after = library.fetch_full_text(row.id)
    assert "第7段" in json.dumps(article_after.to_json(), ensure_ascii=False)
    assert memberships() == before  # written as 长文源's, from its URL: no new membership
    assert article_after.source == httpserver.url_for("/feed")
