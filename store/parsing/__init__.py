"""Parsers for the supported document formats, and the registry that picks one by content.

Each parser module exposes FORMAT, `detect(text) -> bool` and `parse(text, name)`.
A new source format is a new module plus one entry in PARSERS.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from ..errors import ParseError
from ..model import ParsedDocument
from ..sanitize import clean_text, decode
from . import digest, neican

PARSERS: tuple[ModuleType, ...] = (neican, digest)

_FEED_XML = re.compile(r"<(?:rss|feed|rdf:RDF|channel)\b", re.IGNORECASE)


def detect_format(text: str) -> str | None:
    """The FORMAT of the first parser that recognises the (cleaned) text, if any."""
    for parser in PARSERS:
        if parser.detect(text):
            return str(parser.FORMAT)
    return None


def parse_text(text: str, name: str) -> ParsedDocument:
    """Parse decoded text; `name` is used in messages (and nowhere else)."""
    text = clean_text(text)
    if not text.strip():
        raise ParseError(name, "empty file (only whitespace)")
    head = text.lstrip()[:4096]
    if head.startswith("<"):
        if _FEED_XML.search(head):
            raise ParseError(name, "an RSS/Atom feed: subscribe to it with `neican feeds add`")
        raise ParseError(name, "an XML or HTML document, not a digest or 《AI内参》 newsletter")
    for parser in PARSERS:
        if parser.detect(text):
            document: ParsedDocument = parser.parse(text, name)
            return document
    raise ParseError(
        name, "unknown layout: neither a search-documents digest nor an 《AI内参》 newsletter"
    )


def parse_bytes(data: bytes, name: str) -> ParsedDocument:
    """Decode and parse a file's bytes; decoding warnings join the document's.

    A file cut inside a character is also cut inside an article, and the parser's own
    warning says what was skipped: then the decoder's adds nothing.
    """
    decoded = decode(data, name)
    document = parse_text(decoded.text, name)
    if decoded.warnings and not document.warnings:
        return replace(document, warnings=decoded.warnings + document.warnings)
    return document


def read_file(path: Path) -> bytes:
    """A file's bytes, or a ParseError that says why it cannot be read."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ParseError(str(path), "is a directory") from None
    except FileNotFoundError:
        raise ParseError(str(path), "no such file") from None
    except PermissionError:
        raise ParseError(str(path), "permission denied") from None
    except OSError as e:
        raise ParseError(str(path), f"cannot read: {e.strerror or e}") from None


def parse_file(path: Path) -> ParsedDocument:
    return parse_bytes(read_file(path), str(path))
