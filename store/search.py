"""Run a Query against the library: exact substring recall, bm25 ranking, snippets.

Each word becomes an FTS5 phrase over the character stream (store/segment.py), so
the articles found are exactly those that contain the word, however jieba would
cut it. The few shapes the index cannot answer exactly (a word with punctuation in
it, or one that starts in the middle of a Latin word, as `ai模型` inside
`openai模型`) get a superset from the index and a substring check on the text.

Ranking is bm25 over the character index (title and 锐评 weigh more), the first
hundred refined by bm25 over jieba's words, newest first on ties. When a query
matches more than half of the library, bm25 gives its words no weight (their idf
is zero) and the results are simply newest first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import segment
from .articles import SearchHit, SearchResult, day_sid, sections_load
from .query import Query, Term, parse_query
from .schema import CHAR_COLUMNS, LATIN_COLUMNS, SEARCH_WEIGHTS, WORDS_WEIGHTS

if TYPE_CHECKING:
    from .library import Library

RERANK = 100
TITLE_BONUS = 10
SNIPPET_WIDTH = 72
_BM25 = "bm25(search, " + ", ".join(str(w) for w in SEARCH_WEIGHTS) + ")"
_WORDS_BM25 = "bm25(words, " + ", ".join(str(w) for w in WORDS_WEIGHTS) + ")"


@dataclass(frozen=True)
class Plan:
    """How one term is looked up: an FTS5 expression, and whether it needs a text check."""

    expr: str
    exact: bool
    pattern: re.Pattern[str]
    title_expr: str  # the same, in the title only (title matches rank first)


def _phrase(pieces: list[str], prefix: bool = False) -> str:
    return '"' + " ".join(pieces) + '"' + ("*" if prefix else "")


def _word_expr(
    word: str, chars_cols: str = CHAR_COLUMNS, latin_cols: str = LATIN_COLUMNS
) -> tuple[str, bool]:
    """FTS5 expression for one lower-cased word, and whether it is exact."""
    exact = all(ch.isalnum() for ch in word)
    pieces = segment.chars_pieces(word)
    if len(pieces) == 1 and segment.is_ascii_word(pieces[0]):
        latin = pieces[0]
        if len(latin) > segment.MAX_SUFFIX:
            return f"{latin_cols}: {_phrase([latin[: segment.MAX_SUFFIX]], True)}", False
        return f"{latin_cols}: {_phrase([latin], True)}", exact
    parts = []
    if segment.is_ascii_word(pieces[0]) and len(pieces) > 1:
        # `ai模型` may sit inside `openai模型`: the index cannot say "a suffix of a word
        # followed by…", so look the first word up on its own and check the text.
        first = pieces.pop(0)[: segment.MAX_SUFFIX]
        parts.append(f"{latin_cols}: {_phrase([first], True)}")
        exact = False
        while pieces and pieces[0] == segment.BOUNDARY and len(pieces) > 1:
            pieces.pop(0)
    if pieces:
        parts.append(f"{chars_cols}: {_phrase(pieces, segment.is_ascii_word(pieces[-1]))}")
    return " AND ".join(f"({p})" for p in parts), exact


def plan(term: Term) -> Plan:
    words = [w.lower() for w in term.words()]
    variants = list(dict.fromkeys([" ".join(words), "".join(words)]))
    built = [_word_expr(v) for v in variants]
    expr = " OR ".join(f"({e})" for e, _ in built)
    title = " OR ".join(f"({_word_expr(v, '{title}', '{ltitle}')[0]})" for v in variants)
    exact = all(x for _, x in built) and (not term.phrase or all(w.isalnum() for w in words))
    pattern = re.compile(r"[\W_]*".join(re.escape(w) for w in words))
    return Plan(expr, exact, pattern, title)


def run_search(library: Library, text: str, limit: int | None = 20) -> SearchResult:
    query = parse_query(text)
    limit = None if not limit or limit < 0 else limit
    words = tuple(w for t in query.positive for w in t.words())
    if query.is_empty:
        return SearchResult(query.text, 0, (), query.problems, words)
    try:
        total, ranked = _ranked(library, query, limit)
    except sqlite3.OperationalError as e:  # never let one odd query take the reader down
        return SearchResult(query.text, 0, (), (*query.problems, f"search failed: {e}"), words)
    hits = _hits(library, ranked, query)
    return SearchResult(query.text, total, tuple(hits), query.problems, words)


def _filters(library: Library, query: Query, column: str = "rowid") -> tuple[list[str], list[Any]]:
    """Conditions on the search id: `rowid` of the FTS table or `sid` of articles."""
    conn = library.conn
    clauses: list[str] = []
    params: list[Any] = []
    if query.after:
        clauses.append(f"{column} >= ?")
        params.append(day_sid(query.after))
    if query.before:
        clauses.append(f"{column} < ?")
        params.append(day_sid(query.before))
    for name in query.feeds:
        ids = _matching_ids(conn, "SELECT id, name FROM feeds", name)
        clauses.append(f"{column} IN (SELECT sid FROM articles WHERE feed_id IN ({_marks(ids)}))")
        params.extend(ids)
    for name in query.outlets:
        names = _matching_names(conn, "SELECT DISTINCT name FROM article_outlets", name)
        clauses.append(
            f"{column} IN (SELECT a.sid FROM articles a JOIN article_outlets o ON o.article_id = a.id "
            f"WHERE o.name IN ({_marks(names)}))"
        )
        params.extend(names)
    for name in query.entities:
        clause, values = library._entity_filter(name, column)
        clauses.append(clause)
        params.extend(values)
    if query.read is not None:
        clauses.append(f"{column} IN (SELECT sid FROM articles WHERE read = ?)")
        params.append(int(query.read))
    if query.noted:
        clauses.append(f"{column} IN (SELECT a.sid FROM articles a WHERE {library._noted_sql()})")
    return clauses, params


def _marks(values: list[Any]) -> str:
    return ",".join("?" * len(values))


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
    library: Library, query: Query, limit: int | None
) -> tuple[int, list[tuple[int, float]]]:
    """The total and the (sid, score) of the hits to show, best first."""
    conn = library.conn
    clauses, params = _filters(library, query)
    positives = [plan(t) for t in query.positive]
    negatives = [plan(t) for t in query.negative]
    excluded = _inexact_matches(library, [p for p in negatives if not p.exact])
    checks = [p for p in positives if not p.exact]
    if not positives:
        return _newest(library, query, negatives, excluded, limit)
    expr = " AND ".join(f"({p.expr})" for p in positives)
    for p in negatives:
        if p.exact:
            expr = f"({expr}) NOT ({p.expr})"
    where = " AND ".join(["search MATCH ?", *clauses])
    args = [expr, *params]
    # bm25 saturates fast without document lengths: a title match is worth more than any
    # number of body matches, so it is added outright.
    title_expr = " OR ".join(f"({p.title_expr})" for p in positives)
    score = f"{_BM25} - {TITLE_BONUS} * (rowid IN (SELECT rowid FROM search WHERE search MATCH ?))"
    everyone = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    if not checks and not excluded:
        total = conn.execute(f"SELECT count(*) FROM search WHERE {where}", args).fetchone()[0]
        if total * 2 > everyone:  # idf 0 for every word: bm25 ties, newest first
            sql = f"SELECT rowid, 0.0 FROM search WHERE {where} ORDER BY rowid DESC"
            return total, _limited(conn, sql, args, limit)
        sql = f"SELECT rowid, {score} AS score FROM search WHERE {where} ORDER BY score, rowid DESC"
        ranked = _limited(conn, sql, [title_expr, *args], limit)
        return total, _rerank(library, ranked, query)
    sql = f"SELECT rowid, {score} AS score FROM search WHERE {where} ORDER BY score, rowid DESC"
    candidates = conn.execute(sql, [title_expr, *args]).fetchall()
    kept = [c for c in candidates if c[0] not in excluded]
    kept = _checked(library, kept, checks)
    if len(kept) * 2 > everyone:
        kept.sort(key=lambda c: -c[0])
        return len(kept), [(sid, 0.0) for sid, _ in kept[:limit]]
    return len(kept), _rerank(library, kept[:limit], query)


def _limited(
    conn: sqlite3.Connection, sql: str, args: list[Any], limit: int | None
) -> list[tuple[int, float]]:
    if limit is not None:
        sql += " LIMIT ?"
        args = [*args, limit]
    return [(int(r[0]), float(r[1])) for r in conn.execute(sql, args)]


def _newest(
    library: Library, query: Query, negatives: list[Plan], excluded: set[int], limit: int | None
) -> tuple[int, list[tuple[int, float]]]:
    """Filters and exclusions only: every matching article, newest first."""
    conn = library.conn
    clauses, args = _filters(library, query, "sid")
    for p in negatives:
        if p.exact:
            clauses.append("sid NOT IN (SELECT rowid FROM search WHERE search MATCH ?)")
            args.append(p.expr)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sids = [r[0] for r in conn.execute(f"SELECT sid FROM articles {where} ORDER BY sid DESC", args)]
    if excluded:
        sids = [s for s in sids if s not in excluded]
    shown = sids if limit is None else sids[:limit]
    return len(sids), [(s, 0.0) for s in shown]


def _inexact_matches(library: Library, plans: list[Plan]) -> set[int]:
    """Search ids of the articles that really contain any of these (inexact) terms."""
    out: set[int] = set()
    for p in plans:
        rows = library.conn.execute(
            "SELECT rowid, 0 FROM search WHERE search MATCH ?", [p.expr]
        ).fetchall()
        out.update(sid for sid, _ in _checked(library, rows, [p]))
    return out


def _checked(
    library: Library, candidates: list[Any], checks: list[Plan]
) -> list[tuple[int, float]]:
    """Keep the candidates whose text contains every checked term (in order)."""
    if not checks:
        return [(int(c[0]), float(c[1])) for c in candidates]
    kept: list[tuple[int, float]] = []
    for start in range(0, len(candidates), 400):
        chunk = candidates[start : start + 400]
        texts = _texts(library, [c[0] for c in chunk])
        for sid, score in chunk:
            text = texts.get(sid, "")
            if all(p.pattern.search(text) for p in checks):
                kept.append((int(sid), float(score)))
    return kept


def _texts(library: Library, sids: list[int]) -> dict[int, str]:
    """Lower-cased searchable text by search id: what the index holds, line by line."""
    rows = library.conn.execute(
        f"SELECT sid, id, title, sections, ruiping, outlets FROM articles WHERE sid IN ({_marks(sids)})",
        sids,
    ).fetchall()
    out = {}
    for sid, article_id, title, sections, ruiping, outlets in rows:
        lines = [title, ruiping or ""]
        for section in sections_load(sections):
            lines.append(section.heading)
            lines.extend(b.text for b in section.bullets)
        lines.extend(json.loads(outlets))
        lines.extend(library._note_comments(article_id))
        out[sid] = "\n".join(lines).lower()
    return out


def _rerank(
    library: Library, ranked: list[tuple[int, float]], query: Query
) -> list[tuple[int, float]]:
    """Refine the head of the ranking with bm25 over jieba's words of the query."""
    head, tail = ranked[:RERANK], ranked[RERANK:]
    tokens = [w for t in query.positive for word in t.words() for w in segment.cut_for_search(word)]
    tokens = [
        t for t in dict.fromkeys(tok.lower() for tok in tokens) if any(c.isalnum() for c in t)
    ]
    if len(head) < 2 or not tokens:
        return ranked
    expr = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
    sids = [sid for sid, _ in head]
    try:
        extra = dict(
            library.conn.execute(
                f"SELECT rowid, {_WORDS_BM25} FROM words WHERE words MATCH ? AND rowid IN ({_marks(sids)})",
                [expr, *sids],
            ).fetchall()
        )
    except sqlite3.OperationalError:
        return ranked
    head = sorted(
        ((sid, score + extra.get(sid, 0.0)) for sid, score in head), key=lambda r: (r[1], -r[0])
    )
    return head + tail


def _hits(library: Library, ranked: list[tuple[int, float]], query: Query) -> list[SearchHit]:
    if not ranked:
        return []
    sids = [sid for sid, _ in ranked]
    rows = {
        r[0]: r[1:]
        for r in library.conn.execute(
            "SELECT a.sid, a.id, f.name, a.kind, a.title, a.outlets, a.published, a.read, "
            f"a.sections, a.ruiping, {library._noted_sql()} "
            f"FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.sid IN ({_marks(sids)})",
            sids,
        )
    }
    patterns = [plan(t).pattern for t in query.positive]
    hits = []
    for sid, score in ranked:
        if sid not in rows:
            continue
        article_id, feed, kind, title, outlets, published, read, sections, ruiping, noted = rows[
            sid
        ]
        outlet_list = json.loads(outlets)
        lines = [ruiping] if ruiping else []
        for section in sections_load(sections):
            lines.extend(b.text for b in section.bullets)
            if section.heading:
                lines.append(section.heading)
        lines.extend(outlet_list)
        lines.extend(library._note_comments(article_id))
        snippet, spans = make_snippet(lines, patterns)
        hits.append(
            SearchHit(
                id=article_id,
                title=title,
                feed=feed,
                outlets=tuple(outlet_list),
                published=published,
                snippet=snippet,
                score=-score or 0.0,
                kind=kind,
                read=bool(read),
                noted=bool(noted),
                highlights=spans,
                title_highlights=tuple(find_spans(title, patterns)),
            )
        )
    return hits


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
    """The line matching the most words, cut around its first match, with match spans."""
    best: tuple[int, int, str, list[tuple[int, int]]] | None = None
    for index, line in enumerate(lines):
        spans = find_spans(line, patterns)
        if not spans:
            continue
        low = _lower_for_spans(line)
        distinct = sum(1 for p in patterns if p.search(low))
        if best is None or distinct > best[0]:
            best = (distinct, index, line, spans)
    if best is None:
        line = lines[0] if lines else ""
        return _cut(line, 0, []), ()
    _, _, line, spans = best
    text, shifted = _cut_spans(line, spans)
    return text, tuple(shifted)


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


__all__ = ["Plan", "find_spans", "make_snippet", "parse_query", "plan", "run_search"]
