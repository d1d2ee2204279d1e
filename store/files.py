"""Reading the user's files safely: regular files only, size checked before reading.

A FIFO in an imported folder would block a plain `open()` forever, `/dev/zero` would
fill memory, and a 3 GB file would be read whole before its size was refused. So a
file is opened without blocking, `fstat`ed, and read only if it is a regular file
within the cap, and then never more than the cap (it may grow while being read).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .errors import ParseError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_CHUNK = 1 << 20
# In a problem line: a folder that could not be listed (an import counts it as refused).
CANNOT_LIST = ": cannot list: "


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def _reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read: {e.strerror or e}"


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size} bytes"


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or a ParseError saying why not."""
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno == errno.ENXIO:  # a socket (or a FIFO on some systems) cannot be opened
            try:
                kind = _kind(os.stat(path).st_mode)
            except OSError:
                kind = "not a file"
            raise ParseError(name, f"not a regular file ({kind})") from None
        raise ParseError(name, _reason(e)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ParseError(name, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise ParseError(name, f"not a regular file ({_kind(info.st_mode)})")
        limit = f"the limit is {_megabytes(max_bytes)}"
        if info.st_size > max_bytes:
            raise ParseError(name, f"file too large ({_megabytes(info.st_size)}; {limit})")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = max_bytes + 1  # one byte more tells a file that grew past the cap
        while left > 0:
            chunk = os.read(fd, min(_CHUNK, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise ParseError(name, f"file too large (it grew while being read; {limit})")
        return b"".join(chunks)
    except OSError as e:
        raise ParseError(name, _reason(e)) from None
    finally:
        os.close(fd)


class Walked(NamedTuple):
    files: list[Path]  # what to read, in order
    problems: list[str]  # one line each: folders that cannot be listed, files skipped


def walk_files(paths: Iterable[Path], suffixes: Iterable[str]) -> Walked:
    """Files as given, and folders recursively (files with these suffixes; hidden ones skipped).

    A subfolder that cannot be listed is reported, not skipped silently; so are the
    files left out for their suffix (one line per folder given).
    """
    wanted = tuple(s.lower() for s in suffixes)
    files: list[Path] = []
    problems: list[str] = []

    def unlistable(e: OSError) -> None:
        reason = "permission denied" if isinstance(e, PermissionError) else e.strerror or str(e)
        problems.append(f"{e.filename or '?'}{CANNOT_LIST}{reason}")

    for path in paths:
        if not path.is_dir():
            files.append(path)  # a file named on purpose is always tried (and reports why not)
            continue
        skipped = 0
        found = len(files)
        for root, dirs, names in os.walk(path, onerror=unlistable):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(names):
                if file.startswith("."):
                    continue
                if Path(file).suffix.lower() in wanted:
                    files.append(Path(root) / file)
                else:
                    skipped += 1
        if skipped:
            plural = "file that is" if skipped == 1 else "files that are"
            kinds = "/".join(wanted)
            problems.append(f"{path}: skipped {skipped} {plural} not {kinds}")
        if len(files) == found:
            problems.append(f"nothing to import in {path}")
    return Walked(files, problems)
