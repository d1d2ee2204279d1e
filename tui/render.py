"""The only code that turns store objects into what the screen shows (Content, never markup)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from textual.content import Content
from textual.fuzzy import Matcher

from store.records import Article, ArticleRow, EntityCount, FeedInfo, Note
from store.sanitize import clean_field
from store.snippets import highlight_spans

from .i18n import _

CITATIONS = re.compile(r"\[\d+\](?:\[\d+\])*")
BOLD = re.compile(r"\*\*(.+?)\*\*")
TYPE_LABELS = {
    "org": _("organisation"),
    "person": _("person"),
    "product": _("product"),
    "money": _("money"),
    "media": _("media"),
}
MATCH_STYLE = "bold reverse"
RUIPING_MARK = "锐评 "
RUIPING_MARK_BOOKMARKED = "锐评 ★ "


def short_date(published: str) -> str:
    """`2025-12-30T11:24` → `12-30 11:24`; a date alone → `2025-12-30`."""
    if "T" in published:
        return published[5:].replace("T", " ")
    return published


def truncate(text: str, width: int) -> str:
    """Cut `text` to `width` terminal cells (wide characters count two), with an ellipsis."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)).rstrip() + "…"


@lru_cache(maxsize=8192)
def _width(ch: str) -> int:
    return cell_len(ch)


# The usual Chinese line-breaking rules (禁则): no line starts with closing punctuation,
# none ends with opening punctuation.
NO_LINE_START = frozenset("。，、．）」』】》〉〕〗〙〛！？：；…‥,.!?:;)]}%％’”·ー～")
NO_LINE_END = frozenset("（「『【《〈〔〖〘〚([{‘“")
NO_BREAK_SPACE = "\u00a0"


def _joined(ch: str) -> bool:
    """A character of a Latin word, number or code (`69.4%`, `GPT-4o`, `[4][10]`)."""
    return "!" <= ch <= "~"


def _may_break(text: str, index: int) -> bool:
    """May a line start at `index` (a break between `index - 1` and `index`)?"""
    before, after = text[index - 1], text[index]
    if after in NO_LINE_START or before in NO_LINE_END or before == NO_BREAK_SPACE:
        return after == " "
    return not (_joined(before) and _joined(after))


def block_indent(kind: str, content: Content) -> int:
    """Continuation lines start under the text: after a bullet's dot, after `锐评 ★ `."""
    if kind == "bullet":
        return 2
    if kind == "ruiping":
        label = content.plain[: len(RUIPING_MARK_BOOKMARKED)]
        return cell_len(
            RUIPING_MARK_BOOKMARKED if label == RUIPING_MARK_BOOKMARKED else RUIPING_MARK
        )
    return 0


def wrap(content: Content, width: int, indent: int = 0) -> Content:
    """Wrap by terminal cells with the usual Chinese rules: anywhere between Chinese
    characters, never inside a Latin word or a number, no line starting with closing
    punctuation (nor ending with opening); continuation lines get a hanging indent.
    (Textual's own wrapping breaks only at spaces, which Chinese text has few of.)"""
    text = content.plain
    if width <= indent + 4 or cell_len(text) <= width:
        return content
    cuts: list[int] = []
    line_start, used, room = 0, 0, width
    for index, ch in enumerate(text):
        w = 1 if " " <= ch <= "~" else _width(ch)
        if used + w > room and index > line_start and ch != " ":
            back = range(index, line_start, -1)
            cut = next((j for j in back if _may_break(text, j)), None)
            if cut is None:  # one long word: break inside it, never before a closing mark
                cut = next((j for j in back if text[j] not in NO_LINE_START), index)
            cuts.append(cut)
            used = cell_len(text[cut:index].lstrip(" "))
            line_start, room = cut, width - indent
        used += w
    pieces = content.divide(cuts)
    pad = Content(" " * indent)
    out = pieces[0].rstrip()
    for piece in pieces[1:]:
        lead = len(piece.plain) - len(piece.plain.lstrip(" "))
        out = out + Content("\n") + pad + piece[lead:].rstrip()
    return out


def highlight(content: Content, words: Iterable[str], whole_words: bool = True) -> Content:
    """Mark every match of the search words: phrases whole, Latin words as words
    (store.snippets.highlight_spans)."""
    for start, end in highlight_spans(content.plain, words, whole_words):
        content = content.stylize(MATCH_STYLE, start, end)
    return content


def fit(content: Content, width: int) -> Content:
    """Cut `content` to `width` cells keeping its styles, with an ellipsis."""
    text = content.plain
    if cell_len(text) <= width:
        return content
    used, end = 0, 0
    while end < len(text) and used + _width(text[end]) <= width - 1:
        used += _width(text[end])
        end += 1
    return content[:end].rstrip() + Content("…")


def snippet_line(snippet: str, spans: Iterable[tuple[int, int]], width: int) -> Content:
    """A search hit's snippet, dimmed under its title, with the matches marked."""
    content = Content(" ".join(snippet.split()))
    if len(content.plain) == len(snippet):
        for start, end in spans:
            content = content.stylize(MATCH_STYLE, start, end)
    return Content("   ") + fit(content, max(4, width - 3)).stylize("dim")


def article_line(
    row: ArticleRow,
    width: int,
    words: Iterable[str] = (),
    snippet: tuple[str, tuple[tuple[int, int], ...]] | None = None,
) -> Content:
    """One line of the article list: marks, title, then outlet and date on the right;
    under a search hit, its snippet."""
    marks = ("●" if not row.read else " ") + ("★" if row.noted else " ")
    meta = f" {truncate('、'.join(row.outlets) or row.feed, 12)} {short_date(row.published)}"
    room = max(8, width - cell_len(marks) - cell_len(meta) - 1)
    title = truncate(row.title, room)
    gap = " " * max(1, room - cell_len(title) + 1)
    title_content = highlight(Content(title), words)
    if not row.read:
        title_content = title_content.stylize("bold")
    line = Content.assemble(
        (marks[0], "$accent"),
        (marks[1], "$warning"),
        " ",
        title_content,
        gap,
        (meta.strip(), "dim"),
    )
    if snippet is not None and snippet[0].strip():
        line = line + Content("\n") + snippet_line(snippet[0], snippet[1], width)
    return line


def sidebar_article_line(row: ArticleRow, width: int) -> Content:
    """An article in the narrow entity sidebar: marks and title on one line, outlet and
    date dimmed on the next (one line would leave the title four characters)."""
    marks = ("●" if not row.read else " ") + ("★" if row.noted else " ")
    title = Content(truncate(row.title, max(4, width - 2)))
    if not row.read:
        title = title.stylize("bold")
    date = row.published[:10]
    source = truncate("、".join(row.outlets) or row.feed, max(4, width - 2 - len(date) - 1))
    return Content.assemble(
        (marks[0], "$accent"),
        (marks[1], "$warning"),
        title,
        "\n  ",
        (f"{source} {date}", "dim"),
    )


def feed_line(label: str, total: int | None, unread: int | None, width: int) -> Content:
    counts = "" if total is None else (f"{unread}/{total}" if unread else f"{total}")
    room = max(4, width - cell_len(counts) - 1)
    name = truncate(label, room)
    return Content.assemble(name, " " * max(1, room - cell_len(name) + 1), (counts, "dim"))


TROUBLE_MARK = "⚠"


def in_trouble(feed: FeedInfo) -> bool:
    return feed.status != "ok"


def subscription_line(
    feed: FeedInfo, total: int | None, unread: int | None, width: int, indent: int = 0
) -> Content:
    """A subscription in the feeds pane: indented under its folder, a ⚠ when in trouble."""
    mark = Content.styled(TROUBLE_MARK, "$error") if in_trouble(feed) else Content("")
    pad = " " * indent
    counts = "" if total is None else (f"{unread}/{total}" if unread else f"{total}")
    room = max(4, width - indent - cell_len(mark.plain) - cell_len(counts) - 1)
    name = truncate(clean_field(feed.name), room)
    return Content.assemble(
        pad, mark, name, " " * max(1, room - cell_len(name) + 1), (counts, "dim")
    )


def folder_heading(folder: str, width: int) -> Content:
    """A folder of subscriptions (a heading line, not selectable)."""
    return Content.styled(truncate(clean_field(folder), width), "bold $text-muted")


def feed_trouble(feed: FeedInfo) -> Content:
    """Why a feed is in trouble, for the status bar: its status and last error, literally."""
    reason = feed.last_error or (f"→ {feed.moved_to}" if feed.moved_to else "")
    text = f"{TROUBLE_MARK} {feed.status}" + (f": {reason}" if reason else "")
    return Content.styled(clean_field(text), "$error")


def refresh_progress(done: int, total: int, name: str) -> Content:
    """The status bar during a refresh: `刷新 12/40 · 量子位`."""
    return Content.styled(
        _("Refreshing {done}/{total}").format(done=done, total=total) + f" · {clean_field(name)}",
        "$warning",
    )


def bullet_content(
    text: str, citations: tuple[int, ...], words: Iterable[str], whole_words: bool = True
) -> Content:
    """A bullet: `**label**` in bold, `[n]` citations dimmed, search words marked."""
    plain = BOLD.sub(r"\1", text)
    content = Content(plain)
    offset = 0
    for m in BOLD.finditer(text):  # positions shift by the removed `**` pairs
        start = m.start() - offset
        content = content.stylize("bold", start, start + len(m.group(1)))
        offset += 4
    for m in CITATIONS.finditer(plain):
        content = content.stylize("dim", m.start(), m.end())
    content = highlight(content, words, whole_words)
    if citations:
        content = content + Content.styled(" " + "".join(f"[{c}]" for c in citations), "dim")
    return content


def article_blocks(article: Article, words: Iterable[str] = ()) -> list[tuple[str, Content]]:
    """The article as (kind, content) blocks: title, meta, 锐评, headings, bullets, sources.

    The search words are marked as words (`AI` not inside `FAIR`); an article where a
    word occurs only inside longer words (found by `Open` in `OpenAI`) marks those."""
    words = list(words)
    blocks = _blocks(article, words, whole_words=True)
    if words and not match_indexes(blocks):
        blocks = _blocks(article, words, whole_words=False)
    return blocks


def match_indexes(blocks: list[tuple[str, Content]]) -> list[int]:
    """The blocks with a marked search match, in order."""
    return [
        i
        for i, (_, content) in enumerate(blocks)
        if any(span.style == MATCH_STYLE for span in content.spans)
    ]


def _blocks(article: Article, words: list[str], whole_words: bool) -> list[tuple[str, Content]]:
    def marked(content: Content) -> Content:
        return highlight(content, words, whole_words)

    blocks: list[tuple[str, Content]] = []
    blocks.append(("title", marked(Content(article.title)).stylize("bold")))
    meta = " · ".join(
        filter(
            None, [article.feed, "、".join(article.outlets), article.published.replace("T", " ")]
        )
    )
    if not article.read:
        meta += " · " + _("unread")
    blocks.append(("meta", Content.styled(meta, "dim")))
    quoted = {n.text for n in article.notes if n.kind == "quote"}
    bookmarked = any(n.kind == "ruiping" for n in article.notes)
    if article.ruiping:
        mark = RUIPING_MARK_BOOKMARKED if bookmarked else RUIPING_MARK
        blocks.append(
            (
                "ruiping",
                Content.assemble((mark, "bold $warning"), marked(Content(article.ruiping))),
            )
        )
    for section in article.sections:
        if section.heading:
            blocks.append(("heading", marked(Content(section.heading)).stylize("bold $accent")))
        for bullet in section.bullets:
            # A no-break space keeps the bullet on the line: Chinese has no spaces to wrap at.
            dot = "★\u00a0" if bullet.text in quoted else "•\u00a0"
            blocks.append(
                (
                    "bullet",
                    Content(dot)
                    + bullet_content(bullet.text, bullet.citations, words, whole_words),
                )
            )
    if article.outlets or article.links:
        blocks.append(("heading", Content.styled(_("Sources"), "bold $accent")))
        if article.outlets:
            blocks.append(
                ("source", Content.assemble((_("Source") + " ", "dim"), "、".join(article.outlets)))
            )
        for link in article.links:
            blocks.append(("link", Content.assemble((_("Link") + " ", "dim"), (link, "underline"))))
    return blocks


def entity_line(entity: EntityCount, width: int) -> Content:
    count = f"×{entity.count}"
    room = max(4, width - len(count) - 1)
    name = truncate(entity.name, room)
    return Content.assemble(name, " " * max(1, room - cell_len(name) + 1), (count, "dim"))


def type_header(kind: str, count: int) -> Content:
    return Content.styled(f"{TYPE_LABELS.get(kind, kind)} {count}", "bold $accent")


def palette_hit(text: str, matcher: Matcher) -> Content:
    """A palette entry with the typed letters marked. (`Matcher.highlight` reads its text
    as markup: a feed named `[/x]` broke the palette, one named `[b]x` lost its name.)"""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def entities_title(count: int) -> Content:
    """The sidebar's title over the open article's entities."""
    return Content.assemble((_("Entities") + " ", "bold"), (f"· {count}", "dim"))


def entity_articles_title(name: str, kind: str, count: int) -> Content:
    """The sidebar's title over the articles that mention one entity."""
    return Content.assemble(
        (name, "bold"),
        (f" · {TYPE_LABELS.get(kind, kind)} · " + _("{count} articles").format(count=count), "dim"),
    )


def note_kind(note: Note) -> str:
    return "锐评" if note.kind == "ruiping" else _("Quote")


def note_prompt(note: Note) -> Content:
    """A note on the notes screen: kind, article, date; the text; comment and tags."""
    head = Content.assemble(
        (f"{note_kind(note)} ", "bold $warning"),
        (note.article_title, "bold"),
        (f"  {note.created[:10]}", "dim"),
    )
    lines = [head, Content.assemble(("> ", "dim"), note.text)]
    if note.comment:
        lines.append(Content.assemble(("✎ ", "$accent"), note.comment.replace("\n", " ")))
    if note.tags:
        lines.append(Content.styled(" ".join("#" + t for t in note.tags), "$accent"))
    return Content("\n").join(lines)


def note_title(note: Note) -> Content:
    """The note editor's first line: kind and article."""
    return Content.assemble((f"{note_kind(note)} · ", "bold"), note.article_title)


def note_quote(note: Note) -> Content:
    return Content("> " + note.text)
