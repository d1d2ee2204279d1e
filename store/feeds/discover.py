"""Finding feeds: `<link rel="alternate">` in a page, feed sniffing, rsshub: routes to URLs."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from ..errors import FeedError
from ..sanitize import clean_field

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)
# Content types a feed server may send; text/xml and application/xml are too vague to
# decide alone (the body is sniffed), text/html never is a feed.
_FEED_CONTENT_TYPES = FEED_TYPES | {"application/x-rss+xml", "application/x-atom+xml"}
_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class FeedLink:
    """A feed a page announces: its absolute URL, MIME type and title (maybe empty)."""

    url: str
    type: str
    title: str = ""


def discover_feeds(html: bytes, page_url: str, content_type: str = "") -> list[FeedLink]:
    """The feeds a page links to with `<link rel="alternate" type=feed type>`.

    URLs are made absolute against `<base href>` (itself against the page URL) or the
    page URL, in document order, without duplicates; only http(s) URLs are kept.
    """
    finder = _LinkFinder()
    try:
        finder.feed(_decode_html(html, content_type))
        finder.close()
    except AssertionError:  # html.parser gives up on some garbage; keep what it found
        pass
    base = page_url
    if finder.base:
        base = urljoin(page_url, finder.base)
    found: dict[str, FeedLink] = {}
    for href, kind, title in finder.links:
        try:
            url = urljoin(base, href)
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            continue
        if scheme in ("http", "https") and url not in found:
            found[url] = FeedLink(url, kind, clean_field(title))
    return list(found.values())


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.base = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "base" and not self.base and values.get("href"):
            self.base = values["href"]
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").lower().split(";")[0].strip()
            if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
                self.links.append((values["href"], kind, values.get("title", "")))

    handle_startendtag = handle_starttag


def _decode_html(data: bytes, content_type: str) -> str:
    """HTML bytes as text: the HTTP charset, else `<meta charset>`, else UTF-8."""
    charset = _charset(content_type) or _meta_charset(data[:_SNIFF_BYTES])
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            codec = "utf-8"
        # GB2312 labels routinely cover GBK/GB18030 text; GB18030 reads all three.
        if codec in ("gb2312", "gbk", "euc_cn", "hz"):
            codec = "gb18030"
        return data.decode(codec, "replace")
    return data.decode("utf-8", "replace")


def _charset(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else ""


def _meta_charset(head: bytes) -> str:
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", head, re.IGNORECASE)
    return match.group(1).decode("ascii") if match else ""


_XML_ROOT = re.compile(
    rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z][\w.:-]*)", re.DOTALL
)


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    """Whether an answer is a feed (RSS, RDF, Atom, JSON Feed), not a web page.

    The body decides when it can: an `<rss>`, `<feed>` or `<rdf:RDF>` root, or a JSON
    object that names jsonfeed.org or has `items`; an HTML page is never a feed,
    whatever its Content-Type says. A feed-only Content-Type decides the rest.
    """
    kind = content_type.lower().split(";")[0].strip()
    head = data[:_SNIFF_BYTES]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            # re-encode as ASCII-compatible bytes, only to look at the markup
            head = head[2 : len(head) - len(head) % 2].decode(codec, "replace").encode()
            break
    head = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"{"):
        return b"jsonfeed.org" in head or b'"items"' in head
    if head.startswith(b"<"):
        root = _XML_ROOT.match(head)
        if root:
            name = root.group(1).decode("ascii").lower()
            if name in ("rss", "feed", "rdf:rdf", "rdf", "channel"):
                return True
            if name == "html" or name.endswith(":html"):
                return False
        if head[:15].lower().startswith(b"<!doctype html"):
            return False
    return kind in _FEED_CONTENT_TYPES and bool(head)


def resolve_rsshub(url: str, instance: str | None) -> str:
    """`rsshub:/route` (or `rsshub://route`) as a URL on the user's RSSHub instance.

    Any other URL comes back unchanged. Without an instance (or with one that is not an
    http(s) URL) FeedError says how to set one.
    """
    if not url.lower().startswith("rsshub:"):
        return url
    route = url[len("rsshub:") :].strip().lstrip("/")
    if not route or any(char.isspace() for char in route):
        raise FeedError(url, "not an RSSHub route (rsshub:/site/route)")
    base = (instance or "").strip()
    if not base:
        raise FeedError(
            url, "no RSSHub instance is set: set one with: neican config set rsshub URL"
        )
    if not re.match(r"^https?://[^\s/]+", base, re.IGNORECASE):
        raise FeedError(
            url,
            f"the RSSHub instance {base!r} is not an http(s) URL: "
            "set one with: neican config set rsshub URL",
        )
    return base.rstrip("/") + "/" + route
