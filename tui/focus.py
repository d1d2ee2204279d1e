"""Focus that moves at once, before the keys already waiting are handled."""

from __future__ import annotations

from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Focus `widget` now. `Widget.focus()` waits behind the queued events, so keys
    typed right after `/` (a fast typist, a paste, tmux) went to the old widget."""
    screen = widget.screen
    if screen is widget.app.screen:
        screen.set_focus(widget)
    else:
        widget.focus()
