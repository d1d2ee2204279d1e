"""Finding a page's feeds, telling a feed from a page, and rsshub: routes."""

from __future__ import annotations

import pytest
from conftest import SHARED, needs_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import FeedError
from store.feeds.discover import discover_feeds, looks_like_feed, resolve_rsshub

PAGE = """<!doctype html><html><head>
<meta charset="gb2312">
<title>量子位</title>
<base href="https://www.example.cn/blog/">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="量子位 RSS" href="feed">
<link rel="Alternate Home" type="application/atom+xml; charset=utf-8" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="https://cdn.example.cn/feed.json">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="feed">
<link rel="alternate" hreflang="en" href="/en/">
</head><body><link rel="alternate" type="application/json" href="../api.json"></body></html>
"""


def test_feed_links_in_document_order_made_absolute_against_base() -> None:
    links = discover_feeds(PAGE.encode("gb2312"), "https://www.example.cn/news/1.html")
    assert [(link.url, link.type) for link in links] == [
        ("https://www.example.cn/blog/feed", "application/rss+xml"),
        ("https://www.example.cn/atom.xml", "application/atom+xml"),
        ("https://cdn.example.cn/feed.json", "application/feed+json"),
        ("https://www.example.cn/api.json", "application/json"),
    ]
    assert links[0].title == "量子位 RSS"  # the page's <meta charset> read as GB18030


def test_without_base_the_page_url_resolves_links() -> None:
    html = b'<link rel="alternate" type="application/rss+xml" href="../rss.xml">'
    links = discover_feeds(html, "http://127.0.0.1:8000/a/b/page")
    assert [link.url for link in links] == ["http://127.0.0.1:8000/a/rss.xml"]


def test_a_page_without_feeds_and_garbage_find_nothing() -> None:
    assert discover_feeds(b"<html><head><title>x</title></head></html>", "http://x.test/") == []
    assert discover_feeds(b"\x00\xff<<<link rel=alternate", "http://x.test/") == []


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "text/html", True),
        (b'\xef\xbb\xbf<?xml version="1.0"?><!-- c --><feed xmlns="x"/>', "", True),
        (b'<rdf:RDF xmlns:rdf="x"><channel/></rdf:RDF>', "application/xml", True),
        (b'\n\n<?xml version="1.0"?><rss/>', "", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "", True),
        (b'{"rss": {"version": "2.0"}}', "application/json", False),
        (b"<!DOCTYPE html><html><head></head></html>", "application/rss+xml", False),
        (b"<html><body>hi</body></html>", "text/html", False),
        (b"", "application/rss+xml", False),
        (b"\x1f\x8b\x08\x00binary", "application/octet-stream", False),
        ('<?xml version="1.0" encoding="utf-16"?><rss/>'.encode("utf-16"), "", True),
    ],
)
def test_looks_like_feed(data: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_feed(data, content_type) is expected


WEB = SHARED / "fixtures" / "web" / "xml"
# Not feeds as served: a home page, RSS-in-JSON (not JSON Feed) and gzip bytes.
NOT_FEEDS = {
    "netnewswire__DaringFireball_homepage.html",
    "netnewswire__ScriptingNews_rss-in-json.json",
    "node-feedparser__compressed_gzip.xml",
}


@needs_shared
def test_the_kit_feeds_look_like_feeds_and_the_home_page_names_its_feed() -> None:
    files = [p for p in sorted(WEB.iterdir()) if p.suffix != ".opml"]
    assert len(files) == 33
    for path in files:
        assert looks_like_feed(path.read_bytes(), "") is (path.name not in NOT_FEEDS), path.name
    page = (WEB / "netnewswire__DaringFireball_homepage.html").read_bytes()
    links = discover_feeds(page, "https://daringfireball.net/")
    assert [link.url for link in links] == ["https://daringfireball.net/feeds/main"]


def test_rsshub_routes_resolve_against_the_instance() -> None:
    assert (
        resolve_rsshub("rsshub:/36kr/newsflashes", "https://rsshub.example.org/")
        == "https://rsshub.example.org/36kr/newsflashes"
    )
    assert (
        resolve_rsshub("rsshub://huxiu/channel/105", "http://127.0.0.1:1200/sub")
        == "http://127.0.0.1:1200/sub/huxiu/channel/105"
    )
    assert resolve_rsshub("https://sspai.com/feed", None) == "https://sspai.com/feed"


@pytest.mark.parametrize(
    ("url", "instance", "reason"),
    [
        (
            "rsshub:/anthropic/news",
            None,
            "no RSSHub instance is set: set one with: neican config set rsshub URL",
        ),
        ("rsshub:/anthropic/news", "  ", "set one with: neican config set rsshub URL"),
        ("rsshub:/anthropic/news", "ftp://x", "is not an http(s) URL"),
        ("rsshub:/", "https://rsshub.example.org", "not an RSSHub route"),
    ],
)
def test_rsshub_without_a_usable_instance_says_how_to_set_one(
    url: str, instance: str | None, reason: str
) -> None:
    with pytest.raises(FeedError) as caught:
        resolve_rsshub(url, instance)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{url}: ")
    assert "\n" not in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.text(max_size=40))
def test_any_bytes_are_a_page_or_not_a_feed_never_a_crash(data: bytes, content_type: str) -> None:
    page = PAGE.encode("gb2312")[:200] + data
    for link in discover_feeds(page, "http://127.0.0.1/x/"):
        assert link.url.startswith(("http://", "https://"))
    assert looks_like_feed(data, content_type) in (True, False)
