"""Frozen dataclasses for parsed documents, and their JSON form (the parse contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["article", "overview"]


@dataclass(frozen=True)
class Bullet:
    text: str
    citations: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations)}


@dataclass(frozen=True)
class Section:
    heading: str
    bullets: tuple[Bullet, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"heading": self.heading, "bullets": [b.to_json() for b in self.bullets]}


@dataclass(frozen=True)
class ParsedArticle:
    """One article as parsed from a file; `line` is where it starts (not part of the JSON)."""

    kind: Kind
    title: str
    outlets: tuple[str, ...]
    published: str  # "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD"
    links: tuple[str, ...] = ()
    ruiping: str | None = None
    sections: tuple[Section, ...] = ()
    line: int = field(default=0, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "outlets": list(self.outlets),
            "published": self.published,
            "links": list(self.links),
            "ruiping": self.ruiping,
            "sections": [s.to_json() for s in self.sections],
        }


@dataclass(frozen=True)
class Skipped:
    """An article left out of a file that otherwise parsed (an impossible date, say)."""

    line: int
    title: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "title": self.title, "reason": self.reason}


@dataclass(frozen=True)
class ParsedDocument:
    """A parsed file: its format, the feed it names, its articles and any warnings.

    Each skipped article also has its one-line message among the warnings, which is
    how an import reports it.
    """

    format: str
    feed: str
    articles: tuple[ParsedArticle, ...]
    warnings: tuple[str, ...] = field(default=(), compare=False)
    skipped: tuple[Skipped, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": self.format,
            "feed": self.feed,
            "articles": [a.to_json() for a in self.articles],
        }
        if self.skipped:
            data["skipped"] = [s.to_json() for s in self.skipped]
        return data
