"""Build benchmark libraries from ../shared/corpus/news-zh.jsonl (local use only, never committed).

The 1,214 real news articles are written out as digest files (the query line is the
article's category, the outlet a Sina channel), replicated with new titles and dates
until the wanted count is reached, then imported through `Library.import_paths`.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "news-zh.jsonl"
PER_FILE = 100
OUTLETS = {
    "财经": "新浪财经",
    "体育": "新浪体育",
    "房产": "新浪房产",
    "游戏": "新浪游戏",
    "教育": "新浪教育",
    "时政": "新浪新闻",
    "科技": "新浪科技",
    "时尚": "新浪时尚",
    "娱乐": "新浪娱乐",
    "家居": "新浪家居",
}


@dataclass(frozen=True)
class Doc:
    category: str
    title: str
    body: str


def load_corpus() -> list[Doc]:
    if not CORPUS.exists():
        raise SystemExit(
            f"{CORPUS} is absent: the benchmark needs ../shared/corpus beside the clone"
        )
    docs = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        label = re.findall(r"\[([^\]]*)\]$", record.get("source") or "")
        category = label[0] if label and label[0] in OUTLETS else "人工智能"
        docs.append(Doc(category, _clean(record["title"]), _clean(record["body"])))
    return docs


def _clean(text: str) -> str:
    # The digest's own syntax must not occur inside the text: ` - ` separates bullets,
    # `[n]` closes one, `·` marks the outlet line.
    text = text.replace(" - ", " – ").replace("[", "【").replace("]", "】").replace("·", "•")
    return " ".join(text.split())


def summary_line(body: str) -> str:
    """A body as a digest summary: sentences into bullets, bullets into headed sections."""
    sentences = [s for s in re.split(r"(?<=[。！？!?])", body) if s.strip()] or [body]
    bullets = [" ".join(sentences[i : i + 2]).strip() for i in range(0, len(sentences), 2)]
    parts = []
    for s, start in enumerate(range(0, len(bullets), 3)):
        heading = f"要点{s + 1}"
        group = bullets[start : start + 3]
        parts.append(
            heading + " - " + " - ".join(f"{b} [{start + i + 1}]" for i, b in enumerate(group))
        )
    return " ".join(parts)


def write_library_files(folder: Path, count: int, seed: int = 7) -> tuple[int, int]:
    """Write `count` articles as digest files; return (articles, raw UTF-8 bytes of their text)."""
    docs = load_corpus()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    raw = 0
    files: dict[str, list[str]] = {}
    for n in range(count):
        doc = docs[n % len(docs)]
        replica = n // len(docs)
        title = doc.title if replica == 0 else f"{doc.title}({replica})"
        day = rng.randrange(0, 730)
        year, rest = (2024, day) if day < 366 else (2025, day - 366)
        month, dom = 1 + rest // 31 % 12, 1 + rest % 28
        when = f"{year}-{month:02d}-{dom:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}"
        outlet = OUTLETS.get(doc.category, "机器之心")
        summary = summary_line(doc.body)
        raw += len((title + summary).encode("utf-8"))
        files.setdefault(doc.category, []).append(f"{title}\n{outlet}· {when}\n{summary}")
    written = 0
    for category, articles in files.items():
        for start in range(0, len(articles), PER_FILE):
            chunk = articles[start : start + PER_FILE]
            path = folder / f"{category}-{start // PER_FILE:05d}.txt"
            path.write_text(f"搜索文档\n{category}\n" + "\n".join(chunk), encoding="utf-8")
            written += len(chunk)
    return written, raw


def texts_for_jieba(count: int) -> list[str]:
    docs = load_corpus()
    return [docs[n % len(docs)].title + docs[n % len(docs)].body for n in range(count)]
