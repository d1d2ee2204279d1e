"""Open the reader on the user's library."""

from __future__ import annotations


def open_reader(db: str | None) -> None:
    import click

    from .app import NeicanApp

    # Before the screen is taken: an upgrade that re-indexes a large library says so.
    NeicanApp(db, notice=lambda message: click.echo(f"neican: {message}", err=True)).run()
