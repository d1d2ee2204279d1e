"""Open the reader on the user's library."""

from __future__ import annotations


def open_reader(db: str | None) -> None:
    from .app import NeicanApp

    NeicanApp(db).run()
