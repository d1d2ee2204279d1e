"""One language: the reader in Chinese under a Chinese locale, in English otherwise."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from conftest import ROOT

from tui.bindings import KEYS, SCOPES
from tui.i18n import LOCALE_DIR, language

PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "neican.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Chinese that is no UI message: the 锐评 column's name, the brand, sample tags, a separator.
NOT_MESSAGES = {"neican 内参", "锐评", "锐评 ", "锐评 ★ ", "AI芯片 并购", "、"}


def messages(catalog: object) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id}  # type: ignore[attr-defined]


def tui_sources() -> list[Path]:
    # The command line speaks English only: it has no messages.
    return [p for p in sorted((ROOT / "tui").rglob("*.py")) if not p.name.startswith("cli")]


def used_msgids() -> set[str]:
    """Every `_("…")` in tui/, and the key table's labels, help lines and scope headings."""
    found: set[str] = set(SCOPES.values())
    for key in KEYS:
        found |= {key.label, key.help}
    for path in tui_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_":
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    found.add(arg.value)
    return found


def test_the_committed_mo_is_the_compiled_po() -> None:
    with PO.open("rb") as f:
        source = read_po(f, locale="zh_CN", domain="neican")
    compiled = BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    with MO.open("rb") as f:
        committed = messages(read_mo(f))
    assert committed == messages(read_mo(compiled)), (
        "neican.mo is stale: pybabel compile -D neican -d tui/locale -l zh_CN"
    )


def test_every_message_of_the_reader_has_a_chinese_translation() -> None:
    with PO.open("rb") as f:
        catalog = messages(read_po(f, locale="zh_CN", domain="neican"))
    used = used_msgids()
    untranslated = sorted(m for m in used if not catalog.get(m))
    assert not untranslated, f"missing from neican.po: {untranslated}"
    assert not sorted(set(catalog) - used), "neican.po has messages no code uses"
    for msgid, chinese in catalog.items():  # a placeholder lost in translation would crash
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", chinese)), msgid


def test_no_chinese_literal_bypasses_the_catalog() -> None:
    bypass = []
    for path in tui_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CJK.search(node.value)
                and id(node) not in docstrings
                and node.value not in NOT_MESSAGES
                and node.value not in used_msgids()  # an English msgid naming 锐评 or 关注
            ):
                bypass.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not bypass


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "zh_CN"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "NEICAN_LANG": "en"}, "en"),
        ({"LANG": "en_US.UTF-8", "NEICAN_LANG": "zh"}, "zh"),
        ({"LANG": "zh_CN.UTF-8", "NEICAN_LANG": "klingon"}, "zh"),  # a bad override: the locale
    ],
)
def test_the_language_follows_the_locale(env: dict[str, str], expected: str) -> None:
    assert language(env) == expected


# The language is chosen once, at import: each language runs in its own interpreter.
PROBE = """
import asyncio, json, sys
from pathlib import Path
from textual.widgets._footer import FooterKey
from tui.app import NeicanApp
from tui.screens.help import HelpScreen

async def main():
    app = NeicanApp(Path(sys.argv[1]))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        out = {
            "footer": [k.description for k in app.screen.query(FooterKey)],
            "panes": [str(app.query_one(f"#{p}").border_title) for p in ("feeds", "article")],
            "views": [v.label for v in app.query_one("#feeds").views[:3]],
        }
        await pilot.press("m")
        await pilot.pause()
        out["toasts"] = [str(n.message) for n in app._notifications]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        out["help"] = app.screen.query_one("#help-text").render().plain.splitlines()[:3]
    print(json.dumps(out))

asyncio.run(main())
"""


def probe(lang: str, db: Path) -> dict[str, list[str]]:
    env = {**os.environ, "NEICAN_LANG": lang}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_reader_speaks_chinese_under_a_chinese_locale(seeded_db: Path) -> None:
    shown = probe("zh", seeded_db)
    assert {"帮助", "退出", "搜索"} <= set(shown["footer"])
    assert shown["panes"] == ["订阅", "正文"]
    assert shown["views"] == ["全部", "未读", "锐评笔记"]
    assert any(t in ("已标为已读", "已标为未读") for t in shown["toasts"])
    assert shown["help"][0] == "neican 按键" and shown["help"][2] == "主界面和笔记界面"
    assert not any(re.search(r"[A-Za-z]{4}", label) for label in shown["footer"])


def test_the_reader_speaks_english_otherwise(seeded_db: Path) -> None:
    shown = probe("en", seeded_db)
    assert {"Help", "Quit", "Search"} <= set(shown["footer"])
    assert shown["panes"] == ["Feeds", "Article"]
    assert shown["views"] == ["All", "Unread", "锐评 notes"]
    assert any(t in ("Marked as read", "Marked as unread") for t in shown["toasts"])
    assert shown["help"][0] == "neican keys" and shown["help"][2] == "Main and notes screens"
    chrome = shown["footer"] + shown["panes"] + shown["views"][:2] + shown["help"]
    assert not any(CJK.search(text) for text in chrome)
