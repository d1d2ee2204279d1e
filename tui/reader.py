"""Open the reader (until the Textual app lands: print the bundled seeds' summary)."""

from __future__ import annotations

import click

from store.parsing import parse_file
from store.paths import bundled_seeds


def open_reader(db: str | None) -> None:
    from .cli import summary

    for seed in bundled_seeds():
        click.echo(summary(seed.name, parse_file(seed)))
