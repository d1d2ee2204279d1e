"""Shared fixtures: every test runs against its own library, config and cache dirs."""

from __future__ import annotations

import os

# The reader speaks Chinese in tests (tui/i18n.py chooses once, at import): the assertions and
# snapshots read its Chinese. test_i18n.py runs it in English too, in subprocesses.
os.environ["NEICAN_LANG"] = "zh"

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from store.library import Library
from store.paths import bundled_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DIGEST_SEED = SEEDS / "000_4560301d0d0dc6f1.txt"
NEICAN_SEED = SEEDS / "004_f2fa3092ecc2374d.txt"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"

needs_shared = pytest.mark.skipif(
    not (SHARED / "fixtures").is_dir(),
    reason="../shared/ (fixtures and corpus beside the clone) is absent: only CI has it",
)


def isolate(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEICAN_DB", str(home / "library.db"))
    monkeypatch.setenv("NEICAN_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("NEICAN_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "Documents"))
    monkeypatch.delenv("NEICAN_DEBUG", raising=False)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never touch a real library, config or cache."""
    home = tmp_path / "home"
    isolate(home, monkeypatch)
    return home


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled seeds imported once per test run, as the reader imports them on a first
    start; `seeded_db` gives each test its own copy."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "library.db"
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(folder / "home", monkeypatch)
        with Library(path) as library:
            library.import_paths(bundled_seeds())
    # Closing the last connection checkpoints the WAL: the library is this one file.
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["library.db"]
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    """A library holding the bundled seeds (all unread, no notes), this test's own."""
    path = tmp_path / "lib.db"
    shutil.copyfile(seeded_template, path)
    return path


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `condition()` holds (a wait on a condition, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause()


def big_digest(path: Path, articles: int, feed: str) -> None:
    """A digest of many articles built from the seed's, each with its own title and date."""
    seed = DIGEST_SEED.read_text(encoding="utf-8").split("\n")[4:]
    out = [feed]
    for n in range(articles):
        title, _, summary = seed[(n % 10) * 3 : (n % 10) * 3 + 3]
        out += [
            f"{title} #{n}",
            f"测试社· 2024-{1 + n % 12:02d}-{1 + n % 28:02d} 08:{n % 60:02d}",
            summary,
        ]
    path.write_text("\n".join(out), encoding="utf-8")
