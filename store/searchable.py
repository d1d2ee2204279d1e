"""The searchable lines of an article: one definition for the index, snippets, checks, entities."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .model import Section

# Sections parsed, or as stored (their JSON, read without making the objects).
Sections = tuple[Section, ...] | str


def searchable_lines(
    ruiping: str | None,
    sections: Sections,
    outlets: Iterable[str] = (),
    comments: Iterable[str] = (),
) -> list[str]:
    """Every searchable line of an article but its title, in the order the index holds
    them: the 锐评, each section's heading (when it has one) then its bullets, the
    outlets, the note comments (entities read the first two only)."""
    lines = [ruiping] if ruiping else []
    if isinstance(sections, str):
        for heading, bullets in json.loads(sections):
            if heading:
                lines.append(heading)
            lines.extend(b[0] for b in bullets)
    else:
        for section in sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend(b.text for b in section.bullets)
    lines.extend(outlets)
    lines.extend(comments)
    return lines


def indexed_text(title: str, ruiping: str | None, lines: list[str]) -> str:
    """The whole text the search indexes hold: the title, then `searchable_lines`.

    A blank line stands where an article has no 锐评: the index has always held one
    (without it every library's index would differ from what a re-index makes).
    """
    return "\n".join([title, *lines] if ruiping else [title, "", *lines])
