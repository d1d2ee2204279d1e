"""Bytes to clean text: encoding detection, newlines, NFKC, control characters stripped."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import ParseError

# Bigger than any real digest or newsletter by two orders of magnitude; a cap keeps a
# mistaken import of a disk image from eating memory.
MAX_BYTES = 64 * 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Terminal escape sequences are removed whole, so "\x1b[2J" leaves nothing behind
# (CSI, OSC terminated by BEL or ST, and two-character ESC sequences).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[P^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
)
# Only LF and CRLF end a line. The other characters `str.splitlines()` splits on (VT, FF,
# FS/GS/RS, NEL, U+2028/2029; CR once CRLF is gone) are plain characters inside a line:
# each run becomes a space between two narrow characters and nothing beside a wide
# (CJK) one, so `发布\u2028新一代` reads 发布新一代 and `GPT\u2028model` reads GPT model.
_SEPARATOR_CHARS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SEPARATORS = re.compile(f"[{_SEPARATOR_CHARS}]+")
# C0 except tab and newline, DEL, C1; the invisible format characters (zero-width space
# and joiners, word joiner, BOM, soft hyphen, LRM/RLM, U+061C), which would split a word
# for search (`英\u200b伟达`), and the bidi controls, which would let hostile text reorder
# what the terminal shows or a file name. One character class: the cost of one scan.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
# C0 controls other than tab, newline, form feed, carriage return, bell and escape:
# many of them mean binary data (counted by a pattern: a Python loop over 64 KB cost
# a tenth of parsing a news file).
_BINARY_CONTROLS = re.compile("[\x00-\x06\x08\x0b\x0e-\x1a\x1c-\x1f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# What NFKC does to Chinese text in practice: full-width ASCII, the ideographic space
# and the ellipsis (in most news files), replaced where they occur (2.5x cheaper than
# translate(), 3.5x than normalize()); normalize() then runs only on the lines that
# hold anything else (Ⅱ, ①, ™).
_FULL_WIDTH: dict[str, str] = {
    "\u3000": " ",
    "\u2026": "...",
    **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
}
_FULL_WIDTH_RE = re.compile("[" + "".join(map(re.escape, _FULL_WIDTH)) + "]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode(data: bytes, name: str) -> Decoded:
    """Decode a user's file: BOM, then UTF-8, then GB18030; refuse binary data."""
    if len(data) > MAX_BYTES:
        raise ParseError(name, f"file too large ({len(data) // 2**20} MB; the limit is 64 MB)")
    if not data.strip():
        raise ParseError(name, "empty file" if not data else "empty file (only whitespace)")
    warnings: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                text = body.decode(encoding)
            except UnicodeDecodeError as e:
                if e.start >= len(body) - 4 and "end of data" in e.reason:
                    text = body[: e.start].decode(encoding)
                    warnings.append(f"{name}: the file ends in the middle of a character")
                else:
                    line = body[: e.start].decode(encoding, "replace").count("\n") + 1
                    raise ParseError(
                        name, f"not valid {encoding.upper()} despite its byte-order mark", line
                    ) from None
            return _checked(Decoded(text, encoding, tuple(warnings)), name)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise ParseError(name, "binary data: contains NUL bytes (UTF-16 without a BOM?)", line)
    try:
        return _checked(Decoded(data.decode("utf-8"), "utf-8"), name)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and "end of data" in e.reason:
            text = data[: e.start].decode("utf-8")
            warnings.append(f"{name}: the file ends in the middle of a character")
            return _checked(Decoded(text, "utf-8", tuple(warnings)), name)
        utf8_error = e
    try:
        return _checked(Decoded(data.decode("gb18030"), "gb18030"), name)
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        byte = data[utf8_error.start]
        raise ParseError(
            name, f"cannot decode: not UTF-8, UTF-16 or GB18030 (byte 0x{byte:02x})", line
        ) from None


def _checked(decoded: Decoded, name: str) -> Decoded:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    sample = decoded.text[:65536]
    controls = len(_BINARY_CONTROLS.findall(sample))
    if "\x00" in sample or controls > max(32, len(sample) // 20):
        raise ParseError(name, f"binary data, not text (decoded as {decoded.encoding})")
    if not decoded.text.strip():
        raise ParseError(name, "empty file (only whitespace)")
    return decoded


def clean_text(text: str) -> str:
    """Normalise decoded text: line ends to \\n, escapes and invisible characters removed, NFKC."""
    text = text.replace("\r\n", "\n")
    if "\r" in text and "\n" not in text:
        # No LF at all: a classic Mac file, whose every line ends in a lone CR.
        text = text.replace("\r", "\n")
    # Nine substring tests cost a fifth of one regex scan of a text without any.
    if any(char in text for char in _SEPARATOR_CHARS):
        text = _SEPARATORS.sub(_separator_space, text)
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    # Each distinct character replaced throughout (a text holds a dozen): a callback per
    # occurrence cost twice as much.
    for char in set(_FULL_WIDTH_RE.findall(text)):
        text = text.replace(char, _FULL_WIDTH[char])
    if unicodedata.is_normalized("NFKC", text):
        return text
    # NFKC never composes across a newline: line by line is the same, and cheaper
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def _separator_space(m: re.Match[str]) -> str:
    """A space for a run of line separators between two narrow characters, else nothing."""
    text, start, end = m.string, m.start(), m.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() or after.isspace() or _is_wide(before) or _is_wide(after):
        return ""
    return " "


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def clean_line(line: str) -> str:
    """One line as parsers see it: runs of spaces and tabs collapsed, ends trimmed."""
    # Most lines have nothing to collapse: four substring tests are cheaper than the
    # substitution (which rebuilds the line for every single space).
    if "  " in line or "\t" in line or "\u00a0" in line or "\u3000" in line:
        line = _SPACES.sub(" ", line)
    return line.strip()


def clean_field(value: str) -> str:
    """Any single-line text a user supplies (notes, tags, titles): same cleaning as files."""
    return clean_line(clean_text(value).replace("\n", " "))


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-blank cleaned lines with their 1-based line numbers in the original file."""
    for number, raw in enumerate(text.split("\n"), 1):
        line = clean_line(raw)
        if line:
            yield number, line
