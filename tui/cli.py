"""The `neican` command line: a click group whose default command opens the reader."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from store.errors import NeicanError
from store.model import ParsedDocument

if TYPE_CHECKING:
    from store.library import Library

F = TypeVar("F", bound=Callable[..., Any])
# The library this command opened: an SQLite error met while reading it names it.
_opened: list[Path] = []


def _remember_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["neican.db"] = value


def db_option(func: F) -> F:
    """`--db PATH` on the group and on every command (the innermost one given wins)."""
    return click.option(
        "--db",
        metavar="PATH",
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
@click.version_option(package_name="neican", prog_name="neican")
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
    {"format", "feed", "articles": [...]}, plus "skipped": [{"line", "title",
    "reason"}] when articles were left out (an impossible date); then the exit
    status is 1.
    """
    from store.parsing import parse_file

    document = parse_file(file)
    for message in document.warnings:
        warn(message)
    if as_json:
        echo_json(document.to_json())
    else:
        click.echo(summary(str(file), document))
    if document.skipped:
        raise SystemExit(1)


def open_library(ctx: click.Context | None = None) -> Library:
    """The library named by --db / $NEICAN_DB / the default location."""
    from store.library import Library
    from store.paths import library_path

    ctx = ctx or click.get_current_context()
    given = ctx.meta.get("neican.db")
    path = library_path(given)
    is_new = given is not None and not path.exists()
    library = Library(path, notice=lambda m: click.echo(f"neican: {m}", err=True))
    if is_new:  # a mistyped --db PATH would otherwise look like an empty library
        click.echo(f"neican: created a new library at {path.resolve()}", err=True)
    _opened.append(library.path)
    return library


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@db_option
def import_(paths: tuple[Path, ...], as_json: bool) -> None:
    """Import files and folders (recursively) into the library.

    Each file is one transaction: all its articles, or none. Importing the same
    content again changes nothing; an edited file updates its articles and keeps
    their read flags and notes. Exits 1 if any file was refused.
    """
    with open_library() as library:
        bar = None
        progress = None
        if not as_json and sys.stderr.isatty():
            from store.library import expand_paths

            total = len(expand_paths(paths).files)
            bar = click.progressbar(length=total, label="importing", file=sys.stderr, show_pos=True)
            bar.__enter__()

            def progress(done: int, _total: int, _name: str) -> None:
                bar.update(1)

        try:
            report = library.import_paths(paths, progress=progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    for problem in report.problems:
        warn(problem)
    for outcome in report.outcomes:
        for message in outcome.warnings:
            warn(message)
    if as_json:
        echo_json(report.to_json())
    else:
        for outcome in report.imported:
            parts = [f"{outcome.added} new"] if outcome.added else []
            parts += [f"{outcome.updated} updated"] if outcome.updated else []
            parts += [f"{outcome.removed} removed"] if outcome.removed else []
            click.echo(f"imported  {outcome.file} ({', '.join(parts)})")
        for outcome in report.unchanged:
            click.echo(f"unchanged {outcome.file}")
        for outcome in report.refused:
            click.echo(f"refused   {outcome.file}: {outcome.reason}", err=True)
        click.echo(
            f"{len(report.imported)} imported, {len(report.unchanged)} unchanged, "
            f"{len(report.refused)} refused"
        )
    if report.refused:
        raise SystemExit(1)


@cli.command()
@click.argument("query")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many hits to show (0: all). The total always counts every match.",
)
@json_option
@db_option
def search(query: str, limit: int, as_json: bool) -> None:
    """Search the library.

    \b
    Words must all occur (as substrings; Latin case-insensitively):
      英伟 大模型 Meta       "英伟达 收购" (a phrase)     -谷歌 (exclude)
    Filters: feed:AI内参 outlet:36氪 entity:Meta after:2025-12-15
             before:2026-01 is:unread is:read is:noted
             money:>=1亿美元 money:<5000万元 (> >= < <= =)
    """
    with open_library() as library:
        result = library.search(query, limit=limit)
    for problem in result.problems:
        warn(problem)
    if as_json:
        echo_json(result.to_json())
        return
    bold = sys.stdout.isatty()
    for hit in result.hits:
        date = hit.published.replace("T", " ")
        click.echo(f"{hit.id:>6}  {date:16}  {hit.feed} · {'、'.join(hit.outlets) or '-'}")
        click.echo(f"        {hit.title}")
        if hit.snippet:
            snippet = (
                hit.marked_snippet(click.style("", bold=True, reset=False), "\x1b[0m")
                if bold
                else hit.marked_snippet()
            )
            click.echo(f"        {snippet}")
    shown = len(result.hits)
    click.echo(f"{result.total} matches" + (f", {shown} shown" if shown < result.total else ""))


@cli.command()
@click.argument("article_id", type=int)
@json_option
@db_option
def show(article_id: int, as_json: bool) -> None:
    """Print article ARTICLE_ID (its id is in `neican search` and `--json` outputs)."""
    with open_library() as library:
        article = library.article(article_id)
    if as_json:
        echo_json(article.to_json())
        return
    from store.sanitize import clean_text

    def echo(text: str) -> None:  # the library may hold what another tool wrote into it
        click.echo(clean_text(text))

    echo(article.title)
    echo(
        f"{'、'.join(article.feeds or (article.feed,))} · {'、'.join(article.outlets) or '-'} · "
        f"{article.published.replace('T', ' ')}"
    )
    if article.ruiping:
        echo(f"\n【锐评】 {article.ruiping}")
    for section in article.sections:
        echo(f"\n{section.heading}" if section.heading else "")
        for bullet in section.bullets:
            cites = "".join(f"[{c}]" for c in bullet.citations)
            echo(f"  - {bullet.text}{' ' + cites if cites else ''}")
    for link in article.links:
        echo(f"\n{link}")
    if article.entities:
        echo("\n【实体】")
        for entity in article.entities:
            echo(f"  {entity.name} ({entity.type}) ×{entity.count}")
    if article.notes:
        echo("\n【笔记】")
        for note in article.notes:
            kind = "锐评" if note.kind == "ruiping" else "引用"
            echo(f"  #{note.id} {kind} {note.created[:10]}: {note.text}")
            if note.comment:
                echo(f"    ✎ {note.comment}")
            if note.tags:
                echo("    " + " ".join("#" + t for t in note.tags))


@cli.command()
@json_option
@db_option
def stats(as_json: bool) -> None:
    """Counts, date range and size of the library."""
    with open_library() as library:
        data = library.stats()
        where = library.path
    if as_json:
        echo_json(data)
        return
    click.echo(f"library   {where}")
    for key in ("articles", "feeds", "outlets", "notes"):
        click.echo(f"{key:9} {data[key]}")
    click.echo(f"dates     {data['first'] or '-'} … {data['last'] or '-'}")
    click.echo(f"size      {data['bytes'] / 2**20:.1f} MB")


ENTITY_TYPES = ("org", "person", "product", "money", "media")


@cli.group(invoke_without_command=True)
@click.option("--type", "kind", type=click.Choice(ENTITY_TYPES), help="Only entities of this type.")
@json_option
@db_option
@click.pass_context
def entities(ctx: click.Context, kind: str | None, as_json: bool) -> None:
    """List the entities of the library: companies, people, products, money, media.

    \b
    neican entities [--type T] [--json]      the list, most articles first
    neican entities show NAME                every article mentioning NAME (any alias)
    neican entities add NAME --type T [--alias A]…   add to your gazetteer
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_library() as library:
        rows = library.entities(kind)
        stale = library.gazetteer_changed()
    if stale:
        warn("the gazetteer changed since entities were extracted: run `neican reindex`")
    if as_json:
        echo_json([e.to_json() for e in rows])
        return
    width = max((cell_width(e.name) for e in rows), default=0)
    for e in rows:
        aliases = "、".join(e.aliases[:4])
        click.echo(
            f"{e.type:8} {pad(e.name, width)}  {e.articles:>4} articles {e.mentions:>5} mentions  {aliases}"
        )
    click.echo(f"{len(rows)} entities")


@entities.command("show")
@click.argument("name")
@json_option
@db_option
def entities_show(name: str, as_json: bool) -> None:
    """Every article that mentions NAME (or any of its aliases), newest first."""
    with open_library() as library:
        matched, rows = library.entity_articles(name)
    if not matched:
        raise NeicanError(f"no entity named {name!r} in the library (see `neican entities`)")
    if as_json:
        echo_json(
            {
                "entities": [{"name": n, "type": t} for _, n, t in matched],
                "articles": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "feed": r.feed,
                        "outlets": list(r.outlets),
                        "published": r.published,
                    }
                    for r in rows
                ],
            }
        )
        return
    click.echo(" + ".join(f"{n} ({t})" for _, n, t in matched))
    for r in rows:
        click.echo(
            f"{r.id:>6}  {r.published.replace('T', ' '):16}  {r.feed} · {'、'.join(r.outlets) or '-'}  {r.title}"
        )
    click.echo(f"{len(rows)} articles")


@entities.command("add")
@click.argument("name")
@click.option(
    "--type", "kind", required=True, type=click.Choice(("org", "person", "product", "media"))
)
@click.option("--alias", "aliases", multiple=True, help="Another name for it (repeatable).")
@click.option("--parent", help="The canonical name of its parent (阿里云 → 阿里巴巴).")
@db_option
def entities_add(name: str, kind: str, aliases: tuple[str, ...], parent: str | None) -> None:
    """Add NAME to your gazetteer (or aliases to it if it is there), then `neican reindex`."""
    from store.entities import add_entry
    from store.sanitize import clean_field

    name = clean_field(name)
    if not name:
        raise click.UsageError("NAME is empty")
    path, created = add_entry(
        name, kind, [clean_field(a) for a in aliases if clean_field(a)], parent
    )
    click.echo(f"{'added' if created else 'updated'} {name} ({kind}) in {path}")
    click.echo("run `neican reindex` to find it in the articles already imported")


@cli.command()
@db_option
def reindex() -> None:
    """Rebuild the search indexes and extract every article's entities again.

    Run it after editing the gazetteer; nothing is re-imported.
    """
    with open_library() as library:
        bar = None
        progress = None
        if sys.stderr.isatty():
            bar = click.progressbar(
                length=2 * max(library.article_count(), 1), label="reindexing", file=sys.stderr
            )
            bar.__enter__()

            def progress(done: int, total: int, _stage: str) -> None:
                bar.update(min(500, total))

        try:
            count = library.reindex(progress)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        found = len(library.entities())
    click.echo(f"reindexed {count} articles: {found} entities")


def cell_width(text: str) -> int:
    """Terminal cells: wide (CJK) characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def summary(name: str, document: ParsedDocument) -> str:
    """Format, feed and one line per article."""
    count = len(document.articles)
    skipped = f", {len(document.skipped)} skipped" if document.skipped else ""
    lines = [f"{name}: {document.format} · feed {document.feed} · {count} articles{skipped}"]
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
    except (sqlite3.Error, OSError) as e:  # met while reading: damaged, full, busy…
        if not _opened or (isinstance(e, OSError) and e.errno != errno.ENOSPC):
            _internal(e)
        from store.sql import explain

        click.echo(f"neican: error: {explain(e, _opened[-1], 'cannot read the library')}", err=True)
        sys.exit(1)
    except Exception as e:
        _internal(e)
    sys.exit(code if isinstance(code, int) else 0)


def _internal(e: BaseException) -> None:
    """A bug: still one line, unless the user asks for the traceback."""
    if os.environ.get("NEICAN_DEBUG"):
        raise e
    click.echo(
        f"neican: internal error: {type(e).__name__}: {e} (NEICAN_DEBUG=1 shows more)", err=True
    )
    sys.exit(1)


# The notes, subscription and follow commands live beside this module; importing them
# registers them.
from . import cli_feeds, cli_notes  # noqa: E402, F401
