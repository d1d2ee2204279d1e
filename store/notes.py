"""Notes: a 锐评 bookmarked or a quote kept, with the user's comment and tags (their SQL)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from .errors import NeicanError, NotFound
from .records import Article, Note, NoteKind
from .sanitize import clean_field, clean_text

_SELECT = (
    "SELECT n.id, n.article_id, n.kind, n.text, n.comment, n.tags, n.created, n.updated, "
    "a.title, a.published FROM notes n JOIN articles a ON a.id = n.article_id"
)


def clean_note(text: str) -> str:
    """A comment as the user typed it, minus control characters (newlines kept)."""
    return "\n".join(line.rstrip() for line in clean_text(text).strip().split("\n"))


def clean_tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        for part in clean_field(tag).replace(",", " ").split():
            part = part.lstrip("#")
            if part and part not in out:
                out.append(part)
    return out


def _note(row: tuple[Any, ...]) -> Note:
    return Note(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), *row[6:10])


def notes(
    conn: sqlite3.Connection,
    *,
    article_id: int | None = None,
    text: str | None = None,
    tag: str | None = None,
    since: str | None = None,
    newest_first: bool = True,
) -> list[Note]:
    """Notes, newest first; `text` filters on the note, comment, tags and title."""
    clauses: list[str] = []
    params: list[Any] = []
    if article_id is not None:
        clauses.append("n.article_id = ?")
        params.append(article_id)
    if since:
        clauses.append("n.updated >= ?")
        params.append(since)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    order = "DESC" if newest_first else "ASC"
    found = [
        _note(r)
        for r in conn.execute(f"{_SELECT} {where} ORDER BY n.created {order}, n.id {order}", params)
    ]
    if tag:
        wanted = tag.lstrip("#").lower()
        found = [n for n in found if wanted in (t.lower() for t in n.tags)]
    if text:
        words = text.lower().split()
        found = [
            n
            for n in found
            if all(
                w in f"{n.text}\n{n.comment}\n{' '.join(n.tags)}\n{n.article_title}".lower()
                for w in words
            )
        ]
    return found


def note(conn: sqlite3.Connection, note_id: int) -> Note:
    row = conn.execute(f"{_SELECT} WHERE n.id = ?", [note_id]).fetchone()
    if row is None:
        raise NotFound(f"no note {note_id}")
    return _note(row)


def note_text(article: Article, kind: str, text: str | None) -> tuple[NoteKind, str]:
    """What a new note of `kind` on `article` keeps (refusing what cannot be a note)."""
    if kind == "ruiping":
        if not article.ruiping:
            raise NeicanError(f"article {article.id} has no 锐评 to bookmark")
        return "ruiping", article.ruiping
    if kind == "quote":
        quoted = clean_text(text or "").strip()
        if not quoted:
            raise NeicanError("a quote note needs the text it quotes")
        return "quote", quoted
    raise NeicanError(f"unknown note kind {kind!r} (ruiping or quote)")


def insert(
    conn: sqlite3.Connection,
    article_id: int,
    kind: NoteKind,
    text: str,
    comment: str,
    tags: Iterable[str],
    now: str,
) -> int:
    """Insert a new note; its id."""
    cursor = conn.execute(
        "INSERT INTO notes(article_id, kind, text, comment, tags, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            article_id,
            kind,
            text,
            clean_note(comment),
            json.dumps(clean_tags(tags), ensure_ascii=False),
            now,
            now,
        ],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def update(
    conn: sqlite3.Connection,
    old: Note,
    comment: str | None,
    tags: Iterable[str] | None,
    now: str,
) -> None:
    conn.execute(
        "UPDATE notes SET comment = ?, tags = ?, updated = ? WHERE id = ?",
        [
            old.comment if comment is None else clean_note(comment),
            json.dumps(list(old.tags) if tags is None else clean_tags(tags), ensure_ascii=False),
            now,
            old.id,
        ],
    )


def delete(conn: sqlite3.Connection, note_id: int) -> None:
    conn.execute("DELETE FROM notes WHERE id = ?", [note_id])


def restore(conn: sqlite3.Connection, old: Note) -> None:
    """Insert a deleted note again, with its id and dates."""
    conn.execute(
        "INSERT INTO notes(id, article_id, kind, text, comment, tags, created, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            old.id,
            old.article_id,
            old.kind,
            old.text,
            old.comment,
            json.dumps(list(old.tags), ensure_ascii=False),
            old.created,
            old.updated,
        ],
    )
