"""Results of work done off the UI thread, as the app receives them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from store.articles import FeedCount


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
