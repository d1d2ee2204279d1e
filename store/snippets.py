"""Snippets and highlights: where a search's words occur in an article's lines.

Pure functions of text and patterns (no library, no query planning): the search
makes its hits' snippets with them and the reader marks the words in an article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

from .query import Term

SNIPPET_WIDTH = 72


def term_pattern(term: Term) -> re.Pattern[str]:
    """What a term matches in lower-cased text: its words in order, with only spaces or
    punctuation between them (`"人工 智能"` matches `人工·智能`)."""
    return re.compile(r"[\W_]*".join(re.escape(w.lower()) for w in term.words()))


_LATIN = re.compile(r"[A-Za-z0-9]")


def highlight_pattern(word: str, whole_words: bool = True) -> re.Pattern[str]:
    """What to mark for one of a search's words (SearchResult.words) in lower-cased text.

    A word with a space in it is a phrase: its words in order, as the search matched
    them (not each word anywhere). With `whole_words`, a word that starts or ends with
    a Latin letter or digit is marked only where it is not part of a longer Latin word
    (`AI` is not marked inside `FAIR` or `OpenAI`); next to Chinese it always is.
    """
    term = Term(word, phrase=len(word.split()) > 1)
    pattern = term_pattern(term).pattern
    if whole_words:
        if _LATIN.match(word[:1]):
            pattern = r"(?<![a-z0-9])" + pattern
        if _LATIN.match(word[-1:]):
            pattern += r"(?![a-z0-9])"
    return re.compile(pattern)


def highlight_spans(
    text: str, words: Iterable[str], whole_words: bool = True
) -> list[tuple[int, int]]:
    """(start, end) of every match of a search's words in `text`, merged and in order
    (words without a letter or digit mark nothing; see highlight_pattern)."""
    patterns = [
        highlight_pattern(w.strip(), whole_words) for w in words if any(c.isalnum() for c in w)
    ]
    return find_spans(text, patterns) if patterns else []


def _lower_for_spans(text: str) -> str:
    """Lower-case without changing offsets (str.lower can lengthen a few characters)."""
    low = text.lower()
    return (
        low
        if len(low) == len(text)
        else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    )


def find_spans(text: str, patterns: list[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of every match of any pattern, in order."""
    low = _lower_for_spans(text)
    spans = sorted(
        {(m.start(), m.end()) for p in patterns for m in p.finditer(low) if m.end() > m.start()}
    )
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def make_snippet(
    lines: list[str], patterns: list[re.Pattern[str]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The line matching the most words (the first of equals), cut around its first match."""
    best, most = -1, 0
    for index in _candidate_lines(lines, patterns):
        low = _lower_for_spans(lines[index])
        count = sum(1 for p in patterns if _matches(p, low))
        if count > most:
            best, most = index, count
            if count == len(patterns):
                break
    if best < 0:
        return _across_lines(lines, patterns)
    line = lines[best]
    snippet, shifted = _cut_spans(line, find_spans(line, patterns))
    return snippet, tuple(shifted)


def _candidate_lines(lines: list[str], patterns: list[re.Pattern[str]]) -> Iterator[int]:
    """The lines where a pattern may match, in order, from one scan of the whole text.

    A long article has hundreds of lines. A match inside a line is either found by
    the scan or overlapped by a match found (one that starts before it, perhaps on an
    earlier line): every line a found match touches is a candidate. With one pattern
    the lines come as the scan goes (the first usually is the snippet's).
    """
    low = _lower_for_spans("\n".join(lines))
    if low.count("\n") != len(lines) - 1:  # a line with a line break in it: every line
        yield from range(len(lines))
        return
    if len(patterns) == 1:
        seen = -1
        for index in _touched(low, patterns[0]):
            if index > seen:
                seen = index
                yield index
        return
    yield from sorted({i for p in patterns for i in _touched(low, p)})


def _touched(text: str, pattern: re.Pattern[str]) -> Iterator[int]:
    """The line numbers each non-empty match of `pattern` in `text` spans, in order."""
    line, pos = 0, 0
    for m in pattern.finditer(text):
        start, end = m.span()
        if end > start:
            line += text.count("\n", pos, start)
            pos = start
            yield from range(line, line + text.count("\n", start, end) + 1)


def _matches(pattern: re.Pattern[str], text: str) -> bool:
    m = pattern.search(text)
    if m is None:
        return False
    return m.end() > m.start() or any(x.end() > x.start() for x in pattern.finditer(text))


def _across_lines(
    lines: list[str], patterns: list[re.Pattern[str]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """No line holds a word whole (a phrase broken over two lines): where the first match starts."""
    text = "\n".join(lines)
    low = _lower_for_spans(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    first = min(
        (m.start() for p in patterns for m in p.finditer(low) if m.end() > m.start()), default=None
    )
    if first is None:
        return _cut(lines[0] if lines else "", 0, []), ()
    line = lines[bisect.bisect_right(starts, first) - 1]
    return _cut(line, 0, []), ()


def _cut(line: str, start: int, spans: list[tuple[int, int]]) -> str:
    return _cut_spans(line, spans, start)[0]


def _cut_spans(
    line: str, spans: list[tuple[int, int]], start: int | None = None
) -> tuple[str, list[tuple[int, int]]]:
    if start is None:
        start = max(0, spans[0][0] - SNIPPET_WIDTH // 4) if spans else 0
    end = min(len(line), start + SNIPPET_WIDTH)
    if end - start < SNIPPET_WIDTH:
        start = max(0, end - SNIPPET_WIDTH)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    text = prefix + line[start:end] + suffix
    shift = len(prefix) - start
    shifted = [
        (max(a, start) + shift, min(b, end) + shift) for a, b in spans if b > start and a < end
    ]
    return text, shifted
