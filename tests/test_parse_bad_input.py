"""Bad input gets one clear line on stderr naming the file and the reason, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Result, run_cli
from conftest import DIGEST_SEED, NEICAN_SEED, SHARED, needs_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import ParseError
from store.parsing import parse_bytes

DIGEST = DIGEST_SEED.read_bytes()
NEICAN = NEICAN_SEED.read_bytes()


def parse_file_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes) -> Result:
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    return run_cli(capsys, "parse", str(path), "--json")


def assert_refused(result: Result, *words: str) -> None:
    """Exit 1, nothing on stdout, exactly one line on stderr naming the file and the reason."""
    assert result.code == 1, result
    assert result.out == ""
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("neican: error: ") and "input.txt" in line, line
    assert "Traceback" not in result.err
    for word in words:
        assert word in line, line


REFUSED = {
    "empty": (b"", ["empty file"]),
    "whitespace only": (b" \n\t\r\n  \n", ["empty file (only whitespace)"]),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, ["binary data"]),
    "mis-encoded": (b"Caf\xe9 cr\xe8me \xff\xfe\n" * 3, ["cannot decode", "byte 0xe9"]),
    "unknown layout": ("今天天气很好。\n我们去公园散步吧。\n".encode(), ["unknown layout"]),
    "NUL bytes": (DIGEST[:500] + b"\x00\x00" + DIGEST[500:], ["NUL bytes"]),
    "UTF-16 without BOM": (DIGEST.decode().encode("utf-16-le"), ["NUL bytes"]),
    # (one impossible date among good articles skips that article: test_parse_real_variants)
    "impossible issue date": (
        NEICAN.replace("2025年12月30日".encode(), "2025年13月30日".encode()),
        ["impossible date 2025-13-30", "input.txt:1:"],
    ),
    "RSS": (b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', ["RSS/Atom"]),
    "HTML": (b"<!doctype html><html><body>hi</body></html>", ["XML or HTML"]),
    "only a cut-off article": (
        "Llama模型\nAI小登的尽头\n搜狐财经· 2026-01-13 11:23\n行业 - 巨头".encode(),
        ["no complete article", "ends in the middle of its summary"],
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_bad_input_is_refused_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    data, words = REFUSED[case]
    assert_refused(parse_file_cli(capsys, tmp_path, data), *words)


def test_fifty_megabyte_single_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_refused(
        parse_file_cli(capsys, tmp_path, "很长".encode() * (50 * 2**20 // 6)), "unknown layout"
    )


def test_fifty_megabyte_line_after_a_real_article_is_a_stray_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = DIGEST + b"\n" + b"x" * (50 * 2**20)
    result = parse_file_cli(capsys, tmp_path, data)
    assert result.code == 0
    assert '"title": "Meta拟削减元宇宙预算30%,累计亏损超700亿美元"' in result.out
    assert len(result.err_lines) == 1 and "skipped the line" in result.err


def test_missing_file_and_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = run_cli(capsys, "parse", str(tmp_path / "input.txt"))
    assert_refused(missing, "no such file")
    folder = tmp_path / "input.txt"
    folder.mkdir()
    assert_refused(run_cli(capsys, "parse", str(folder)), "is a directory")


def test_usage_error_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "parse")
    assert result.code == 2
    assert len(result.err_lines) == 1 and "Missing argument 'FILE'" in result.err


# Truncated files: the complete articles plus one warning naming what was skipped.

LAST_TITLE = "Meta拟削减元宇宙预算30%,累计亏损超700亿美元"


def _cut_before(data: bytes, marker: str, extra: int = 0) -> bytes:
    return data[: data.index(marker.encode()) + extra]


TRUNCATED = {
    "after the last date line": _cut_before(DIGEST, "公司战略调整 - 社交媒体巨头"),
    "in the middle of the last summary line": _cut_before(DIGEST, "有行业分析师此前预测"),
    "in the middle of a multi-byte character": _cut_before(DIGEST, "有行业分析师此前预测", 2),
    "in the middle of a citation": DIGEST[: -len("4]")],
}


@pytest.mark.parametrize("case", TRUNCATED)
def test_truncated_digest_keeps_complete_articles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    result = parse_file_cli(capsys, tmp_path, TRUNCATED[case])
    assert result.code == 0
    assert result.out.count('"kind": "article"') == 9
    assert LAST_TITLE not in result.out
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("warning: ") and "input.txt:" in result.err
    assert f"skipped the last article “{LAST_TITLE}”" in result.err


def test_digest_cut_in_the_middle_of_a_title_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = parse_file_cli(capsys, tmp_path, DIGEST + "\nAI小登的".encode())
    assert result.code == 0
    assert result.out.count('"kind": "article"') == 10
    assert len(result.err_lines) == 1 and "skipped the line “AI小登的”" in result.err


def test_newsletter_cut_in_the_middle_of_an_item(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = parse_file_cli(capsys, tmp_path, _cut_before(NEICAN, "【弦外之音】 资本逻辑"))
    assert result.code == 0
    assert result.out.count('"kind": "article"') == 4
    assert "万亿重担" not in result.out
    assert len(result.err_lines) == 1 and "skipped the last item “万亿重担" in result.err


def shared_feeds() -> list[object]:
    """The real RSS and Atom files of ../shared: one skipped case when ../shared is absent,
    one failing case when it is there without them (never an empty list, which tests nothing)."""
    if not (SHARED / "fixtures").is_dir():
        return [pytest.param(None, marks=needs_shared, id="shared-absent")]
    folder = SHARED / "fixtures" / "feeds"
    names = sorted(p.name for p in folder.glob("*") if p.suffix not in (".md", ".json"))
    return list(names) or [pytest.param(None, id="no-feed-files")]


@pytest.mark.parametrize("feed", shared_feeds())
def test_real_rss_and_atom_files_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed: str | None
) -> None:
    assert feed is not None, f"{SHARED / 'fixtures' / 'feeds'} holds no feed files"
    result = parse_file_cli(capsys, tmp_path, (SHARED / "fixtures" / "feeds" / feed).read_bytes())
    assert_refused(result)


# Any bytes either parse or raise the project's own error, never another exception.


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_parse_or_raise_parse_error(data: bytes) -> None:
    try:
        parse_bytes(data, "fuzz.txt")
    except ParseError as e:
        assert "\n" not in str(e) and str(e).startswith("fuzz.txt")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([DIGEST, NEICAN]),
    st.lists(
        st.tuples(st.integers(0, 40000), st.integers(0, 60), st.binary(max_size=12)), max_size=6
    ),
)
def test_mangled_seeds_parse_or_raise_parse_error(
    seed: bytes, edits: list[tuple[int, int, bytes]]
) -> None:
    data = seed
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    try:
        document = parse_bytes(data, "fuzz.txt")
    except ParseError as e:
        assert "\n" not in str(e)
    else:
        assert document.articles
