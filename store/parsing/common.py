"""Pieces the format parsers share: the detection window, date checks, skipped articles."""

from __future__ import annotations

import datetime as dt

from ..errors import ParseError
from ..model import Skipped
from ..sanitize import numbered_lines

# Detection reads only the start of a file, so a 50 MB single line costs nothing.
DETECT_CHARS = 64 * 1024
DETECT_LINES = 80
MAX_LINE = 2000


class DetectWindow:
    """The first non-blank lines of a text, each cut to a sane length."""

    def __init__(self, text: str) -> None:
        self.lines: list[tuple[int, str]] = []
        for number, line in numbered_lines(text[:DETECT_CHARS]):
            self.lines.append((number, line[:MAX_LINE]))
            if len(self.lines) >= DETECT_LINES:
                break


def checked_date(date: str, time: str | None, name: str, line: int) -> str:
    """`2025-12-30` (+ `11:24`) as ISO text; an impossible date is a ParseError."""
    try:
        year, month, day = (int(x) for x in date.split("-"))
        value = dt.date(year, month, day).isoformat()
        if time is None:
            return value
        hour, minute = (int(x) for x in time.split(":"))
        return dt.datetime(year, month, day, hour, minute).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        shown = f"{date} {time}" if time else date
        raise ParseError(name, f"impossible date {shown}", line) from None


def skip_article(
    skipped: list[Skipped], warnings: list[str], name: str, error: ParseError, title: str
) -> None:
    """Leave one article out: its line, title and reason, also as a one-line warning."""
    line = error.line or 0
    skipped.append(Skipped(line, title, error.reason))
    warnings.append(f"{name}:{line}: skipped “{short(title)}”: {error.reason}")


def refuse_all_skipped(name: str, skipped: list[Skipped]) -> ParseError:
    """The error for a file whose every article was skipped: the first one's reason."""
    first = skipped[0]
    more = f" (and {len(skipped) - 1} more skipped)" if len(skipped) > 1 else ""
    return ParseError(name, first.reason + more, first.line)


def short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
