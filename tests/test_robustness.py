"""Nothing lost, nothing hung (issue 17): kills, full disks, hostile files, odd queries."""

from __future__ import annotations

import errno
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import ROOT, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.errors import NeicanError
from store.export import END, export_notes
from store.library import Library

PYTHON = sys.executable
USER_TEXT = "\n## 我的想法\n\n用户自己写的文字，导出不能丢。{id}\n"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


# -- 1. notes export never loses the user's text ------------------------------------------


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two libraries holding the same noted articles with different notes, and an export
    folder where the user wrote below every generated region."""
    a, b, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "notes"
    with Library(a) as lib:
        lib.import_paths([SEEDS])
        ids = [row.id for row in lib.article_rows()][:40]
        for n, article_id in enumerate(ids):
            lib.add_note(article_id, "quote", f"引文 {n}", comment="版本甲 " * 1500)
        export_notes(lib, out)
    source, copy = sqlite3.connect(a), sqlite3.connect(b)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()
    with Library(b) as lib:
        for note in lib.notes():
            lib.update_note(note.id, comment="版本乙 " * 1700)
    for path in out.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text + USER_TEXT.format(id=path.name), encoding="utf-8")
    return a, b, out


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


def test_export_killed_at_random_moments_leaves_every_file_whole(
    two_versions: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    a, b, out = two_versions
    first = _contents(out)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name, data in first.items():
        (mirror / name).write_bytes(data)
    with Library(b) as lib:
        export_notes(lib, mirror)
    second = _contents(mirror)
    assert set(first) == set(second) and all(first[n] != second[n] for n in first)
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from store.export import export_notes\n"
        "from store.library import Library\n"
        "libs = [Library(Path(p)) for p in sys.argv[1:3]]\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    for lib in libs:\n"
        "        export_notes(lib, Path(sys.argv[3]))\n"
    )
    rng = random.Random(17)
    for _ in range(15):
        proc = subprocess.Popen(
            [PYTHON, "-c", child, str(a), str(b), str(out)],
            stdout=subprocess.PIPE,
            env=_child_env(),
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        now = _contents(out)
        assert set(now) == set(first)  # no file lost, no duplicate `… (2).md`
        for name, data in now.items():
            assert data in (first[name], second[name]), f"{name}: {len(data)} bytes"
            assert USER_TEXT.format(id=name).encode() in data


def test_a_full_disk_leaves_the_old_file_and_says_so_in_one_line(
    two_versions: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, b, out = two_versions
    before = _contents(out)
    real_write = os.write
    calls = {"n": 0}

    def full_disk(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:  # the first chunk half goes in, then the disk is full
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full_disk)
    with Library(b) as lib, pytest.raises(NeicanError) as caught:
        export_notes(lib, out)
    monkeypatch.undo()
    message = str(caught.value)
    assert "\n" not in message and "No space left on device" in message
    assert message.split(":")[0].endswith(".md")
    assert _contents(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temporary file left


def test_an_emptied_or_garbled_file_is_skipped_and_nothing_is_lost(
    two_versions: tuple[Path, Path, Path],
) -> None:
    a, _, out = two_versions
    emptied, garbled = sorted(out.glob("*.md"))[:2]
    emptied.write_bytes(b"")
    garbled_bytes = garbled.read_bytes()[:-40] + b"\xe5\x85"  # cut mid-character
    garbled.write_bytes(garbled_bytes)
    with Library(a) as lib:
        report = export_notes(lib, out)
    assert garbled.read_bytes() == garbled_bytes  # not ours to overwrite
    names = {p.name for p in out.glob("*.md")}
    # The emptied file's name is taken back (nothing in it to lose): no `(2)` for it.
    assert emptied.read_text(encoding="utf-8").count(END) == 1
    reported = {p.name for p in [*report.written, *report.updated, *report.unchanged]}
    assert names == reported | {garbled.name}
    duplicates = [n for n in names if n.endswith(" (2).md")]
    assert duplicates == [garbled.name[: -len(".md")] + " (2).md"]


# -- 9, 10. any text is a valid query; an absurd one is cut down -------------------------


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "seeded.db"
    with Library(db) as lib:
        lib.import_paths([SEEDS])
    return db


QUERY_TEXT = st.lists(
    st.one_of(
        st.characters(),
        st.characters(categories=["Cs"]),  # lone surrogates: what a stray byte in argv becomes
        st.sampled_from(list('公司英伟达"-: ') + ["is:", "feed:", "after:", "AND", "*"]),
    ),
    max_size=40,
).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=QUERY_TEXT)
def test_any_text_is_a_valid_query(seeded: Path, text: str) -> None:
    with Library(seeded) as lib:
        result = lib.search(text)
    assert result.total >= len(result.hits)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=QUERY_TEXT.filter(lambda t: t.strip() and not t.startswith("-")))
def test_any_text_is_a_valid_query_on_the_command_line(
    seeded: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    result = run_cli(capsys, "search", text, "--db", str(seeded))
    assert result.code == 0, result.err
    assert "internal error" not in result.err


def test_a_stray_byte_in_argv_is_ignored(seeded: Path) -> None:
    done = subprocess.run(
        [
            PYTHON,
            "-c",
            "from tui.cli import main; main()",
            b"search",
            b"\xe5\x85\xac\xe5\x8f\xb8\xff",
        ]
        + ["--db", str(seeded)],
        capture_output=True,
        env=_child_env(),
        timeout=60,
    )
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "internal error" not in err and "not text" in err
    with Library(seeded) as lib:
        expected = lib.search("公司").total
    assert expected > 0 and done.stdout.decode().splitlines()[-1].startswith(f"{expected} matches")


def test_a_word_repeated_a_thousand_times_counts_once(seeded: Path) -> None:
    from store.query import MAX_TERM_CHARS, MAX_TERMS, parse_query

    assert len(parse_query(" ".join(["Meta", "meta", "META"] * 333)).terms) == 1
    assert len(parse_query(" ".join(["公司"] * 1000)).terms) == 1
    with Library(seeded) as lib:
        once = [h.id for h in lib.search("Meta", limit=0).hits]
        many = [h.id for h in lib.search(" ".join(["Meta", "meta", "META"] * 333), limit=0).hits]
    assert once and many == once
    # Absurd queries are cut down to a bounded size, and the user is told.
    phrase = parse_query('"' + " ".join(["公司"] * 1000) + '"')
    [term] = phrase.terms
    assert term.phrase and len(term.text) <= MAX_TERM_CHARS and phrase.problems
    distinct = parse_query(" ".join(f"公司{n}" for n in range(1000)))
    assert len(distinct.terms) == MAX_TERMS and distinct.problems
    assert len(parse_query("公司" * 1000).terms[0].text) == MAX_TERM_CHARS


# -- 5. hostile files: only regular files are read, their size checked first -------------

CAP = 64 * 2**20


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    import threading

    from store.errors import ParseError
    from store.files import read_regular_file

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | bytes] = []

    def read() -> None:
        try:
            outcome.append(read_regular_file(fifo, CAP))
        except BaseException as e:
            outcome.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # release the blocked reader before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    [error] = outcome
    assert isinstance(error, ParseError)
    assert str(error) == f"{fifo}: not a regular file (a FIFO)"


def test_dev_zero_is_refused() -> None:
    from store.errors import ParseError
    from store.files import read_regular_file

    with pytest.raises(ParseError) as caught:
        read_regular_file(Path("/dev/zero"), CAP)
    assert str(caught.value) == "/dev/zero: not a regular file (a character device)"


def test_a_huge_file_is_refused_before_reading_a_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.errors import ParseError
    from store.files import read_regular_file

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(3 * 2**30)  # sparse: 3 GB that take no disk
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(ParseError) as caught:
        read_regular_file(huge, CAP)
    assert str(caught.value) == f"{huge}: file too large (3072 MB; the limit is 64 MB)"
    assert reads == []
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 100)
    assert read_regular_file(small, 100) == b"x" * 100
    with pytest.raises(ParseError, match="too large"):
        read_regular_file(small, 99)
    with pytest.raises(ParseError, match="is a directory"):
        read_regular_file(tmp_path, CAP)
    with pytest.raises(ParseError, match="no such file"):
        read_regular_file(tmp_path / "gone.txt", CAP)


def _tree(tmp_path: Path) -> Path:
    top = tmp_path / "in"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "locked").mkdir()
    (top / "a.txt").write_text("a", encoding="utf-8")
    (top / "sub" / "b.md").write_text("b", encoding="utf-8")
    (top / "sub" / "deeper" / "c.TXT").write_text("c", encoding="utf-8")
    (top / "locked" / "d.txt").write_text("d", encoding="utf-8")
    (top / "photo.jpg").write_bytes(b"\xff\xd8")
    (top / "sub" / "notes.pdf").write_bytes(b"%PDF")
    (top / ".hidden.txt").write_text("h", encoding="utf-8")
    return top


def test_walk_reports_an_unlistable_folder_and_skipped_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.files import walk_files

    top = _tree(tmp_path)
    locked = top / "locked"
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # what a folder without read permission does
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = walk_files([top, tmp_path / "named.jpg"], (".txt", ".md"))
    assert files == [
        top / "a.txt",
        top / "sub" / "b.md",
        top / "sub" / "deeper" / "c.TXT",
        tmp_path / "named.jpg",  # named on purpose: tried, and its read says why not
    ]
    assert problems == [
        f"{locked}: cannot list: permission denied",
        f"{top}: skipped 2 files that are not .txt/.md",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_walk_reports_a_folder_without_permissions(tmp_path: Path) -> None:
    from store.files import walk_files

    top = _tree(tmp_path)
    (top / "locked").chmod(0)
    try:
        _, problems = walk_files([top], (".txt", ".md"))
    finally:
        (top / "locked").chmod(0o755)
    assert f"{top / 'locked'}: cannot list: permission denied" in problems


# -- 11. links a browser is given; text a terminal is given ------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://36kr.com/p/123", "https://36kr.com/p/123"),
        ("  HTTP://example.com/a?b=1#c \n", "HTTP://example.com/a?b=1#c"),
        ("https://例子.中国/路径", "https://例子.中国/路径"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(document.cookie)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("vbscript:msgbox", None),
        ("//example.com/x", None),
        ("https:\\\\evil.example", None),
        ("https://", None),
        ("https://exa\x1b[2Jmple.com", None),
        ("https://example.com/\x07", None),
        ("https://example.com/\u202eexe.txt", None),
        ("https://example.com/a b", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_only_plain_http_links_are_opened(url: str, expected: str | None) -> None:
    from store.links import safe_link

    assert safe_link(url) == expected


def test_show_prints_no_escape_sequence_another_tool_wrote(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Library(seeded) as lib:
        article_id = lib.article_rows()[0].id
    conn = sqlite3.connect(seeded)
    with conn:
        conn.execute(
            "UPDATE articles SET title = ? WHERE id = ?",
            ["\x1b[2J\x1b]0;pwned\x07清屏标题\x9b31m", article_id],
        )
    conn.close()
    shown = run_cli(capsys, "show", str(article_id), "--db", str(seeded))
    assert shown.code == 0, shown.err
    assert "清屏标题" in shown.out
    assert "\x1b" not in shown.out and "\x07" not in shown.out and "\x9b" not in shown.out
