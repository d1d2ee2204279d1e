"""The one key table: it feeds BINDINGS, the footer, the `?` help screen, the palette and the README."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Key:
    keys: str  # Textual key names, comma-separated
    action: str
    label: str  # short, for the footer
    help: str  # one line, for `?` and the palette
    display: str  # how the README and help screen write the key
    footer: bool = True
    scope: str = "app"  # "app": global; "list": on every list (movement)
    # Handled by the app before the keys queued behind it are routed (see action_search).
    priority: bool = False


KEYS: tuple[Key, ...] = (
    Key(
        "j,down",
        "cursor_down",
        "Down",
        "Move down in the list or the article",
        "j / ↓",
        False,
        "list",
    ),
    Key("k,up", "cursor_up", "Up", "Move up in the list or the article", "k / ↑", False, "list"),
    Key("tab", "focus_next", "Pane", "Go to the next pane (shift+tab: the previous)", "tab", False),
    Key("enter", "open", "Open", "Open the selected article, feed or entity", "enter", False),
    Key(
        "slash",
        "search",
        "Search",
        "Search as you type (same syntax as `neican search`)",
        "/",
        priority=True,
    ),
    Key(
        "escape",
        "back",
        "Back",
        "Back: close the search, the entity list or the sidebar",
        "esc",
        False,
    ),
    Key("n", "next_unread", "Next unread", "Open the next unread article", "n"),
    Key("p", "previous_unread", "Prev unread", "Open the previous unread article", "p", False),
    Key("m", "toggle_read", "Read", "Mark the article read / unread", "m"),
    Key("b", "bookmark_ruiping", "Bookmark", "Bookmark the article's 锐评 (again: remove)", "b"),
    Key("a", "add_quote", "Quote", "Keep the selected bullet or paragraph as a note", "a", False),
    Key("N", "notes", "Notes", "Open the notes screen", "N"),
    Key("x", "export_notes", "Export", "Export the notes to Markdown", "x", False),
    Key("e", "toggle_entities", "Entities", "Show or hide the entity sidebar", "e"),
    Key("o", "open_link", "Open link", "Open the article's link in the browser", "o", False),
    Key("y", "copy_link", "Copy link", "Copy the article's link", "y", False),
    Key("question_mark", "help", "Help", "Show all keys", "?"),
    Key("q", "quit", "Quit", "Quit neican", "q"),
)


def bindings(scope: str) -> list[BindingType]:
    """Textual bindings for one scope of the table."""
    return [
        Binding(
            k.keys,
            k.action,
            k.label,
            show=k.footer,
            key_display=k.display if k.display != k.keys else None,
            priority=k.priority,
        )
        for k in KEYS
        if k.scope == scope and k.action not in ("focus_next",)
    ]


def by_action(action: str) -> Key:
    return next(k for k in KEYS if k.action == action)
