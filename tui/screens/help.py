"""HelpScreen: every key of the table, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..bindings import KEYS, SCOPES, bindings, in_scope
from ..i18n import _


def help_text(first: str | None = None) -> Content:
    """Every key of the table, grouped by where it works; the `first` scope's keys (the
    screen `?` was pressed on) come first."""
    width = max(len(k.display) for k in KEYS) + 2
    lines = [Content.styled(_("neican keys"), "bold $accent")]
    scopes = sorted(SCOPES.items(), key=lambda item: item[0] != first)
    for scope, title in scopes:
        lines += [Content(""), Content.styled(_(title), "bold")]
        for key in in_scope(scope):
            lines.append(Content.assemble((key.display.ljust(width), "bold"), _(key.help)))
    lines += [
        Content(""),
        Content.assemble(
            ("ctrl+p".ljust(width), "bold"),
            _("Command palette: every key of the main screen, and any feed or outlet"),
        ),
        Content(""),
        Content.styled(
            _(
                'Search: words must all occur; "a phrase"; -word excludes; filters feed: outlet: '
                "entity: after:YYYY-MM-DD before: is:unread is:read is:noted"
            ),
            "dim",
        ),
        Content.styled(_("esc / ? / q closes this screen"), "dim"),
    ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")
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

    def __init__(self, first: str | None = None) -> None:
        super().__init__()
        self.first = first

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_text(self.first), markup=False, id="help-text")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)
