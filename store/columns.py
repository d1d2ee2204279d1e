"""How an article's fields are stored in their columns: JSON lists and compact sections."""

from __future__ import annotations

import json

from .model import Bullet, Section


def json_list(values: tuple[str, ...]) -> str:
    """`outlets` and `links` as stored."""
    return json.dumps(list(values), ensure_ascii=False)


def sections_json(sections: tuple[Section, ...]) -> str:
    """Sections as stored: compact JSON arrays, `[[heading, [[text, [n, m]], …]], …]`."""
    return json.dumps(
        [[s.heading, [[b.text, list(b.citations)] for b in s.bullets]] for s in sections],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def sections_load(data: str) -> tuple[Section, ...]:
    return tuple(
        Section(heading, tuple(Bullet(text, tuple(citations)) for text, citations in bullets))
        for heading, bullets in json.loads(data)
    )
