"""The 《AI内参》 newsletter: issues of a date line, intro, 今日速览, items and 结语."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import ParseError
from ..model import Bullet, ParsedArticle, ParsedDocument, Section, Skipped
from ..sanitize import numbered_lines
from .common import DetectWindow, checked_date, refuse_all_skipped, skip_article

FORMAT = "neican"
FEED = "AI内参"

DATE_LINE = re.compile(r"^今天是 ?(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日")
# The date line of an issue glued to the previous issue's last line (`cat` of a file
# without a final newline: `…我们下期见。今天是2025年9月19日。`). Not after a Chinese
# character, so `他说今天是…` inside a sentence stays where it is.
GLUED_DATE = re.compile(r"(?<=[^\u4e00-\u9fff])今天是 ?\d{4} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日")
ITEM_TITLE = re.compile(r"^\[(?P<title>.*)\]$")
LABEL = re.compile(r"^【(?P<label>[^【】]{1,40})】 ?(?P<rest>.*)$")
SOURCE = re.compile(r"^(?:- ?)?(?P<key>来源|链接|出处|原文) ?: ?(?P<value>.*)$")
URL = re.compile(r"https?://\S+")
OUTLET_SPLIT = re.compile(r" ?[、,;/] ?")

RUIPING_LABELS = frozenset({"AI内参·锐评", "AI内参锐评", "锐评"})
OVERVIEW_LABEL = "今日速览"
CLOSING_LABEL = "结语"
SOURCES_LABEL = "信息来源"
MARKERS = ("【AI内参·锐评】", "【今日速览】", "《AI内参》")


def detect(text: str) -> bool:
    lines = DetectWindow(text).lines
    return any(DATE_LINE.match(line) or any(m in line for m in MARKERS) for _, line in lines)


@dataclass
class _Item:
    title: str
    line: int
    ruiping: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    has_sources: bool = False


@dataclass
class _Issue:
    date: str
    line: int
    intro: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    closing: list[str] | None = None
    bad_date: ParseError | None = None  # an impossible issue date: the issue is skipped


def parse(text: str, name: str) -> ParsedDocument:
    issues: list[_Issue] = []
    warnings: list[str] = []
    skipped: list[Skipped] = []
    target: list[str] | None = None  # where the next plain line goes
    for number, line in _issue_lines(text):
        date = DATE_LINE.match(line)
        if date:
            try:
                issue = _Issue(checked_date("-".join(date.groups()), None, name, number), number)
            except ParseError as e:
                # Its lines still belong to it (not to the issue before): all skipped.
                issue = _Issue("-".join(date.groups()), number, bad_date=e)
            issues.append(issue)
            target = issue.intro
            continue
        if not issues:
            warnings.append(
                f"{name}:{number}: skipped the line “{line[:24]}” before the first 今天是…日 line"
            )
            if len(warnings) > 3:
                raise ParseError(name, "no issue date line (今天是YYYY年MM月DD日。)", number)
            continue
        issue = issues[-1]
        title = ITEM_TITLE.match(line)
        if title and title["title"].strip().isdigit():
            title = None  # `[12]` is a citation, not an item
        label = LABEL.match(line)
        if issue.closing is not None:
            issue.closing.append(line)
        elif title:
            issue.items.append(_Item(title["title"].strip(), number))
            target = None
        elif label:
            target = _open_label(issue, label["label"].strip(), label["rest"])
        elif issue.items and issue.items[-1].has_sources and _source_line(issue.items[-1], line):
            pass
        elif target is not None:
            target.append(line.removeprefix("- ") if target is not issue.intro else line)
        else:
            warnings.append(
                f"{name}:{number}: skipped the line “{line[:24]}” outside any paragraph"
            )
    if not issues:
        raise ParseError(name, "no issue date line (今天是YYYY年MM月DD日。)")
    articles: list[ParsedArticle] = []
    for index, issue in enumerate(issues):
        if issue.bad_date is not None:
            # The issue date is every article's date: the whole issue goes.
            error = ParseError(
                name,
                f"{issue.bad_date.reason}: the whole issue (overview and "
                f"{len(issue.items)} item{'' if len(issue.items) == 1 else 's'})",
                issue.line,
            )
            skip_article(skipped, warnings, name, error, f"{FEED} {issue.date}")
            continue
        last_issue = index == len(issues) - 1
        articles.extend(_articles(issue, last_issue, name, warnings))
    if not articles:
        raise refuse_all_skipped(name, skipped)
    return ParsedDocument(FORMAT, FEED, tuple(articles), tuple(warnings), tuple(skipped))


def _issue_lines(text: str) -> Iterator[tuple[int, str]]:
    """The cleaned lines, a glued issue's date line split off the line it was glued to."""
    for number, line in numbered_lines(text):
        glued = GLUED_DATE.search(line, 1) if "今天是" in line else None
        while glued is not None:
            yield number, line[: glued.start()].rstrip()
            line = line[glued.start() :]
            glued = GLUED_DATE.search(line, 1)
        yield number, line


def _open_label(issue: _Issue, label: str, rest: str) -> list[str] | None:
    """Start the paragraph a 【label】 line opens and return the list its lines go to."""
    lines: list[str] = [rest] if rest else []
    if label == CLOSING_LABEL:
        issue.closing = lines
        return lines
    if not issue.items:
        issue.sections.append((label, lines))
        return lines
    item = issue.items[-1]
    if label in RUIPING_LABELS:
        item.ruiping = lines
    elif label == SOURCES_LABEL:
        item.has_sources = True
        for line in lines:
            _source_line(item, line)
        return None
    else:
        item.sections.append((label, lines))
    return lines


def _source_line(item: _Item, line: str) -> bool:
    """`- 来源: a、b` and `- 链接: url` under 【信息来源】; bare URLs count as links."""
    m = SOURCE.match(line)
    if m and m["key"] in ("来源", "出处"):
        item.outlets.extend(o for o in OUTLET_SPLIT.split(m["value"]) if o)
        return True
    urls = URL.findall(line)
    if urls and (m or URL.fullmatch(line.removeprefix("- "))):
        item.links.extend(urls)
        return True
    return False


def _articles(
    issue: _Issue, last_issue: bool, name: str, warnings: list[str]
) -> list[ParsedArticle]:
    items = list(issue.items)
    if last_issue and issue.closing is None and items and not items[-1].has_sources:
        cut = items.pop()
        warnings.append(
            f"{name}:{cut.line}: skipped the last item “{cut.title[:24]}”: "
            "the file ends before its 【信息来源】 (cut off?)"
        )
    sections = []
    if issue.intro:
        sections.append(Section("", _bullets(issue.intro)))
    sections.extend(Section(label, _bullets(lines)) for label, lines in issue.sections)
    if issue.closing:
        sections.append(Section(CLOSING_LABEL, _bullets(issue.closing)))
    overview = ParsedArticle(
        kind="overview",
        title=f"{FEED} {issue.date}",
        outlets=(),
        published=issue.date,
        sections=tuple(sections),
        line=issue.line,
    )
    articles = [overview]
    for item in items:
        if not item.title:
            warnings.append(f"{name}:{item.line}: skipped an item with an empty [title]")
            continue
        articles.append(
            ParsedArticle(
                kind="article",
                title=item.title,
                outlets=tuple(dict.fromkeys(item.outlets)),
                published=issue.date,
                links=tuple(dict.fromkeys(item.links)),
                ruiping="\n".join(item.ruiping) or None,
                sections=tuple(Section(label, _bullets(lines)) for label, lines in item.sections),
                line=item.line,
            )
        )
    return articles


def _bullets(lines: list[str]) -> tuple[Bullet, ...]:
    return tuple(Bullet(line) for line in lines)
