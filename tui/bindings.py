"""The one key table: it feeds every BINDINGS, the footer, the `?` help screen, the palette and the README."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from textual.binding import ActiveBinding, Binding, BindingType

from .i18n import _

# Where a key works, in the order the help screen and the README list them.
SCOPES: dict[str, str] = {
    "app": "Main and notes screens",
    "main": "Main screen",
    "list": "Every list",
    "article_view": "Article",
    "notes": "Notes screen",
    "note_edit": "Note editor",
    "export": "Export dialog",
    "add_feed": "Add-feed dialog",
    "follow_name": "Follow dialog",
    "help": "Help screen",
    "links": "Link chooser",
}


@dataclass(frozen=True, kw_only=True)
class Key:
    keys: str  # Textual key names, comma-separated
    action: str
    label: str  # short, for the footer (an English msgid: shown as _(label))
    help: str  # one line, for `?` and the palette (an English msgid: shown as _(help))
    display: str  # how the README and help screen write the key
    scope: str  # a key of SCOPES
    footer: bool = True
    # Handled by the screen before the keys queued behind it are routed (see action_search).
    priority: bool = False
    # Textual binds it already (tab): listed for the help screen and README only.
    builtin: bool = False


KEYS: tuple[Key, ...] = (
    Key(
        keys="tab",
        action="focus_next",
        label="Pane",
        help="Go to the next pane (shift+tab: the previous)",
        display="tab",
        scope="app",
        footer=False,
        builtin=True,
    ),
    Key(
        keys="x",
        action="export_notes",
        label="Export",
        help="Export the notes to Markdown",
        display="x",
        scope="app",
        footer=False,
    ),
    Key(
        keys="question_mark",
        action="help",
        label="Help",
        help="Show all keys",
        display="?",
        scope="app",
    ),
    Key(keys="q", action="quit", label="Quit", help="Quit neican", display="q", scope="app"),
    # Textual's own ctrl+p binding says "palette" in English: this one speaks the UI's language.
    Key(
        keys="ctrl+p",
        action="command_palette",
        label="palette",
        help="Open the command palette",
        display="ctrl+p",
        scope="app",
        footer=False,
        priority=True,
    ),
    Key(
        keys="enter",
        action="open",
        label="Open",
        help="Open the selected article, feed or entity",
        display="enter",
        scope="main",
        footer=False,
    ),
    Key(
        keys="slash",
        action="search",
        label="Search",
        help="Search as you type (same syntax as `neican search`)",
        display="/",
        scope="main",
        priority=True,
    ),
    Key(
        keys="escape",
        action="back",
        label="Back",
        help="Back: close the search, the entity list or the sidebar",
        display="esc",
        scope="main",
        footer=False,
    ),
    Key(
        keys="n",
        action="next_unread",
        label="Next unread",
        help="Open the next unread article",
        display="n",
        scope="main",
    ),
    Key(
        keys="p",
        action="previous_unread",
        label="Prev unread",
        help="Open the previous unread article",
        display="p",
        scope="main",
        footer=False,
    ),
    Key(
        keys="m",
        action="toggle_read",
        label="Read",
        help="Mark the article read / unread",
        display="m",
        scope="main",
    ),
    Key(
        keys="b",
        action="bookmark_ruiping",
        label="Bookmark",
        help="Bookmark the article's 锐评 (again: remove)",
        display="b",
        scope="main",
    ),
    Key(
        keys="a",
        action="add_quote",
        label="Quote",
        help="Keep the selected bullet or paragraph as a note",
        display="a",
        scope="main",
        footer=False,
    ),
    Key(
        keys="N",
        action="notes",
        label="Notes",
        help="Open the notes screen",
        display="N",
        scope="main",
    ),
    Key(
        keys="e",
        action="toggle_entities",
        label="Entities",
        help="Show or hide the entity sidebar",
        display="e",
        scope="main",
    ),
    Key(
        keys="o",
        action="open_link",
        label="Open link",
        help="Open the article's link in the browser",
        display="o",
        scope="main",
        footer=False,
    ),
    Key(
        keys="y",
        action="copy_link",
        label="Copy link",
        help="Copy the article's link",
        display="y",
        scope="main",
        footer=False,
    ),
    Key(
        keys="right_square_bracket",
        action="next_match",
        label="Next match",
        help="Go to the next search match in the article",
        display="]",
        scope="main",
        footer=False,
    ),
    Key(
        keys="left_square_bracket",
        action="previous_match",
        label="Prev match",
        help="Go to the previous search match in the article",
        display="[",
        scope="main",
        footer=False,
    ),
    Key(
        keys="S",
        action="follow",
        label="Follow",
        help="Follow the search (or the highlighted entity) in the 关注 (Following) group",
        display="S",
        scope="main",
        footer=False,
    ),
    Key(
        keys="j,down",
        action="cursor_down",
        label="Down",
        help="Move down in the list or the article",
        display="j / ↓",
        scope="list",
        footer=False,
    ),
    Key(
        keys="k,up",
        action="cursor_up",
        label="Up",
        help="Move up in the list or the article",
        display="k / ↑",
        scope="list",
        footer=False,
    ),
    Key(
        keys="g",
        action="first",
        label="Top",
        help="Go to the top of the list or the article",
        display="g",
        scope="list",
        footer=False,
    ),
    Key(
        keys="G",
        action="last",
        label="Bottom",
        help="Go to the bottom (of a long list: its last loaded article)",
        display="G",
        scope="list",
        footer=False,
    ),
    Key(
        keys="space",
        action="page_down",
        label="Page down",
        help="Scroll the article a page down",
        display="space",
        scope="article_view",
        footer=False,
    ),
    Key(
        keys="escape",
        action="back",
        label="Back",
        help="Back: leave the filter, or the notes screen",
        display="esc",
        scope="notes",
    ),
    Key(
        keys="enter",
        action="open",
        label="Open article",
        help="Open the note's article",
        display="enter",
        scope="notes",
    ),
    Key(
        keys="e",
        action="edit",
        label="Edit",
        help="Edit the note's comment and tags",
        display="e",
        scope="notes",
    ),
    Key(
        keys="d",
        action="delete",
        label="Delete",
        help="Delete the note",
        display="d",
        scope="notes",
    ),
    Key(
        keys="u",
        action="undo",
        label="Undo",
        help="Undo the last delete",
        display="u",
        scope="notes",
    ),
    Key(
        keys="slash",
        action="filter",
        label="Filter",
        help="Filter the notes: text, comment, tags, title",
        display="/",
        scope="notes",
    ),
    Key(
        keys="escape",
        action="cancel",
        label="Cancel",
        help="Close without saving",
        display="esc",
        scope="note_edit",
    ),
    Key(
        keys="ctrl+s",
        action="save",
        label="Save",
        help="Save the comment and tags (enter in tags too)",
        display="ctrl+s",
        scope="note_edit",
    ),
    Key(
        keys="escape",
        action="cancel",
        label="Cancel",
        help="Close without exporting (enter exports)",
        display="esc",
        scope="export",
    ),
    Key(
        keys="escape",
        action="cancel",
        label="Cancel",
        help="Close without opening a link (enter picks one)",
        display="esc",
        scope="links",
    ),
    Key(
        keys="escape",
        action="cancel",
        label="Cancel",
        help="Close without following (enter follows)",
        display="esc",
        scope="follow_name",
    ),
    Key(
        keys="escape,question_mark,q",
        action="dismiss",
        label="Close",
        help="Close this screen",
        display="esc / ? / q",
        scope="help",
    ),
    # Feeds (PRODUCT.md §10): refresh and full text run in workers, never on the UI thread.
    Key(
        keys="r",
        action="refresh_all",
        label="Refresh",
        help="Refresh every feed (in the background; progress in the status bar)",
        display="r",
        scope="main",
    ),
    Key(
        keys="R",
        action="refresh_one",
        label="Refresh feed",
        help="Refresh the highlighted feed (or the open article's feed)",
        display="R",
        scope="main",
        footer=False,
    ),
    Key(
        keys="A",
        action="add_feed",
        label="Add feed",
        help="Add a feed: a URL, a page, rsshub:/route or a folder",
        display="A",
        scope="main",
        footer=False,
    ),
    Key(
        keys="F",
        action="full_text",
        label="Full text",
        help="Fetch the article's full text from its link",
        display="F",
        scope="main",
        footer=False,
    ),
    Key(
        keys="escape",
        action="cancel",
        label="Cancel",
        help="Close without subscribing (enter subscribes)",
        display="esc",
        scope="add_feed",
    ),
)


# Shown first in every footer, so that a narrow terminal never cuts them off.
FOOTER_FIRST = ("help", "quit")
A = TypeVar("A", bound="ActiveBinding")


def footer_first(active: dict[str, A]) -> dict[str, A]:
    """A screen's active bindings with `?` and `q` first (the footer shows them in order)."""
    first = {k: v for k, v in active.items() if v.binding.action in FOOTER_FIRST}
    return first | {k: v for k, v in active.items() if k not in first}


def in_scope(scope: str) -> list[Key]:
    """The keys of one scope, in the table's order."""
    return [k for k in KEYS if k.scope == scope]


def bindings(scope: str) -> list[BindingType]:
    """Textual bindings for one scope of the table."""
    return [
        Binding(
            k.keys,
            k.action,
            _(k.label),
            show=k.footer,
            key_display=k.display if k.display != k.keys else None,
            priority=k.priority,
            tooltip=_(k.help),
        )
        for k in in_scope(scope)
        if not k.builtin
    ]
