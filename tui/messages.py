"""Results of work done off the UI thread, posted to the main screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from store.records import Article, ArticleRow, FeedCount, FeedInfo, Note, SearchResult
from store.refresh import RefreshOutcome, RefreshReport


@dataclass
class CountsReady(Message):
    total: int
    unread: int
    noted: int
    feeds: list[FeedCount]
    outlets: list[FeedCount]
    subscriptions: list[FeedInfo] = field(default_factory=list)


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


@dataclass
class RefreshProgress(Message):
    """One more feed refreshed. `new` counts the articles the refresh brought so far, so
    a progress message may replace the one before it unread (the screen paints the last)."""

    done: int
    total: int
    name: str
    new: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgress)


@dataclass
class RefreshFinished(Message):
    report: RefreshReport


@dataclass
class Subscribed(Message):
    outcome: RefreshOutcome


@dataclass
class FullTextFetched(Message):
    article: Article
