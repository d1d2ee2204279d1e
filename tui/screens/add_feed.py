"""AddFeedModal: asks what to subscribe to (a feed or page URL, rsshub:/route, a folder)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..bindings import bindings
from ..i18n import _


class AddFeedModal(ModalScreen[str | None]):
    BINDINGS = bindings("add_feed")
    DEFAULT_CSS = """
    AddFeedModal {
        align: center middle;
    }
    AddFeedModal > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    AddFeedModal .hint {
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(_("Add a feed"), "bold"), markup=False)
            yield Static(
                Content(_("A feed's or a page's URL, rsshub:/route, or a local folder.")),
                classes="hint",
                markup=False,
            )
            yield Input(placeholder="https://www.qbitai.com/feed", id="target")
            yield Static(Content(_("enter subscribes · esc cancels")), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
