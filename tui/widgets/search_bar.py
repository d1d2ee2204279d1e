"""SearchBar: the `/` input; the app runs the query as the user types."""

from __future__ import annotations

from textual.widgets import Input


class SearchBar(Input):
    """An Input that never blinks in tests and shows its own placeholder."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            placeholder='搜索: 词 "短语" -排除 feed: outlet: entity: after: before: is:unread',
            **kwargs,  # type: ignore[arg-type]
        )
