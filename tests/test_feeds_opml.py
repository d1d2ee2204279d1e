"""OPML subscription lists: real files from other readers, round trips, the starter list."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import pytest
from conftest import SHARED, needs_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import ParseError
from store.feeds.opml import Opml, Subscription, export_opml, parse_opml, starter

WEB = SHARED / "fixtures" / "web" / "xml"

NEWSBOAT = """<?xml version="1.0"?>
<opml version="1.0">
  <head>
    <title>newsboat - Exported Feeds</title>
  </head>
  <body>
    <outline type="rss" xmlUrl="https://www.qbitai.com/feed" htmlUrl="https://www.qbitai.com" title="量子位"/>
    <outline type="rss" xmlUrl="https://hnrss.org/frontpage" htmlUrl="https://news.ycombinator.com/" title="Hacker News: Front Page" category="news"/>
    <outline type="rss" xmlUrl="https://sspai.com/feed" htmlUrl="" title="少数派 -- 高效工作，品质生活"/>
  </body>
</opml>
"""

MINIFLUX = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Miniflux</title>
    <dateCreated>Mon, 01 Dec 2025 08:00:00 UTC</dateCreated>
  </head>
  <body>
    <outline text="AI 媒体">
      <outline title="机器之心" text="机器之心" xmlUrl="https://rsshub.example.org/jiqizhixin/index" htmlUrl="https://www.jiqizhixin.com/" description=""></outline>
      <outline title="InfoQ &amp; 架构" text="InfoQ &amp; 架构" xmlUrl="https://www.infoq.cn/feed" htmlUrl="https://www.infoq.cn/" description=""></outline>
    </outline>
    <outline text="Labs">
      <outline title="OpenAI News" text="OpenAI News" xmlUrl="https://openai.com/news/rss.xml" htmlUrl="https://openai.com/news/" description=""></outline>
    </outline>
  </body>
</opml>
"""


def test_a_newsboat_export_imports() -> None:
    opml = parse_opml(NEWSBOAT, "newsboat.opml")
    assert [s.title for s in opml.subscriptions] == [
        "量子位",
        "Hacker News: Front Page",
        "少数派 -- 高效工作,品质生活",  # cleaned as every title is (NFKC)
    ]
    assert opml.subscriptions[1].folder == "news"  # a category, for a flat file
    assert opml.subscriptions[2].html_url == ""


def test_a_miniflux_export_imports_with_its_folders() -> None:
    opml = parse_opml(MINIFLUX, "miniflux.opml")
    assert opml.title == "Miniflux"
    assert opml.folders == ("AI 媒体", "Labs")
    assert opml.subscriptions[1] == Subscription(
        "https://www.infoq.cn/feed", "InfoQ & 架构", "https://www.infoq.cn/", "AI 媒体"
    )


@pytest.mark.parametrize("text", [NEWSBOAT, MINIFLUX], ids=["newsboat", "miniflux"])
def test_import_export_import_gives_the_same_subscriptions(text: str) -> None:
    first = parse_opml(text)
    again = parse_opml(export_opml(first.subscriptions))
    assert again.subscriptions == first.subscriptions
    assert again.folders == first.folders


def test_nested_folders_round_trip_through_parent_outlines() -> None:
    subs = [
        Subscription("https://a.example/feed", "A", folder="科技/技术媒体"),
        Subscription("https://b.example/feed", 'B <&> "b"', "https://b.example/"),
        Subscription("https://c.example/feed", "C", folder="科技"),
        Subscription("rsshub:/36kr/newsflashes", "36氪 快讯", folder="科技/技术媒体"),
    ]
    text = export_opml(subs, title="mine", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    root = ET.fromstring(text)
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "mine"
    assert parsedate_to_datetime(root.findtext("head/dateCreated") or "").year == 2026
    tech = root.find("body/outline[@text='科技']")
    assert tech is not None and tech.find("outline[@text='技术媒体']") is not None
    feed = root.find(".//outline[@xmlUrl='https://a.example/feed']")
    assert feed is not None and feed.get("type") == "rss" and feed.get("title") == "A"
    back = parse_opml(text)
    assert sorted(back.subscriptions, key=lambda s: s.url) == sorted(subs, key=lambda s: s.url)
    assert set(back.folders) == {"科技/技术媒体", "科技"}


def test_control_characters_in_titles_never_break_the_export() -> None:
    subs = [Subscription("https://a.example/feed", "bad\x00\x1b[31mtitle\x07")]
    back = parse_opml(export_opml(subs))
    assert back.subscriptions[0].url == "https://a.example/feed"
    assert "\x1b" not in back.subscriptions[0].title


def test_notes_templates_and_odd_urls_are_not_subscriptions() -> None:
    text = """<opml version="2.0"><body>
      <outline text="只是一条说明"/>
      <outline text="模板" xmlUrl="https://rsshub.app/qidian/author/{作者ID}"/>
      <outline text="js" xmlUrl="javascript:alert(1)"/>
      <outline text="old" xmlUrl="feed://example.org/rss"/>
      <outline text="empty folder"><outline text="note"/></outline>
    </body></opml>"""
    opml = parse_opml(text)
    assert [s.url for s in opml.subscriptions] == ["http://example.org/rss"]
    assert opml.skipped == 2
    assert opml.folders == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("<opml><body><outline", "not well-formed XML (unclosed token)"),
        ("<html><body/></html>", "not OPML: the <opml> root element is missing"),
        ("<opml version='2.0'><head/></opml>", "not OPML: the <body> element is missing"),
        (
            '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>',
            "refused: the file declares XML entities or a DTD",
        ),
    ],
    ids=["empty", "broken", "html", "no-body", "entities"],
)
def test_a_broken_file_is_one_line_error(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_opml(text, "subs.opml")
    assert caught.value.reason == reason
    assert str(caught.value).startswith("subs.opml")
    assert "\n" not in str(caught.value)


def test_a_blank_line_before_the_declaration_is_tolerated() -> None:
    opml = parse_opml("\n\n" + MINIFLUX)
    assert len(opml.subscriptions) == 3


@needs_shared
def test_the_chinese_opml_with_two_level_folders_and_notes() -> None:
    opml = parse_opml((WEB / "andybowu__chinese-rss-feeds_zh.opml").read_bytes())
    assert len(opml.subscriptions) == 25  # the 4 RSSHub template notes are not feeds
    assert opml.title == "中文RSS订阅源精选"
    assert set(opml.folders) == {
        "AI 人工智能",
        "旅游",
        "科技/个人技术博客",
        "科技/开发者社区",
        "科技/技术团队博客",
        "科技/技术媒体",
        "网络小说/起点中文网",
    }
    sspai = next(s for s in opml.subscriptions if s.url == "https://sspai.com/feed")
    assert (sspai.title, sspai.folder) == ("少数派", "科技/技术媒体")
    assert not any("{" in s.url for s in opml.subscriptions)
    again = parse_opml(export_opml(opml.subscriptions))
    assert again.subscriptions == opml.subscriptions


@needs_shared
def test_the_netnewswire_export() -> None:
    opml = parse_opml((WEB / "netnewswire__Subs_nested.opml").read_bytes())
    assert len(opml.subscriptions) == 207
    assert set(opml.folders) == {"Macintosh", "Programming", "Weblogs", "Writers"}
    assert any(s.title == "chat & code" for s in opml.subscriptions)
    again = parse_opml(export_opml(opml.subscriptions))
    assert again.subscriptions == opml.subscriptions and again.folders == opml.folders


@needs_shared
def test_a_file_without_the_opml_root_is_refused() -> None:
    path = WEB / "newsboat__opml-element-missing_illformed.opml"
    with pytest.raises(ParseError, match="the <opml> root element is missing"):
        parse_opml(path.read_bytes(), path.name)


STARTER_URLS = {
    "https://www.qbitai.com/feed",
    "https://www.infoq.cn/feed",
    "https://www.36kr.com/feed",
    "https://sspai.com/feed",
    "https://www.ithome.com/rss/",
    "https://www.leiphone.com/feed",
    "https://www.geekpark.net/rss",
    "https://openai.com/news/rss.xml",
    "https://deepmind.google/blog/rss.xml",
    "https://huggingface.co/blog/feed.xml",
    "https://rss.arxiv.org/rss/cs.CL",
    "https://rss.arxiv.org/rss/cs.AI",
    "https://hnrss.org/frontpage",
    "rsshub:/jiqizhixin/index",
    "rsshub:/huxiu/channel/105",
    "rsshub:/leiphone/category/ai",
    "rsshub:/anthropic/news",
    "rsshub:/huggingface/daily-papers",
    "rsshub:/36kr/newsflashes",
}


def test_the_starter_list_holds_the_issues_sources_in_folders() -> None:
    opml: Opml = starter()
    assert {s.url for s in opml.subscriptions} == STARTER_URLS
    assert len(opml.subscriptions) == len(STARTER_URLS)
    assert opml.folders == ("中文媒体", "实验室与公司", "论文与社区")
    assert all(s.title and s.folder for s in opml.subscriptions)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), st.binary(max_size=6))))
def test_a_damaged_opml_file_is_read_or_refused_never_a_crash(
    edits: list[tuple[int, int, bytes]],
) -> None:
    data = MINIFLUX.encode()
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    try:
        opml = parse_opml(data, "fuzz.opml")
    except ParseError as e:
        assert "\n" not in str(e)
    else:
        assert export_opml(opml.subscriptions).startswith("<?xml")
