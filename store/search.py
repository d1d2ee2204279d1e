"""Run a Query against the library: exact substring recall, bm25 ranking, snippets.

One module of ~650 lines because planning, counting and ranking share the shapes of
the FTS tables and each other's windows (snippets live in store/snippets.py).

Each word becomes an FTS5 phrase over the character stream (store/segment.py), so
the articles found are exactly those that contain the word, however jieba would
cut it. The few shapes the index cannot answer exactly (a word with punctuation in
it, or one that starts in the middle of a Latin word, as `ai模型` inside
`openai模型`) get a superset from the index and a substring check on the text. A
query of common words only (store/grams.py) is answered from the `grams` index
instead: one token a word, no phrase to evaluate, the same articles.

Ranking is bm25 over jieba's words of the query (the `words` index), title matches
first, newest first on ties: an article where a query word occurs often, or where it
is a word of its own (`AI`, not inside `OpenAI`), ranks higher. Only the newest
RANK_WINDOW matches are ranked (the rest follow newest first) and the matches older
than them are only counted. When a query matches more than half of the library, its
words carry no weight and the results are simply newest first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from . import grams, segment
from .ids import DAY_SLOTS, day_fid, day_sid
from .money_query import checked_query, money_amount, money_filter_sql
from .query import Query, Term, parse_query
from .records import SearchHit, SearchResult
from .searchable import indexed_text, searchable_lines
from .snippets import find_spans, make_snippet, term_pattern
from .sql import entity_filter, has_table, in_chunks, keys_of, marks, note_comments_of, noted_sql

T = TypeVar("T")


class Source(Protocol):
    """What a search reads from (the `Library` is one): its public reading API only."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    def read_aside(
        self, read: Callable[[sqlite3.Connection, str, list[Any]], T], sql: str, args: list[Any]
    ) -> Future[T]: ...

    def totals(self) -> tuple[int, int]: ...

    def article_count(self) -> int: ...

    def resolve_entity(self, name: str) -> list[tuple[int, str, str]]: ...


# Title matches rank first: more than bm25 over a query's words gives in practice.
TITLE_BONUS = 100
# At most this many of the query's words (as jieba cuts them) weigh in bm25.
MAX_RANK_WORDS = 8
# A query matching more articles than this is ranked among its newest RANK_WINDOW
# matches (then the rest, newest first): ranking 30,000 rows would cost ~40 ms.
RANK_WINDOW = 1000


# FTS rows with their article's `sid`, through an index that holds both: the search
# table drives (CROSS JOIN keeps that order), one index lookup a row.
def _joined(table: str) -> str:
    """FTS rows of `table` (`search` or `grams`) with their article's `sid`."""
    return (
        f"FROM {table} CROSS JOIN articles a INDEXED BY articles_fid_sid ON a.fid = {table}.rowid"
    )


JOINED = _joined("search")


@dataclass(frozen=True)
class Plan:
    """How one term is looked up: an FTS5 expression, and whether it needs a text check."""

    expr: str
    exact: bool
    pattern: re.Pattern[str]
    title_expr: str  # the same, in the title only (title matches rank first)
    gram: str | None = None  # the word, where it is one token of `grams` (store/grams.py)


def _phrase(pieces: list[str], prefix: bool = False) -> str:
    return '"' + " ".join(pieces) + '"' + ("*" if prefix else "")


def _word_expr(word: str) -> tuple[str, bool]:
    """FTS5 expression for one lower-cased word, and whether it is exact.

    A Latin word is looked up by its suffixes (one doclist, fast); anything else is
    a phrase of the character stream. Only punctuation inside the word (`GPT-5`
    matches `GPT 5` in the index) needs a check of the text.
    """
    exact = all(ch.isalnum() for ch in word)
    if segment.is_latin_word(word):
        if len(word) > segment.MAX_SUFFIX:
            return _phrase([word[: segment.MAX_SUFFIX]], True), False
        return _phrase([word], True), exact
    pieces = segment.chars_pieces(word)
    # In the character column only: the `latin` column lists sorted suffixes, so a
    # phrase there matches neighbours in that list (`Q2` and `V5` give `2 5`).
    return ("chars : " if len(pieces) > 1 else "") + _phrase(pieces), exact


def plan(term: Term) -> Plan:
    words = [w.lower() for w in term.words()]
    variants = list(dict.fromkeys([" ".join(words), "".join(words)]))
    built = [_word_expr(v) for v in variants]
    expr = " OR ".join(f"({e})" for e, _ in built)
    title = " OR ".join(f"({_word_expr(v)[0]})" for v in variants)
    if len(built) == 1:
        expr = built[0][0]
    if term.phrase:
        # `"人工 智能"` as `人 工 智 能` or `人 工 ␣ 智 能` (one boundary token stands for
        # any run of spaces and punctuation) is exactly the pattern, if each word is
        # letters and digits only; only a cut-off long Latin word needs the text.
        exact = all(w.isalnum() for w in words) and not any(
            segment.is_latin_word(v) and len(v) > segment.MAX_SUFFIX for v in variants
        )
    else:
        exact = all(x for _, x in built)
    pattern = term_pattern(term)
    gram = words[0] if len(words) == 1 and grams.is_gram(words[0]) else None
    return Plan(expr, exact, pattern, title, gram)


def _match_expr(positives: list[Plan], negatives: list[Plan]) -> tuple[str, str]:
    """The FTS table to ask and its MATCH expression for a query's plans (inexact
    negatives are left to the caller's text check).

    Common words only: one token each in `grams` (exact, and no phrase to evaluate).
    """
    table = "grams" if all(p.gram for p in positives + negatives) else "search"
    words = [f'"{p.gram}"' if table == "grams" else p.expr for p in positives]
    expr = " AND ".join(f"({w})" if len(words) > 1 else w for w in words)
    for p in negatives:
        if table == "grams":
            expr = f'({expr}) NOT "{p.gram}"'
        elif p.exact:
            expr = f"({expr}) NOT ({p.expr})"
    return table, expr


def run_search(library: Source, text: str, limit: int | None = 20) -> SearchResult:
    query = checked_query(text)
    limit = None if not limit or limit < 0 else limit
    words = _highlight_words(library, query)
    if query.is_empty:
        return SearchResult(query.text, 0, (), query.problems, words)
    try:
        total, ranked, hits = _ranked(library, query, limit)
    except sqlite3.OperationalError as e:  # never let one odd query take the reader down
        return SearchResult(query.text, 0, (), (*query.problems, f"search failed: {e}"), words)
    if hits is None:
        hits = _hits(library, ranked, query)
    return SearchResult(query.text, total, tuple(hits), query.problems, words)


def _highlight_words(library: Source, query: Query) -> tuple[str, ...]:
    """What the reader marks: each word, each phrase whole (its words joined by a space),
    and for `entity:` every name and alias of the entities it means."""
    words = [t.text for t in query.positive]
    ids = [i for name in query.entities for i, _, _ in library.resolve_entity(name)]
    for chunk, placeholders in in_chunks(ids):
        for name, aliases in library.conn.execute(
            f"SELECT name, aliases FROM entities WHERE id IN ({placeholders})", chunk
        ):
            words += [name, *json.loads(aliases or "[]")]
    return tuple(dict.fromkeys(" ".join(w.split()) for w in words if w.strip()))


def _filters(
    library: Source,
    query: Query,
    column: str = "search.rowid",
    span: tuple[int, int] | None = None,
) -> tuple[list[str], list[Any]]:
    """Conditions on the FTS rowid (an article's `fid`) or on the `sid` of articles.

    The subqueries read `fid` from indexes that hold it (store/schema.py, m006). With
    `span` (after, upto), mentions are read for the articles of that id range only.
    """
    conn = library.conn
    clauses: list[str] = []
    params: list[Any] = []
    fts = column.endswith(".rowid")
    key = "fid" if fts else "sid"
    day_id = day_fid if fts else day_sid
    if query.after:
        clauses.append(f"{column} >= ?")
        params.append(day_id(query.after))
    if query.before:
        clauses.append(f"{column} < ?")
        params.append(day_id(query.before))
    # `+` keeps SQLite from driving the FTS query by these rowids (one MATCH per row).
    plus = "+" if fts else ""
    for name in query.feeds:
        ids = _matching_ids(conn, "SELECT id, name FROM feeds", name)
        clauses.append(
            f"{plus}{column} IN (SELECT {key} FROM article_feeds WHERE feed_id IN ({marks(ids)}))"
        )  # article_feeds_feed (feed_id, sid, fid)
        params.extend(ids)
    for name in query.outlets:
        names = _matching_names(conn, _OUTLET_NAMES, name)
        clauses.append(
            f"{plus}{column} IN (SELECT {key} FROM article_outlets WHERE name IN ({marks(names)}))"
        )
        params.extend(names)
    # (mentions' key is (article_id, entity_id): a range of articles is a range of it)
    in_range = "article_id > ? AND article_id <= ? AND " if span else ""
    for name in query.entities:
        entity_ids = [i for i, _, _ in library.resolve_entity(name)]
        if span is None:
            clause, values = entity_filter(entity_ids, plus + column, key)
            clauses.append(clause)
            params.extend(values)
        else:
            mentioned = f"SELECT article_id FROM mentions WHERE {in_range}entity_id IN ({marks(entity_ids)})"
            clauses.append(f"{plus}{column} IN ({keys_of(key, mentioned)})")
            params.extend([*span, *entity_ids])
    for money in query.money:
        entities, values = money_filter_sql(money)
        mentioned = f"SELECT article_id FROM mentions WHERE {in_range}entity_id IN ({entities})"
        clauses.append(f"{plus}{column} IN ({keys_of(key, mentioned)})")
        params.extend([*(span or ()), *values])
    if query.read is not None:
        # Name the smaller side: most articles are unread, few are read.
        total, unread = library.totals()
        read = total - unread
        wanted_is_small = (read if query.read else unread) <= (unread if query.read else read)
        negate = "" if wanted_is_small else "NOT "
        clauses.append(f"{plus}{column} {negate}IN (SELECT {key} FROM articles WHERE read = ?)")
        params.append(int(query.read) if wanted_is_small else int(not query.read))
    if query.noted:
        if has_table(conn, "notes"):
            noted = keys_of(key, "SELECT article_id FROM notes")
            clauses.append(f"{plus}{column} IN ({noted})")
        else:
            clauses.append("0")
    return clauses, params


# The distinct outlet names, one index seek each (`SELECT DISTINCT` reads every row
# of the index: 11 ms at 100,000 articles).
_OUTLET_NAMES = """WITH RECURSIVE o(name) AS (
    SELECT min(name) FROM article_outlets
    UNION ALL
    SELECT (SELECT min(name) FROM article_outlets WHERE name > o.name) FROM o WHERE o.name IS NOT NULL
) SELECT name FROM o WHERE name IS NOT NULL"""


def _matching_names(conn: sqlite3.Connection, sql: str, wanted: str) -> list[str]:
    """Names equal to `wanted` (case-insensitively), else those containing it."""
    names = [r[0] for r in conn.execute(sql)]
    low = wanted.lower()
    exact = [n for n in names if n.lower() == low]
    return exact or [n for n in names if low in n.lower()]


def _matching_ids(conn: sqlite3.Connection, sql: str, wanted: str) -> list[int]:
    rows = conn.execute(sql).fetchall()
    low = wanted.lower()
    exact = [r[0] for r in rows if r[1].lower() == low]
    return exact or [r[0] for r in rows if low in r[1].lower()]


def _ranked(
    library: Source, query: Query, limit: int | None
) -> tuple[int, list[tuple[int, float]], list[SearchHit] | None]:
    """The total, the (sid, score) of the hits to show, best first, and the hits
    themselves where they were made while the count ran."""
    conn = library.conn
    positives = [plan(t) for t in query.positive]
    negatives = [plan(t) for t in query.negative]
    excluded = _inexact_matches(library, [p for p in negatives if not p.exact])
    checks = [p for p in positives if not p.exact]
    if not positives:
        return (*_newest(library, query, negatives, excluded, limit), None)
    table, expr = _match_expr(positives, negatives)
    clauses, params = _filters(library, query, f"{table}.rowid")
    where = " AND ".join([f"{table} MATCH ?", *clauses])
    args: list[Any] = [expr, *params]
    scoring = Scoring(
        words=_words_expr(query), titles=" OR ".join(f"({p.title_expr})" for p in positives)
    )
    if checks or excluded:
        sql = f"SELECT {table}.rowid, a.sid {_joined(table)} WHERE {where}"
        rows = [r for r in conn.execute(sql, args).fetchall() if r[1] not in excluded]
        kept = sorted(_checked(library, rows, checks), key=lambda r: -r[1])
        if len(kept) * 2 > library.article_count():
            return len(kept), [(sid, 0.0) for _, sid in kept[:limit]], None
        ranked = _scored(conn, kept[:RANK_WINDOW], scoring)
        ranked += [(sid, 0.0) for _, sid in kept[RANK_WINDOW:]]
        return len(kept), ranked[:limit], None
    return _windowed(library, query, table, where, args, scoring, limit)


def _windowed(
    library: Source,
    query: Query,
    table: str,
    where: str,
    args: list[Any],
    scoring: Scoring,
    limit: int | None,
) -> tuple[int, list[tuple[int, float]], list[SearchHit] | None]:
    """_ranked for an exact query: the newest RANK_WINDOW matches are ranked, the older
    ones only counted.

    They are counted in two parts, the older two thirds on a second connection; beside
    that count this thread makes the hits of the list the count will most likely ask
    for (a window packed with matches means a word in most articles: newest first, no
    ranking; a wrong guess is thrown away) and counts the last third.
    """
    conn = library.conn
    sql = (
        f"SELECT {table}.rowid, a.sid {_joined(table)} WHERE {where} "
        f"ORDER BY {table}.rowid DESC LIMIT {RANK_WINDOW}"
    )
    window = conn.execute(sql, args).fetchall()
    total, common, early = len(window), False, None
    if total == RANK_WINDOW:
        oldest = window[-1][0]
        first = conn.execute("SELECT min(fid) FROM articles").fetchone()[0]
        split = first + (oldest - first) * 2 // 3
        count = f"SELECT count(*) FROM {table} WHERE {where} AND {table}.rowid < ?"
        older = library.read_aside(_count, count, [*args, split])
        if limit is not None:
            near = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM articles WHERE fid >= ? LIMIT ?)",
                [oldest, 2 * RANK_WINDOW],
            ).fetchone()[0]
            common = near < 2 * RANK_WINDOW
        ranked = [] if common else _scored(conn, window, scoring)[:limit]
        guess = _newest_first(conn, table, where, args, 0, limit) if common else ranked
        if limit is not None:
            early = _hits(library, guess, query)
        total += _count(conn, f"{count} AND {table}.rowid >= ?", [*args, oldest, split])
        total += older.result()
    else:
        ranked = _scored(conn, window, scoring)[:limit]
    if total * 2 > library.article_count():  # words in most articles weigh nothing
        if common:
            return total, guess, early
        return total, _newest_first(conn, table, where, args, 0, limit), None
    if common:  # the guess was wrong
        ranked, early = _scored(conn, window, scoring)[:limit], None
    if total > RANK_WINDOW and (limit is None or limit > RANK_WINDOW):
        more = None if limit is None else limit - RANK_WINDOW
        return total, ranked + _newest_first(conn, table, where, args, RANK_WINDOW, more), None
    return total, ranked, early


@dataclass(frozen=True)
class Scoring:
    """What ranks the matches: jieba's words of the query (bm25) and the title phrases."""

    words: str  # the query's words as jieba cuts them, an FTS5 query of `words`
    titles: str  # the query's phrases, for `titles`


def _words_expr(query: Query) -> str:
    """The query's words as jieba's words, for bm25 over the `words` index.

    Each word as itself where jieba's dictionary cuts it so, else as any of the longer
    words jieba finds inside it (`人工智` → 人工); the words are ANDed, so articles where
    every query word is a word of its own rank first (`AI` the word above `OpenAI`). A
    fragment with no such word (`英伟` → 英, 伟) is left out: those characters as words
    say nothing about it. So is a word of one character (`云`): the index leaves them out
    (store/segment.py). An AND also keeps the lookup to the few articles holding them
    all (an OR of a common word would score every article in the window's range).
    """
    parts: list[str] = []
    for term in query.positive:
        for word in term.words():
            cut = [t.lower() for t in segment.cut_for_search(word) if _TOKEN.fullmatch(t)]
            low = word.lower()
            tokens = [low] if low in cut else cut
            tokens = [t for t in tokens if len(t) > 1]
            if tokens:
                parts.append(" OR ".join(f'"{t}"' for t in dict.fromkeys(tokens)))
    parts = list(dict.fromkeys(parts))[:MAX_RANK_WORDS]
    return " AND ".join(f"({p})" if len(parts) > 1 else p for p in parts)


_TOKEN = re.compile(r"[^\W_]+")  # one unicode61 token


def _scored(conn: sqlite3.Connection, rows: list[Any], scoring: Scoring) -> list[tuple[int, float]]:
    """(sid, score) of matching rows (fid, sid), best first: title matches, then bm25 over
    jieba's words, then newest first.

    Both lookups are limited to the rows' range of ids (FTS5 answers `rowid IN (…)`
    with one MATCH per value). bm25 over the words, not over the character index: its
    idf would make FTS5 evaluate every phrase over the whole library once more.
    """
    if not rows:
        return []
    sid_of = {int(fid): int(sid) for fid, sid in rows}
    span = [min(sid_of), max(sid_of)]
    bm25: dict[int, float] = {}
    if scoring.words:
        bm25 = dict(
            conn.execute(
                "SELECT rowid, bm25(words) FROM words WHERE words MATCH ? "
                "AND rowid >= ? AND rowid <= ?",
                [scoring.words, *span],
            ).fetchall()
        )
    titled = {
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM titles WHERE titles MATCH ? AND rowid >= ? AND rowid <= ?",
            [scoring.titles, *span],
        )
    }
    scored = [
        (sid, bm25.get(fid, 0.0) - TITLE_BONUS * (fid in titled)) for fid, sid in sid_of.items()
    ]
    scored.sort(key=lambda r: (r[1], -r[0]))
    return scored


def _newest_first(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    args: list[Any],
    skip: int,
    limit: int | None,
) -> list[tuple[int, float]]:
    """(sid, 0.0) of the matches after the first `skip` by rowid, newest first.

    Rowids order days exactly but not the articles of one day, so the last day taken
    is taken whole before the rows are sorted by `sid` and cut.
    """
    sql = f"SELECT {table}.rowid, a.sid {_joined(table)} WHERE {where} ORDER BY {table}.rowid DESC"
    if limit is None:
        rows = conn.execute(f"{sql} LIMIT -1 OFFSET {skip}", args).fetchall()
    else:
        rows = conn.execute(f"{sql} LIMIT ? OFFSET {skip}", [*args, limit]).fetchall()
        if rows and len(rows) == limit:
            last = rows[-1][0]
            rows += conn.execute(
                f"SELECT {table}.rowid, a.sid {_joined(table)} WHERE {where} "
                f"AND {table}.rowid >= ? AND {table}.rowid < ?",
                [*args, last - last % DAY_SLOTS, last],
            ).fetchall()
    sids = sorted((r[1] for r in rows), reverse=True)
    return [(sid, 0.0) for sid in (sids if limit is None else sids[:limit])]


def _count(conn: sqlite3.Connection, sql: str, args: list[Any]) -> int:
    return int(conn.execute(sql, args).fetchone()[0])


def _newest(
    library: Source, query: Query, negatives: list[Plan], excluded: set[int], limit: int | None
) -> tuple[int, list[tuple[int, float]]]:
    """Filters and exclusions only: every matching article, newest first."""
    conn = library.conn
    clauses, args = _filters(library, query, "sid")
    for p in negatives:
        if p.exact:
            clauses.append(f"sid NOT IN (SELECT a.sid {JOINED} WHERE search MATCH ?)")
            args.append(p.expr)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sids = [r[0] for r in conn.execute(f"SELECT sid FROM articles {where} ORDER BY sid DESC", args)]
    if excluded:
        sids = [s for s in sids if s not in excluded]
    shown = sids if limit is None else sids[:limit]
    return len(sids), [(s, 0.0) for s in shown]


def matching_ids(
    library: Source, text: str, after_id: int = 0, upto_id: int | None = None
) -> set[int]:
    """The ids of every article the query matches (as many as run_search's total), or
    only those with `after_id < id <= upto_id`: a followed search's count grows by
    testing the articles that arrived since it was last counted (store/follow.py).
    """
    query = checked_query(text)
    if query.is_empty:
        return set()
    upto = upto_id if upto_id is not None else 2**62
    try:
        found = _ids_matching(library, query, after_id, upto)
    except sqlite3.OperationalError:  # as run_search: an odd query finds nothing
        return set()
    # (from 0 the id range is not in the SQL: the whole index is read anyway)
    return found if upto_id is None else {i for i in found if i <= upto}


def _id_range(
    conn: sqlite3.Connection, column: str, after_id: int, upto: int
) -> tuple[str, list[Any]]:
    """SQL restricting `column` (an FTS rowid, or `sid`) to articles of an id range.

    On an FTS rowid, also to the span of their `fid`s: FTS5 then reads only that part
    of each doclist (new articles from feeds are mostly of the last days).
    """
    if not column.endswith(".rowid"):
        return "id > ? AND id <= ?", [after_id, upto]
    keys = "SELECT fid FROM articles INDEXED BY articles_id_fid WHERE id > ? AND id <= ?"
    low, high = conn.execute(
        f"SELECT min(fid), max(fid) FROM ({keys})", [after_id, upto]
    ).fetchone()
    if low is None:
        return "0", []
    return (
        f"{column} >= ? AND {column} <= ? AND +{column} IN ({keys})",
        [low, high, after_id, upto],
    )


def _ids_matching(library: Source, query: Query, after_id: int, upto: int) -> set[int]:
    conn = library.conn
    positives = [plan(t) for t in query.positive]
    negatives = [plan(t) for t in query.negative]
    ranged = after_id > 0
    span = (after_id, upto) if ranged else None
    inexact = [p for p in negatives if not p.exact]
    excluded = _inexact_matches(library, inexact, span)
    if not positives:
        clauses, args = _filters(library, query, "sid", span)
        for p in negatives:
            if p.exact:
                clauses.append(f"sid NOT IN (SELECT a.sid {JOINED} WHERE search MATCH ?)")
                args.append(p.expr)
        if ranged:
            clause, values = _id_range(conn, "sid", after_id, upto)
            clauses.append(clause)
            args.extend(values)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return {
            i
            for i, sid in conn.execute(f"SELECT id, sid FROM articles {where}", args)
            if sid not in excluded
        }
    table, expr = _match_expr(positives, negatives)
    clauses, params = _filters(library, query, f"{table}.rowid", span)
    if ranged:
        clause, values = _id_range(conn, f"{table}.rowid", after_id, upto)
        clauses.append(clause)
        params.extend(values)
    where = " AND ".join([f"{table} MATCH ?", *clauses])
    rows = conn.execute(
        f"SELECT {table}.rowid, a.sid, a.id {_joined(table)} WHERE {where}", [expr, *params]
    ).fetchall()
    id_of = {sid: article_id for _, sid, article_id in rows}
    checks = [p for p in positives if not p.exact]
    kept = _checked(library, [(fid, sid) for fid, sid, _ in rows if sid not in excluded], checks)
    return {id_of[sid] for _, sid in kept}


def _inexact_matches(
    library: Source, plans: list[Plan], ids: tuple[int, int] | None = None
) -> set[int]:
    """Search ids of the articles that really contain any of these (inexact) terms
    (of the articles whose ids are in the range `ids`, if given)."""
    out: set[int] = set()
    for p in plans:
        where, args = "search MATCH ?", [p.expr]
        if ids is not None:
            clause, values = _id_range(library.conn, "search.rowid", *ids)
            where, args = f"{where} AND {clause}", [*args, *values]
        rows = library.conn.execute(
            f"SELECT search.rowid, a.sid {JOINED} WHERE {where}", args
        ).fetchall()
        out.update(sid for _, sid in _checked(library, rows, [p]))
    return out


def _checked(library: Source, candidates: list[Any], checks: list[Plan]) -> list[tuple[int, int]]:
    """Keep the candidates (fid, sid) whose text contains every checked term (in order)."""
    if not checks:
        return [(int(fid), int(sid)) for fid, sid in candidates]
    kept: list[tuple[int, int]] = []
    for start in range(0, len(candidates), 400):
        chunk = candidates[start : start + 400]
        texts = _texts(library, [sid for _, sid in chunk])
        for fid, sid in chunk:
            text = texts.get(sid, "")
            if all(p.pattern.search(text) for p in checks):
                kept.append((int(fid), int(sid)))
    return kept


def _texts(library: Source, sids: list[int]) -> dict[int, str]:
    """Lower-cased searchable text by search id: what the index holds, line by line."""
    conn = library.conn
    rows = conn.execute(
        f"SELECT sid, id, title, sections, ruiping, outlets FROM articles WHERE sid IN ({marks(sids)})",
        sids,
    ).fetchall()
    comments = note_comments_of(conn, [r[1] for r in rows])
    out = {}
    for sid, article_id, title, sections, ruiping, outlets in rows:
        lines = searchable_lines(
            ruiping, sections, json.loads(outlets), comments.get(article_id, ())
        )
        out[sid] = indexed_text(title, ruiping, lines).lower()
    return out


def _hits(library: Source, ranked: list[tuple[int, float]], query: Query) -> list[SearchHit]:
    if not ranked:
        return []
    sids = [sid for sid, _ in ranked]
    rows = {}
    noted = noted_sql(library.conn)
    for chunk, placeholders in in_chunks(sids):  # (`--limit 0` lists them all)
        for r in library.conn.execute(
            "SELECT a.sid, a.id, f.name, a.kind, a.title, a.outlets, a.published, a.read, "
            f"a.sections, a.ruiping, {noted} "
            f"FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.sid IN ({placeholders})",
            chunk,
        ):
            rows[r[0]] = r[1:]
    patterns = [plan(t).pattern for t in query.positive]
    comments = note_comments_of(library.conn, [r[0] for r in rows.values()])
    hits = []
    for sid, score in ranked:
        if sid not in rows:
            continue
        article_id, feed, kind, title, outlets, published, read, sections, ruiping, noted = rows[
            sid
        ]
        outlet_list = json.loads(outlets)
        lines = searchable_lines(ruiping, sections, outlet_list, comments.get(article_id, ()))
        snippet, spans = make_snippet(lines, patterns)
        hits.append(
            SearchHit(
                id=article_id,
                title=title,
                feed=feed,
                outlets=tuple(outlet_list),
                published=published,
                snippet=snippet,
                score=-score if score else None,  # 0.0: not ranked (see SearchHit)
                kind=kind,
                read=bool(read),
                noted=bool(noted),
                highlights=spans,
                title_highlights=tuple(find_spans(title, patterns)),
            )
        )
    return hits


__all__ = [
    "Plan",
    "checked_query",
    "find_spans",
    "make_snippet",
    "matching_ids",
    "money_amount",
    "parse_query",
    "plan",
    "run_search",
]
