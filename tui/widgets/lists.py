"""Lists that stop at their ends: `j` on the last line stays there (Textual's wrap around).

Wrapping would send a held `j` back to the top of an article, and `k` on the first
article to the last *loaded* one of a paged list, not the library's last.
"""

from __future__ import annotations

from textual._widget_navigation import find_next_enabled_no_wrap
from textual.widgets import OptionList


class StopAtEnds(OptionList):
    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        target = find_next_enabled_no_wrap(self.options, self.highlighted, direction)  # type: ignore[arg-type]
        if target is not None:
            self.highlighted = target
