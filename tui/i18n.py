"""The reader's language: `_` translates an English message to Chinese under a Chinese locale."""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "neican"


def language(env: dict[str, str] | None = None) -> str:
    """ "zh" or "en": NEICAN_LANG if set, else the first locale variable that is set, as gettext
    and POSIX read them (LC_ALL, LC_MESSAGES, LANG, LANGUAGE)."""
    env = dict(os.environ) if env is None else env
    override = env.get("NEICAN_LANG", "").strip().lower()
    if override in ("zh", "en"):
        return override
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


LANGUAGE = language()
# Chosen once, at import: the bindings and pane titles are built from it at class creation.
# The English messages are the msgids: English needs no catalog (fallback=True).
_translation = gettext.translation(
    DOMAIN, localedir=LOCALE_DIR, languages=["zh_CN"] if LANGUAGE == "zh" else ["en"], fallback=True
)
_ = _translation.gettext
