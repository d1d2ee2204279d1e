"""Notes and their Markdown export: front matter, CommonMark, the user's text kept, renames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cli_helpers import run_cli
from conftest import NEICAN_SEED, SEEDS
from markdown_it import MarkdownIt

from store.export import BEGIN, END, export_notes, safe_name
from store.library import Library


@pytest.fixture
def library(tmp_path: Path):
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([SEEDS])
        yield lib


def items(lib: Library) -> list[int]:
    return [r.id for r in lib.article_rows(feed="AI内参")[1:]]


def front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---", 4)])


def test_notes_survive_reimport_and_are_searchable(library: Library, tmp_path: Path) -> None:
    item = items(library)[0]
    library.add_note(item, "ruiping", comment="效率主义")
    edited = tmp_path / "issue.txt"
    edited.write_text(
        NEICAN_SEED.read_text(encoding="utf-8").replace("研发投入仅为", "研发投入只有"),
        encoding="utf-8",
    )
    library.import_paths([edited])
    [note] = library.notes()
    assert note.article_id == item and note.comment == "效率主义"
    assert [h.id for h in library.search("效率主义 is:noted").hits] == [item]
    assert library.search("is:noted", limit=0).total == 1


def test_a_ruiping_is_bookmarked_once(library: Library) -> None:
    item = items(library)[0]
    first = library.add_note(item, "ruiping")
    assert library.add_note(item, "ruiping") == first
    assert library.toggle_ruiping(item) is None
    assert library.notes() == []


def test_notes_cli(library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(library.path)
    item = items(library)[1]
    added = json.loads(
        run_cli(
            capsys,
            "notes",
            "add",
            str(item),
            "--comment",
            "开源退潮",
            "--tag",
            "Meta",
            "--json",
            "--db",
            db,
        ).out
    )
    assert (
        added["kind"] == "ruiping" and added["tags"] == ["Meta"] and added["comment"] == "开源退潮"
    )
    quote = run_cli(capsys, "notes", "add", str(item), "--quote", "Llama 4的挫折", "--db", db)
    assert quote.code == 0
    listed = json.loads(run_cli(capsys, "notes", "list", "--json", "--db", db).out)
    assert [n["kind"] for n in listed] == ["quote", "ruiping"]
    assert set(listed[0]) == {
        "id",
        "article_id",
        "kind",
        "text",
        "comment",
        "tags",
        "created",
        "updated",
    }
    digest_article = library.article_rows(feed="Llama模型")[0].id
    refused = run_cli(capsys, "notes", "add", str(digest_article), "--db", db)
    assert refused.code == 1 and "has no 锐评" in refused.err


HOSTILE_TITLES = [
    "a: b # c [d] \"e\" 'f'",
    "- 以破折号开头",
    "[链接](javascript:alert(1)) *斜体* `代码` <b>粗</b>",
    "CON",
    "trailing dots...",
    "/etc/passwd:\\\\server\\share|?*",
    "很长" * 80,
    "{a: 1}, [1, 2] & *anchor !tag %directive @at",
    "null",
    "yes",
    "2025-12-30",
    "表情 🤖 和 \u00a0 不间断空格",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_front_matter_round_trips_any_title(tmp_path: Path, title: str) -> None:
    source = tmp_path / "d.txt"
    source.write_text(f"Q\n{title}\n报· 2025-01-02 03:04\n观点 - 内容 [1]", encoding="utf-8")
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([source])
        article = lib.article_rows()[0]
        lib.add_note(article.id, "quote", "内容")
        report = export_notes(lib, tmp_path / "out")
        [path] = report.written
        data = front(path)
        stored = lib.article(article.id)
    assert data["title"] == stored.title  # whatever the title holds
    assert data == {
        "id": stored.id,
        "title": stored.title,
        "feed": "Q",
        "outlets": ["报"],
        "published": "2025-01-02T03:04",
        "links": [],
        "tags": [],
        "orgs": [],
        "people": [],
        "products": [],
    }
    name = path.name
    assert len(name.encode("utf-8")) <= 200 and name.endswith(".md")
    assert not any(c in name for c in '/\\:*?"<>|')
    assert name.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert not name[:-3].endswith((".", " "))


def test_safe_names() -> None:
    assert safe_name("2025-12-30 极小与极大:MiniMax") == "2025-12-30 极小与极大_MiniMax.md"
    assert safe_name("NUL") == "_NUL.md"
    assert safe_name("a\x00b\x1bc") == "a_b_c.md"
    long = safe_name("字" * 100)
    assert len(long.encode()) <= 200 and long.endswith("字.md")  # cut at a character boundary


def test_two_articles_with_the_same_name_are_told_apart(tmp_path: Path) -> None:
    source = tmp_path / "d.txt"
    source.write_text(
        "Q\n同名:标题\n甲报· 2025-01-02 03:04\n观点 - 一 [1]\n同名/标题\n乙报· 2025-01-02 05:06\n观点 - 二 [2]",
        encoding="utf-8",
    )
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([source])
        for row in lib.article_rows():
            lib.add_note(row.id, "quote", "一" if "甲报" in row.outlets else "二")
        report = export_notes(lib, tmp_path / "out")
    assert sorted(p.name for p in report.written) == [
        "2025-01-02 同名_标题 (2).md",
        "2025-01-02 同名_标题.md",
    ]


def test_export_is_commonmark_blockquotes_and_links(library: Library, tmp_path: Path) -> None:
    item = items(library)[2]
    library.add_note(item, "ruiping", comment="第一段\n第二段", tags=["人才"])
    library.add_note(item, "quote", "# 不是标题 [1] **粗体** <script>x</script>")
    [path] = export_notes(library, tmp_path / "out").written
    text = path.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(text[text.index("\n---", 4) + 4 :])
    kinds = [t.type for t in tokens if t.nesting == 1]
    assert kinds.count("blockquote_open") == 2
    assert "heading_open" in kinds  # the article title, and only it
    assert sum(1 for t in tokens if t.type == "heading_open") == 1
    inline = [t for t in tokens if t.type == "inline"]
    quote_text = [t.content for t in inline]
    assert any("# 不是标题 [1]" in MarkdownIt("commonmark").renderInline(c) for c in quote_text)
    assert "<script>" not in MarkdownIt("commonmark").render(text)
    links = [c.attrs["href"] for t in inline for c in (t.children or []) if c.type == "link_open"]
    assert links == ["https://www.infoq.cn/article/4o7kckogofxh1lcm6eir"] * 2
    paragraphs = [t.content for t in inline]
    assert (
        "第一段" in paragraphs and "第二段" in paragraphs
    )  # one paragraph per line, no hard wraps
    assert max(len(line) for line in text.splitlines()) > 40  # Chinese is not wrapped at 80 columns
    assert "#人才" in text and front(path)["tags"] == ["人才"]
    assert front(path)["people"] == ["周国睿"] and "快手" in front(path)["orgs"]


def test_user_text_survives_reexports_renames_and_note_changes(
    library: Library, tmp_path: Path
) -> None:
    out = tmp_path / "vault"
    first, second = items(library)[:2]
    note = library.add_note(first, "ruiping", comment="初稿")
    [path] = export_notes(library, out).written
    mine_below = "\n我自己的想法: 值得写一篇长文。\n"
    mine_above = "我加在上面的一行\n"
    text = path.read_text(encoding="utf-8")
    head_end = text.index(BEGIN)
    path.write_text(text[:head_end] + mine_above + text[head_end:] + mine_below, encoding="utf-8")
    renamed = out / "MiniMax 笔记.md"
    path.rename(renamed)
    library.update_note(note.id, comment="二稿")
    library.add_note(second, "ruiping")
    report = export_notes(library, out)
    assert report.updated == [renamed] and len(report.written) == 1
    assert sorted(p.name for p in out.glob("*.md")) == sorted(
        [renamed.name, report.written[0].name]
    )
    text = renamed.read_text(encoding="utf-8")
    assert "二稿" in text and "初稿" not in text
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert mine_below.strip() in text and mine_above.strip() in text
    again = export_notes(library, out)
    # in the order of the export: the newest article first (then the higher id)
    newest_first = sorted(
        [(first, renamed), (second, report.written[0])],
        key=lambda pair: (library.article(pair[0]).published, pair[0]),
        reverse=True,
    )
    assert again.unchanged == [path for _, path in newest_first]
    assert renamed.read_text(encoding="utf-8") == text
    # deleting a note removes it from the next export; the user's text stays
    library.delete_note(note.id)
    gone = export_notes(library, out)
    assert gone.emptied == [renamed]
    text = renamed.read_text(encoding="utf-8")
    assert "大力出奇迹" not in text and mine_below.strip() in text
    # a file with nothing of the user's goes away with its last note
    other = report.written[0]
    library.delete_note(library.notes()[0].id)
    export_notes(library, out)
    assert not other.exists()


def test_single_file_since_and_tag(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = items(library)[:2]
    library.add_note(a, "ruiping", tags=["效率"])
    library.add_note(b, "ruiping", tags=["开源"])
    single = tmp_path / "all.md"
    db = str(library.path)
    result = run_cli(capsys, "notes", "export", "--single", str(single), "--db", db)
    assert result.code == 0 and "1 written" in result.out
    text = single.read_text(encoding="utf-8")
    assert text.count("## ") == 2 and "大力出奇迹" in text and "扎克伯格" in text
    tagged = run_cli(
        capsys, "notes", "export", str(tmp_path / "tagged"), "--tag", "开源", "--db", db
    )
    assert tagged.code == 0
    [only] = (tmp_path / "tagged").glob("*.md")
    assert "补天" in only.name
    future = run_cli(
        capsys, "notes", "export", str(tmp_path / "none"), "--since", "2999-01-01", "--db", db
    )
    assert future.code == 0 and "0 written" in future.out
    bad = run_cli(capsys, "notes", "export", "--since", "someday", "--db", db)
    assert bad.code == 2 and len(bad.err_lines) == 1
