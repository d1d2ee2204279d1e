"""The user's settings (a small JSON file in the config dir): the export folder, RSSHub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import paths


def _path() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> dict[str, Any]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(**changes: Any) -> None:
    data = load()
    data.update(changes)
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError:
        pass  # a setting not remembered is not worth an error


def export_folder() -> Path:
    """Where notes were last exported, else ./neican-notes."""
    folder = load().get("export_dir")
    return Path(folder).expanduser() if isinstance(folder, str) and folder else Path("neican-notes")


# What `neican config set KEY VALUE` may set, and what each one is.
KEYS = {
    "rsshub": "the RSSHub instance rsshub:/route feeds are fetched from (https://…)",
    "export_dir": "the folder notes are exported to",
}


def rsshub() -> str | None:
    """The RSSHub instance's URL, if the user set one."""
    value = load().get("rsshub")
    return value.strip() if isinstance(value, str) and value.strip() else None


def set_value(key: str, value: str) -> None:
    """Set one setting; ValueError (one line) for an unknown key or a bad value."""
    if key not in KEYS:
        raise ValueError(f"unknown setting {key!r} (settings: {', '.join(sorted(KEYS))})")
    value = value.strip()
    if key == "rsshub" and value and not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"the rsshub setting must be an http(s) URL, not {value!r}")
    path = _path()
    data = load()
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as e:
        raise ValueError(f"{path}: cannot write the settings: {e.strerror}") from None
