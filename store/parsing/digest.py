"""The search-documents digest: a query, then articles of title, outlet line and summary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import ParseError
from ..model import Bullet, ParsedArticle, ParsedDocument, Section, Skipped
from ..sanitize import numbered_lines
from .common import DetectWindow, checked_date, refuse_all_skipped, short, skip_article

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
OPEN_CITATION = re.compile(r"\[\d*$")

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
    # A file that ends with a line end was written whole: its last bullet may lack
    # citations. Without one, such a bullet may as well be cut off (see _article).
    file_end = "whole" if text.rstrip(" \t").endswith("\n") else "cut"
    warnings: list[str] = []
    skipped: list[Skipped] = []
    feed = _feed(lines[: marks[0] - 1])
    articles: list[ParsedArticle] = []
    for n, mark in enumerate(marks):
        end = len(lines) if n == len(marks) - 1 else marks[n + 1] - 1
        ending = file_end if n == len(marks) - 1 else None
        title = lines[mark - 1]
        try:
            article = _article(title, lines[mark], lines[mark + 1 : end], name, warnings, ending)
        except ParseError as e:  # an impossible date: this article only
            skip_article(skipped, warnings, name, e, title[1])
            continue
        if article is not None:
            articles.append(article)
    if not articles:
        if skipped:
            raise refuse_all_skipped(name, skipped)
        raise ParseError(
            name, "no complete article: " + "; ".join(w.split(": ", 1)[-1] for w in warnings)
        )
    return ParsedDocument(FORMAT, feed, tuple(articles), tuple(warnings), tuple(skipped))


def _feed(header: Sequence[Line]) -> str:
    """The query named in the header, without the app's own chrome lines."""
    for _, line in header:
        if line not in APP_CHROME:
            return line
    return DEFAULT_FEED


def _article(
    title: Line,
    outlet: Line,
    rest: Sequence[Line],
    name: str,
    warnings: list[str],
    ending: str | None,
) -> ParsedArticle | None:
    """One article, or None (with a warning) for a last article that was cut off.

    `ending` is None but for the file's last article: "whole" when the file ends with a
    line end, "cut" when it does not (then a last bullet without citations may be cut).
    """
    last = ending is not None
    number, line = outlet
    m = OUTLET_LINE.match(line)
    assert m is not None
    published = checked_date(m["date"], m["time"], name, number)
    summary, extra = _summary_lines(rest)
    for extra_number, extra_line in extra:
        what = "an article cut off before its date line?" if last else "not part of any article"
        warnings.append(f"{name}:{extra_number}: skipped the line “{short(extra_line)}” ({what})")
    sections, complete = _sections(" ".join(text for _, text in summary))
    if complete and ending == "cut" and not sections[-1].bullets[-1].citations:
        complete = False
    if last and not complete:
        where = "has no summary" if not summary else "ends in the middle of its summary"
        warnings.append(
            f"{name}:{title[0]}: skipped the last article “{short(title[1])}”: it {where}"
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
    """Unflatten `Heading - bullet [n] - bullet - bullet [m] Next - …`; report if complete.

    A bullet ends at its citation group or, without one, at the next ` - `; only text
    after a citation group can be the next section's heading.
    """
    if not summary:
        return (), False
    if summary.startswith("- "):
        summary = " " + summary
    parts = summary.split(SEPARATOR)
    heading = parts[0].strip()
    sections: list[Section] = []
    bullets: list[Bullet] = []
    for part in parts[1:]:
        group = _last_group(part)
        if group is None:
            bullets.append(Bullet(part.strip()))
            continue
        citations = tuple(int(c) for c in NUMBER.findall(group.group()))
        bullets.append(Bullet(part[: group.start()].strip(), citations))
        after = part[group.end() :].strip()
        if after:
            sections.append(Section(heading, tuple(bullets)))
            heading, bullets = after, []
    if bullets:
        sections.append(Section(heading, tuple(bullets)))
    # A heading with nothing after it, a dangling ` -` or an open `[12`: the line was cut.
    return tuple(sections), bool(bullets) and not _unfinished(summary)


def _unfinished(summary: str) -> bool:
    """Ends in a dangling ` -` or an open `[12`: only the tail is looked at (a search
    anchored at the end still tries every position of a long line)."""
    tail = summary[-12:]
    return tail == "-" or tail.endswith(" -") or OPEN_CITATION.search(tail) is not None
