"""FollowModal: the name of a search about to be followed (default: the query)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..bindings import bindings
from ..i18n import _


class FollowModal(ModalScreen[str | None]):
    """Returns the name typed (the query if left empty), or None when cancelled."""

    BINDINGS = bindings("follow_name")
    DEFAULT_CSS = """
    FollowModal {
        align: center middle;
    }
    FollowModal > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    FollowModal .hint {
        color: $text-muted;
    }
    """

    def __init__(self, query: str) -> None:
        super().__init__()
        self.search = query

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble((_("Follow: "), "bold"), self.search), markup=False)
            yield Input(self.search, id="follow-name", placeholder=_("name"))
            yield Static(Content(_("enter follows · esc cancels")), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self.search)

    def action_cancel(self) -> None:
        self.dismiss(None)
