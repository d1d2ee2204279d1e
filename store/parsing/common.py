"""Pieces the format parsers share: the detection window and date checks."""

from __future__ import annotations

import datetime as dt

from ..errors import ParseError
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
