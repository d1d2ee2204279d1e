"""App-level messages: results of work done off the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from store.articles import FeedCount, SearchResult


@dataclass
class SearchFinished(Message):
    query_id: int
    result: SearchResult


@dataclass
class CountsReady(Message):
    total: int
    unread: int
    noted: int
    feeds: list[FeedCount]
    outlets: list[FeedCount]


@dataclass
class SegmenterReady(Message):
    engine: str


@dataclass
class ImportFinished(Message):
    imported: int
    refused: list[str]
