"""NotesScreen: every note, newest first, with a live filter; open, edit, delete and undo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from store.errors import NeicanError
from store.library import Library
from store.records import Note

from ..bindings import bindings, footer_first
from ..focus import focus_now
from ..i18n import _
from ..render import note_prompt
from ..widgets.lists import StopAtEnds
from .note_edit import NoteEditModal

if TYPE_CHECKING:
    from ..app import NeicanApp


class NoteList(StopAtEnds):
    BINDINGS = bindings("list")


class NotesScreen(Screen[None]):
    BINDINGS = bindings("notes")

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return footer_first(super().active_bindings)

    DEFAULT_CSS = """
    NotesScreen #notes-filter {
        height: 3;
    }
    NotesScreen NoteList {
        height: 1fr;
        border: round $accent;
    }
    NotesScreen NoteList > .option-list--option {
        padding: 0 1 1 1;
    }
    NotesScreen #notes-status {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    @dataclass
    class OpenArticle(Message):
        article_id: int

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[Note] = []
        self.undo: list[Note] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Input(
                placeholder=_("Filter the notes: text comment tags title"), id="notes-filter"
            )
            yield NoteList(id="notes-list")
            yield Static(Content(""), id="notes-status", markup=False)
        yield Footer()

    @property
    def neican(self) -> NeicanApp:
        return cast("NeicanApp", self.app)

    @property
    def library(self) -> Library:
        return self.neican.library

    def on_mount(self) -> None:
        self.query_one(NoteList).border_title = Content(_("Notes"))
        self.reload()
        self.query_one(NoteList).focus()

    def reload(self, keep: int | None = None) -> None:
        text = self.query_one("#notes-filter", Input).value
        self.notes = self.library.notes(text=text or None)
        listing = self.query_one(NoteList)
        index = listing.highlighted or 0
        listing.clear_options()
        listing.add_options(Option(note_prompt(n), id=str(n.id)) for n in self.notes)
        if keep is not None:
            index = next((i for i, n in enumerate(self.notes) if n.id == keep), index)
        listing.highlighted = min(index, len(self.notes) - 1) if self.notes else None
        total = len(self.library.notes())
        shown = (
            _("{shown} / {count} notes").format(shown=len(self.notes), count=total)
            if text
            else _("{count} notes").format(count=total)
        )
        hint = "  · " + _("u undoes the delete") if self.undo else ""
        self.query_one("#notes-status", Static).update(Content(shown + hint))
        if not self.notes:
            empty = (
                _("No notes match “{text}” (esc clears the filter)").format(text=text)
                if text
                else _("No notes: in an article, b bookmarks its 锐评, a quotes a paragraph")
            )
            listing.add_option(Option(Content.styled(empty, "dim"), disabled=True))

    @property
    def current(self) -> Note | None:
        listing = self.query_one(NoteList)
        if listing.highlighted is None or not self.notes:
            return None
        return self.notes[listing.highlighted]

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(NoteList).focus()

    def action_filter(self) -> None:
        focus_now(self.query_one("#notes-filter", Input))

    def action_back(self) -> None:
        field = self.query_one("#notes-filter", Input)
        if field.has_focus:
            if field.value and not self.notes:
                field.value = ""  # nothing matched: esc clears the filter
            self.query_one(NoteList).focus()
        else:
            self.dismiss(None)

    def action_open(self) -> None:
        note = self.current
        if note is not None:
            self.dismiss(None)
            self.app.post_message(self.OpenArticle(note.article_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_edit(self) -> None:
        note = self.current
        if note is None:
            return

        def save(result: tuple[str, list[str]] | None) -> None:
            if result is not None:
                try:
                    self.library.update_note(note.id, comment=result[0], tags=result[1])
                except NeicanError as e:  # e.g. another neican is writing
                    self.notify(str(e), severity="error", markup=False)
                    return
                self.reload(keep=note.id)
                self.notify(_("Note saved"), markup=False, timeout=2)

        self.app.push_screen(NoteEditModal(note), save)

    def action_delete(self) -> None:
        note = self.current
        if note is None:
            return
        try:
            self.undo.append(self.library.delete_note(note.id))
        except NeicanError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.reload()
        self.notify(_("Note deleted (u undoes)"), markup=False, timeout=3)
        self.neican.main.notes_changed()

    def action_undo(self) -> None:
        if not self.undo:
            self.notify(_("Nothing to undo"), markup=False, timeout=2)
            return
        try:
            note = self.library.restore_note(self.undo[-1])
        except NeicanError as e:  # kept for another try
            self.notify(str(e), severity="error", markup=False)
            return
        self.undo.pop()
        self.reload(keep=note.id)
        self.notify(_("Note restored"), markup=False, timeout=2)
        self.neican.main.notes_changed()
