"""StatusBar: what the list shows on the left, the app's state on the right."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget


class StatusBar(Widget):
    """One line, repainted (never re-laid out) when it changes: it changes on every key."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.left: Content = Content("")
        self.right: Content = Content("")

    def set(self, left: Content | None = None, right: Content | None = None) -> None:
        if left is not None:
            self.left = left
        if right is not None:
            self.right = right
        self.refresh()

    def render(self) -> Content:
        width = max(0, self.size.width - 2)
        gap = max(1, width - cell_len(self.left.plain) - cell_len(self.right.plain))
        return self.left + Content(" " * gap) + self.right
