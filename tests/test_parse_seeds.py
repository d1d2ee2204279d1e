"""The seeds parse to the complete structure written out by hand from reading them."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run_cli
from conftest import DATA, DIGEST_SEED, NEICAN_SEED

from store.parsing import detect_format, parse_file

# tests/data/expected/*.json were transcribed by hand from the documents, not generated.
CASES = [
    (DIGEST_SEED, DATA / "expected" / "000_digest.json"),
    (NEICAN_SEED, DATA / "expected" / "004_neican.json"),
]


@pytest.mark.parametrize(("seed", "expected"), CASES, ids=["digest", "neican"])
def test_seed_parses_to_the_hand_written_structure(seed, expected) -> None:
    assert parse_file(seed).to_json() == json.loads(expected.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("seed", "expected"), CASES, ids=["digest", "neican"])
def test_parse_json_prints_the_contract(capsys, seed, expected) -> None:
    result = run_cli(capsys, "parse", str(seed), "--json")
    assert result.code == 0 and result.err == ""
    assert json.loads(result.out) == json.loads(expected.read_text(encoding="utf-8"))


def test_seed_shapes_match_the_spec() -> None:
    digest = parse_file(DIGEST_SEED)
    assert len(digest.articles) == 10
    assert all(3 <= len(a.sections) <= 6 for a in digest.articles)
    assert all(1 <= len(s.bullets) <= 9 for a in digest.articles for s in a.sections)
    newsletter = parse_file(NEICAN_SEED)
    assert [a.kind for a in newsletter.articles] == ["overview"] + ["article"] * 5
    assert all(a.ruiping for a in newsletter.articles[1:])


def test_format_is_detected_by_content_not_name(tmp_path) -> None:
    swapped_digest = tmp_path / "004_newsletter.txt"
    swapped_digest.write_bytes(DIGEST_SEED.read_bytes())
    assert parse_file(swapped_digest).format == "digest"
    assert detect_format(NEICAN_SEED.read_text(encoding="utf-8")) == "neican"


def test_parse_summary_is_one_line_per_article(capsys) -> None:
    result = run_cli(capsys, "parse", str(NEICAN_SEED))
    lines = result.out.splitlines()
    assert lines[0] == f"{NEICAN_SEED}: neican · feed AI内参 · 6 articles"
    assert lines[1].split() == ["2025-12-30", "-", "AI内参", "2025-12-30"]
    assert lines[2].split() == [
        "2025-12-30",
        "光锥智能、华尔街见闻、量子位",
        "极小与极大:MiniMax的“极简主义”野望",
    ]
    assert len(lines) == 7
