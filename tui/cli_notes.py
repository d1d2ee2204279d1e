"""The `neican notes` commands: list, add and export notes (registered on `cli`)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli, db_option, echo_json, json_option, open_library


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
