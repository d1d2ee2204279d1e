"""The `neican` command line: a click group whose default command opens the reader."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from store.errors import NeicanError
from store.model import ParsedDocument

F = TypeVar("F", bound=Callable[..., Any])


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["neican.db"] = value


def db_option(func: F) -> F:
    """`--db PATH` on the group and on every command (the innermost one given wins)."""
    return click.option(
        "--db",
        metavar="PATH",
        envvar="NEICAN_DB",
        expose_value=False,
        is_eager=True,
        callback=_remember_db,
        help="The library file (default: $NEICAN_DB, else the user data dir).",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@db_option
@click.pass_context
def cli(ctx: click.Context) -> None:
    """A terminal reader for Chinese AI-industry news.

    Without a command, opens the reader on the library (importing the bundled
    sample documents first if the library is empty).
    """
    if ctx.invoked_subcommand is None:
        from .reader import open_reader

        open_reader(ctx.meta.get("neican.db"))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@json_option
@db_option
def parse(file: Path, as_json: bool) -> None:
    """Parse FILE (a digest or 《AI内参》 newsletter) and print what it holds.

    Nothing is written. With --json, prints the parse contract:
    {"format", "feed", "articles": [...]}.
    """
    from store.parsing import parse_file

    document = parse_file(file)
    for message in document.warnings:
        warn(message)
    if as_json:
        echo_json(document.to_json())
    else:
        click.echo(summary(str(file), document))


def summary(name: str, document: ParsedDocument) -> str:
    """Format, feed and one line per article."""
    count = len(document.articles)
    lines = [f"{name}: {document.format} · feed {document.feed} · {count} articles"]
    for article in document.articles:
        outlets = "、".join(article.outlets) or "-"
        lines.append(f"  {article.published.replace('T', ' '):16}  {outlets}  {article.title}")
    return "\n".join(lines)


def main() -> None:
    """Entry point: every error is one line on stderr (exit 1; usage errors exit 2)."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("neican: aborted", err=True)
        sys.exit(130)
    except click.UsageError as e:
        command = e.ctx.command_path if e.ctx else "neican"
        click.echo(f"neican: error: {e.format_message()} (see `{command} --help`)", err=True)
        sys.exit(2)
    except click.ClickException as e:
        click.echo(f"neican: error: {e.format_message()}", err=True)
        sys.exit(e.exit_code)
    except NeicanError as e:
        click.echo(f"neican: error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("neican: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as e:  # a bug: still one line, unless the user asks for the traceback
        if os.environ.get("NEICAN_DEBUG"):
            raise
        click.echo(f"neican: internal error: {type(e).__name__}: {e} (NEICAN_DEBUG=1 shows more)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
