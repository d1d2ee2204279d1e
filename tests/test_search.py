"""Search finds exactly what a substring search finds, and every query feature works."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import DATA, DIGEST_SEED, NEICAN_SEED, SEEDS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.library import Library
from store.query import Term, parse_query

FRESH = DATA / "fresh"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    """The seeds and the fresh test articles: 46 articles, two formats, five feeds."""
    with Library(tmp_path_factory.mktemp("search") / "lib.db") as lib:
        report = lib.import_paths([SEEDS, FRESH])
        assert not report.refused
        yield lib


def searchable(lib: Library) -> dict[int, str]:
    """Article id → the lower-cased text a substring search looks in (title, body, 锐评, outlets)."""
    out = {}
    for row in lib.article_rows():
        article = lib.article(row.id)
        out[row.id] = "\n".join([article.title, *article.text_lines()]).lower()
    return out


@pytest.fixture(scope="module")
def texts(library: Library) -> dict[int, str]:
    return searchable(library)


def ids(lib: Library, query: str) -> set[int]:
    result = lib.search(query, limit=0)
    assert result.total == len(result.hits)
    return {h.id for h in result.hits}


def substring_ids(texts: dict[int, str], *words: str) -> set[int]:
    return {i for i, text in texts.items() if all(w.lower() in text for w in words)}


# The recall contract --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "云",
        "芯",
        "AI",
        "ai",
        "英伟",
        "英伟达",
        "大模",
        "大模型",
        "融资",
        "谷歌",
        "Meta",
        "meta",
        "Llama",
        "lla",
        "ama",
        "openai",
        "GPT-5",
        "20亿美元",
        "R1",
        "H20",
        "2025",
        "的",
        "Qwen3",
        "AI模型",
        "ai模型",
        "模型a",
        "DeepSeek-V3",
        "·",
        "36氪",
        "杨立昆",
    ],
)
def test_single_words_find_exactly_the_substring_matches(library, texts, query) -> None:
    if not any(c.isalnum() for c in query):
        assert library.search(query).total == 0  # no letter or digit: no word to look for
        return
    assert ids(library, query) == substring_ids(texts, query)


@pytest.mark.parametrize(
    "words",
    [
        ("英伟达", "收购"),
        ("Meta", "Manus"),
        ("云", "AI"),
        ("大模型", "融资", "亿美元"),
        ("openai", "微软"),
    ],
)
def test_all_words_must_match(library, texts, words) -> None:
    expected = substring_ids(texts, *words)
    assert ids(library, " ".join(words)) == expected
    assert expected  # the test would prove nothing on an empty answer


def test_partial_words_are_found_whatever_jieba_says(library, texts) -> None:
    assert ids(library, "英伟") == substring_ids(texts, "英伟达")  # nothing else has 英伟
    assert ids(library, "大模") == substring_ids(texts, "大模")
    assert substring_ids(texts, "大模型") <= ids(library, "大模")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_substrings_find_their_article(library, texts, data) -> None:
    article_id = data.draw(st.sampled_from(sorted(texts)))
    text = texts[article_id]
    start = data.draw(st.integers(0, len(text) - 1))
    length = data.draw(st.integers(1, 12))
    piece = text[start : start + length]
    words = [w for w in piece.split() if any(c.isalnum() for c in w)]
    # Query syntax is not text: skip pieces that would read as a phrase, exclusion or filter.
    words = [
        w for w in words if '"' not in w and not w.startswith("-") and not re.match(r"^[a-z]+:", w)
    ]
    if not words:
        return
    found = ids(library, " ".join(words))
    assert article_id in found
    assert found == substring_ids(texts, *words)


# Query syntax ---------------------------------------------------------------------


GRAM_QUERIES = [
    "模型",
    "英伟达",
    "大模型 发布",
    "公司 -模型",
    "模型 feed:AI内参",
    "芯片 outlet:量子位",
    "融资 after:2025-06-01",
    "中国 is:unread",
]


def test_common_words_are_answered_from_the_grams_index(library, texts, monkeypatch) -> None:
    # A query of common words only is looked up in `grams` (one token a word, no
    # phrase); it finds exactly what the character index finds, filters included.
    import store.grams

    statements: list[str] = []
    library.conn.set_trace_callback(statements.append)
    try:
        via_grams = {q: library.search(q, limit=0) for q in GRAM_QUERIES}
    finally:
        library.conn.set_trace_callback(None)
    assert sum("grams MATCH" in sql for sql in statements) >= len(GRAM_QUERIES)
    assert not any("search MATCH" in sql for sql in statements)
    monkeypatch.setattr(store.grams, "is_gram", lambda word: False)
    for q, result in via_grams.items():
        assert result == library.search(q, limit=0), q
    assert ids(library, "英伟达") == substring_ids(texts, "英伟达")


def test_a_common_word_across_jieba_words_is_found(tmp_path: Path) -> None:
    # 心中/国家: jieba never sees 中国 here, the grams index does.
    articles = [
        ("甲", "2025-03-01 08:00", "他心中国家的未来。"),
        ("乙", "2025-03-02 08:00", "无关"),
    ]
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([_digest(tmp_path / "a.txt", articles)])
        assert [h.title for h in lib.search("中国").hits] == ["甲"]
        assert [h.title for h in lib.search("国家 -中国").hits] == []


def test_phrase_allows_spaces_or_punctuation_between_its_words(library, texts) -> None:
    plain = substring_ids(texts, "英伟达收购")
    assert ids(library, '"英伟达 收购"') == plain | substring_ids(texts, "英伟达 收购")
    assert ids(library, '"Scale AI"') == substring_ids(texts, "scale ai")
    assert ids(library, '"AI 模型"') == substring_ids(texts, "ai模型") | substring_ids(
        texts, "ai 模型"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZz09 中国人工智能大模型, .\n\t-_İẞ😀\ue000", max_size=40))
def test_the_index_streams_are_what_their_definitions_say(text) -> None:
    """The streams are built by faster means than these; what they hold is the same."""
    from store import grams, segment

    lowered = text.lower()
    assert segment.chars_stream(text) == " ".join(re.sub(r"[\W_]+", segment.BOUNDARY, lowered))
    latin = {w for w in re.findall(r"[a-z0-9]+", lowered) if not w.isdigit()}
    suffixes = {w[i : i + segment.MAX_SUFFIX] for w in latin for i in range(len(w))}
    assert segment.latin_stream(text) == " ".join(sorted(suffixes))
    found = {text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1)}
    assert grams.grams_stream(text) == " ".join(sorted(w for w in found if grams.is_gram(w)))


def test_phrases_of_plain_words_need_no_text_check() -> None:
    # the index answers them exactly, which keeps `"人工 智能"` fast on a large library
    from store.search import plan

    assert plan(parse_query('"人工 智能"').positive[0]).exact
    assert plan(parse_query('"Scale AI"').positive[0]).exact
    assert not plan(parse_query('"GPT-5 发布"').positive[0]).exact  # `-` must be in the text


def test_exclusion(library, texts) -> None:
    expected = substring_ids(texts, "meta") - substring_ids(texts, "manus")
    assert ids(library, "Meta -Manus") == expected and expected
    assert ids(library, 'Meta -"Scale AI"') == substring_ids(texts, "meta") - substring_ids(
        texts, "scale ai"
    )


def test_exclusion_alone_lists_everything_without_the_word(library, texts) -> None:
    result = library.search("-Meta", limit=0)
    assert {h.id for h in result.hits} == set(texts) - substring_ids(texts, "meta")
    assert [h.published for h in result.hits] == sorted(
        (h.published for h in result.hits), reverse=True
    )


def test_filters_alone_list_every_match_newest_first(library) -> None:
    result = library.search("feed:AI内参", limit=0)
    assert result.total == 21  # the seed issue and three fresh ones: 4 overviews + 17 items
    assert {h.feed for h in result.hits} == {"AI内参"}
    assert [h.published for h in result.hits] == sorted(
        (h.published for h in result.hits), reverse=True
    )
    assert library.search("after:2026-01-01", limit=0).total == 3  # 01-01 (inclusive), 01-03, 01-13


def test_feed_outlet_and_date_filters(library, texts) -> None:
    meta = substring_ids(texts, "meta")
    in_llama = {r.id for r in library.article_rows(feed="Llama模型")}
    assert ids(library, "Meta feed:Llama模型") == meta & in_llama
    assert ids(library, "Meta feed:llama") == meta & in_llama  # case-insensitive, partial
    by_36kr = {r.id for r in library.article_rows(outlet="36氪")}
    assert ids(library, "Meta outlet:36氪") == meta & by_36kr and by_36kr
    dates = {r.id: r.published for r in library.article_rows()}
    assert ids(library, "Meta after:2025-12-30") == {i for i in meta if dates[i] >= "2025-12-30"}
    assert ids(library, "Meta before:2025-12-30") == {i for i in meta if dates[i] < "2025-12-30"}
    assert ids(library, "Meta after:2025-12 before:2026") == {
        i for i in meta if "2025-12-01" <= dates[i] < "2026-01-01"
    }


def test_is_unread_and_is_read(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([DIGEST_SEED])
        first = lib.article_rows()[0]
        lib.set_read(first.id)
        assert first.id not in ids(lib, "Meta is:unread")
        assert ids(lib, "is:read") == {first.id}
        assert lib.search("is:unread", limit=0).total == 9


def test_latin_is_case_insensitive(library) -> None:
    assert ids(library, "meta") == ids(library, "META") == ids(library, "Meta")
    assert ids(library, "deepseek") == ids(library, "DeepSeek")


def test_limit_and_total(library, capsys) -> None:
    everything = library.search("AI", limit=0)
    assert everything.total == len(everything.hits) > 5
    three = library.search("AI", limit=3)
    assert three.total == everything.total and len(three.hits) == 3
    data = json.loads(
        run_cli(capsys, "search", "AI", "--json", "--limit", "2", "--db", str(library.path)).out
    )
    assert data["total"] == everything.total and len(data["hits"]) == 2
    assert set(data["hits"][0]) == {
        "id",
        "title",
        "feed",
        "outlets",
        "published",
        "snippet",
        "score",
    }


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(list("\"()*:-^ AND OR NEAR NOT{}[]+\\'abc英伟达\x00\x1b\t")),
        max_size=30,
    )
)
def test_any_string_is_a_valid_query(library, text) -> None:
    result = library.search(text)
    assert result.total >= len(result.hits)
    assert not any("search failed" in p for p in result.problems)


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"unclosed',
        "AND",
        "OR OR",
        "*",
        "(",
        ")",
        "NEAR(a b)",
        "a:b",
        "-",
        "--x",
        "feed:",
        'feed:"',
        "is:whatever",
        "after:yesterday",
        "{title}: x",
        "^x",
        "x*",
        "'",
        "\\",
    ],
)
def test_fts_syntax_in_queries_is_literal(library, texts, text) -> None:
    result = library.search(text, limit=0)
    assert not any("search failed" in p for p in result.problems)


def test_problems_are_reported(library) -> None:
    assert library.search("Meta after:yesterday").problems == (
        "after:yesterday is not a date (YYYY-MM-DD, YYYY-MM or YYYY)",
    )
    assert library.search("is:starred").problems == (
        "is:starred is unknown (is:unread, is:read or is:noted)",
    )


def test_parse_query() -> None:
    q = parse_query(
        '英伟 "英伟达 收购" -谷歌 feed:AI内参 outlet:"36氪" after:2025-12-15 before:2026 is:unread x*'
    )
    assert q.terms == (
        Term("英伟"),
        Term("英伟达 收购", phrase=True),
        Term("谷歌", negated=True),
        Term("x*"),
    )
    assert (q.feeds, q.outlets, q.after, q.before, q.read) == (
        ("AI内参",),
        ("36氪",),
        "2025-12-15",
        "2026-01-01",
        False,
    )


# Ranking and snippets --------------------------------------------------------------


@pytest.mark.parametrize("query", ["AI", "Meta", "模型 -Manus", "的 feed:Llama模型"])
def test_large_results_rank_the_newest_window_and_count_aside(library, texts, monkeypatch, query):
    # On a library larger than the ranking window, bm25 ranks the newest RANK_WINDOW
    # matches, the rest follow newest first, and the total is counted on a second
    # connection: nothing is lost or counted twice.
    import store.search

    everything = library.search(query, limit=0)
    monkeypatch.setattr(store.search, "RANK_WINDOW", 3)
    aside = []
    real = library.read_aside
    monkeypatch.setattr(
        library, "read_aside", lambda *a: aside.append(a) or real(*a), raising=False
    )
    windowed = library.search(query, limit=0)
    assert aside, "the count ran on the second connection"
    assert windowed.total == everything.total == len(windowed.hits) > 3
    assert {h.id for h in windowed.hits} == {h.id for h in everything.hits}
    rest = [h.published for h in windowed.hits[3:]]
    assert rest == sorted(rest, reverse=True)
    assert library.search(query, limit=2).total == everything.total


def test_title_matches_rank_first(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([SEEDS])
        hits = lib.search("Manus").hits
        assert 0 < len(hits) < 8  # ranked by bm25, not by date
        assert "Manus" in hits[0].title
        assert hits[0].score is not None and hits[-1].score is not None
        assert hits[0].score >= hits[-1].score


def test_snippet_is_original_text_with_matches_marked(library) -> None:
    hit = library.search("英伟 feed:Llama模型").hits[0]
    assert "«英伟»达" in hit.marked_snippet()
    assert hit.snippet.replace("…", "") in "\n".join(library.article(hit.id).text_lines())
    [(a, b)] = hit.highlights[:1]
    assert hit.snippet[a:b] == "英伟"


def test_snippet_line_is_the_first_holding_the_most_words() -> None:
    from store.search import plan
    from store.snippets import make_snippet

    patterns = [plan(Term(w)).pattern for w in ("英伟达", "h20")]
    lines = ["无关的一行", "英伟达发布新品", "英伟达的H20芯片", "H20与英伟达"]
    snippet, spans = make_snippet(lines, patterns)
    assert snippet == "英伟达的H20芯片"
    assert [snippet[a:b] for a, b in spans] == ["英伟达", "H20"]
    # no line holds a word: the first line, nothing marked
    assert make_snippet(["甲", "乙"], patterns) == ("甲", ())
    # a phrase broken over two lines: the line where it starts
    phrase = [plan(Term("发布 新品", phrase=True)).pattern]
    assert make_snippet(["无关", "今天发布", "新品上市"], phrase) == ("今天发布", ())


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="英伟达H2 0，\n发布新品", max_size=12), min_size=1, max_size=6),
    words=st.lists(
        st.sampled_from(["英伟达", "h20", "发布", "新品", "伟达 发布", "发布 发布"]), min_size=1
    ),
)
# A match across two lines hides one inside the second line from the scan.
@example(lines=["发布", "发布发布"], words=["发布 发布"])
def test_snippet_line_is_found_as_a_line_by_line_scan_would(lines, words) -> None:
    # The snippet's line comes from one scan of the whole text (long articles have
    # hundreds of lines); it must be the line a scan of each line picks.
    from store.search import plan
    from store.snippets import _lower_for_spans, _matches, make_snippet

    patterns = [plan(Term(w, phrase=" " in w)).pattern for w in words]
    best, most = -1, 0
    for index, line in enumerate(lines):
        count = sum(1 for p in patterns if _matches(p, _lower_for_spans(line)))
        if count > most:
            best, most = index, count
    snippet, spans = make_snippet(lines, patterns)
    if best >= 0:
        assert snippet.replace("…", "") in lines[best]
        assert make_snippet([lines[best]], patterns)[0] == snippet
    else:  # no line holds a word whole: a line is shown as it is, nothing marked
        assert spans == ()
        assert any(snippet.replace("…", "") in line for line in lines)


def _ranked_titles(lib: Library, query: str) -> list[str]:
    return [h.title for h in lib.search(query, limit=0).hits]


@contextlib.contextmanager
def _library_of(tmp_path: Path, articles: list[tuple[str, str, str]]) -> Iterator[Library]:
    """These articles and six others, which keep the query words in fewer than half of
    the library (bm25 gives a word in most articles no weight)."""
    others = [(f"其他{n}", f"2025-02-0{n + 1} 08:00", "天气晴朗，适合出行。") for n in range(6)]
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([_digest(tmp_path / "a.txt", [*articles, *others])])
        yield lib


def test_ranking_weighs_how_often_and_how_rare_each_word_is(tmp_path: Path) -> None:
    # bm25 over jieba's words: more occurrences rank higher whatever the date, and in a
    # query of two words the rarer one weighs more.
    articles = [
        ("甲", "2025-03-09 08:00", "芯片公司发布新品。"),
        ("乙", "2025-03-01 08:00", "芯片价格上涨，芯片供应紧张，芯片厂商扩产，芯片短缺。"),
        ("丙", "2025-03-08 08:00", "芯片，芯片，芯片，雷达。"),
        ("丁", "2025-03-02 08:00", "芯片，雷达，雷达，雷达。"),
    ]
    with _library_of(tmp_path, articles) as lib:
        assert _ranked_titles(lib, "芯片")[:2] == ["乙", "丙"]  # 4 and 3 times, then the newest
        assert _ranked_titles(lib, "芯片 雷达") == ["丁", "丙"]  # 雷达 is the rarer word


def test_a_query_word_that_is_a_word_of_its_own_ranks_first(tmp_path: Path) -> None:
    # `AI` finds `OpenAI` too (any substring), but an article where it is a word of its
    # own ranks above, even an older one.
    articles = [
        ("甲", "2025-03-09 08:00", "OpenAI发布新品。"),
        ("乙", "2025-03-01 08:00", "这家公司的AI芯片发布。"),
        ("丙", "2025-03-08 08:00", "英伟达公布财报。"),
        ("丁", "2025-03-02 08:00", "分析师谈英伟的读音。"),
    ]
    with _library_of(tmp_path, articles) as lib:
        assert _ranked_titles(lib, "ai") == ["乙", "甲"]
        assert _ranked_titles(lib, "英伟达") == ["丙"]
        assert _ranked_titles(lib, "英伟") == ["丙", "丁"]  # no word to rank by: newest first


def test_counting_in_parts_beside_the_ranking_window_counts_every_match(
    library, monkeypatch
) -> None:
    # Beyond the newest RANK_WINDOW matches the rest are counted in two parts, one on
    # a second connection: whatever the window, nothing is lost or counted twice.
    import store.search

    queries = ["模型", "AI", "的", "的 feed:Llama模型", "模型 -Manus", "公司 is:unread", "英伟"]
    full = {q: library.search(q, limit=0) for q in queries}
    for window in range(1, 12):
        monkeypatch.setattr(store.search, "RANK_WINDOW", window)
        for q in queries:
            got = library.search(q, limit=5)
            assert got.total == full[q].total, (window, q)
            everything = library.search(q, limit=0)
            assert sorted(h.id for h in everything.hits) == sorted(h.id for h in full[q].hits)
            # the first five, made while the count ran (or not), are the list's first five
            assert [h.id for h in got.hits] == [h.id for h in everything.hits[:5]], (window, q)


def test_search_cli_text(library, capsys) -> None:
    result = run_cli(capsys, "search", "英伟 feed:Llama模型", "--db", str(library.path))
    lines = result.out.splitlines()
    assert lines[-1] == "4 matches"
    assert "«英伟»" in result.out


# jieba and rjieba ------------------------------------------------------------------

# Every line of the seeds where rjieba and jieba differ, as (jieba only, rjieba only):
# rjieba keeps a Latin token with an inner `-` or `.` whole besides its parts, jieba
# cuts it at the punctuation. No Chinese word differs.
LATIN_DIFFERENCES = {
    (("-", "01", "13", "2026"), ("2026-01-13",)),
    (("-", "01", "03", "2026"), ("2026-01-03",)),
    (("-", "01", "2026"), ("2026-01-01",)),
    (("4",), ("GPT-4",)),
    (("-", "12", "2025", "31"), ("2025-12-31",)),
    (("-", "12", "2025", "30"), ("2025-12-30",)),
    (("-", "12", "18", "2025"), ("2025-12-18",)),
    (("-", "12", "15", "2025"), ("2025-12-15",)),
    ((), ("MMLU-Pro", "MMLU-Redux", "Qwen3-30B")),
    (("-", "12", "14", "2025"), ("2025-12-14",)),
    (("-", "12", "2025"), ("2025-12-12",)),
    (("-", "06", "12", "2025"), ("2025-12-06",)),
    ((".", "Y"), ("9v6U-Y-v6U-Y-v6U-Y-v6U", "mp.weixin.qq.com")),
    ((".", "4819354"), ("4819354.html", "www.huxiu.com")),
    ((".",), ("www.infoq.cn",)),
    ((".", "12", "2025", "30"), ("2025-12-30", "doc-inheqcrs4323908.shtml", "finance.sina.com.cn")),
    (("-",), ("Giga-IPO",)),
    ((".", "kr", "www.36"), ("36kr", "www", "www.36kr.com")),
}


def test_rjieba_agrees_with_jieba_on_the_seeds() -> None:
    import logging

    import jieba
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    chinese = re.compile(r"[\u4e00-\u9fff]")
    lines = [
        line
        for seed in (DIGEST_SEED, NEICAN_SEED)
        for line in seed.read_text(encoding="utf-8").split("\n")
    ]
    assert len(lines) == 86
    differences = set()
    for line in lines:
        reference = [w for w in jieba.cut_for_search(line) if w.strip()]
        fast = [w for w in rjieba.cut_for_search(line) if w.strip()]
        assert [w for w in reference if chinese.search(w)] == [
            w for w in fast if chinese.search(w)
        ], line
        if reference != fast:
            differences.add(
                (
                    tuple(sorted(set(reference) - set(fast))),
                    tuple(sorted(set(fast) - set(reference))),
                )
            )
    assert differences == LATIN_DIFFERENCES


def test_limit_zero_lists_more_hits_than_sqlite_allows_variables(tmp_path: Path) -> None:
    # Some SQLite builds allow 32,766 variables in a query, some 250,000: `--limit 0`
    # on a large library must not depend on which one Python was built with.
    import sqlite3

    from conftest import big_digest

    big_digest(tmp_path / "big.txt", 700, "大文件")
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([tmp_path / "big.txt"])
        lib.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 600)
        result = lib.search("测试社", limit=0)
        assert result.total == len(result.hits) == 700


# Search ids and FTS rowids ----------------------------------------------------------


def _digest(path: Path, articles: list[tuple[str, str, str]]) -> Path:
    """A search-documents digest of (title, `YYYY-MM-DD HH:MM`, summary) articles."""
    body = "\n".join(
        f"{title}\n测试社· {when}\n要点 - {text} [1]" for title, when, text in articles
    )
    path.write_text(f"搜索文档\n测试\n{body}", encoding="utf-8")
    return path


def test_one_days_articles_list_newest_first_whatever_order_they_came_in(tmp_path: Path) -> None:
    # The index orders days exactly but the articles of one day by import: imported
    # against the clock, 09:00 sits above 18:00 there, and search must not show it so.
    times = ["2025-03-01 18:00", "2025-03-01 12:00", "2025-03-01 09:00", "2025-02-28 23:00"]
    titles = [f"雷鸟第{n}篇" for n in range(4)]
    with Library(tmp_path / "lib.db") as lib:
        for n, when in enumerate(times):
            lib.import_paths(
                [_digest(tmp_path / f"{n}.txt", [(titles[n], when, "雷鸟飞行器发布")])]
            )
        # Every article matches: bm25 gives the word no weight, newest first.
        for limit in (1, 2, 3, 0):
            hits = lib.search("雷鸟", limit=limit).hits
            assert [h.title for h in hits] == titles[: limit or None], limit
        others = [(f"天气{n}", f"2025-01-{n + 1:02d} 08:00", "天气晴朗") for n in range(5)]
        lib.import_paths([_digest(tmp_path / "others.txt", others)])
        # Ranked by bm25 now: all four tie, newest first.
        for limit in (1, 2, 0):
            hits = lib.search("雷鸟", limit=limit).hits
            assert [h.title for h in hits] == titles[: limit or None], limit
        assert [h.title for h in lib.search("雷鸟 after:2025-03-01", limit=0).hits] == titles[:3]
        assert [h.title for h in lib.search("雷鸟 before:2025-03-01", limit=0).hits] == titles[3:]


def test_a_day_holds_as_many_articles_as_it_has_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.ids
    import store.importing
    import store.search

    for module in (store.ids, store.importing, store.search):
        monkeypatch.setattr(module, "DAY_SLOTS", 4)
    day = [(f"雷鸟{n}", f"2025-03-01 0{n}:00", "雷鸟飞行器") for n in range(6)]
    with Library(tmp_path / "lib.db") as lib:
        assert not lib.import_paths([_digest(tmp_path / "a.txt", day[:3])]).refused
        report = lib.import_paths([_digest(tmp_path / "b.txt", day[3:5])])
        assert [o.reason for o in report.refused] == [
            "the library holds its maximum of 4 articles dated 2025-03-01"
        ]
        assert lib.totals()[0] == 3  # the refused file left nothing behind
        # a.txt loses an article: its slot is free for another.
        lib.import_paths([_digest(tmp_path / "a.txt", day[1:3])])
        assert not lib.import_paths([_digest(tmp_path / "b.txt", day[3:5])]).refused
        hits = lib.search("雷鸟", limit=0).hits
        assert [h.title for h in hits] == ["雷鸟4", "雷鸟3", "雷鸟2", "雷鸟1"]


def test_filters_read_article_ids_from_indexes_only(library: Library) -> None:
    # `fid` is the last column of an article's row: a filter that read it from the
    # rows took 50 ms at 100,000 articles instead of 5. Every search query that
    # touches `articles` must do it through a covering index.
    note = library.add_note(library.article_rows()[0].id, "quote", "x")
    statements: list[str] = []
    library.conn.set_trace_callback(statements.append)
    try:
        for query in (
            "模型 feed:AI内参",
            "模型 outlet:量子位",
            "模型 entity:Meta",
            "模型 is:unread",
            "模型 is:read",
            "模型 is:noted",
            "模型 after:2025-01-01 before:2026-01-01",
            "的",
            "-模型",
        ):
            library.search(query, limit=3)
    finally:
        library.conn.set_trace_callback(None)
        library.delete_note(note.id)
    checked = 0
    for sql in statements:
        if "MATCH" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = [r[3] for r in library.conn.execute("EXPLAIN QUERY PLAN " + sql)]
        reads = [p for p in plan if re.search(r"\b(SCAN|SEARCH) (articles|a|article_outlets)\b", p)]
        assert all("COVERING INDEX" in p for p in reads), (sql, plan)
        checked += bool(reads)
    assert checked >= 8


def test_the_bundled_grams_list_is_the_one_its_sources_give() -> None:
    # store/data/grams.txt is written by `python -m store.grams` from jieba's dictionary,
    # the bundled gazetteer and the trade words: a gazetteer edit must regenerate it.
    from store import grams

    assert grams._words()[0] == grams.build_list()
    assert all(grams._CJK_WORD.fullmatch(w) for w in grams.TRADE_WORDS)


def test_digits_are_not_found_between_two_latin_words(tmp_path: Path) -> None:
    # The `latin` column lists each Latin word's suffixes in sorted order: `Q2` and `V5`
    # put `2` next to `5` there, and `25` matched that article as a phrase.
    (tmp_path / "d.txt").write_text(
        "测试\n生数科技发布Vidu Q2\n量子位· 2025-09-26 17:12\n"
        "发布 - 新版本超越V5的表现 [1]\n"
        "另一篇\n量子位· 2025-09-25 10:00\n数字 - 增长25%以上 [1]\n",
        encoding="utf-8",
    )
    with Library(tmp_path / "lib.db") as lib:
        assert not lib.import_paths([tmp_path / "d.txt"]).refused
        assert [h.title for h in lib.search("25", limit=0).hits] == ["另一篇"]
