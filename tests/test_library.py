"""The library: imports are atomic and idempotent, edits keep read flags, the file stays plain SQLite."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from cli_helpers import run_cli
from conftest import DATA, DIGEST_SEED, NEICAN_SEED, SEEDS, big_digest

from store.errors import LibraryError, NotFound
from store.library import Library


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "lib.db") as lib:
        yield lib


def titles(lib: Library) -> list[str]:
    return [r.title for r in lib.article_rows()]


def test_import_seeds_then_again_is_unchanged(library: Library) -> None:
    first = library.import_paths([SEEDS])
    assert first.to_json() == {
        "imported": [
            {"file": str(DIGEST_SEED), "articles": 10},
            {"file": str(NEICAN_SEED), "articles": 6},
        ],
        "unchanged": [],
        "refused": [],
    }
    before = library.conn.execute("SELECT count(*), max(updated) FROM articles").fetchone()
    imports = library.conn.execute("SELECT count(*) FROM imports").fetchone()[0]
    second = library.import_paths([SEEDS])
    assert second.to_json() == {
        "imported": [],
        "unchanged": [str(DIGEST_SEED), str(NEICAN_SEED)],
        "refused": [],
    }
    assert library.conn.execute("SELECT count(*), max(updated) FROM articles").fetchone() == before
    assert library.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == imports


def test_a_copy_under_another_name_is_unchanged(library: Library, tmp_path: Path) -> None:
    library.import_paths([DIGEST_SEED])
    copy = tmp_path / "copy.txt"
    copy.write_bytes(DIGEST_SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert library.import_paths([copy]).to_json()["unchanged"] == [str(copy)]
    assert library.totals() == (10, 10)


def test_articles_are_newest_first_and_an_issue_keeps_its_order(library: Library) -> None:
    library.import_paths([SEEDS])
    assert titles(library)[:3] == [
        "AI小登的尽头,是卖身老登?",
        "Meta为何花10亿美金收购这家中国AI应用公司?",
        "华人掌舵Meta AI的格局,已经初步形成了",
    ]
    issue = [r.title for r in library.article_rows(feed="AI内参")]
    assert issue == ["AI内参 2025-12-30"] + [
        "极小与极大:MiniMax的“极简主义”野望",
        "Meta的“补天”计划:砸钱、抢人、关门",
        "快手周国睿“注销”:当技术大牛成为硅谷的猎物",
        "吴恩达的“工业时代”预判:为众生掌灯还是为巨头正名?",
        "万亿重担:SpaceX与OpenAI的“公开深海”之旅",
    ]


def test_edited_file_updates_articles_and_keeps_read_flags(
    library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "digest.txt"
    path.write_bytes(DIGEST_SEED.read_bytes())
    library.import_paths([path])
    target = next(r for r in library.article_rows() if r.title.startswith("AI小登"))
    library.set_read(target.id, True)
    old, new = "并购的核心动机是巨头为弥补能力短板", "并购的核心动机是巨头为补齐短板"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    outcome = library.import_paths([path]).outcomes[0]
    assert (outcome.result, outcome.added, outcome.updated) == ("imported", 0, 1)
    article = library.article(target.id)
    assert article.read is True
    assert article.sections[0].bullets[1].text.startswith(new)
    # The index follows the edit: the new words are found, the old ones no longer.
    assert [h.id for h in library.search("补齐短板").hits] == [target.id]
    assert library.search("弥补能力短板").total == 0
    assert library.totals() == (10, 9)


def test_an_upgraded_library_updates_only_the_articles_an_edit_changed(tmp_path: Path) -> None:
    # Content hashes were once made from another JSON of the article: m010 makes them
    # again from the stored fields, or every article of an edited file would "change".
    path, digest = tmp_path / "lib.db", tmp_path / "digest.txt"
    digest.write_bytes(DIGEST_SEED.read_bytes())
    with Library(path) as lib:
        lib.import_paths([digest])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE articles SET hash = substr(hash, 2) || 'x'")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm010_stored_content_hash'")
    old, new = "并购的核心动机是巨头为弥补能力短板", "并购的核心动机是巨头为补齐短板"
    digest.write_text(digest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with Library(path) as lib:
        outcome = lib.import_paths([digest]).outcomes[0]
    assert (outcome.result, outcome.added, outcome.updated) == ("imported", 0, 1)


def test_article_removed_from_its_file_is_removed(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "digest.txt"
    lines = DIGEST_SEED.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    library.import_paths([path])
    path.write_text("\n".join(lines[:-3]), encoding="utf-8")  # drop the last article
    outcome = library.import_paths([path]).outcomes[0]
    assert outcome.removed == 1
    assert "Meta拟削减元宇宙预算30%,累计亏损超700亿美元" not in titles(library)
    assert library.search("元宇宙预算").total == 0


def test_folder_import_refuses_bad_files_and_keeps_the_rest(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(DIGEST_SEED.read_bytes())
    (folder / "sub" / "b.txt").write_bytes(b"\x00\x01binary")
    (folder / "sub" / "c.txt").write_bytes(NEICAN_SEED.read_bytes())
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not a .txt/.md: not even tried
    result = run_cli(capsys, "import", str(folder), "--json", "--db", str(library.path))
    assert result.code == 1
    data = json.loads(result.out)
    assert [i["file"] for i in data["imported"]] == [
        str(folder / "a.txt"),
        str(folder / "sub" / "c.txt"),
    ]
    assert data["refused"] == [
        {
            "file": str(folder / "sub" / "b.txt"),
            "reason": "line 1: binary data: contains NUL bytes (UTF-16 without a BOM?)",
        }
    ]
    assert library.totals()[0] == 16


def test_import_summary_text(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "import", str(DIGEST_SEED))
    assert result.code == 0
    assert result.out.splitlines() == [
        f"imported  {DIGEST_SEED} (10 new)",
        "1 imported, 0 unchanged, 0 refused",
    ]
    assert result.err == ""  # no progress bar when stderr is not a terminal
    again = run_cli(capsys, "import", str(DIGEST_SEED))
    assert again.out.splitlines()[-1] == "0 imported, 1 unchanged, 0 refused"


def test_a_failure_in_the_middle_of_a_file_leaves_the_library_as_it_was(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.import_paths([NEICAN_SEED])
    state = library.conn.execute("SELECT count(*) FROM articles").fetchone()
    calls = 0
    import store.index

    real = store.index.add

    def failing(conn: sqlite3.Connection, fid: int, text: Any, words: bool = True) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise sqlite3.OperationalError("disk I/O error")
        real(conn, fid, text, words)

    monkeypatch.setattr(store.index, "add", failing)
    with pytest.raises(
        LibraryError, match="000_4560301d0d0dc6f1.txt: the library could not be written"
    ):
        library.import_paths([DIGEST_SEED])
    monkeypatch.setattr(store.index, "add", real)
    assert library.conn.execute("SELECT count(*) FROM articles").fetchone() == state
    assert library.search("英伟达").total == 0  # nothing of the digest reached the index
    assert library.import_paths([DIGEST_SEED]).imported[0].articles == 10


def test_sigkill_in_the_middle_of_an_import_leaves_the_library_intact(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    wal = tmp_path / "lib.db-wal"
    small, large = tmp_path / "1-small.txt", tmp_path / "2-large.txt"
    small.write_bytes(DIGEST_SEED.read_bytes())
    big_digest(large, 12_000, "大文件")
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tui.cli import main; main()",
            "import",
            str(small),
            str(large),
        ],
        env={**os.environ, "NEICAN_DB": str(db)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        committed = None
        while time.monotonic() < deadline and child.poll() is None:
            if committed is None:  # wait until the first file is committed …
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        if conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 10:
                            committed = wal.stat().st_size
                except (sqlite3.Error, OSError):
                    pass
            elif wal.stat().st_size > committed + 4 * 2**20:
                break  # … then until the second file's transaction spills pages to the WAL
            time.sleep(0.01)
        assert child.poll() is None, "the large import finished before it could be killed"
        assert committed is not None
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (10,)
        assert conn.execute("SELECT count(*) FROM feeds").fetchone() == (1,)
        conn.execute("INSERT INTO search(search) VALUES('integrity-check')")
    with Library(db) as lib:
        assert lib.search("大文件").total == 0
        assert lib.search("英伟达").total > 0


def test_the_file_is_plain_sqlite_fts_included(library: Library) -> None:
    library.import_paths([SEEDS])
    library.close()
    db = sqlite_utils.Database(library.path)
    assert db.table("articles").count == 16
    # The character index answers plain MATCH queries without any custom tokenizer.
    rows = db.execute("SELECT rowid FROM search WHERE search MATCH '\"英 伟 达\"'").fetchall()
    fids = {r[0] for r in rows}
    found = {
        r[0]
        for r in db.execute(
            "SELECT title FROM articles WHERE fid IN ({})".format(",".join(map(str, fids)))
        )
    }
    assert "AI小登的尽头,是卖身老登?" in found
    words = db.execute("SELECT count(*) FROM words WHERE words MATCH '收购'").fetchone()[0]
    assert words > 0
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_db_option_and_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert run_cli(capsys, "--db", str(a), "import", str(NEICAN_SEED)).code == 0
    assert run_cli(capsys, "import", str(DIGEST_SEED), "--db", str(b)).code == 0
    assert json.loads(run_cli(capsys, "stats", "--json", "--db", str(a)).out)["articles"] == 6
    assert json.loads(run_cli(capsys, "--db", str(b), "stats", "--json").out)["articles"] == 10
    os.environ["NEICAN_DB"] = str(a)
    assert json.loads(run_cli(capsys, "stats", "--json").out)["articles"] == 6


def test_stats_json(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    library.import_paths([SEEDS])
    data = json.loads(run_cli(capsys, "stats", "--json", "--db", str(library.path)).out)
    assert data["bytes"] > 0
    del data["bytes"]
    assert data == {
        "articles": 16,
        "feeds": 2,
        "outlets": 17,
        "notes": 0,
        "first": "2025-12-06",
        "last": "2026-01-13",
    }


def test_show_json_is_the_contract_plus_library_state(
    library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    library.import_paths([NEICAN_SEED])
    expected = json.loads(
        (Path(__file__).parent / "data/expected/004_neican.json").read_text(encoding="utf-8")
    )
    item = library.article_rows(feed="AI内参")[1]
    data = json.loads(
        run_cli(capsys, "show", str(item.id), "--json", "--db", str(library.path)).out
    )
    assert {k: data[k] for k in expected["articles"][1]} == expected["articles"][1]
    assert (data["id"], data["feed"], data["read"], data["notes"]) == (item.id, "AI内参", False, [])
    assert isinstance(data["entities"], list)
    missing = run_cli(capsys, "show", "999", "--db", str(library.path))
    assert missing.code == 1 and missing.err == "neican: error: no article 999\n"


def test_set_read_and_counts(library: Library) -> None:
    library.import_paths([SEEDS])
    first = library.article_rows()[0]
    library.set_read(first.id)
    assert library.totals() == (16, 15)
    assert [(f.name, f.unread) for f in library.feeds()] == [("AI内参", 6), ("Llama模型", 9)]
    with pytest.raises(NotFound):
        library.set_read(12345)


def test_not_a_library(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_text("hello, I am not SQLite" * 100)
    with pytest.raises(LibraryError, match=r"not a neican library \(not an SQLite database\)"):
        Library(bogus)
    assert bogus.read_text() == "hello, I am not SQLite" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def _before_compact_ids(conn: sqlite3.Connection) -> None:
    """Undo the schema of m006 (the fid column and the indexes that hold it)."""
    for index in ("articles_fid", "articles_fid_sid", "articles_id_fid"):
        conn.execute(f"DROP INDEX {index}")
    for index, columns in (
        ("articles_feed", "articles(feed_id, sid)"),
        ("articles_read", "articles(read, sid)"),
        ("article_outlets_name", "article_outlets(name, sid)"),
    ):
        conn.execute(f"DROP INDEX IF EXISTS {index}")  # (articles_feed: gone since m011)
        conn.execute(f"CREATE INDEX {index} ON {columns}")
    conn.execute("ALTER TABLE article_outlets DROP COLUMN fid")
    conn.execute("ALTER TABLE articles DROP COLUMN fid")


def _before_word_positions(conn: sqlite3.Connection) -> None:
    """Undo m007: the words index as it was, one entry per word and article, no positions."""
    conn.execute("DROP TABLE words")
    conn.execute(
        "CREATE VIRTUAL TABLE words USING fts5(text, content='', "
        "tokenize='unicode61 remove_diacritics 0', detail=none, columnsize=0)"
    )


def _before_grams(conn: sqlite3.Connection) -> None:
    """Undo m008: no `grams` index, character streams of version 4."""
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_grams'")
    conn.execute("DROP TABLE grams")
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'chars_version'")


def test_an_older_library_is_copied_aside_then_migrated(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([SEEDS])
        lib.set_read(lib.article_rows()[0].id)
        queries = ("英伟", "模型", "AI", "模型 outlet:量子位", "AI feed:AI内参", "模型 is:unread")
        found = {q: [h.id for h in lib.search(q, limit=0).hits] for q in queries}
        assert all(found.values())
        # The first versions keyed the search indexes by `sid`.
        lib.conn.execute("UPDATE articles SET fid = sid")
        lib._rebuild_search(words=True)
    # Make it a library of the first schema version: before entities existed.
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE notes")
        conn.execute("DROP TABLE mentions")
        conn.execute("DROP TABLE entities")
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE name IN ('m002_entities', 'm003_notes', "
            "'m004_outlet_order', 'm005_fewer_merges', 'm006_compact_fts_ids', "
            "'m007_word_positions', 'm009_merge_sixteen', 'm010_stored_content_hash', "
            "'m011_article_feeds', 'm012_subscriptions', 'm013_follows')"
        )
        conn.execute("DROP TABLE article_feeds")
        conn.execute("DROP TABLE follows")
        conn.execute("DROP TRIGGER follows_article_changed")
        conn.execute("DROP TRIGGER follows_article_removed")
        _before_compact_ids(conn)
        _before_word_positions(conn)
        _before_grams(conn)
        conn.execute("DROP INDEX article_outlets_name")
        conn.execute("ALTER TABLE article_outlets DROP COLUMN sid")
        conn.execute("CREATE INDEX article_outlets_name ON article_outlets(name, article_id)")
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert lib.backup_path == tmp_path / "lib.db.v1-backup"
        # The slow part of opening is announced (the reader prints it before it starts).
        assert notices == [
            f"upgrading {path}: finding entities in its 16 articles (once)…",
            f"upgrading {path}: re-indexing its 16 articles (once)…",
        ]
        assert lib.totals() == (16, 15)  # articles and read flags carried over
        # Re-keyed (rowids now a day and a slot) and found the same, in the same order.
        assert {q: [h.id for h in lib.search(q, limit=0).hits] for q in found} == found
        rowids = {
            r[0]
            for r in lib.conn.execute("SELECT rowid FROM search WHERE search MATCH '\"模 型\"'")
        }
        fids = {r[0] for r in lib.conn.execute("SELECT fid FROM articles")}
        assert rowids and rowids <= fids and max(fids) < 2**40
        assert {e.name for e in lib.entities("person")} >= {"杨立昆", "黄仁勋"}
        assert [r.title for r in lib.article_rows(outlet="量子位")] == [
            "极小与极大:MiniMax的“极简主义”野望"
        ]
    with sqlite3.connect(tmp_path / "lib.db.v1-backup") as old:
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "articles" in tables and "entities" not in tables and "notes" not in tables
    with Library(path, notice=notices.append) as lib:
        assert lib.backup_path is None  # nothing more to migrate, nothing copied
        assert len(notices) == 2  # nor announced


def test_a_words_index_without_positions_is_rebuilt_with_them(tmp_path: Path) -> None:
    # Libraries before m007 kept each word once per article (no positions): bm25 over
    # them is 0, so search could not rank by how often a word occurs.
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([SEEDS])
        ranked = [h.id for h in lib.search("模型", limit=0).hits]
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_word_positions'")
        _before_word_positions(conn)
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert notices == [f"upgrading {path}: re-indexing its 16 articles (once)…"]
        sql = lib.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'words'").fetchone()
        assert "detail=none" not in sql[0]
        assert [h.id for h in lib.search("模型", limit=0).hits] == ranked
        lib.import_paths([DATA / "fresh"])  # and it takes new articles
        assert lib.search("模型").total > len(ranked)


def test_a_words_index_built_by_older_code_is_rebuilt_when_the_library_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Until WORDS_VERSION 2 the words index held words of one character too. A
    # contentless index deletes an article by the tokens it was given: the index must
    # be what this code would build before anything is written.
    from store import segment

    def one_character_words(conn: sqlite3.Connection) -> int:
        # (Chinese ones: the tokenizer splits `3.5` or `U.S.`, which jieba keeps whole)
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, words, row)"
        )
        return conn.execute(
            "SELECT count(*) FROM temp.vocab WHERE length(term) = 1 AND term >= '一'"
        ).fetchone()[0]

    path = tmp_path / "lib.db"
    with monkeypatch.context() as old:
        old.setattr(segment, "WORDS_VERSION", "1")
        old.setattr(segment, "words_stream", lambda text: " ".join(segment.cut_for_search(text)))
        with Library(path) as lib:
            lib.import_paths([SEEDS])
            found = {h.id for h in lib.search("模型", limit=0).hits}
            assert one_character_words(lib.conn) > 100  # 的, 在, 了…
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert notices == [f"upgrading {path}: re-indexing the words of its 16 articles (once)…"]
        assert one_character_words(lib.conn) == 0
        assert {h.id for h in lib.search("模型", limit=0).hits} == found
        lib.import_paths([DATA / "fresh"])
    with Library(path, notice=notices.append) as lib:
        assert len(notices) == 1  # once
        assert one_character_words(lib.conn) == 0


def test_a_library_without_the_grams_index_gets_it(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([SEEDS])
        found = {q: lib.search(q, limit=0).hits for q in ("模型", "英伟达 -模型", "公司 发布")}
    with sqlite3.connect(path) as conn:
        _before_grams(conn)
    notices: list[str] = []
    with Library(path, notice=notices.append) as lib:
        assert notices == [f"upgrading {path}: re-indexing its 16 articles (once)…"]
        assert lib.conn.execute("SELECT count(*) FROM grams WHERE grams MATCH '模型'").fetchone()[
            0
        ] == len(found["模型"])
        assert {q: lib.search(q, limit=0).hits for q in found} == found


def test_an_upgrade_that_cannot_fit_a_day_leaves_the_library_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seeds' 6 AI内参 items share a day; pretend a day holds 4.
    import store.schema

    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.import_paths([SEEDS])
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_compact_fts_ids'")
        _before_compact_ids(conn)
    monkeypatch.setattr(store.schema, "DAY_SLOTS", 4)
    with pytest.raises(LibraryError, match="more than 4 articles are dated 2025-12-30"):
        Library(path)
    with sqlite3.connect(path) as conn:  # rolled back: still the older library, whole
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (16,)
        columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
        assert "fid" not in columns
    monkeypatch.undo()
    with Library(path) as lib:  # this version takes it
        assert lib.search("模型").total > 0


def test_search_indexes_merge_sixteen_segments_at_a_time(tmp_path: Path) -> None:
    # Each imported file commits one small segment per index; merging four at a time
    # rewrote every token ~log4(files) times (a quarter of the writing), eight at a
    # time still took a quarter of the writer's time at 100,000 articles.
    with Library(tmp_path / "lib.db") as lib:
        for table in ("search", "titles", "words", "grams"):
            row = lib.conn.execute(f"SELECT v FROM {table}_config WHERE k = 'automerge'").fetchone()
            assert row == (16,), table


def test_files_prepared_by_helper_processes_import_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large imports parse and tokenise in two helper processes, which send the writer
    # each article's sections as JSON only: the library must come out the same.
    import store.pipeline

    fresh = Path(__file__).parent / "data" / "fresh"
    for n in range(3):  # eight files or more: two helpers
        copy = tmp_path / "more" / f"{n}-{DIGEST_SEED.name}"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(DIGEST_SEED.read_text(encoding="utf-8").replace("Llama", f"Llama{n}"))
    inputs = [SEEDS, fresh, tmp_path / "more"]

    def content(lib: Library) -> list[Any]:
        rows = lib.article_rows()
        return [
            (lib.article(r.id).to_json() | {"id": None}, lib.search(r.title[:6]).total)
            for r in rows
        ] + [e.to_json() for e in lib.entities()]

    with Library(tmp_path / "inline.db") as lib:
        assert not lib.import_paths(inputs).refused
        inline = content(lib)
    monkeypatch.setattr(store.pipeline, "PROCESS_MIN_BYTES", 0)
    with Library(tmp_path / "helpers.db") as lib:
        assert not lib.import_paths(inputs).refused
        assert content(lib) == inline
    assert len(inline) > 60


def test_opening_a_library_loads_no_segmenter(tmp_path: Path) -> None:
    # The reader paints before jieba has loaded: opening a library, new or not, must
    # not load it (nor build the grams automaton), only searching and importing do.
    code = (
        "import sys; from store import grams, segment; from store.library import Library; "
        "Library(sys.argv[1]); "
        "print(segment.is_loaded(), grams._automaton.cache_info().currsize)"
    )
    path = tmp_path / "lib.db"
    for _ in range(2):  # new, then existing
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == ["False", "0"]
    with Library(path) as lib:
        lib.import_paths([SEEDS])
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "0"]
