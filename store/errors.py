"""The project's own exceptions: each one's str() is the one-line message a user sees."""

from __future__ import annotations


class NeicanError(Exception):
    """Base class: anything neican refuses, with a message fit for one line of stderr."""


class ParseError(NeicanError):
    """A file that cannot be read as a supported document."""

    def __init__(self, file: str, reason: str, line: int | None = None) -> None:
        self.file = file
        self.reason = reason
        self.line = line
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str, int | None]]:
        return (ParseError, (self.file, self.reason, self.line))  # crosses process pools

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"

    @property
    def detail(self) -> str:
        """The reason without the file name (with its line, where known)."""
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class LibraryError(NeicanError):
    """The library file cannot be opened, migrated or written."""


class NotFound(NeicanError):
    """An article, note or entity the user named does not exist."""


class FeedError(NeicanError):
    """A feed that cannot be fetched, resolved or read; str() is `URL: reason`."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, str]]:
        return (FeedError, (self.url, self.reason))  # crosses thread and process pools

    def __str__(self) -> str:
        # Both parts come from the network or the user: one line whatever they hold.
        return " ".join(f"{self.url}: {self.reason}".split())


class LibraryBusy(LibraryError):
    """Another neican is writing to the library and did not finish in time."""


class LibraryDamaged(LibraryError):
    """The library file fails SQLite's checks; str() says how to recover it."""


class LibraryReadOnly(LibraryError):
    """The library can be read but not written (permissions, or a newer neican made it)."""
