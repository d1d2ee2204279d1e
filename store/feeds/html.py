"""Feed and page markup to the article model: decoding, HTML to sections, safe URLs."""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..errors import ParseError
from ..model import Bullet, Section
from ..sanitize import _ESCAPES, Decoded, clean_field

# How an image shows in the text: a label the reader can search for, then its URL.
IMAGE_LABEL = "[图片]"

# A paragraph of bold text no longer than this is a heading (the WeChat/公众号 habit of
# "<p><strong>一、背景</strong></p>"); a longer one is an emphasised paragraph.
_BOLD_HEADING_MAX = 50

# Dropped with everything inside them: active content, form controls, embedded media
# and documents whose text is a fallback, never the article.
_DROP = frozenset(
    "script style iframe frame frameset object embed applet param form button input select "
    "option textarea noscript template svg math canvas audio video source track map area "
    "head title meta link base dialog".split()
)
# Elements that end the running paragraph; each <li>, <tr> or <p> is its own bullet.
_BLOCKS = frozenset(
    "p div section article main header footer aside nav li dd dt blockquote figure "
    "figcaption table thead tbody tfoot tr caption ul ol dl address center details summary "
    "hr body html".split()
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_BOLD = frozenset(("strong", "b"))
_CELLS = frozenset(("td", "th"))
# Where lazy-loading pages (WeChat, most Chinese CMSs) keep the real image URL.
_LAZY_SRC = ("data-src", "data-original", "data-actualsrc", "data-lazy-src")

# Source line breaks between two CJK characters are layout, not a space (a browser
# shows one, but "人工\n智能" must still read and search as 人工智能).
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])[ \t\r]*\n\\s*(?=[{_CJK}])")
_TAG = re.compile(r"<[A-Za-z!/?]")
# libxml2 refuses a str that still carries an encoding declaration, and NUL bytes.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_NUL = re.compile("\x00")
_URL_NOISE = re.compile(r"[\x00-\x1f\x7f]+")

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_META = re.compile(rb"<meta\b[^>]*>", re.I)
# GB2312 and GBK are subsets of GB18030: pages labelled with them often use characters
# beyond (昇, 屌), which only the superset decodes. HKSCS likewise extends Big5.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}
# Labels seen on Chinese sites that Python's codec registry does not know.
_ALIASES = {"x-gbk": "gbk", "x-euc-cn": "gb2312", "gb_2312-80": "gb2312", "x-x-big5": "big5"}
_HTML_PARSER = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
_SINGLE_BYTE = frozenset(("iso8859-1", "cp1252", "ascii", "latin-1"))
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def content_charset(headers: Mapping[str, str]) -> str | None:
    """The charset parameter of a Content-Type header (any case of the header's name)."""
    for key, value in headers.items():
        if key.lower() == "content-type":
            match = _CHARSET.search(value.encode("latin-1", "replace"))
            return match.group(1).decode("ascii") if match else None
    return None


def declared_charset(data: bytes) -> str | None:
    """The encoding the document names itself: XML declaration, <meta charset>, http-equiv."""
    head = data[:4096]
    match = _XML_ENCODING.match(head)
    if match:
        return match.group(1).decode("ascii")
    for meta in _META.finditer(head):
        match = _CHARSET.search(meta.group(0))
        if match:
            return match.group(1).decode("ascii")
    return None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, through the supersets; None when unknown."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def decode_markup(data: bytes, headers: Mapping[str, str], name: str) -> Decoded:
    """Decode a feed or page: BOM, valid UTF-8, the HTTP charset, the declared one, a guess.

    Valid UTF-8 wins over any label: servers and prologs often claim gb2312 or
    windows-1252 for UTF-8 bytes, while real GB/Big5/Latin-1 text is never valid UTF-8
    by accident. A label is trusted only when its strict decoding succeeds.
    """
    if not data.strip():
        raise ParseError(name, "empty document")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding).lstrip("\ufeff"), encoding)
            except UnicodeDecodeError:
                data = data[len(bom) :]
                break
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    served, declared = _codec(content_charset(headers)), _codec(declared_charset(data))
    # ISO-8859-1 is many servers' default, not a statement about the bytes, and it
    # decodes anything: from the header it is trusted only when nothing better fits.
    weak = served in _SINGLE_BYTE
    for label in dict.fromkeys((None if weak else served, declared)):
        if label and label != "utf-8":
            try:
                return Decoded(data.decode(label), label)
            except UnicodeDecodeError:
                continue
    guess = _guess(data)
    if guess:
        return Decoded(
            data.decode(guess, "replace"), guess, (f"{name}: encoding guessed ({guess})",)
        )
    if weak and served:
        return Decoded(data.decode(served, "replace"), served)
    fallback = declared or served or "gb18030"
    warning = f"{name}: not valid {fallback}; undecodable bytes replaced"
    return Decoded(data.decode(fallback, "replace"), fallback, (warning,))


def _guess(data: bytes) -> str | None:
    """The likeliest encoding of undeclared (or wrongly declared) non-UTF-8 bytes."""
    # charset-normalizer (already installed by trafilatura and requests) only runs on
    # the rare document with no usable label; limited to what Chinese feeds use.
    from charset_normalizer import from_bytes

    best = from_bytes(
        data[:65536],
        cp_isolation=["gb18030", "big5", "big5hkscs", "cp1252", "latin_1", "cp1251", "shift_jis"],
    ).best()
    return _codec(best.encoding) if best is not None else None


def safe_url(href: str | None, base: str | None) -> str | None:
    """An absolute http(s) URL, or None: javascript:, data:, file: and the like are dropped."""
    if not href:
        return None
    if href.startswith(("https://", "http://")) and href.isprintable() and " " not in href:
        return href  # already absolute: most links, and urljoin is the costly part
    # Browsers ignore tabs and newlines inside URLs ("java\nscript:"); so must the check.
    href = _URL_NOISE.sub("", href.strip())
    if not href:
        return None
    if base and href[0] == "/":
        origin = _origin(base)
        if origin:  # root-relative ("/a/1.html") or scheme-relative ("//cdn/x.png")
            return f"{origin[0]}:{href}" if href[:2] == "//" else origin[1] + href
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # an invalid IPv6 host and the like
        return None
    return url if scheme in ("http", "https") else None


@functools.lru_cache(maxsize=256)
def _origin(base: str) -> tuple[str, str] | None:
    """An http(s) base's scheme and "scheme://host" (one feed's entries share a few)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return None
    return scheme, f"{scheme}://{parts.netloc}"


def strip_escapes(markup: str) -> str:
    """Terminal escape sequences removed whole, before libxml2 drops only their ESC byte
    and leaves "[31m" behind as text (sanitize's pattern, the one digests are cleaned by)."""
    return _ESCAPES.sub("", markup) if "\x1b" in markup else markup


def _parse(markup: str) -> etree._Element | None:
    """The markup as an element tree under one <div>, or None when there is nothing."""
    markup = strip_escapes(markup)
    if "\x00" in markup:
        markup = _NUL.sub("", markup)
    if markup.lstrip().startswith("<?xml"):
        markup = _XML_DECLARATION.sub("", markup, count=1)
    if not markup.strip():
        return None
    try:
        # plain etree elements: lxml.html's element classes cost a Python call per node
        document = etree.fromstring(f"<div>{markup}</div>", _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if document is None:
        return None
    body = document.find("body")
    return body if body is not None else document


@dataclass
class _Builder:
    """Collects text into bullets and bullets into sections while the tree is walked."""

    base: str | None
    sections: list[Section] = field(default_factory=list)
    heading: str = ""
    bullets: list[Bullet] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def flush(self) -> None:
        if not self.text:
            return
        line = _line("".join(self.text))
        self.text.clear()
        if line:
            self.bullets.append(Bullet(line))

    def start_section(self, heading: str) -> None:
        self.flush()
        if self.bullets or self.heading:
            # a heading with nothing under it is kept: its words stay searchable
            self.sections.append(Section(self.heading, tuple(self.bullets)))
        self.heading, self.bullets = heading, []

    def image(self, element: etree._Element) -> None:
        src = element.get("src")
        if not src or src.startswith("data:"):
            src = next((element.get(a) for a in _LAZY_SRC if element.get(a)), src)
        url = safe_url(src, self.base)
        alt = _line(element.get("alt") or "")
        if url or alt:
            self.flush()
            self.bullets.append(Bullet(" ".join(p for p in (IMAGE_LABEL, alt, url) if p)))

    def done(self) -> tuple[Section, ...]:
        self.start_section("")
        return tuple(self.sections)


def _line(text: str) -> str:
    """Text of one bullet: CJK line breaks joined, then cleaned as digest text is."""
    if "\n" in text:
        text = _CJK_BREAK.sub("", text)
    return clean_field(text)


def _is_bold_heading(element: etree._Element) -> bool:
    """<p><strong>short text</strong></p>: a heading written as a bold paragraph."""
    if len(element) != 1 or (element.text or "").strip():
        return False
    child = element[0]
    if child.tag not in _BOLD or (child.tail or "").strip():
        return False
    return 0 < len("".join(child.itertext()).strip()) <= _BOLD_HEADING_MAX


def html_to_sections(markup: str, base: str | None = None) -> tuple[Section, ...]:
    """Entry or page HTML as sections of bullets; plain text (no tags) by its lines."""
    return convert_html(markup, base)[0]


def convert_html(
    markup: str, base: str | None = None
) -> tuple[tuple[Section, ...], tuple[str, ...]]:
    """Sections of the HTML, and the absolute http(s) URLs its links point to."""
    if not _TAG.search(markup):
        return text_to_sections(unescape(markup)), ()
    root = _parse(markup)
    if root is None:
        return (), ()
    return _walk(root, base)


def element_to_sections(root: etree._Element, base: str | None = None) -> tuple[Section, ...]:
    """An already parsed tree (a page's extracted main text) as sections of bullets."""
    return _walk(root, base)[0]


def _walk(root: etree._Element, base: str | None) -> tuple[tuple[Section, ...], tuple[str, ...]]:
    out = _Builder(base)
    heading_depth = 0  # inside <hN> (or a bold paragraph): text goes to the heading
    heading_start = 0
    pre_depth = 0
    cells = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            if event == "end" and element.tail:
                out.text.append(element.tail)
            continue
        if event == "start":
            if tag in _DROP:
                walker.skip_subtree()
                continue
            if tag in _HEADINGS or (tag == "p" and _is_bold_heading(element)):
                out.flush()
                heading_depth += 1
                heading_start = len(out.text)
            elif tag in _BLOCKS:
                if not heading_depth:
                    out.flush()
                if tag == "tr":
                    cells = 0
            elif tag == "br":
                if pre_depth:
                    out.text.append("\n")
                elif heading_depth:
                    out.text.append(" ")
                else:
                    out.flush()
            elif tag == "pre":
                out.flush()
                pre_depth += 1
            elif tag == "img":
                if not heading_depth:
                    out.image(element)
            elif tag in _CELLS:
                if cells:
                    out.text.append(" | ")
                cells += 1
            elif tag == "a":
                url = safe_url(element.get("href"), base)
                if url:
                    out.links.append(url)
            if element.text:
                out.text.append(element.text)
        else:
            if tag in _DROP:
                pass
            elif heading_depth and (tag in _HEADINGS or tag == "p"):
                heading_depth -= 1
                if not heading_depth:
                    heading = _line("".join(out.text[heading_start:]))
                    del out.text[heading_start:]
                    out.flush()
                    if heading:
                        out.start_section(heading)
            elif tag == "pre":
                pre_depth -= 1
                if not pre_depth:
                    block = "".join(out.text)
                    out.text.clear()
                    for raw in block.split("\n"):
                        out.text.append(raw)
                        out.flush()
            elif tag in _BLOCKS and not heading_depth:
                out.flush()
            if element.tail:
                out.text.append(element.tail)
    return out.done(), tuple(dict.fromkeys(out.links))


def text_to_sections(text: str) -> tuple[Section, ...]:
    """Plain text (JSON content_text, text/plain summaries): one bullet per line."""
    bullets = tuple(Bullet(line) for line in map(_line, text.split("\n")) if line)
    return (Section("", bullets),) if bullets else ()


def html_to_text(markup: str) -> str:
    """A title or name given as HTML, as one line of plain text (tags dropped)."""
    if "<" not in markup:
        return clean_field(unescape(markup))
    root = _parse(markup)
    if root is None:
        return ""
    etree.strip_elements(root, *_DROP, with_tail=False)
    return clean_field("".join(root.itertext()))
