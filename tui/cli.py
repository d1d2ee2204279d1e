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


@cli.group()
def notes() -> None:
    """Notes: bookmarked 锐评 and quotes, with comments and tags.

    \b
    neican notes list [--json] [--tag T]
    neican notes add ARTICLE_ID [--quote TEXT] [--comment TEXT] [--tag T]…
    neican notes export [DIR] [--single FILE] [--since DATE] [--tag T]
    """


@notes.command("list")
@click.option("--tag", help="Only notes with this tag.")
@json_option
@db_option
def notes_list(tag: str | None, as_json: bool) -> None:
    """Every note, newest first."""
    with open_library() as library:
        rows = library.notes(tag=tag)
    if as_json:
        echo_json([n.to_json() for n in rows])
        return
    for n in rows:
        kind = "锐评" if n.kind == "ruiping" else "引用"
        tags = " ".join(f"#{t}" for t in n.tags)
        click.echo(
            f"{n.id:>5}  {n.created[:10]}  {kind}  {n.article_title}  (article {n.article_id}) {tags}"
        )
        click.echo(f"       > {n.text}")
        if n.comment:
            click.echo(f"       {n.comment}")
    click.echo(f"{len(rows)} notes")


@notes.command("add")
@click.argument("article_id", type=int)
@click.option("--quote", help="The text to keep (default on a newsletter item: its 锐评).")
@click.option("--comment", default="", help="Your comment.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@json_option
@db_option
def notes_add(
    article_id: int, quote: str | None, comment: str, tags: tuple[str, ...], as_json: bool
) -> None:
    """Add a note to article ARTICLE_ID."""
    with open_library() as library:
        if quote is None:
            note = library.add_note(article_id, "ruiping", comment=comment, tags=tags)
            if comment or tags:
                note = library.update_note(
                    note.id, comment=comment or note.comment, tags=list(note.tags) + list(tags)
                )
        else:
            note = library.add_note(article_id, "quote", quote, comment=comment, tags=tags)
    if as_json:
        echo_json(note.to_json())
    else:
        click.echo(f"note {note.id} on article {article_id}: {note.text}")


@notes.command("export")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--single", type=click.Path(path_type=Path, dir_okay=False), help="Write one file instead."
)
@click.option("--since", help="Only notes added or changed on or after this date (YYYY-MM-DD).")
@click.option("--tag", help="Only notes with this tag.")
@db_option
def notes_export(
    folder: Path | None, single: Path | None, since: str | None, tag: str | None
) -> None:
    """Export notes to Markdown: one file per noted article, in FOLDER.

    FOLDER defaults to the last one used (else neican-notes in your documents folder). Files are
    `YYYY-MM-DD 标题.md` with YAML front matter; what you write outside the
    marked region survives every export, and a renamed file is found again.
    """
    from store import settings
    from store.export import export_notes
    from store.query import parse_day

    day = None
    if since is not None and (day := parse_day(since)) is None:
        raise click.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--since")
    target = folder or settings.export_folder()
    with open_library() as library:
        report = export_notes(library, target, single=single, since=day, tag=tag)
    if single is None:
        settings.save(export_dir=str(target.resolve()))
    where = single or target
    click.echo(
        f"{len(report.written)} written, {len(report.updated)} updated, {len(report.unchanged)} unchanged"
        + (f", {len(report.emptied)} without notes" if report.emptied else "")
        + f" in {where}"
    )


@cli.group()
def feeds() -> None:
    """Subscriptions: feed URLs, pages that link a feed, rsshub:/routes and folders."""


def _feed_line(info: Any) -> str:
    from store.sanitize import clean_field

    trouble = "" if info.status == "ok" else f"  [{info.status}]"
    folder = f"{info.folder}/" if info.folder else ""
    return clean_field(
        f"{info.id:>4}  {folder}{info.name}  {info.articles} articles, {info.unread} unread"
        f"{trouble}  {info.url}"
    )


@feeds.command("add")
@click.argument("target", metavar="URL|rsshub:/route|FOLDER")
@click.option("--name", help="The feed's name (default: its title).")
@click.option("--folder", help="The folder it goes in (a/b for nested ones).")
@click.option("--full-text", is_flag=True, help="Fetch each new entry's page for its full text.")
@click.option(
    "--no-fetch", is_flag=True, help="Subscribe without fetching it now (URL: the feed's own)."
)
@db_option
def feeds_add(
    target: str, name: str | None, folder: str | None, full_text: bool, no_fetch: bool
) -> None:
    """Subscribe to a feed and fetch it once: a feed URL, a page that links one,
    an rsshub:/route (see `neican config set rsshub URL`) or a local folder."""
    with open_library() as library:
        outcome = library.subscribe(
            target, name=name, folder=folder, full_text=full_text, fetch=not no_fetch
        )
        info = next(f for f in library.subscriptions() if f.id == outcome.id)
    for message in outcome.warnings:
        warn(message)
    click.echo(_feed_line(info))
    if outcome.status == "error":
        click.echo(f"neican: error: {info.name}: {outcome.error}", err=True)
        raise SystemExit(1)
    if not no_fetch:
        click.echo(f"{outcome.new} new articles")


@feeds.command("list")
@json_option
@db_option
def feeds_list(as_json: bool) -> None:
    """Every subscription with its counts and status (ok, error, paused, moved, gone)."""
    with open_library() as library:
        infos = library.subscriptions()
    if as_json:
        echo_json([info.to_json() for info in infos])
        return
    for info in infos:
        click.echo(_feed_line(info))
        if info.status == "moved" and info.moved_to:
            click.echo(f"      moved to {info.moved_to} (apply: neican feeds move {info.id})")
        elif info.last_error:
            click.echo(f"      {info.last_error}")


@feeds.command("remove")
@click.argument("feed", metavar="NAME|ID")
@db_option
def feeds_remove(feed: str) -> None:
    """Unsubscribe: its articles go, unless noted or in another feed."""
    with open_library() as library:
        removed = library.unsubscribe(feed)
    click.echo(f"unsubscribed {feed} ({removed} articles removed)")


@feeds.command("rename")
@click.argument("feed", metavar="NAME|ID")
@click.argument("new")
@db_option
def feeds_rename(feed: str, new: str) -> None:
    """Rename a subscription."""
    with open_library() as library:
        info = library.rename_feed(feed, new)
    click.echo(_feed_line(info))


@feeds.command("move")
@click.argument("feed", metavar="NAME|ID")
@db_option
def feeds_move(feed: str) -> None:
    """Apply a moved feed's new URL (a 301/308 shown as `moved` in `feeds list`)."""
    with open_library() as library:
        info = library.apply_move(feed)
    click.echo(_feed_line(info))


@feeds.command("import")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--starter", is_flag=True, help="The bundled list of Chinese AI-news sources.")
@click.option("--no-fetch", is_flag=True, help="Subscribe without fetching the feeds now.")
@json_option
@db_option
def feeds_import(file: Path | None, starter: bool, no_fetch: bool, as_json: bool) -> None:
    """Subscribe to an OPML file's feeds (nested outlines become folders); already
    subscribed URLs are skipped. Then fetches the new ones (not with --no-fetch)."""
    from importlib import resources

    if (file is None) == (not starter):
        raise click.UsageError("give an OPML FILE or --starter (one of them)")
    if file is not None:
        try:
            data, name = file.read_bytes(), str(file)
        except OSError as e:
            raise click.ClickException(f"{file}: cannot read it: {e.strerror}") from None
    else:
        data = resources.files("store.feeds").joinpath("starter.opml").read_bytes()
        name = "starter.opml"
    with open_library() as library:
        before = {f.id for f in library.subscriptions()}
        added, skipped = library.import_opml(data, name)
        new_ids = [f.id for f in library.subscriptions() if f.id not in before]
        report = None if no_fetch or not new_ids else _refresh(library, new_ids, as_json)
    if as_json:
        out: dict[str, Any] = {"added": added, "skipped": skipped}
        if report is not None:
            out["refresh"] = report.to_json()
        echo_json(out)
        return
    click.echo(f"subscribed to {added} feeds ({skipped} skipped)")
    if report is not None:
        _echo_report(report)


@feeds.command("export")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@db_option
def feeds_export(file: Path | None) -> None:
    """Write the subscriptions as OPML 2.0 (to FILE, else to stdout)."""
    with open_library() as library:
        text = library.export_opml()
    if file is None:
        click.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"{file}: cannot write it: {e.strerror}") from None
    click.echo(f"exported to {file}")


def _refresh(library: Library, targets: list[int] | list[str] | None, as_json: bool) -> Any:
    bar = None
    progress = None
    if not as_json and sys.stderr.isatty():
        bar = click.progressbar(length=1, label="refreshing", file=sys.stderr, show_pos=True)
        bar.__enter__()

        def progress(_outcome: Any, done: int, total: int) -> None:
            assert bar is not None
            bar.length = total
            bar.update(1)

    try:
        return library.refresh(targets, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _echo_report(report: Any) -> None:
    from store.sanitize import clean_field

    for outcome in report.feeds:
        for message in outcome.warnings:
            warn(message)
        if outcome.status == "new":
            line = f"{outcome.new} new, {outcome.updated} updated"
        elif outcome.status == "not-modified":
            line = "not modified"
        else:
            line = f"{outcome.status}: {outcome.error}"
        click.echo(clean_field(f"{outcome.name}: {line}"))
    click.echo(f"{report.new} new, {report.updated} updated, {report.errors} errors")


@cli.command("refresh")
@click.argument("targets", nargs=-1, metavar="[NAME|ID]...")
@json_option
@db_option
def refresh_(targets: tuple[str, ...], as_json: bool) -> None:
    """Refresh every feed, or the named ones (named: even paused or gone ones).

    Exits 0 when at least one feed answered; a failing feed is reported, not fatal.
    """
    with open_library() as library:
        report = _refresh(library, list(targets) if targets else None, as_json)
    if as_json:
        echo_json(report.to_json())
    else:
        _echo_report(report)
    if report.feeds and not report.answered:
        raise SystemExit(1)


@cli.group()
def config() -> None:
    """Settings: rsshub (the RSSHub instance for rsshub:/routes), export_dir."""


@config.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Set a setting (e.g. `neican config set rsshub https://rsshub.app`)."""
    from store import settings

    try:
        settings.set_value(key, value)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{key} = {value}")


@config.command("get")
@click.argument("key")
def config_get(key: str) -> None:
    """Print one setting (nothing when unset)."""
    from store import settings

    if key not in settings.KEYS:
        raise click.ClickException(
            f"unknown setting {key!r} (settings: {', '.join(sorted(settings.KEYS))})"
        )
    value = settings.load().get(key)
    if value:
        click.echo(value)


@config.command("list")
@json_option
def config_list(as_json: bool) -> None:
    """Every setting and its value."""
    from store import settings

    data = settings.load()
    values = {key: data.get(key) for key in settings.KEYS}
    if as_json:
        echo_json(values)
        return
    for key, about in settings.KEYS.items():
        click.echo(f"{key} = {values[key] or ''}    # {about}")


@cli.group("follow")
def follow_group() -> None:
    """Followed searches: saved queries counted like feeds, checked from cron.

    \b
    neican follow add NAME QUERY      follow a search (any `neican search` query)
    neican follow list [--json]       each with total, unread and new counts
    neican follow remove NAME
    neican follow check [NAME…] [--json]
                                      the articles new since the last check, newest
                                      first; marks them checked
    """


@follow_group.command("add")
@click.argument("name")
@click.argument("query")
@db_option
def follow_add(name: str, query: str) -> None:
    """Follow QUERY as NAME (e.g. `neican follow add 大额融资 "money:>=1亿美元 融资"`)."""
    from store.search import checked_query

    for problem in checked_query(query).problems:
        warn(problem)
    with open_library() as library:
        library.follow_add(name, query)
        (item,) = library.follows([name.strip()])
    click.echo(f"following {item.name}: {item.query} ({item.total} articles)")


@follow_group.command("list")
@json_option
@db_option
def follow_list(as_json: bool) -> None:
    """Every followed search with its total, unread and new counts."""
    with open_library() as library:
        items = library.follows()
    if as_json:
        echo_json([f.to_json() for f in items])
        return
    width = max((cell_width(f.name) for f in items), default=0)
    for f in items:
        click.echo(
            f"{pad(f.name, width)}  {f.total:>6} total {f.unread:>6} unread {f.new:>5} new  "
            f"{f.query}"
        )
    click.echo(f"{len(items)} followed searches")


@follow_group.command("remove")
@click.argument("name")
@db_option
def follow_remove(name: str) -> None:
    """Stop following NAME."""
    with open_library() as library:
        library.follow_remove(name)
    click.echo(f"removed {name}")


@follow_group.command("check")
@click.argument("names", nargs=-1)
@json_option
@db_option
def follow_check(names: tuple[str, ...], as_json: bool) -> None:
    """The articles new since the last check (or opening in the reader), per followed
    search, newest first; marks them checked, so a second check lists none."""
    with open_library() as library:
        checked = library.follow_check(list(names) or None)
    if as_json:
        echo_json([c.to_json() for c in checked])
        return
    for item in checked:
        click.echo(f"{item.name} ({item.query}): {len(item.new)} new")
        for a in item.new:
            click.echo(f"  {a.id:>6}  {a.published.replace('T', ' '):16}  {a.feed}  {a.title}")


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
