"""User text to a Query: words, "phrases", -exclusions and filters. Never raises.

    英伟 "英伟达 收购" -谷歌 feed:AI内参 outlet:36氪 entity:Meta after:2025-12-15
    before:2026-01 is:unread is:noted money:>=1亿美元

Every word must occur in the article as a substring (Latin case-insensitively);
a phrase is its words in order with nothing but spaces or punctuation between
them; `-` excludes a word or phrase. Filters take a value (quoted if it holds a
space). `after:` includes the date given, `before:` excludes it. `money:` compares
the amounts the entities found (an operator, then an amount: parsed by store/search.py
with the entities' own normaliser). Anything else,
`AND`, `*`, `(`, `NEAR` included, is a literal word.

Any text is a valid query: bytes that were not text (lone surrogates, as a
terminal's stray byte arrives in argv) are ignored with a problem. A term given
twice counts once (Latin case-insensitively); an absurd query is cut down to
MAX_TERMS terms of MAX_TERM_CHARS characters, with a problem saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from .sanitize import clean_field

FILTER_KEYS = ("feed", "outlet", "entity", "after", "before", "is", "money")
MONEY_OPERATORS = (">=", "<=", ">", "<", "=")
IS_VALUES = ("unread", "read", "noted")
# Far beyond what anyone types: each term is an FTS5 phrase and a text check, and a
# phrase of thousands of characters cost seconds (1,000 words: 4 s) for nothing, and
# so did 32 terms of 100 characters with punctuation inside (2.3 s on 6,000 articles).
MAX_TERMS = 16
MAX_TERM_CHARS = 64
_SURROGATES = re.compile("[\ud800-\udfff]")
# `"phrase"`, `key:"quoted value"`, `key:value`, or a plain word; each may start with `-`.
_TOKEN = re.compile(
    r'(?P<neg>-?)(?:"(?P<phrase>[^"]*)"?'
    r'|(?P<key>[A-Za-z]+):(?:"(?P<qvalue>[^"]*)"?|(?P<value>\S*))'
    r"|(?P<word>\S+))"
)


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False
    phrase: bool = False

    def words(self) -> list[str]:
        """The words of a phrase (a plain term is one word)."""
        return self.text.split() if self.phrase else [self.text]


@dataclass(frozen=True)
class MoneyFilter:
    """`money:>=1亿美元`: an operator and the amount as typed (`1亿美元`, `$2B`)."""

    op: str
    amount: str


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...] = ()
    feeds: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    after: str | None = None  # ISO date, inclusive
    before: str | None = None  # ISO date, exclusive
    read: bool | None = None  # is:unread → False, is:read → True
    noted: bool = False
    money: tuple[MoneyFilter, ...] = ()
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.feeds
            or self.outlets
            or self.entities
            or self.after
            or self.before
            or self.read is not None
            or self.noted
            or self.money
        )

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.has_filters


def parse_query(text: str) -> Query:
    """Parse what the user typed; problems (an unknown `is:`, a bad date) are reported, not raised."""
    problems: list[str] = []
    if _SURROGATES.search(text):  # they cannot be encoded: jieba and SQLite would raise
        text = _SURROGATES.sub(" ", text)
        problems.append("the query held bytes that are not text (not UTF-8?): they were ignored")
    text = clean_field(text)
    terms: list[Term] = []
    filters: dict[str, list[str]] = {key: [] for key in FILTER_KEYS}
    for m in _TOKEN.finditer(text):
        negated = bool(m["neg"])
        if m["phrase"] is not None:
            words = " ".join(m["phrase"].split())
            if _has_word(words):
                terms.append(Term(words, negated, phrase=len(words.split()) > 1))
        elif m["key"] is not None and m["key"].lower() in FILTER_KEYS and not negated:
            value = (m["qvalue"] if m["qvalue"] is not None else m["value"]).strip()
            if value:
                filters[m["key"].lower()].append(value)
            else:
                problems.append(f"{m['key']}: needs a value")
        else:
            word = m.group()[1:] if negated else m.group()
            word = word.strip('"')
            if _has_word(word):
                terms.append(Term(word, negated))
    query = Query(
        text=text,
        terms=_bounded(terms, problems),
        feeds=tuple(filters["feed"]),
        outlets=tuple(filters["outlet"]),
        entities=tuple(filters["entity"]),
    )
    for value in filters["after"]:
        if (day := parse_day(value)) is None:
            problems.append(f"after:{value} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        else:
            query = replace(query, after=max(filter(None, (query.after, day))))
    for value in filters["before"]:
        if (day := parse_day(value)) is None:
            problems.append(f"before:{value} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        else:
            query = replace(query, before=min(filter(None, (query.before, day))))
    for value in filters["is"]:
        value = value.lower()
        if value == "unread":
            query = replace(query, read=False)
        elif value == "read":
            query = replace(query, read=True)
        elif value == "noted":
            query = replace(query, noted=True)
        else:
            problems.append(f"is:{value} is unknown (is:unread, is:read or is:noted)")
    money: list[MoneyFilter] = []
    for value in filters["money"]:
        if (parsed := parse_money_filter(value)) is None:
            problems.append(f"money:{value} needs an amount (money:>=1亿美元)")
        else:
            money.append(parsed)
    query = replace(query, money=tuple(dict.fromkeys(money)))
    return replace(query, problems=tuple(problems))


def parse_money_filter(value: str) -> MoneyFilter | None:
    """`>=1亿美元` → (">=", "1亿美元"); no operator means `=`. None without an amount."""
    value = value.strip()
    op = next((o for o in MONEY_OPERATORS if value.startswith(o)), "=")
    amount = value[len(op) :].strip() if value.startswith(op) else value
    return MoneyFilter(op, amount) if amount else None


def _bounded(terms: list[Term], problems: list[str]) -> tuple[Term, ...]:
    """Each term once (search ignores Latin case), at most MAX_TERMS of MAX_TERM_CHARS."""
    unique: dict[tuple[str, bool, bool], Term] = {}
    for term in terms:
        unique.setdefault((term.text.lower(), term.negated, term.phrase), term)
    kept: list[Term] = []
    cut = False
    for term in unique.values():
        if len(term.text) > MAX_TERM_CHARS:
            text = term.text[:MAX_TERM_CHARS]
            if term.phrase and " " in text:  # a phrase loses whole words, not half of one
                text = text.rsplit(" ", 1)[0]
            term = replace(term, text=text, phrase=term.phrase and " " in text)
            cut = True
        kept.append(term)
    if cut:
        problems.append(f"a term is searched by its first {MAX_TERM_CHARS} characters only")
    if len(kept) > MAX_TERMS:
        problems.append(f"only the first {MAX_TERMS} terms of the query are searched")
    return tuple(dict.fromkeys(kept[:MAX_TERMS]))


def _has_word(text: str) -> bool:
    """A term counts only if it holds a letter or digit: `·` or `+++` alone finds nothing useful."""
    return any(ch.isalnum() for ch in text)


_DAY = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")


def parse_day(value: str) -> str | None:
    """`2025-12-15`, `2025/12/15`, `2025-12` (its first day) or `2025`, as an ISO date."""
    m = _DAY.match(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1)).isoformat()
    except ValueError:
        return None
