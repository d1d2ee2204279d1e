"""The `neican feeds`, `refresh`, `config` and `follow` commands (registered on `cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli import cell_width, cli, db_option, echo_json, json_option, open_library, pad, warn

if TYPE_CHECKING:
    from store.library import Library


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
