"""Tokens for the search index and for queries: a character stream, Latin suffixes, jieba words.

Recall comes from the character stream, indexed in FTS5 with the `ascii` tokenizer
(every non-ASCII character is a token character, so our space-separated tokens pass
through untouched):

- each letter or digit (CJK or not, lower-cased) is one token, so any substring of
  a word is a phrase of consecutive tokens, however jieba would segment it;
- each run of other characters (spaces, punctuation) is one BOUNDARY token, so a
  phrase never matches across punctuation that is not in the query.

Latin words (runs of ASCII letters and digits with a letter in them) also go, as
all their suffixes, into their own columns, so that a prefix query (`"ai"*`) finds
`ai` inside `openai` and `20` inside `h200`. jieba's search-mode words go
into a second FTS5 table, which ranks the matches (bm25).

jieba is loaded lazily (rjieba, the jieba-rs binding, else Python jieba), so
importing this module costs nothing and the reader paints first.
"""

from __future__ import annotations

import logging
import re
import threading
from array import array
from collections.abc import Callable, Iterable

BOUNDARY = "\ue000"
# Bumped whenever the token streams change: the library re-indexes on open.
STREAM_VERSION = "4"
# Bumped when only the words stream changes: the library rebuilds its words index when
# it opens (2: words of one character are left out).
WORDS_VERSION = "2"
# Suffixes of Latin words are capped: a 200-character hash needs no infix search.
MAX_SUFFIX = 48

_NON_WORD = re.compile(r"[\W_]+")
_LATIN_WORD = re.compile(r"[0-9]*+[a-z][a-z0-9]*+")  # possessive: no backtracking in numbers


_CODE = "I" if array("I").itemsize == 4 else "L"  # an array of UTF-32 code units
_SPACE_CODE = array(_CODE, " ".encode("utf-32-le"))


def chars_stream(text: str) -> str:
    """The recall tokens of a text, space-separated (see the module docstring)."""
    # The same as " ".join(tokens), 1.8x faster: the characters' code points are
    # interleaved with spaces in an array (no string object per character).
    codes = array(_CODE, _NON_WORD.sub(BOUNDARY, text.lower()).encode("utf-32-le"))
    if not codes:
        return ""
    spaced = _SPACE_CODE * (2 * len(codes) - 1)
    spaced[::2] = codes
    return spaced.tobytes().decode("utf-32-le")


def chars_pieces(text: str) -> list[str]:
    """The same tokens as a list, boundaries at the ends removed (for queries)."""
    return list(_NON_WORD.sub(BOUNDARY, text.lower()).strip(BOUNDARY))


def latin_stream(text: str) -> str:
    """Every suffix of every Latin word, once each, space-separated.

    Only prefix queries of single tokens run on this column, never phrases, so
    neither order nor repetition matter.
    """
    out: set[str] = set()
    for word in set(_LATIN_WORD.findall(text.lower())):
        out.update(word[i : i + MAX_SUFFIX] for i in range(len(word)))
    return " ".join(sorted(out))


def is_latin_word(text: str) -> bool:
    """ASCII letters and digits with at least one letter: looked up by its suffixes."""
    return bool(_LATIN_WORD.fullmatch(text))


# jieba, loaded once per process on first use.

_lock = threading.Lock()
_cut_for_search: Callable[[str], Iterable[str]] | None = None
_tag: Callable[[str], Iterable[tuple[str, str]]] | None = None
_has_word: Callable[[str], bool] | None = None
_engine = ""


def _load() -> None:
    global _cut_for_search, _tag, _has_word, _engine
    with _lock:
        if _cut_for_search is not None:
            return
        try:
            import rjieba

            _cut_for_search, _tag, _has_word = rjieba.cut_for_search, rjieba.tag, rjieba.has_word
            _engine = f"rjieba {_version('rjieba')}"
        except ImportError:  # no wheel for this platform: the reference, ~25x slower
            import jieba
            import jieba.posseg

            from .paths import cache_dir

            jieba.setLogLevel(logging.WARNING)
            cache = cache_dir() / "jieba.cache"
            cache.parent.mkdir(parents=True, exist_ok=True)
            jieba.dt.cache_file = str(cache)
            jieba.initialize()
            _cut_for_search = jieba.cut_for_search
            _tag = lambda text: ((w.word, w.flag) for w in jieba.posseg.cut(text))  # noqa: E731
            _has_word = lambda word: word in jieba.dt.FREQ  # noqa: E731
            _engine = f"jieba {_version('jieba')}"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def warm_up() -> str:
    """Load the segmenter now (the reader calls this in a worker); returns its name."""
    _load()
    cut_for_search("预热")
    return _engine


def is_loaded() -> bool:
    return _cut_for_search is not None


def engine() -> str:
    """Which segmenter and version the index is built with (part of the index version)."""
    _load()
    return _engine


def cut_for_search(text: str) -> list[str]:
    """jieba's search-engine mode: words plus the dictionary words inside long ones."""
    if _cut_for_search is None:
        _load()
    assert _cut_for_search is not None
    return [w for w in _cut_for_search(text) if w.strip()]


def tag(text: str) -> list[tuple[str, str]]:
    """jieba's part-of-speech tags (`nr` person, `nt` organisation, `eng` Latin…)."""
    if _tag is None:
        _load()
    assert _tag is not None
    return list(_tag(text))


def is_dictionary_word(word: str) -> bool:
    """Whether jieba's dictionary holds `word` (names mostly are not in it)."""
    _load()
    return bool(_has_word is not None and _has_word(word))


def words_stream(text: str) -> str:
    """jieba's search-mode words of a text, in order, space-separated, for `words`.

    Every occurrence counts (bm25 ranks by how often a word occurs). Words of one
    character are left out: search never ranks by them (store/search.py), and they
    were 30% of the index's tokens (的, 在, 了…), with the spaces and punctuation
    jieba returns as words. Longer runs of punctuation are dropped by the tokenizer.
    """
    if _cut_for_search is None:
        _load()
    assert _cut_for_search is not None
    return " ".join([w for w in _cut_for_search(text) if len(w) > 1])
