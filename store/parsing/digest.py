"""The search-documents digest: a query, then articles of title, outlet line and summary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import ParseError
from ..model import Bullet, ParsedArticle, ParsedDocument, Section
from ..sanitize import numbered_lines
from .common import DetectWindow, checked_date

FORMAT = "digest"
DEFAULT_FEED = "搜索文档"
APP_CHROME = frozenset({"Workflow", "icon", "搜索文档"})

# `36氪· 2025-12-31 16:48`: the dot may be any of the middle dots editors produce.
OUTLET_LINE = re.compile(
    r"^(?P<outlet>[^·・•‧∙]{1,80}?) ?[·・•‧∙] ?"
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})(?: (?P<time>\d{1,2}:\d{2}))?$"
)
# `[1]`, `[1][2]`, `[1] [2]` (starting with the bracket lets the scan skip to each `[`)
CITATION_GROUP = re.compile(r"\[\d{1,5}\](?: ?\[\d{1,5}\])*")
NUMBER = re.compile(r"\d+")
SEPARATOR = " - "

Line = tuple[int, str]


def detect(text: str) -> bool:
    """A digest has at least one `outlet· date` line preceded by a title."""
    lines = DetectWindow(text).lines
    return any(OUTLET_LINE.match(line) for _, line in lines[1:])


def parse(text: str, name: str) -> ParsedDocument:
    lines = list(numbered_lines(text))
    marks = [i for i, (_, line) in enumerate(lines) if i > 0 and OUTLET_LINE.match(line)]
    # Two outlet lines in a row would make a title of an outlet line: keep the first.
    marks = [i for n, i in enumerate(marks) if n == 0 or i - marks[n - 1] >= 2]
    if not marks:
        raise ParseError(
            name, "no article found (expected a title, then `outlet· YYYY-MM-DD HH:MM`)"
        )
    warnings: list[str] = []
    feed = _feed(lines[: marks[0] - 1])
    articles: list[ParsedArticle] = []
    for n, mark in enumerate(marks):
        last = n == len(marks) - 1
        end = len(lines) if last else marks[n + 1] - 1
        article = _article(
            lines[mark - 1], lines[mark], lines[mark + 1 : end], last, name, warnings
        )
        if article is not None:
            articles.append(article)
    if not articles:
        raise ParseError(
            name, "no complete article: " + "; ".join(w.split(": ", 1)[-1] for w in warnings)
        )
    return ParsedDocument(FORMAT, feed, tuple(articles), tuple(warnings))


def _feed(header: Sequence[Line]) -> str:
    """The query named in the header, without the app's own chrome lines."""
    for _, line in header:
        if line not in APP_CHROME:
            return line
    return DEFAULT_FEED


def _article(
    title: Line, outlet: Line, rest: Sequence[Line], last: bool, name: str, warnings: list[str]
) -> ParsedArticle | None:
    number, line = outlet
    m = OUTLET_LINE.match(line)
    assert m is not None
    published = checked_date(m["date"], m["time"], name, number)
    summary, extra = _summary_lines(rest)
    for extra_number, extra_line in extra:
        what = "an article cut off before its date line?" if last else "not part of any article"
        warnings.append(f"{name}:{extra_number}: skipped the line “{_short(extra_line)}” ({what})")
    sections, complete = _sections(" ".join(text for _, text in summary))
    if last and not complete:
        where = "has no summary" if not summary else "ends in the middle of its summary"
        warnings.append(
            f"{name}:{title[0]}: skipped the last article “{_short(title[1])}”: it {where}"
        )
        return None
    return ParsedArticle(
        kind="article",
        title=title[1],
        outlets=(m["outlet"].strip(),),
        published=published,
        sections=sections,
        line=title[0],
    )


def _summary_lines(rest: Sequence[Line]) -> tuple[list[Line], list[Line]]:
    """Split the lines after an outlet line into the summary (maybe wrapped) and strays.

    An editor may have wrapped the one summary line; a continuation is joined while the
    summary is unfinished or when the line carries on the ` - ` list. Anything else is
    a stray line (at the end of a file: the start of an article that was cut off).
    """
    summary: list[Line] = []
    for index, (number, line) in enumerate(rest):
        if (
            not summary
            or not _ends_with_citations(summary[-1][1])
            or SEPARATOR in line
            or line.startswith("- ")
        ):
            summary.append((number, line))
        else:
            return summary, list(rest[index:])
    return summary, []


def _last_group(text: str) -> re.Match[str] | None:
    """The last citation group of `text`."""
    *_, last = [None, *CITATION_GROUP.finditer(text)]
    return last


def _ends_with_citations(text: str) -> bool:
    m = _last_group(text)
    return m is not None and m.end() == len(text.rstrip())


def _sections(summary: str) -> tuple[tuple[Section, ...], bool]:
    """Unflatten `Heading - bullet [n] - bullet [n][m] Next - …`; report if it is complete."""
    if not summary:
        return (), False
    if summary.startswith("- "):
        summary = " " + summary
    parts = summary.split(SEPARATOR)
    heading = parts[0].strip()
    sections: list[Section] = []
    bullets: list[Bullet] = []
    pending = ""
    complete = True
    for index, part in enumerate(parts[1:], 1):
        part = pending + part
        group = _last_group(part)
        if group is None:
            if index < len(parts) - 1:
                # No citation yet: the ` - ` was inside the bullet's own text.
                pending = part + SEPARATOR
                continue
            bullets.append(Bullet(part.strip()))
            complete = False
            break
        pending = ""
        citations = tuple(int(c) for c in NUMBER.findall(group.group()))
        bullets.append(Bullet(part[: group.start()].strip(), citations))
        after = part[group.end() :].strip()
        if after:
            sections.append(Section(heading, tuple(bullets)))
            heading, bullets = after, []
    if bullets:
        sections.append(Section(heading, tuple(bullets)))
    else:
        complete = False  # a heading with nothing after it: the line was cut
    return tuple(sections), complete


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
