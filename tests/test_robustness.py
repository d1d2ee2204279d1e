"""Nothing lost, nothing hung (issue 17): kills, full disks, hostile files, odd queries."""

from __future__ import annotations

import asyncio
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
    # One process imports neican once and forks each exporter, so 15 kills take
    # seconds, not 15 interpreter starts.
    spawner = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from store.export import export_notes\n"
        "from store.library import Library\n"
        "a, b, out = map(Path, sys.argv[1:4])\n"
        "for _ in sys.stdin:\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            libs = [Library(a), Library(b)]\n"
        "            print(os.getpid(), flush=True)\n"
        "            while True:\n"
        "                for lib in libs:\n"
        "                    export_notes(lib, out)\n"
        "        finally:\n"
        "            os._exit(1)\n"
        "    os.waitpid(pid, 0)\n"
        "    print('reaped', flush=True)\n"
    )
    proc = subprocess.Popen(
        [PYTHON, "-c", spawner, str(a), str(b), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_child_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    rng = random.Random(17)
    try:
        for _ in range(15):
            proc.stdin.write("go\n")
            proc.stdin.flush()
            exporter = int(proc.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.2))
            os.kill(exporter, signal.SIGKILL)
            assert proc.stdout.readline() == "reaped\n"
            now = _contents(out)
            assert set(now) == set(first)  # no file lost, no duplicate `… (2).md`
            for name, data in now.items():
                assert data in (first[name], second[name]), f"{name}: {len(data)} bytes"
                assert USER_TEXT.format(id=name).encode() in data
    finally:
        proc.stdin.close()
        proc.wait(30)
        proc.stdout.close()


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


def test_an_import_reads_no_fifo_or_device_and_says_what_it_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = _tree(tmp_path)
    (top / "empty").mkdir()
    os.mkfifo(top / "sub" / "pipe.txt")  # a plain open() would wait for a writer forever
    (top / "a.txt").write_bytes((SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]).read_bytes())
    locked = top / "locked"
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # what a folder without read permission does
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    db = str(tmp_path / "lib.db")
    done = run_cli(capsys, "import", str(top), "/dev/zero", "--db", db)
    assert done.code == 1  # the unlistable folder and the FIFO are refused
    err = done.err.splitlines()
    assert f"refused   {locked}: cannot list: permission denied" in err
    assert f"refused   {top / 'sub' / 'pipe.txt'}: not a regular file (a FIFO)" in err
    assert "refused   /dev/zero: not a regular file (a character device)" in err
    assert f"warning: {top}: skipped 2 files that are not .txt/.md/.text" in err
    assert "internal error" not in done.err and "nothing to import" not in done.err
    # a.txt imported; b.md and c.TXT (one letter each) and the three above refused
    assert done.out.splitlines()[-1] == "1 imported, 0 unchanged, 5 refused", done.out
    empty = run_cli(capsys, "import", str(top / "empty"), "--db", db)
    assert empty.code == 0 and empty.err == f"warning: nothing to import in {top / 'empty'}\n"


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


# -- library-level points (issue 17: 2, 3, 4, 6, 7, 8), done after the store split -------
# These go through the command line and the public `Library` API only.


def neican(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real command line in a process of its own."""
    return subprocess.run(
        [PYTHON, "-c", "from tui.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=timeout,
    )


def neican_process(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", "from tui.cli import main; main()", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
    )


def _digests(folder: Path, files: int, articles: int, feed: str) -> Path:
    from conftest import big_digest

    folder.mkdir(parents=True)
    for n in range(files):
        path = folder / f"{feed}-{n}.txt"
        big_digest(path, articles, f"{feed}{n}")
        # Titles of their own: the same article under two feeds is one article.
        path.write_text(path.read_text(encoding="utf-8").replace(" #", f" {feed}{n}#"), "utf-8")
    return folder


def _snapshot(db: Path) -> dict[str, bytes]:
    """The library file and its WAL companions, byte for byte."""
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name)}


def test_two_imports_at_once_both_finish(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    first = _digests(tmp_path / "first", 3, 150, "甲")
    second = _digests(tmp_path / "second", 3, 150, "乙")
    procs = [neican_process("import", folder, "--db", db) for folder in (first, second)]
    outcomes = [(p.wait(120), p.communicate()) for p in procs]
    for code, (_, err) in outcomes:
        assert code == 0, err
    with Library(db) as lib:
        assert lib.article_count() == 2 * 3 * 150


HOLD_WRITE_LOCK = (
    "import sqlite3, sys, time\n"
    "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "conn.execute('BEGIN IMMEDIATE')\n"
    "conn.execute('UPDATE articles SET read = read')\n"  # another writer, changing pages
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "conn.execute('COMMIT')\n"
)


class HeldWriteLock:
    """Another process holding the library's write lock for `seconds`."""

    def __init__(self, db: Path, seconds: float) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, "-c", HOLD_WRITE_LOCK, str(db), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline() == "locked\n"

    def __enter__(self) -> HeldWriteLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.wait(60)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def test_a_write_while_another_process_writes_waits_or_says_busy(seeded: Path) -> None:
    from store.errors import LibraryBusy

    with Library(seeded) as lib:
        article_id = lib.article_rows()[0].id
        writes = (
            lambda: lib.add_note(article_id, "quote", "繁忙时的笔记"),
            lambda: lib.set_read(article_id),
        )
        for write in writes:
            lib.search("公司")  # the reader has been reading
            with HeldWriteLock(seeded, 0.5):  # a short write: waited for, then done
                write()
            with HeldWriteLock(seeded, 8):  # a long one: a quick "busy", not a freeze
                start = time.monotonic()
                with pytest.raises(LibraryBusy) as caught:
                    write()
                waited = time.monotonic() - start
            assert 1 < waited < 6, waited
            assert "busy" in str(caught.value) and "\n" not in str(caught.value)
        assert [n.text for n in lib.notes(article_id=article_id)] == ["繁忙时的笔记"]
        assert lib.article(article_id).read


def test_an_import_waits_for_another_writer(seeded: Path, tmp_path: Path) -> None:
    more = _digests(tmp_path / "more", 2, 20, "等")
    with HeldWriteLock(seeded, 4):
        start = time.monotonic()
        done = neican("import", more, "--db", seeded)
        waited = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert waited > 3  # it waited for the lock instead of failing at once
    with Library(seeded) as lib:
        assert lib.search("feed:等0").total == 20


def _children(pid: int) -> set[int]:
    """Every living descendant of `pid`, from /proc (no psutil)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat_line[stat_line.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line[stat_line.rindex(")") + 2] != "Z"  # a zombie has died already


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: the import uses no helpers")
def test_a_killed_import_leaves_no_helper_behind(tmp_path: Path) -> None:
    # More than store/library.py's PROCESS_MIN_BYTES (4 MB) in 8+ files: two helpers.
    folder = _digests(tmp_path / "big", 10, 200, "大")
    survivors: set[int] = set()
    rng = random.Random(4)
    try:
        for round_ in range(2):
            proc = neican_process("import", folder, "--db", tmp_path / f"lib{round_}.db")
            seen: set[int] = set()
            start = time.monotonic()
            # Killed 0.1-0.5 s after its helpers start (the import's own start takes
            # seconds on a busy machine): when they are still opening the library.
            while not seen and time.monotonic() - start < 60 and proc.poll() is None:
                seen |= _children(proc.pid)
                time.sleep(0.01)
            assert seen, "the import started no helper process"
            wait_until = time.monotonic() + rng.uniform(0.1, 0.5)
            while time.monotonic() < wait_until:
                seen |= _children(proc.pid)
                time.sleep(0.01)
            seen |= _children(proc.pid)
            proc.kill()
            proc.wait()
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and any(map(_alive, seen)):
                time.sleep(0.05)
            survivors |= {pid for pid in seen if _alive(pid)}
            for pipe in (proc.stdout, proc.stderr):  # a survivor would hold them open
                assert pipe is not None
                pipe.close()
        assert not survivors
    finally:
        for pid in survivors:  # only the helpers of the imports this test started
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _one_line_refusal(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "internal error" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def test_a_damaged_library_is_refused_in_one_line_and_never_written(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert neican("import", SEEDS, "--db", db).returncode == 0
    data = bytearray(db.read_bytes())
    middle = len(data) // 2 - 128 * 1024
    data[middle : middle + 256 * 1024] = random.Random(6).randbytes(256 * 1024)
    db.write_bytes(bytes(data))
    before = _snapshot(db)
    more = _digests(tmp_path / "more", 1, 20, "新")
    for args in (("stats",), ("search", "公司"), ("import", more)):
        done = neican(*args, "--db", db)
        _one_line_refusal(done, "damaged", ".recover")
        assert _snapshot(db) == before, args
    # The copy an upgrade kept aside is offered too.
    kept = db.with_name("lib.db.v9-backup")
    kept.write_bytes(b"")
    _one_line_refusal(neican("stats", "--db", db), "damaged", ".recover", str(kept))


def test_a_foreign_sqlite_file_is_refused_without_a_byte_changed(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    with conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('张三')")
    conn.close()
    before = _snapshot(foreign)
    for args in (("stats",), ("search", "公司"), ("import", SEEDS)):
        done = neican(*args, "--db", foreign)
        _one_line_refusal(done, "not a neican library")
        assert _snapshot(foreign) == before, args  # no -wal file either


def test_a_library_from_a_newer_neican_is_read_but_not_written(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert neican("import", SEEDS, "--db", db).returncode == 0
    conn = sqlite3.connect(db)
    with conn:  # what a later neican leaves: a migration this one does not know
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version + 1000}")
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('neican', 'm999_from_the_future', '2030-01-01')"
        )
    conn.close()
    found = neican("search", "公司", "--db", db)
    assert found.returncode == 0 and "matches" in found.stdout, found.stderr
    before = _snapshot(db)
    refused = neican("import", _digests(tmp_path / "more", 1, 20, "新"), "--db", db)
    _one_line_refusal(refused, "newer")
    assert _snapshot(db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_read_only_library_is_searched_and_writes_say_why_not(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "lib.db"
    assert neican("import", SEEDS, "--db", db).returncode == 0
    with Library(db) as lib:
        article_id = lib.article_rows()[0].id
    folder.chmod(0o555)
    db.chmod(0o444)
    try:
        found = neican("search", "公司", "--db", db)
        assert found.returncode == 0 and "matches" in found.stdout, found.stderr
        refused = neican("notes", "add", str(article_id), "--quote", "只读", "--db", db)
        _one_line_refusal(refused, "read-only")
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


async def test_the_reader_says_busy_in_one_line_and_goes_on(tmp_path: Path) -> None:
    from store.sql import CLICK_WAIT
    from tui.app import NeicanApp

    db = tmp_path / "lib.db"
    app = NeicanApp(db)
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.main.article is not None and not app.main.article.read
        first = app.main.article.id
        with HeldWriteLock(db, CLICK_WAIT + 3):
            await pilot.press("m")
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert [m for m in said if "busy" in m and "\n" not in m], said
            assert app.is_running and app.main.article is not None and not app.main.article.read
        await pilot.press("m")  # the other writer is done: it works again
        assert app.library.article(first).read
    assert app.return_code in (0, None)


# Root writes through file permissions: a read-only mount and a full disk are made in a
# mount namespace of our own (unprivileged `unshare -rm`), where root cannot write either.
RUN_ALL = (
    "import json, subprocess, sys\n"
    "runs = [subprocess.run([sys.executable, '-c', 'from tui.cli import main; main()', *a],"
    " capture_output=True, text=True) for a in json.loads(sys.argv[1])]\n"
    "print(json.dumps([(r.returncode, r.stdout, r.stderr) for r in runs]))\n"
)


def _in_namespace(mount: str, commands: list[list[str]]) -> list[tuple[int, str, str]]:
    import json

    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'{mount} && exec "$0" -c "$1" "$2"']
        + [PYTHON, RUN_ALL, json.dumps(commands)],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [tuple(r) for r in json.loads(done.stdout)]  # type: ignore[misc]


def _can_unshare() -> bool:
    import shutil

    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "tmpfs", "/mnt"], check=False)
    return probe.returncode == 0


needs_namespace = pytest.mark.skipif(
    not _can_unshare(), reason="needs `unshare -rm` (user and mount namespaces)"
)


@needs_namespace
def test_a_library_on_a_read_only_mount_is_searched_and_writes_say_why_not(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "lib.db"
    assert neican("import", SEEDS, "--db", db).returncode == 0
    before = _snapshot(db)
    mount = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder}"
    search, stats, note = _in_namespace(
        mount,
        [
            ["search", "公司", "--db", str(db)],
            ["stats", "--db", str(db)],
            ["notes", "add", "1", "--quote", "只读", "--db", str(db)],
        ],
    )
    assert search[0] == 0 and "matches" in search[1], search[2]
    assert stats[0] == 0 and "articles  16" in stats[1], stats[2]
    _one_line_refusal(subprocess.CompletedProcess([], note[0], note[1], note[2]), "read-only")
    assert _snapshot(db) == before


@needs_namespace
def test_a_full_disk_says_so_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    db = folder / "lib.db"
    assert neican("import", SEEDS, "--db", str(tmp_path / "lib.db")).returncode == 0
    more = _digests(tmp_path / "more", 3, 300, "满")
    size = (tmp_path / "lib.db").stat().st_size
    mount = (
        f"mount -t tmpfs -o size={size // 1024 + 300}k tmpfs {folder} && "
        f"cp {tmp_path / 'lib.db'} {db}"
    )
    imported, stats = _in_namespace(
        mount, [["import", str(more), "--db", str(db)], ["stats", "--db", str(db)]]
    )
    _one_line_refusal(subprocess.CompletedProcess([], *imported), "disk full")
    assert stats[0] == 0 and "articles  16" in stats[1], stats[2]


def test_a_crash_in_the_reader_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.app
    from tui.reader import open_reader

    class Crashed:  # what Textual leaves after an uncaught exception: return_code 1
        return_code = 1
        exit_error = None

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self) -> None:
            pass

    monkeypatch.setattr(tui.app, "NeicanApp", Crashed)
    with pytest.raises(SystemExit) as caught:
        open_reader(None)
    assert caught.value.code == 1


async def test_damage_met_while_reading_ends_the_reader_with_one_line(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.app import NeicanApp

    app = NeicanApp(seeded)

    def malformed(article_id: int) -> None:  # what a damaged page past the quick check does
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
        raise error

    async with app.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        monkeypatch.setattr(app.library, "article", malformed)
        # (not pilot.press: it waits for a screen that is closing)
        app.simulate_key("j")
        for _ in range(200):
            if not app.is_running:
                break
            await asyncio.sleep(0.05)
    assert app.return_code == 1 and app.exit_error is not None
    message = str(app.exit_error)
    assert "the library is damaged" in message and ".recover" in message and "\n" not in message
