"""SearchBar: the `/` input; the app runs the query as the user types."""

from __future__ import annotations

from textual.widgets import Input

from ..i18n import _


class SearchBar(Input):
    """An Input that never blinks in tests and shows its own placeholder."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            placeholder=_(
                'Search: words "a phrase" -exclude feed: outlet: entity: after: before: is:unread'
            ),
            **kwargs,  # type: ignore[arg-type]
        )
