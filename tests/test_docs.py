"""The README, `--help` and the help screen say what the code does."""

from __future__ import annotations

import re

import click
import pytest
from cli_helpers import run_cli
from conftest import ROOT

from tui.bindings import KEYS, SCOPES, in_scope
from tui.cli import cli
from tui.i18n import _ as translate
from tui.screens.help import help_text

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_keys(title: str) -> list[tuple[str, str]]:
    """The rows of the README's key table under `#### title`."""
    keys = README[README.index("### Keys") : README.index("## Command line")]
    section = keys[keys.index(f"#### {title}\n") :].split("\n\n")[1]
    return re.findall(r"^\| `(.+?)` \| (.+?) \|$", section, re.MULTILINE)


@pytest.mark.parametrize("scope", SCOPES)
def test_readme_key_table_is_the_binding_table(scope: str) -> None:
    assert readme_keys(SCOPES[scope]) == [(k.display, k.help) for k in in_scope(scope)]


def test_every_key_of_every_scope_is_in_the_readme_and_the_help_screen() -> None:
    help_lines = help_text().plain.splitlines()
    assert {k.scope for k in KEYS} == set(SCOPES)
    for key in KEYS:
        assert (key.display, key.help) in readme_keys(SCOPES[key.scope]), key
        heading = help_lines.index(translate(SCOPES[key.scope]))
        section = help_lines[heading : help_lines.index("", heading)]
        assert any(
            line.startswith(key.display) and translate(key.help) in line for line in section
        ), key


def commands(group: click.Group, prefix: str = "neican") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        out.append((path, command))
        if isinstance(command, click.Group):
            out.extend(commands(command, path))
    return out


@pytest.mark.parametrize("path", [p for p, _ in commands(cli)])
def test_every_command_is_in_the_readme_and_its_help_is_right(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert f"`{path}" in README, f"{path} is missing from the README's command table"
    command = dict(commands(cli))[path]
    result = run_cli(capsys, *path.split()[1:], "--help")
    assert result.code == 0 and result.err == ""
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert any(opt in result.out for opt in param.opts), (path, param.opts)
    summary = (command.help or "").strip().splitlines()[0]
    assert summary.split(":")[0][:30] in result.out


def test_readme_quick_start_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci in README
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/neican" in README
