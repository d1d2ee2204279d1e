"""A linked page's main text (trafilatura), decoded as browsers would, as article sections."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from ..errors import ParseError
from ..model import Bullet, Section
from ..sanitize import MAX_BYTES, clean_field
from .html import decode_markup, element_to_sections, strip_escapes

# trafilatura's output XML to the HTML the section builder reads.
_TEI_TO_HTML = {
    "head": "h2",
    "list": "ul",
    "item": "li",
    "quote": "blockquote",
    "row": "tr",
    "cell": "td",
    "lb": "br",
    "hi": "b",
    "ref": "a",
    "graphic": "img",
    "code": "pre",
    "del": "s",
}
# Site names after the article title in <title>: "标题_网易财经", "标题 - 新华网", "标题|…".
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜—–]|\s-\s|--)\s*")
_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    # Images off: with them on, trafilatura also keeps the picture grids of related
    # stories under the article (新浪, 人民网); feed entries keep their images.
    "include_images": False,
    "favor_precision": True,
}
# Chinese news pages end the article with these, then links, comments and ads that
# trafilatura sometimes keeps: the text is cut at the first one in its second half.
_TAIL_MARKERS = re.compile(
    r"^(?:推荐阅读|相关阅读|延伸阅读|相关推荐|相关新闻|相关文章|相关链接|热门推荐|热点推荐|"
    r"猜你喜欢|跟贴热词|热门评论|网友评论|更多精彩|更多阅读|往期回顾|分享到)"
)
# QR-code notices ("微信扫一扫 关注该公众号"), wherever they are.
_QR_NOTICE = re.compile(r"扫一扫|二维码|扫码")
# A line at the very end no longer than this and without closing punctuation is a
# leftover link or channel name ("证券要闻", "会赚钱的客户端:"), not the article.
_STUB = 20
_CLOSING = tuple("。！？!?.”」）)…")
# Fewer characters than this is a stub, a paywall or a navigation page, not an article.
MIN_TEXT = 50


@dataclass(frozen=True)
class FullText:
    """A page's main text: its title (None when none was found) and the body's sections."""

    url: str
    title: str | None
    sections: tuple[Section, ...]
    encoding: str
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Headings and paragraphs, one per line (what search and entities read)."""
        lines: list[str] = []
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend(b.text for b in section.bullets)
        return "\n".join(lines)


def extract(data: bytes, headers: Mapping[str, str], url: str) -> FullText:
    """The main text of the page at `url` (its bytes and HTTP response headers).

    Decoding: valid UTF-8, else the HTTP charset, else <meta charset>/http-equiv, with
    GB2312/GBK read as GB18030 (pages labelled gb2312 use GBK-only characters).
    Raises ParseError(url, reason) when there is no article text to be had.
    """
    if len(data) > MAX_BYTES:
        raise ParseError(url, f"page too large ({len(data) // 2**20} MB; the limit is 64 MB)")
    decoded = decode_markup(data, headers, url)
    if "\x00" in decoded.text:
        raise ParseError(url, "binary data, not a web page")
    # imported here: trafilatura pulls in justext, htmldate and courlan (~0.3 s), which
    # only a full-text fetch needs
    import trafilatura

    try:
        document: Any = trafilatura.bare_extraction(
            strip_escapes(decoded.text), url=url, with_metadata=True, **_OPTIONS
        )
    except (ValueError, etree.LxmlError) as e:
        raise ParseError(url, f"cannot extract the text ({e})") from None
    if document is None or document.body is None:
        raise ParseError(url, "no article text found on the page")
    for element in document.body.iter():
        if isinstance(element.tag, str) and element.tag in _TEI_TO_HTML:
            if element.tag == "graphic" and not element.get("alt") and element.get("title"):
                element.set("alt", element.get("title", ""))
            if element.tag == "ref" and element.get("target"):
                element.set("href", element.get("target", ""))
            element.tag = _TEI_TO_HTML[element.tag]
    sections = _trimmed(element_to_sections(document.body, url))
    length = sum(len(b.text) for s in sections for b in s.bullets)
    if length < MIN_TEXT:
        raise ParseError(url, f"no article text found on the page (only {length} characters)")
    title = _title(decoded.text, document.title)
    return FullText(url, title, sections, decoded.encoding, decoded.warnings)


def _title(page: str, extracted: str | None) -> str | None:
    """The article's title: the heading that <title> names first, else og:title, <title>."""
    try:
        tree = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return clean_field(extracted) if extracted else None
    head_title = clean_field(" ".join(tree.xpath("//title//text()"))[:500])
    # <title> is "article title - site name" (or "(3 条消息) title - 知乎"); the page's
    # headings include the site's own name and the article's: the one <title> names
    # first is the article's.
    named = []
    for heading in tree.xpath("//h1|//h2|//h3")[:40]:
        text = clean_field(heading.text_content())
        if len(text) >= 4 and text in head_title:
            named.append((head_title.index(text), -len(text), text))
    if named:
        return min(named)[2]
    meta = tree.xpath("//meta[@property='og:title' or @name='og:title']/@content")
    if meta and clean_field(str(meta[0])):
        return clean_field(str(meta[0]))
    if head_title:
        parts = _TITLE_SUFFIX.split(head_title)
        return max(parts, key=len) if len(parts) > 1 else head_title
    return clean_field(extracted) if extracted else None


def _trimmed(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """The sections without the boilerplate that follows a Chinese news article."""
    # flattened: (True, heading) opens a section, (False, text) is one of its bullets
    lines = [
        line
        for s in sections
        for line in [(True, s.heading), *((False, b.text) for b in s.bullets)]
    ]
    total, seen = sum(len(text) for _, text in lines), 0
    for position, (_, text) in enumerate(lines):
        if seen >= total / 2 and _TAIL_MARKERS.match(text):
            del lines[position:]
            break
        seen += len(text)
    lines = [(h, t) for h, t in lines if h or not (_QR_NOTICE.search(t) and len(t) <= 60)]
    while lines and (
        lines[-1][0] or (len(lines[-1][1]) <= _STUB and not lines[-1][1].endswith(_CLOSING))
    ):
        lines.pop()
    groups: list[tuple[str, list[Bullet]]] = []
    for is_heading, text in lines:
        if is_heading:
            groups.append((text, []))
        else:
            groups[-1][1].append(Bullet(text))
    return tuple(
        Section(heading, tuple(bullets)) for heading, bullets in groups if heading or bullets
    )
