"""The import's preparers: files read, parsed and tokenised ahead of the writer, in a
thread, or in helper processes for a large import (the writer stays in this one)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from .entities import Extractor, Gazetteer
from .importing import PreparedFile, prepare_file
from .sql import connect

# Files being prepared ahead of the one being written.
AHEAD = 3
# Below this much to read, a second process costs more (its start, ~0.5 s) than it saves.
PROCESS_MIN_BYTES = 4 * 2**20

Prepare = Callable[[Path], PreparedFile]
Submit = Callable[[Path], Future[PreparedFile]]

# A helper process's own connection and extractor (set by _worker_start).
_conn: sqlite3.Connection | None = None
_extractor: Callable[[], Extractor] | None = None


def prepared_files(
    files: list[Path], library_path: Path, entities: bool, prepare: Prepare
) -> Generator[PreparedFile, None, None]:
    """Each file prepared, in order, AHEAD files prepared ahead of the one handed out;
    `prepare` prepares one here (a thread of this process, or after a helper died)."""
    with _preparer(files, library_path, entities, prepare) as submit:
        queue = [submit(path) for path in files[:AHEAD]]
        for index, path in enumerate(files):
            try:
                prepared = queue.pop(0).result()
            except BrokenExecutor:  # the helper process died: carry on in this one
                submit = _inline(prepare)
                queue = [submit(p) for p in files[index + 1 : index + AHEAD]]
                prepared = prepare(path)
            if index + AHEAD < len(files):
                queue.append(submit(files[index + AHEAD]))
            yield prepared


def _worker_start(path: str, entities: bool) -> None:
    global _conn, _extractor
    # The writer is the import's critical path: on two cores, three equal processes
    # would leave it two thirds of one (an import ran ~20% longer).
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    _conn = connect(Path(path))
    if entities:
        extractor: list[Extractor] = []

        def load() -> Extractor:
            if not extractor:
                extractor.append(Extractor(Gazetteer.load()))
            return extractor[0]

        _extractor = load
    parent = os.getppid()

    def watch() -> None:  # a helper must not outlive an import that was killed
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="neican-parent-watch", daemon=True).start()


def _worker_prepare(path: Path) -> PreparedFile:
    assert _conn is not None
    prepared = prepare_file(_conn, path, _extractor)
    if prepared.document is not None:  # the writer needs the articles' fields, not the tree
        prepared.document = replace(prepared.document, articles=())
    prepared.articles = [item.lean() for item in prepared.articles]
    return prepared


def _inline(prepare: Prepare) -> Submit:
    def submit(path: Path) -> Future[PreparedFile]:
        future: Future[PreparedFile] = Future()
        future.set_result(prepare(path))
        return future

    return submit


@contextlib.contextmanager
def _preparer(
    files: list[Path], library_path: Path, entities: bool, prepare: Prepare
) -> Iterator[Submit]:
    """A function that starts preparing a file in the background and returns its future."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    cpus = os.cpu_count() or 1
    if size >= PROCESS_MIN_BYTES and cpus > 1:
        # Two preparers on a large import: parsing, tokenising and entities take more
        # than the writer; with two the writer is the one kept busy.
        with helper_pool(library_path, entities, 2 if len(files) >= 8 else 1) as pool:
            yield lambda path: pool.submit(_worker_prepare, path)
    else:
        with ThreadPoolExecutor(1, "neican-prepare") as threads:
            yield lambda path: threads.submit(prepare, path)


def helper_pool(library_path: Path, entities: bool, workers: int) -> ProcessPoolExecutor:
    """Helper processes for preparing (niced, each with its own connection and extractor,
    gone when this process dies); a task reads them with `helper_state`."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, context, _worker_start, (str(library_path), entities))


def helper_state() -> tuple[sqlite3.Connection, Callable[[], Extractor] | None]:
    """In a helper process of `helper_pool`: its connection and (entities on) extractor."""
    assert _conn is not None
    return _conn, _extractor
