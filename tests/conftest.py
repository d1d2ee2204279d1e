"""Shared fixtures: every test runs against its own library, config and cache dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never touch a real library, config or cache."""
    home = tmp_path / "home"
    monkeypatch.setenv("NEICAN_DB", str(home / "library.db"))
    monkeypatch.setenv("NEICAN_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("NEICAN_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    monkeypatch.delenv("NEICAN_DEBUG", raising=False)
    return home


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
