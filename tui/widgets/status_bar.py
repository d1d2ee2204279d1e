"""StatusBar: what the list shows on the left, the app's state on the right."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static


class StatusBar(Static):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.left: Content = Content("")
        self.right: Content = Content("")

    def set(self, left: Content | None = None, right: Content | None = None) -> None:
        if left is not None:
            self.left = left
        if right is not None:
            self.right = right
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        width = max(0, self.size.width - 2)
        gap = max(1, width - cell_len(self.left.plain) - cell_len(self.right.plain))
        self.update(self.left + Content(" " * gap) + self.right)
