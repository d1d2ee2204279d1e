"""HelpScreen: every key of the table, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import KEYS


def help_text() -> Content:
    width = max(len(k.display) for k in KEYS) + 2
    lines = [Content.styled("neican 按键 · keys", "bold $accent"), Content("")]
    for key in KEYS:
        lines.append(Content.assemble((key.display.ljust(width), "bold"), key.help))
    lines += [
        Content(""),
        Content.assemble(
            ("ctrl+p".ljust(width), "bold"),
            "Command palette: every key above, and any feed or outlet",
        ),
        Content(""),
        Content.styled(
            'Search: words must all occur; "a phrase"; -word excludes; filters feed: outlet: '
            "entity: after:YYYY-MM-DD before: is:unread is:read is:noted",
            "dim",
        ),
        Content.styled("esc / ? / q closes this screen", "dim"),
    ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=True),
    ]
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(), markup=False, id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
