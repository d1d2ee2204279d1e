"""NoteEditModal: a note's comment and tags; returns them, or None when cancelled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from store.records import Note

from ..bindings import bindings
from ..i18n import _
from ..render import note_quote, note_title


class NoteEditModal(ModalScreen[tuple[str, list[str]] | None]):
    BINDINGS = bindings("note_edit")
    DEFAULT_CSS = """
    NoteEditModal {
        align: center middle;
    }
    NoteEditModal > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    NoteEditModal #note-text {
        color: $text-muted;
        margin-bottom: 1;
        max-height: 6;
    }
    NoteEditModal TextArea {
        height: 6;
    }
    NoteEditModal .hint {
        color: $text-muted;
    }
    """

    def __init__(self, note: Note) -> None:
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(note_title(self.note), markup=False)
            yield Static(note_quote(self.note), id="note-text", markup=False)
            yield Static(Content(_("Comment")), classes="hint", markup=False)
            yield TextArea(self.note.comment, id="comment", soft_wrap=True)
            yield Static(Content(_("Tags (separated by spaces)")), classes="hint", markup=False)
            yield Input(" ".join(self.note.tags), id="tags", placeholder="AI芯片 并购")
            yield Static(
                Content(_("ctrl+s saves · esc cancels · enter in tags saves")),
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        comment = self.query_one(TextArea).text
        tags = self.query_one("#tags", Input).value.split()
        self.dismiss((comment, tags))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)
