"""LinkPicker: an article with several links asks which one `o` opens (or `y` copies)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..bindings import bindings
from ..i18n import _
from ..widgets.lists import StopAtEnds


class LinkList(StopAtEnds):
    BINDINGS = bindings("list")


class LinkPicker(ModalScreen[str | None]):
    """One option per link (shown as text, never markup); enter picks, esc cancels."""

    BINDINGS = bindings("links")
    DEFAULT_CSS = """
    LinkPicker {
        align: center middle;
    }
    LinkPicker > Vertical {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    LinkPicker OptionList {
        height: auto;
        max-height: 20;
        border: none;
    }
    LinkPicker .hint {
        color: $text-muted;
    }
    """

    def __init__(self, links: tuple[str, ...], title: str) -> None:
        super().__init__()
        self.links = links
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.title_text, "bold"), markup=False)
            yield LinkList(*(Option(Content(link)) for link in self.links), id="links")
            yield Static(Content(_("enter picks · esc cancels")), classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
