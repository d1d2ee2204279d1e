"""Feed bytes to entries: RSS, Atom (lxml, else feedparser) and JSON Feed; each an article.

Why ~600 lines: the three readers must give identical entries (a parity test holds
them to it), which is easiest to keep true with them side by side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
from lxml import etree

from ..errors import ParseError
from ..model import ParsedArticle, Section
from ..sanitize import MAX_BYTES, clean_field
from .html import convert_html, decode_markup, html_to_text, safe_url, text_to_sections

FeedKind = Literal["rss", "atom", "json"]

# Feed times are shown and sorted beside digest times, which are Beijing wall-clock
# times: every entry date is converted to UTC+8 (China has no daylight saving), and a
# date written without a zone ("2020/1/10 14:33:00", common in Chinese CMS feeds) is
# read as UTC+8 too. Callers can pass another zone.
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "UTC+08:00")

_GZIP_MAGIC = b"\x1f\x8b"
_LOOKS_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]", re.I)
_UNZONED = re.compile(
    r"^\s*(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*$"
)
_DATES = ("published", "updated", "created")
_UNIX_TIME = re.compile(r"^\s*\d{9,10}\s*$")


@dataclass(frozen=True)
class FeedEntry:
    """One entry, its identity within the feed and the article it becomes.

    `published` is the entry's own date ("YYYY-MM-DDTHH:MM" in the zone given to
    parse_feed) or None when it has none or none readable; the article then carries
    `seen` instead, and the caller should keep the first-seen time across refreshes.
    `content_hash` changes when what a reader sees changes (title, link, date, body),
    never because of `seen`.
    """

    identity: str
    title: str
    link: str | None
    published: str | None
    author: str | None
    source: str | None
    article: ParsedArticle
    content_hash: str
    body_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedDocument:
    kind: FeedKind
    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]
    encoding: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Raw:
    """An entry as any of the three formats gives it, before it becomes an article."""

    identity: str | None
    title: str
    title_is_html: bool
    link: str | None
    date: str | None
    date_utc: time.struct_time | None
    author: str | None
    source: str | None
    body: str
    body_is_html: bool
    base: str | None


def normalize_link(url: str, *, keep_fragment: bool = False) -> str:
    """The form two links are compared in: scheme and host lower-cased, default port,
    #fragment and utm_* parameters dropped (so the same story from two feeds is one).

    keep_fragment: for an entry's identity within its feed, where posts of one archive
    page differ only by their #anchor (old Blogger/Movable Type feeds).
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        host = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{host}"
    query = parts.query
    if "utm_" in query.lower():
        kept = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if not k.lower().startswith("utm_")
        ]
        query = urlencode(kept)
    path = parts.path or ("/" if host else "")
    return urlunsplit((scheme, host, path, query, parts.fragment if keep_fragment else ""))


def parse_feed(
    data: bytes,
    headers: Mapping[str, str],
    url: str,
    *,
    outlet: str | None = None,
    seen: str | None = None,
    zone: dt.tzinfo = CHINA_TIME,
) -> FeedDocument:
    """Parse RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.x bytes fetched from `url`.

    `headers` are the HTTP response headers (their charset is used); `outlet` names
    the articles' outlet (the subscription's name; default: the entry's source, else
    the feed's title); `seen` is the date of undated entries (default: now).
    Raises ParseError(url, reason) when the bytes are not a feed.
    """
    if len(data) > MAX_BYTES:
        raise ParseError(url, f"too large ({len(data) // 2**20} MB; the limit is 64 MB)")
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, url)
    if seen is None:
        seen = dt.datetime.now(zone).strftime("%Y-%m-%dT%H:%M")
    decoded = decode_markup(data, headers, url)
    text = decoded.text.lstrip()
    # by the bytes, not the Content-Type: servers label feeds every which way
    if text.startswith(("{", "[")):
        kind: FeedKind
        kind, title, link, raws = _read_json(text, url)
        warnings: list[str] = list(decoded.warnings)
    else:
        kind, title, link, raws, warnings = _read_xml(text, data, url)
        warnings = [*decoded.warnings, *warnings]
    name = outlet or title or urlsplit(url).hostname or url
    entries: dict[str, FeedEntry] = {}
    duplicates = empty = 0
    for raw in raws:
        entry = _entry(raw, name, outlet is not None, seen, zone)
        if entry is None:
            empty += 1
        elif entry.identity in entries:
            duplicates += 1  # the first one wins: feeds list the newest version first
        else:
            entries[entry.identity] = entry
    if duplicates:
        warnings.append(f"{url}: {duplicates} entries repeat an earlier id; kept the first")
    if empty:
        warnings.append(f"{url}: {empty} empty entries skipped (no title, link or text)")
    return FeedDocument(
        kind, title, link, tuple(entries.values()), decoded.encoding, tuple(warnings)
    )


def _gunzip(data: bytes, url: str) -> bytes:
    """A gzip file saved or served without Content-Encoding: inflated, within the cap."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_BYTES + 1)
    except zlib.error as e:
        raise ParseError(url, f"gzip-compressed and corrupt ({e})") from None
    if len(out) > MAX_BYTES:
        raise ParseError(url, "gzip-compressed feed larger than 64 MB once inflated")
    if not out and not inflater.eof:
        raise ParseError(url, "gzip-compressed and corrupt (nothing inflates)")
    return out  # a truncated stream still yields what it holds


# ---- RSS and Atom ---------------------------------------------------------------


def _read_xml(
    text: str, data: bytes, url: str
) -> tuple[FeedKind, str, str | None, list[_Raw], list[str]]:
    fast = _read_direct(text, url)
    if fast is not None:
        return fast
    return _read_with_feedparser(text, data, url)


def _read_with_feedparser(
    text: str, data: bytes, url: str
) -> tuple[FeedKind, str, str | None, list[_Raw], list[str]]:
    # The bytes are decoded here (feedparser would read text/xml without a charset as
    # US-ASCII, and guess with chardet only if installed); feedparser gets UTF-8. It
    # applies xml:base; links left relative are resolved here against the feed URL
    # (giving feedparser the URL as Content-Location costs 20% more time for the same
    # result). Its own HTML sanitising and link rewriting are off: html.py drops what is
    # unsafe while turning the body into the article model, and they tripled the time.
    parsed = feedparser.parse(
        text.encode("utf-8"),
        response_headers={
            "content-type": "application/xml; charset=utf-8",
        },
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version: str = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise ParseError(url, _not_a_feed(data, text, parsed))
    warnings = []
    if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
        warnings.append(f"{url}: not well-formed ({_one_line(parsed.bozo_exception)}); read anyway")
    feed = parsed.feed
    title = _title(feed.get("title", ""), feed.get("title_detail"))
    link = safe_url(feed.get("link"), url)
    raws = [_raw_from_feedparser(entry, url) for entry in parsed.entries]
    return ("atom" if version.startswith("atom") else "rss"), title, link, raws, warnings


# A well-formed RSS 2.0 or Atom 1.0 document (what WordPress, Hexo and most Chinese
# sites serve) is read with lxml directly: feedparser's per-element Python handlers made
# it ~70% of a refresh's parse time, and a refresh imports ~10k entries. Anything else
# (RDF, Atom 0.3, ill-formed XML, a DOCTYPE, xml:base, xhtml content) goes to
# feedparser; both readers give the same entries on every fixture the direct one takes
# (tests/test_feeds_entries.py checks).
_DIRECT_PARSER = etree.XMLParser(
    encoding="utf-8", resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC = "{http://purl.org/dc/elements/1.1/}"
_ATOM = "{http://www.w3.org/2005/Atom}"
_AUTHOR_NAME = re.compile(r"\(([^()]+)\)\s*$")
_Read = tuple[FeedKind, str, str | None, list[_Raw], list[str]]


class _NotPlain(Exception):
    """The document needs feedparser after all (xhtml content and the like)."""


def _read_direct(text: str, url: str) -> _Read | None:
    head = text[:2048]
    if ("<rss" not in head and "<feed" not in head) or "<!DOCTYPE" in head or "xml:base" in text:
        return None
    try:
        root = etree.fromstring(text.encode("utf-8"), _DIRECT_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        if root.tag == "rss" and root.get("version") in ("2.0", "0.91", "0.92"):
            return _rss(root, url)
        if root.tag == f"{_ATOM}feed":
            return _atom(root, url)
    except _NotPlain:
        pass
    return None


def _rss(root: etree._Element, url: str) -> _Read:
    channel = root.find("channel")
    if channel is None:
        raise _NotPlain
    raws = []
    for item in channel.iterfind("item"):
        guid_element = item.find("guid")
        guid = (guid_element.text or "").strip() if guid_element is not None else ""
        link = (item.findtext("link") or "").strip()
        if not link and guid and (guid_element.get("isPermaLink") or "true") != "false":
            link = guid  # RSS 2.0: a permalink guid is the item's link
        link_url = safe_url(link, url)
        author = item.findtext(f"{_DC}creator") or item.findtext("author")
        if author and "@" in author:
            named = _AUTHOR_NAME.search(author)
            author = named.group(1) if named else author
        body = item.findtext(_CONTENT) or ""
        if not body.strip():
            body = item.findtext("description") or ""
        raws.append(
            _Raw(
                identity=guid or None,
                title=item.findtext("title") or "",
                title_is_html=True,
                link=link_url,
                date=item.findtext("pubDate") or item.findtext(f"{_DC}date"),
                date_utc=None,
                author=author,
                source=item.findtext("source"),
                body=body,
                body_is_html=True,
                base=link_url or url,
            )
        )
    title = html_to_text(channel.findtext("title") or "")
    return "rss", title, safe_url((channel.findtext("link") or "").strip(), url), raws, []


def _atom_text(element: etree._Element | None) -> tuple[str, bool]:
    """An Atom text construct: its string and whether it is HTML (xhtml: feedparser's)."""
    if element is None:
        return "", False
    kind = (element.get("type") or "text").lower()
    if "xhtml" in kind or element.get("src") is not None or len(element):
        raise _NotPlain
    return element.text or "", "html" in kind


def _atom_link(holder: etree._Element, url: str) -> str | None:
    for link in holder.iterfind(f"{_ATOM}link"):
        rel = link.get("rel") or "alternate"
        kind = link.get("type") or "text/html"
        if rel == "alternate" and "html" in kind:
            return safe_url((link.get("href") or "").strip(), url)
    return None


def _atom(root: etree._Element, url: str) -> _Read:
    raws = []
    for entry in root.iterfind(f"{_ATOM}entry"):
        link = _atom_link(entry, url)
        body, is_html = _atom_text(entry.find(f"{_ATOM}content"))
        if not body.strip():
            body, is_html = _atom_text(entry.find(f"{_ATOM}summary"))
        title, title_is_html = _atom_text(entry.find(f"{_ATOM}title"))
        source = entry.find(f"{_ATOM}source")
        raws.append(
            _Raw(
                identity=(entry.findtext(f"{_ATOM}id") or "").strip() or None,
                title=title,
                title_is_html=title_is_html,
                link=link,
                date=entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated"),
                date_utc=None,
                author=entry.findtext(f"{_ATOM}author/{_ATOM}name"),
                source=source.findtext(f"{_ATOM}title") if source is not None else None,
                body=body,
                body_is_html=is_html,
                base=link or url,
            )
        )
    title, title_is_html = _atom_text(root.find(f"{_ATOM}title"))
    title = html_to_text(title) if title_is_html else clean_field(title)
    return "atom", title, _atom_link(root, url), raws, []


def _not_a_feed(data: bytes, text: str, parsed: Any) -> str:
    head = data[:2048]
    if _LOOKS_HTML.search(head):
        return 'an HTML page, not a feed (its feed may be named in a <link rel="alternate">)'
    if not text.strip("\ufeff \t\r\n"):
        return "empty document"
    problem = parsed.get("bozo_exception")
    detail = f" ({_one_line(problem)})" if problem is not None else ""
    return f"not an RSS, Atom or JSON feed{detail}"


def _one_line(error: object) -> str:
    message = " ".join(str(error).split())
    return message[:160]


def _title(value: str, detail: Any) -> str:
    if detail is not None and "html" in (detail.get("type") or ""):
        return html_to_text(value)
    return clean_field(value)


def _raw_from_feedparser(entry: Any, url: str) -> _Raw:
    link = safe_url(entry.get("link"), url)
    body, is_html, base = "", False, link or url
    for content in [*entry.get("content", ()), entry.get("summary_detail")]:
        if content and (content.get("value") or "").strip():
            body = content["value"]
            is_html = "html" in (content.get("type") or "text/html")
            base = content.get("base") or base
            break
    detail = entry.get("title_detail")
    source = entry.get("source") or {}
    # dict.get: FeedParserDict.get("updated…") falls back to published with a warning
    date = next((dict.get(entry, k) for k in _DATES if dict.get(entry, k)), None)
    parsed = next(
        (dict.get(entry, f"{k}_parsed") for k in _DATES if dict.get(entry, f"{k}_parsed")), None
    )
    author = (entry.get("author_detail") or {}).get("name") or entry.get("author")
    return _Raw(
        identity=(entry.get("id") or "").strip() or None,
        title=entry.get("title", ""),
        title_is_html=detail is not None and "html" in (detail.get("type") or ""),
        link=link,
        date=date,
        date_utc=parsed,
        author=author,
        source=source.get("title"),
        body=body,
        body_is_html=is_html,
        base=base,
    )


# ---- JSON Feed (and RSS written as JSON) ------------------------------------------
# JSON Feed is a dozen plain fields read straight from json.loads: the PyPI readers
# (jsonfeed 0.0.1, pyjsonfeed 1.0.0) are unmaintained since 2017-2018 and add nothing.


def _read_json(text: str, url: str) -> tuple[FeedKind, str, str | None, list[_Raw]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno} column {e.colno}"
        truncated = e.pos >= len(text.rstrip()) - 1
        why = "truncated JSON" if truncated else f"invalid JSON: {e.msg}"
        raise ParseError(url, f"{why} ({where})") from None
    if not isinstance(document, dict):
        raise ParseError(url, "JSON, but not a JSON Feed (no top-level object)")
    version = document.get("version")
    if isinstance(version, str) and "jsonfeed.org/version/" in version:
        return "json", *_json_feed(document, url)
    channel = (
        document.get("rss", {}).get("channel") if isinstance(document.get("rss"), dict) else None
    )
    if isinstance(channel, dict):
        return "json", *_rss_in_json(channel, url)
    raise ParseError(url, "JSON, but not a JSON Feed (no jsonfeed.org version)")


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_feed(document: dict[str, Any], url: str) -> tuple[str, str | None, list[_Raw]]:
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError(url, "JSON Feed without an items list")
    feed_author = _json_author(document)
    raws = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = safe_url(_text(item.get("url")) or _text(item.get("external_url")), url)
        html = _text(item.get("content_html"))
        plain = _text(item.get("content_text")) or _text(item.get("summary"))
        date = _text(item.get("date_published")) or _text(item.get("date_modified")) or None
        raws.append(
            _Raw(
                identity=_text(item.get("id")).strip() or None,
                title=_text(item.get("title")),
                title_is_html=False,
                link=link,
                date=date,
                date_utc=None,
                author=_json_author(item) or feed_author,
                source=None,
                body=html or plain,
                body_is_html=bool(html),
                base=link or url,
            )
        )
    return _text(document.get("title")), safe_url(_text(document.get("home_page_url")), url), raws


def _json_author(holder: dict[str, Any]) -> str | None:
    authors = holder.get("authors")
    author = authors[0] if isinstance(authors, list) and authors else holder.get("author")
    return (_text(author.get("name")) or None) if isinstance(author, dict) else None


def _rss_in_json(channel: dict[str, Any], url: str) -> tuple[str, str | None, list[_Raw]]:
    """Dave Winer's RSS-in-JSON: an RSS 2.0 channel written as JSON objects."""
    items = channel.get("item", [])
    items = items if isinstance(items, list) else [items]
    raws = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = safe_url(_text(item.get("link")), url)
        raws.append(
            _Raw(
                identity=_text(item.get("guid")).strip() or None,
                title=_text(item.get("title")),
                title_is_html=True,
                link=link,
                date=_text(item.get("pubDate")) or None,
                date_utc=None,
                author=None,
                source=None,
                body=_text(item.get("description")),
                body_is_html=True,
                base=link or url,
            )
        )
    return _text(channel.get("title")), safe_url(_text(channel.get("link")), url), raws


# ---- entries to articles --------------------------------------------------------


def _entry(
    raw: _Raw, outlet: str, fixed_outlet: bool, seen: str, zone: dt.tzinfo
) -> FeedEntry | None:
    title = html_to_text(raw.title) if raw.title_is_html else clean_field(raw.title)
    link = safe_url(raw.link, raw.base)
    if raw.body_is_html:
        sections, body_links = convert_html(raw.body, link or raw.base)
    else:
        sections, body_links = text_to_sections(raw.body), ()
    if not title and not link and not sections:
        return None  # an empty <item/> (illegally nested ones, placeholders)
    published = _published(raw.date, raw.date_utc, zone)
    if not title:
        title = _first_words(sections) or link or "(untitled)"
    author = clean_field(raw.author) if raw.author else None
    source = clean_field(raw.source) if raw.source else None
    identity = raw.identity or (normalize_link(link, keep_fragment=True) if link else None)
    if not identity:
        identity = "sha1:" + hashlib.sha1(f"{title}\n{published}".encode()).hexdigest()
    article = ParsedArticle(
        kind="article",
        title=title,
        outlets=(outlet if fixed_outlet else source or outlet,),
        published=published or seen,
        links=(link,) if link else (),
        sections=sections,
    )
    digest = hashlib.blake2b(digest_size=16)
    for part in (title, link or "", published or "", author or "", _sections_text(sections)):
        digest.update(part.encode())
        digest.update(b"\x00")
    return FeedEntry(
        identity=identity,
        title=title,
        link=link,
        published=published,
        author=author,
        source=source,
        article=article,
        content_hash=digest.hexdigest(),
        body_links=body_links,
    )


def _first_words(sections: tuple[Section, ...]) -> str:
    """A title for an untitled entry (microblog posts): its first line, shortened."""
    for section in sections:
        for bullet in section.bullets:
            return bullet.text if len(bullet.text) <= 60 else bullet.text[:59] + "…"
    return ""


def _sections_text(sections: tuple[Section, ...]) -> str:
    return "\n".join(f"{s.heading}\n" + "\n".join(b.text for b in s.bullets) for s in sections)


def _published(raw: str | None, parsed: time.struct_time | None, zone: dt.tzinfo) -> str | None:
    """The entry's date in `zone`, from its own text first (feedparser misreads some)."""
    when = _parse_date(raw, zone) if raw else None
    if when is None and parsed is not None:
        try:
            when = dt.datetime(*parsed[:6], tzinfo=dt.UTC)
        except (ValueError, TypeError):
            when = None
    if when is None:
        return None
    return when.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _parse_date(raw: str, zone: dt.tzinfo) -> dt.datetime | None:
    raw = raw.strip()
    match = _UNZONED.match(raw)
    if match:  # no zone written: the feed's local time, which we take as `zone`
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
        except ValueError:
            return None
    if _UNIX_TIME.match(raw):
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    try:
        when = dt.datetime.fromisoformat(raw)  # RFC 3339 / ISO 8601 (Atom, JSON Feed)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)  # RFC 822 (RSS)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=zone)
