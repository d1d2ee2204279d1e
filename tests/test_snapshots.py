"""SVG snapshots of the main screens at 80×24 and 120×35 (pytest-textual-snapshot).

Review changes with `pytest tests/test_snapshots.py --snapshot-update` and look at the
report before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import until

from tui.app import NeicanApp
from tui.widgets.search_bar import SearchBar

SIZES = [(80, 24), (120, 35)]


def settled(*keys: str):  # type: ignore[no-untyped-def]
    """Wait for the seeds, jieba and the counts; then press `keys` and let searches finish."""

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await pilot.pause()
        app.query_one(SearchBar).cursor_blink = False
        await app.segmenter_ready.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.clear_notifications()
        if keys:
            await pilot.press(*keys)
            main = app.main
            if main.query_one(SearchBar).display:  # wait for the results of what was typed
                await until(pilot, lambda: main.shown_search_id == main.search_id)
            await app.workers.wait_for_complete()
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_main_screen(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    # An empty library: the first start, which imports the seeds.
    assert snap_compare(NeicanApp(tmp_path / "lib.db"), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_open_article_with_entities(snap_compare, seeded_db: Path, size: tuple[int, int]) -> None:
    keys = ("j", "j", "j", "j", "j", "j", "enter", "e")  # the first 《AI内参》 item, its entities
    assert snap_compare(NeicanApp(seeded_db), terminal_size=size, run_before=settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_search_results(snap_compare, seeded_db: Path, size: tuple[int, int]) -> None:
    keys = ("slash", *"大模型")
    assert snap_compare(NeicanApp(seeded_db), terminal_size=size, run_before=settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x35"])
def test_help(snap_compare, seeded_db: Path, size: tuple[int, int]) -> None:
    assert snap_compare(
        NeicanApp(seeded_db), terminal_size=size, run_before=settled("question_mark")
    )
