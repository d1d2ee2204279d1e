"""OPML subscription lists: read 1.0/2.0 files from any reader, write 2.0 that others import.

Reading uses the standard library's XML parser through defusedxml, which refuses entity
declarations and external references: an OPML file comes from anywhere, and a
billion-laughs file must be refused, not expanded. Nested outlines without an xmlUrl
are folders (`科技/技术媒体` for two levels); outlines with neither an xmlUrl nor
children are notes and are skipped, as are xmlUrls that are not feed URLs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from importlib import resources

import defusedxml
import defusedxml.ElementTree as SafeET

from ..errors import ParseError
from ..sanitize import clean_field

FOLDER_SEPARATOR = "/"
# What a subscription may point at; `feed:` (an old browser convention) means http.
_FEED_URL = re.compile(r"^(?:https?://\S+|rsshub:/\S*)$", re.IGNORECASE)
# Characters XML 1.0 cannot hold even escaped: dropped on export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Subscription:
    """One feed in a subscription list."""

    url: str
    title: str
    html_url: str = ""
    # "" at the top level, else folder names joined by "/" ("科技/技术媒体").
    folder: str = ""


@dataclass(frozen=True)
class Opml:
    """A parsed OPML file: its title and its feeds in document order."""

    title: str
    subscriptions: tuple[Subscription, ...]
    # Outlines skipped because their xmlUrl is not an http(s) or rsshub: URL.
    skipped: int = 0

    @property
    def folders(self) -> tuple[str, ...]:
        """The folders that hold feeds, in document order."""
        return tuple(dict.fromkeys(s.folder for s in self.subscriptions if s.folder))


def parse_opml(data: bytes | str, name: str = "OPML") -> Opml:
    """Read an OPML file; ParseError(name, reason) when it is not one."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    # Some writers put a blank line before the XML declaration, which XML forbids.
    data = data.lstrip(b" \t\r\n")
    if not data:
        raise ParseError(name, "empty file")
    try:
        root = SafeET.fromstring(data)
    except ET.ParseError as e:
        line = e.position[0] if e.position else None
        raise ParseError(name, f"not well-formed XML ({_expat_reason(e)})", line) from None
    except defusedxml.DefusedXmlException:
        raise ParseError(name, "refused: the file declares XML entities or a DTD") from None
    except (ValueError, LookupError) as e:  # an unknown encoding in the XML declaration
        raise ParseError(name, f"cannot read: {e}") from None
    if _local(root.tag) != "opml":
        raise ParseError(name, "not OPML: the <opml> root element is missing")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise ParseError(name, "not OPML: the <body> element is missing")
    title = ""
    for head in (child for child in root if _local(child.tag) == "head"):
        for item in head:
            if _local(item.tag) == "title" and item.text:
                title = clean_field(item.text)
    found: list[Subscription] = []
    skipped = 0
    for subscription in _outlines(body, ()):
        if subscription is None:
            skipped += 1
        else:
            found.append(subscription)
    return Opml(title, tuple(found), skipped)


def _outlines(parent: ET.Element, path: tuple[str, ...]) -> Iterator[Subscription | None]:
    """Feeds under parent (None for an xmlUrl that is not a feed URL)."""
    for outline in parent:
        if _local(outline.tag) != "outline":
            continue
        attrs = {_local(key).lower(): value for key, value in outline.attrib.items()}
        url = _feed_url(attrs.get("xmlurl", ""))
        label = clean_field(attrs.get("title", "") or attrs.get("text", ""))
        if attrs.get("xmlurl", "").strip():
            if url is None:
                yield None
                continue
            folder = FOLDER_SEPARATOR.join(path) or _category(attrs.get("category", ""))
            yield Subscription(
                url=url,
                title=label or url,
                html_url=_web_url(attrs.get("htmlurl", "")),
                folder=folder,
            )
        elif len(outline):
            # A folder's own name: `/` inside it would read back as nesting.
            name = (label or "?").replace(FOLDER_SEPARATOR, "／")
            yield from _outlines(outline, (*path, name))
        # else: a note (text only), not a subscription


def _feed_url(value: str) -> str | None:
    url = value.strip()
    if url.lower().startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif url.lower().startswith("feed:http"):
        url = url[len("feed:") :]
    return url if _FEED_URL.match(url) and "{" not in url else None


def _web_url(value: str) -> str:
    url = value.strip()
    return url if re.match(r"^https?://\S+$", url, re.IGNORECASE) else ""


def _category(value: str) -> str:
    """The first category path (`/Tech/AI,/News` → `Tech/AI`): a folder for flat files."""
    first = value.split(",")[0]
    parts = [clean_field(part) for part in first.split("/")]
    return FOLDER_SEPARATOR.join(part for part in parts if part)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _expat_reason(error: ET.ParseError) -> str:
    # "mismatched tag: line 3, column 2" → "mismatched tag" (the line is reported apart)
    return str(error).split(":")[0]


def export_opml(
    subscriptions: Iterable[Subscription],
    *,
    title: str = "neican subscriptions",
    now: datetime | None = None,
) -> str:
    """OPML 2.0 that newsboat, Miniflux and FreshRSS import: folders as parent outlines."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), True)
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for sub in subscriptions:
        path = tuple(part for part in sub.folder.split(FOLDER_SEPARATOR) if part)
        for depth in range(1, len(path) + 1):
            if path[:depth] not in folders:
                name = _xml(path[depth - 1])
                folders[path[:depth]] = ET.SubElement(
                    folders[path[: depth - 1]], "outline", text=name, title=name
                )
        label = _xml(sub.title or sub.url)
        attrs = {"type": "rss", "text": label, "title": label, "xmlUrl": _xml(sub.url)}
        if sub.html_url:
            attrs["htmlUrl"] = _xml(sub.html_url)
        ET.SubElement(folders[path], "outline", attrs)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def starter() -> Opml:
    """The bundled starter list of Chinese AI-news sources (`feeds import --starter`)."""
    data = resources.files("store.feeds").joinpath("starter.opml").read_bytes()
    return parse_opml(data, "starter.opml")
