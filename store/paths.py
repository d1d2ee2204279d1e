"""Where neican keeps its files: resolved in one place, never at import time."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "neican"


def library_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--db PATH`, else $NEICAN_DB, else the platform's user data dir."""
    if explicit:
        return Path(explicit).expanduser()
    if env := os.environ.get("NEICAN_DB"):
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "library.db"


def config_dir() -> Path:
    """$NEICAN_CONFIG_DIR, else the platform's user config dir (gazetteer, settings)."""
    if env := os.environ.get("NEICAN_CONFIG_DIR"):
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """$NEICAN_CACHE_DIR, else the platform's user cache dir (jieba's dictionary cache)."""
    if env := os.environ.get("NEICAN_CACHE_DIR"):
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_export_dir() -> Path:
    """Notes go to a folder in the user's documents dir until the user picks another."""
    return Path(platformdirs.user_documents_dir()) / "neican-notes"


def bundled_seeds() -> list[Path]:
    """The sample documents shipped with neican (inside the wheel, or the source tree's)."""
    packaged = resources.files("store") / "seeds"
    candidates = [Path(str(packaged)), Path(__file__).resolve().parent.parent / "seeds"]
    for folder in candidates:
        if folder.is_dir():
            return sorted(p for p in folder.iterdir() if p.suffix == ".txt")
    return []
