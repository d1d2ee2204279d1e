"""`neican feeds …`, `neican refresh` and `neican config` as a user runs them (127.0.0.1 only)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import run_cli
from pytest_httpserver import HTTPServer
from test_feeds_store import ITEMS, rss

from store.paths import bundled_seeds

Cap = pytest.CaptureFixture[str]


def serve(httpserver: HTTPServer, data: bytes | None = None) -> str:
    feed = data or rss(ITEMS)
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    return httpserver.url_for("/feed")


def test_feeds_add_list_and_refresh(httpserver: HTTPServer, capsys: Cap) -> None:
    url = serve(httpserver)
    added = run_cli(capsys, "feeds", "add", url, "--name", "测试", "--folder", "媒体")
    assert added.code == 0, added.err
    assert "测试" in added.out and "2 new articles" in added.out
    listed = run_cli(capsys, "feeds", "list", "--json")
    [feed] = json.loads(listed.out)
    assert {k: feed[k] for k in ("name", "url", "folder", "kind", "articles", "unread")} == {
        "name": "测试",
        "url": url,
        "folder": "媒体",
        "kind": "rss",
        "articles": 2,
        "unread": 2,
    }
    assert set(feed) >= {"id", "last_fetched", "status", "last_error", "full_text"}
    refreshed = run_cli(capsys, "refresh", "--json")
    assert refreshed.code == 0
    report = json.loads(refreshed.out)
    assert report["new"] == 0 and report["errors"] == 0
    assert report["feeds"][0]["status"] in ("new", "not-modified")
    assert set(report["feeds"][0]) == {"id", "name", "status", "new", "updated", "error"}


def test_refresh_reports_a_failing_feed_and_exits_0_when_another_answered(
    httpserver: HTTPServer, capsys: Cap
) -> None:
    url = serve(httpserver)
    httpserver.expect_request("/bad").respond_with_data("no", status=500)
    run_cli(capsys, "feeds", "add", url)
    run_cli(capsys, "feeds", "add", httpserver.url_for("/bad"), "--no-fetch", "--name", "坏")
    result = run_cli(capsys, "refresh")
    assert result.code == 0
    assert "坏: error: HTTP 500" in result.out
    alone = run_cli(capsys, "refresh", "坏")
    assert alone.code == 1  # nothing answered


def test_starter_list_subscribes_19_feeds_without_fetching(capsys: Cap) -> None:
    # NEVER without --no-fetch here: the starter feeds are real internet URLs.
    result = run_cli(capsys, "feeds", "import", "--starter", "--no-fetch")
    assert result.code == 0, result.err
    assert "subscribed to 19 feeds" in result.out
    feeds = json.loads(run_cli(capsys, "feeds", "list", "--json").out)
    assert len(feeds) == 19
    assert {f["folder"] for f in feeds} == {"中文媒体", "实验室与公司", "论文与社区"}
    assert all(f["last_fetched"] is None for f in feeds)
    again = run_cli(capsys, "feeds", "import", "--starter", "--no-fetch")
    assert "subscribed to 0 feeds (19 skipped)" in again.out


def test_opml_export_and_import_through_the_cli(tmp_path: Path, capsys: Cap) -> None:
    run_cli(capsys, "feeds", "import", "--starter", "--no-fetch")
    opml = tmp_path / "subs.opml"
    assert run_cli(capsys, "feeds", "export", str(opml)).code == 0
    other = tmp_path / "other.db"
    result = run_cli(capsys, "feeds", "import", str(opml), "--no-fetch", "--db", str(other))
    assert "subscribed to 19 feeds" in result.out
    mine = json.loads(run_cli(capsys, "feeds", "list", "--json").out)
    theirs = json.loads(run_cli(capsys, "feeds", "list", "--json", "--db", str(other)).out)
    assert [(f["name"], f["url"], f["folder"]) for f in mine] == [
        (f["name"], f["url"], f["folder"]) for f in theirs
    ]


def test_a_folder_feed_brings_a_digest_dropped_into_it(tmp_path: Path, capsys: Cap) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    added = run_cli(capsys, "feeds", "add", str(inbox), "--name", "收件箱")
    assert added.code == 0 and "0 new articles" in added.out
    shutil.copy(bundled_seeds()[0], inbox / "today.txt")
    result = run_cli(capsys, "refresh", "--json")
    [outcome] = json.loads(result.out)["feeds"]
    assert outcome["status"] == "new" and outcome["new"] > 0
    [feed] = json.loads(run_cli(capsys, "feeds", "list", "--json").out)
    assert (feed["kind"], feed["articles"]) == ("folder", outcome["new"])
    assert json.loads(run_cli(capsys, "refresh", "--json").out)["new"] == 0


def test_remove_and_rename(httpserver: HTTPServer, capsys: Cap) -> None:
    run_cli(capsys, "feeds", "add", serve(httpserver), "--name", "甲")
    assert run_cli(capsys, "feeds", "rename", "甲", "乙").code == 0
    removed = run_cli(capsys, "feeds", "remove", "乙")
    assert removed.code == 0 and "2 articles removed" in removed.out
    missing = run_cli(capsys, "feeds", "remove", "乙")
    assert missing.code == 1 and len(missing.err_lines) == 1


def test_feeds_move_applies_a_301(httpserver: HTTPServer, capsys: Cap) -> None:
    new = serve(httpserver)
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": new})
    run_cli(capsys, "feeds", "add", httpserver.url_for("/old"), "--no-fetch", "--name", "源")
    run_cli(capsys, "refresh")
    listed = run_cli(capsys, "feeds", "list")
    assert "[moved]" in listed.out and "neican feeds move" in listed.out
    assert run_cli(capsys, "feeds", "move", "源").code == 0
    [feed] = json.loads(run_cli(capsys, "feeds", "list", "--json").out)
    assert (feed["url"], feed["status"]) == (new, "ok")


def test_rsshub_needs_a_setting(httpserver: HTTPServer, capsys: Cap) -> None:
    result = run_cli(capsys, "feeds", "add", "rsshub:/36kr/newsflashes")
    assert result.code == 1 and len(result.err_lines) == 1
    assert "neican config set rsshub URL" in result.err
    bad = run_cli(capsys, "config", "set", "rsshub", "not a url")
    assert bad.code == 1 and len(bad.err_lines) == 1
    instance = httpserver.url_for("/")
    assert run_cli(capsys, "config", "set", "rsshub", instance).code == 0
    assert run_cli(capsys, "config", "get", "rsshub").out.strip() == instance
    assert instance in run_cli(capsys, "config", "list").out
    httpserver.expect_request("/36kr/newsflashes").respond_with_data(
        rss(ITEMS, "36氪快讯"), content_type="application/rss+xml"
    )
    added = run_cli(capsys, "feeds", "add", "rsshub:/36kr/newsflashes")
    assert added.code == 0 and "36氪快讯" in added.out


def test_show_entities_and_notes_export_on_a_feed_article(
    httpserver: HTTPServer, tmp_path: Path, capsys: Cap
) -> None:
    run_cli(capsys, "feeds", "add", serve(httpserver), "--name", "源")
    hits = json.loads(run_cli(capsys, "search", "智谱", "--json").out)["hits"]
    article_id = hits[0]["id"]
    shown = run_cli(capsys, "show", str(article_id))
    assert "智谱发布新一代大模型" in shown.out and "http://127.0.0.1/post/a1" in shown.out
    entities = run_cli(capsys, "entities", "--type", "org", "--json")
    assert any(e["name"] == "智谱" for e in json.loads(entities.out))
    run_cli(capsys, "notes", "add", str(article_id), "--quote", "智谱今天发布了新一代推理模型")
    out = tmp_path / "notes"
    assert run_cli(capsys, "notes", "export", str(out)).code == 0
    [note] = list(out.glob("*.md"))
    assert "(<http://127.0.0.1/post/a1>)" in note.read_text(encoding="utf-8")


def test_importing_a_feed_file_says_to_subscribe(tmp_path: Path, capsys: Cap) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(rss(ITEMS))
    result = run_cli(capsys, "parse", str(path))
    assert result.code == 1 and "subscribe to it with `neican feeds add`" in result.err


def test_a_hostile_feed_title_is_shown_as_text(httpserver: HTTPServer, capsys: Cap) -> None:
    feed = rss(ITEMS, "坏\x1b[31m标题\u202e\n第二行<b>x</b>")
    run_cli(capsys, "feeds", "add", serve(httpserver, feed))
    listed = run_cli(capsys, "feeds", "list").out
    assert "\x1b" not in listed and "\u202e" not in listed
    assert len([line for line in listed.splitlines() if "坏" in line]) == 1
