"""Open the reader on the user's library."""

from __future__ import annotations


def open_reader(db: str | None) -> None:
    import click

    from .app import NeicanApp

    # Before the screen is taken: an upgrade that re-indexes a large library says so.
    app = NeicanApp(db, notice=lambda message: click.echo(f"neican: {message}", err=True))
    app.run()
    if app.exit_error is not None:
        raise app.exit_error  # the command line's one line (and exit 1)
    if app.return_code:  # it crashed (Textual printed the traceback): the exit status says so
        raise SystemExit(app.return_code)
