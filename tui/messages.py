"""Results of work done off the UI thread, posted to the main screen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from store.records import ArticleRow, FeedCount, Note, SearchResult


@dataclass
class CountsReady(Message):
    total: int
    unread: int
    noted: int
    feeds: list[FeedCount]
    outlets: list[FeedCount]


@dataclass
class ImportFinished(Message):
    imported: int
    refused: list[str]


@dataclass
class SearchFinished(Message):
    query_id: int  # results of an older query than the one typed last are dropped
    result: SearchResult


@dataclass
class EntityArticles(Message):
    name: str
    kind: str
    rows: list[ArticleRow]


@dataclass
class RuipingToggled(Message):
    note: Note | None  # None: the bookmark was removed


@dataclass
class QuoteAdded(Message):
    note: Note
