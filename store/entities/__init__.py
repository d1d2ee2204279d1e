"""Entities: a curated gazetteer with aliases, patterns for names it lacks, and money.

Extraction works on an article's raw text:

- gazetteer names and aliases, found with an Aho-Corasick automaton, longest match
  first; a Latin name only on word boundaries (`Intel` not in `Intelligence`), short
  all-capital aliases (`AMD`) only in capitals;
- names the gazetteer lacks, from patterns with context: model and product names
  (`GPT-5`, `DeepSeek-V3.2-Exp`, `Llama 4`, chip numbers like `H20` next to chip
  words), company shapes (`…科技`, `…智能`, `… AI`, `… Inc.`) next to company words,
  people after a title (创始人, CEO…) or before a speech verb (表示, 称…), their
  surname and jieba's tags deciding where the name ends;
- amounts of money (`20亿美元`, `1.25亿美元`, `21.95亿元`, ranges, `数十亿美元`),
  normalised to a value and an ISO currency.

The gazetteer ships with neican (store/data/gazetteer.toml); the user's copy in the
config directory, made on first use, wins. One module each: found.py (what is found),
gazetteer.py, money.py, names.py (the heuristics for names it lacks), extractor.py.
"""

from __future__ import annotations

from .extractor import Extractor
from .found import GAZETTEER_TYPES, TYPES, Entry, Found
from .gazetteer import (
    Gazetteer,
    add_entry,
    bundled_gazetteer,
    gazetteer_fingerprint,
    user_gazetteer,
)
from .money import MONEY, find_money, money_name

__all__ = [
    "GAZETTEER_TYPES",
    "MONEY",
    "TYPES",
    "Entry",
    "Extractor",
    "Found",
    "Gazetteer",
    "add_entry",
    "bundled_gazetteer",
    "find_money",
    "gazetteer_fingerprint",
    "money_name",
    "user_gazetteer",
]
