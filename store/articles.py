"""The old home of the library's records and id helpers, re-exported for code not yet moved.

New code imports from where each now lives: store.records (Article, Note, SearchHit…),
store.ids (search and FTS ids), store.hashing, store.columns and store.sql.
"""

from __future__ import annotations

from .columns import json_list, sections_json, sections_load
from .hashing import article_key, content_hash
from .ids import DAY_SLOTS, MAX_ARTICLE_ID, SID_SPAN, day_fid, day_sid, minutes, search_id
from .records import (
    Article,
    ArticleRow,
    EntityCount,
    EntityInfo,
    FeedCount,
    Note,
    SearchHit,
    SearchResult,
)
from .sql import IN_CHUNK, in_chunks, keys_of

__all__ = [
    "DAY_SLOTS",
    "IN_CHUNK",
    "MAX_ARTICLE_ID",
    "SID_SPAN",
    "Article",
    "ArticleRow",
    "EntityCount",
    "EntityInfo",
    "FeedCount",
    "Note",
    "SearchHit",
    "SearchResult",
    "article_key",
    "content_hash",
    "day_fid",
    "day_sid",
    "in_chunks",
    "json_list",
    "keys_of",
    "minutes",
    "search_id",
    "sections_json",
    "sections_load",
]
