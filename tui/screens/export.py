"""ExportModal: asks where to export the notes (remembering the last folder)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..bindings import bindings
from ..i18n import _


class ExportModal(ModalScreen[Path | None]):
    BINDINGS = bindings("export")
    DEFAULT_CSS = """
    ExportModal {
        align: center middle;
    }
    ExportModal > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ExportModal .hint {
        color: $text-muted;
    }
    """

    def __init__(self, folder: Path, first: bool = False) -> None:
        super().__init__()
        self.folder = folder
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(_("Export the notes to Markdown"), "bold"), markup=False)
            yield Static(
                Content(
                    _(
                        "One file per article; what you write outside the marked block "
                        "is kept at every export."
                    )
                ),
                classes="hint",
                markup=False,
            )
            if self.first:
                yield Static(
                    Content(
                        _(
                            "First export: the default is in your documents folder; an Obsidian "
                            "vault's path works too. The folder is remembered."
                        )
                    ),
                    classes="hint",
                    markup=False,
                )
            yield Input(str(self.folder), id="folder")
            yield Static(Content(_("enter exports · esc cancels")), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
