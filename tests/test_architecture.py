"""The import layers of pyproject's [tool.importlinter] hold, and would catch a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages under `root`, with the project's contracts."""
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"},
        timeout=300,
    )


def test_the_import_contracts_are_kept() -> None:
    # store never imports tui, textual or rich; the store's layers; no cycles.
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("store/sql.py", "import textual", "store never imports the reader, Textual or Rich"),
        ("store/records.py", "from . import search", "store's layers"),
        ("store/index.py", "from . import importing", "no import cycles in store"),
    ],
)
def test_a_breach_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    # A copy of the code with one bad import: the contracts are live, not vacuous.
    for package in ("store", "tui"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert any(contract in row and "BROKEN" in row for row in result.stdout.splitlines()), (
        result.stdout
    )
