"""What extraction finds: a gazetteer entry and an entity found in an article."""

from __future__ import annotations

from dataclasses import dataclass, field

TYPES = ("org", "person", "product", "money", "media")
GAZETTEER_TYPES = ("org", "person", "product", "media")

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Entry:
    """One gazetteer entity."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Found:
    """An entity found in one article."""

    name: str
    type: str
    count: int = 0
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    value: float | None = None
    high: float | None = None
    unit: str | None = None
    source: str = "gazetteer"
    surfaces: set[str] = field(default_factory=set)
