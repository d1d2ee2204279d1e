"""Common Chinese words as single index tokens: a fast, exact path for the usual queries.

The character index (store/segment.py) finds any substring, but a common word such as
`中国` is a phrase over two of its longest position lists: counting its articles at
100,000 takes 11–25 ms. The `grams` index holds, for each article, which of ~20,000
common words (store/data/grams.txt) occur in it anywhere, found by one Aho-Corasick
pass with overlaps, so it is exact: an article is listed under `中国` if and only if
the text contains `中国`, however jieba would cut it. A query whose words are all in
the list is answered from it (a doclist without positions, ~1 ms); any other query
uses the character index as before.

The list: jieba's dictionary's most frequent words of 2–4 Chinese characters, the
bundled gazetteer's Chinese names of 2–6 (the AI industry's own common words, which
jieba's older dictionary lacks), and a few of the trade's words. Rebuild it with
`python -m store.grams` (the library re-indexes when it changes: GRAMS_VERSION).
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

# Words of the trade neither jieba's dictionary nor the gazetteer holds.
TRADE_WORDS = (
    "大模型 人工智能 智能体 算力 芯片 开源 闭源 推理 训练 微调 多模态 具身智能 机器人 自动驾驶 "
    "生成式 大语言模型 语言模型 参数 融资 估值 独角兽 初创 上市 营收 财报 发布会 "
    "数据中心 云计算 半导体 光刻机 显卡 英伟达 谷歌 腾讯 字节跳动 阿里巴巴 百度 华为 小米 "
    "深度求索 月之暗面 智谱 商汤 旷视 科大讯飞 寒武纪"
).split()
JIEBA_WORDS = 20_000
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")

_lock = threading.Lock()


@cache
def _words() -> tuple[list[str], dict[str, int]]:
    text = resources.files("store").joinpath("data/grams.txt").read_text(encoding="utf-8")
    words = [w for w in text.splitlines() if w and not w.startswith("#")]
    return words, {w: i for i, w in enumerate(words)}


@cache
def _automaton() -> Any:
    import ahocorasick_rs

    words, _ = _words()
    # A contiguous automaton that hands back the words themselves: 0.22 -> 0.15 ms an
    # article (the default automaton, and match indexes looked up in Python, are slower).
    return ahocorasick_rs.AhoCorasick(
        words,
        matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
        store_patterns=True,
        implementation=ahocorasick_rs.Implementation.ContiguousNFA,
    )


def version() -> str:
    """A fingerprint of the list (stored in the library: a change re-indexes)."""
    with _lock:
        words, _ = _words()
    return hashlib.sha256("\n".join(words).encode()).hexdigest()[:16]


def is_gram(word: str) -> bool:
    """Whether `word` (lower-cased) is one index token of `grams`."""
    with _lock:
        return word in _words()[1]


def grams_stream(text: str) -> str:
    """The common words occurring anywhere in `text`, each once, space-separated."""
    with _lock:
        automaton = _automaton()
    return " ".join(sorted(set(automaton.find_matches_as_strings(text, overlapping=True))))


def build_list() -> list[str]:
    """The list as `python -m store.grams` writes it."""
    import tomllib

    import jieba

    dictionary = Path(jieba.__file__).with_name("dict.txt")
    ranked: list[tuple[int, str]] = []
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split()
        if 2 <= len(word) <= 4 and _CJK_WORD.fullmatch(word):
            ranked.append((-int(freq), word))
    ranked.sort()
    words = [w for _, w in ranked[:JIEBA_WORDS]]
    gazetteer = tomllib.loads(
        resources.files("store").joinpath("data/gazetteer.toml").read_text(encoding="utf-8")
    )
    for entry in gazetteer.get("entity", []):
        for name in [entry["name"], *entry.get("aliases", [])]:
            if 2 <= len(name) <= 6 and _CJK_WORD.fullmatch(name):
                words.append(name)
    words += TRADE_WORDS
    return sorted(dict.fromkeys(words))


def main() -> None:
    words = build_list()
    target = Path(__file__).with_name("data") / "grams.txt"
    header = "# Common words indexed whole (store/grams.py); written by `python -m store.grams`.\n"
    target.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{target}: {len(words):,} words")


if __name__ == "__main__":
    main()
