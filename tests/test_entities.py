"""Entities: extraction quality on fresh articles, the seeds, money, the user's gazetteer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import DATA, DIGEST_SEED, SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from store.entities import Extractor, Gazetteer, bundled_gazetteer, find_money
from store.library import Library
from store.parsing import parse_file
from store.searchable import searchable_lines

FRESH = DATA / "fresh"
TYPES = ("org", "person", "product", "money")


def evaluate(folder: Path) -> dict[str, tuple[float, float, int]]:
    """Per type: precision, recall and the number of labelled entities.

    An extracted entity is right if its name, an alias or the text it was found as
    equals one of the names a labeller wrote for an entity of the same type.
    """
    extractor = Extractor(Gazetteer.load(bundled_gazetteer()))
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    articles = {
        (path.name, a.title): a for path in folder.glob("*.txt") for a in parse_file(path).articles
    }
    tp, fp, fn, gold_total = Counter(), Counter(), Counter(), Counter()
    for labelled in labels["articles"]:
        article = articles[(labelled["file"], labelled["title"])]
        lines = searchable_lines(article.ruiping, article.sections)
        found = extractor.extract(article.title, lines, article.outlets)
        for kind in TYPES:
            gold = [
                {n.lower() for n in e["names"]} for e in labelled["entities"] if e["type"] == kind
            ]
            hit: set[int] = set()
            for item in (f for f in found if f.type == kind):
                keys = {
                    item.name.lower(),
                    *(a.lower() for a in item.aliases),
                    *(s.lower() for s in item.surfaces),
                }
                matches = [i for i, names in enumerate(gold) if keys & names]
                tp[kind] += bool(matches)
                fp[kind] += not matches
                hit.update(matches)
            fn[kind] += len(gold) - len(hit)
            gold_total[kind] += len(gold)
    return {
        kind: (
            tp[kind] / max(1, tp[kind] + fp[kind]),
            1 - fn[kind] / max(1, gold_total[kind]),
            gold_total[kind],
        )
        for kind in TYPES
    }


@pytest.mark.parametrize("kind", TYPES)
def test_extraction_quality_on_fresh_articles(kind: str) -> None:
    precision, recall, labelled = evaluate(FRESH)[kind]
    assert labelled >= 70
    assert precision >= 0.9, f"{kind}: precision {precision:.2f}"
    assert recall >= 0.85, f"{kind}: recall {recall:.2f}"


@pytest.fixture(scope="module")
def seed_library(tmp_path_factory: pytest.TempPathFactory):
    with Library(tmp_path_factory.mktemp("entities") / "lib.db") as lib:
        lib.import_paths([SEEDS])
        yield lib


# Every company, person and product of the seeds, written out by reading them.
SEED_ENTITIES = {
    "org": {
        "Meta",
        "OpenAI",
        "Manus",
        "谷歌",
        "Scale AI",
        "英伟达",
        "苹果",
        "微软",
        "MiniMax",
        "亚马逊",
        "阿里巴巴",
        "Meta超级智能实验室",
        "FAIR",
        "Anthropic",
        "阿里云",
        "Reality Labs",
        "快手",
        "SpaceX",
        "TBD实验室",
        "蝴蝶效应",
        "AWS",
        "DeepSeek",
        "xAI",
        "智谱",
        "特斯拉",
        "Groq",
        "Alphabet",
        "国泰海通",
        "Airbnb",
        "Google DeepMind",
        "Intersect Power",
        "Limitless",
        "PlayAI",
        "Rivos",
        "Salesforce",
        "ServiceNow",
        "Windsurf",
        "字节跳动",
        "斯坦福大学",
        "月之暗面",
        "甲骨文",
        "百度",
        "高通",
        "产品与应用研究部",
        "万得",
        "阿波罗全球管理",
    },
    "person": {
        "杨立昆",
        "汪韬",
        "扎克伯格",
        "吴恩达",
        "赵晟佳",
        "肖弘",
        "庞若鸣",
        "周国睿",
        "李飞飞",
        "黄仁勋",
    },
    "product": {
        "Llama",
        "Llama 4",
        "Llama 3",
        "Avocado",
        "通义千问",
        "Qwen3",
        "Meta AI",
        "TikTok",
        "WhatsApp",
        "Instagram",
        "Apple Intelligence",
        "GPT-4",
        "Kimi",
        "可灵",
        "ChatGPT",
        "Claude",
        "DeepSeek-V3",
        "Gemini Nano",
        "Azure",
        "Bedrock",
        "o1",
        "TPU",
        "Dojo",
        "FSD",
        "Optimus",
        "OneRec",
        "Monica",
        "豆包手机助手",
        "骁龙",
        "含光800",
        "壹伴",
        "微伴",
        "企业微信",
        "微信公众平台",
        "Phoenix",
        "Microsoft Office",
    },
}


@pytest.mark.parametrize("kind", SEED_ENTITIES)
def test_every_seed_entity_is_found(seed_library: Library, kind: str) -> None:
    found = {e.name for e in seed_library.entities(kind)}
    assert SEED_ENTITIES[kind] <= found, SEED_ENTITIES[kind] - found


def test_seed_entities_hold_no_noise(seed_library: Library) -> None:
    """A list a person would trust: nothing but the names above, outlets and amounts."""
    for kind in ("org", "person", "product"):
        extra = {e.name for e in seed_library.entities(kind)} - SEED_ENTITIES[kind]
        assert extra == set(), extra


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("杨立坤", "杨立昆"),
        ("Yann LeCun", "杨立昆"),
        ("Facebook", "Meta"),
        ("NVIDIA", "英伟达"),
        ("Qwen", "通义千问"),
        ("千问", "通义千问"),
    ],
)
def test_aliases_are_one_entity(seed_library: Library, alias: str, canonical: str) -> None:
    matched, rows = seed_library.entity_articles(alias)
    assert matched[0][1] == canonical  # then, for a parent, its children (Meta: FAIR…)
    assert rows == seed_library.entity_articles(canonical)[1]


def test_misspelt_name_in_the_seed_counts_for_the_person(seed_library: Library) -> None:
    article = next(r for r in seed_library.article_rows() if r.title.startswith("打破霸主神话"))
    names = {e.name for e in seed_library.article(article.id).entities}
    assert "杨立昆" in names  # the article writes 杨立坤


def test_entity_filter_in_search_takes_any_alias(seed_library: Library) -> None:
    meta = {h.id for h in seed_library.search("entity:Meta", limit=0).hits}
    assert meta == {h.id for h in seed_library.search("entity:Facebook", limit=0).hits}
    assert meta == {r.id for r in seed_library.entity_articles("Meta")[1]}
    assert seed_library.search("entity:nobody-at-all").total == 0


def test_a_parent_brings_its_children(seed_library: Library) -> None:
    matched, rows = seed_library.entity_articles("阿里巴巴")
    assert {n for _, n, _ in matched} >= {"阿里巴巴", "阿里云", "通义千问"}
    assert len(rows) > len(seed_library.entity_articles("阿里云")[1])


@pytest.mark.parametrize(
    ("text", "name", "value", "unit"),
    [
        ("英伟达拟以200亿美元收购Groq", "200亿美元", 2e10, "USD"),
        ("年度营收突破1.25亿美元", "1.25亿美元", 1.25e8, "USD"),
        ("2024年21.95亿元研发支出", "21.95亿元", 2.195e9, "CNY"),
        ("融资3亿元人民币", "3亿元", 3e8, "CNY"),
        ("拟以4亿港元收购", "4亿港元", 4e8, "HKD"),
        ("估值达$20 billion", "200亿美元", 2e10, "USD"),
        ("单价5000万元", "5000万元", 5e7, "CNY"),
        ("1.4万亿美元的基建", "1.4万亿美元", 1.4e12, "USD"),
    ],
)
def test_money_is_normalised(text: str, name: str, value: float, unit: str) -> None:
    [money] = find_money(text)
    assert (money.name, money.value, money.unit) == (name, value, unit)


def test_money_ranges_and_vague_amounts() -> None:
    [span] = find_money("资本支出在1000亿至1400亿美元区间")
    assert (span.name, span.value, span.high, span.unit) == (
        "1000亿至1400亿美元",
        1e11,
        1.4e11,
        "USD",
    )
    [vague] = find_money("数十亿美元收购")
    assert (vague.name, vague.value, vague.unit) == ("数十亿美元", None, "USD")
    assert find_money("元宇宙部门亏损, 49%股份, 2350亿参数") == []


def test_latin_names_match_whole_words_only() -> None:
    extractor = Extractor(Gazetteer.load(bundled_gazetteer()))
    names = {f.name for f in extractor.extract("Intelligence与Metaverse, Meta与Intel", [])}
    assert {"Meta", "英特尔"} <= names
    assert all(f.count == 1 for f in extractor.extract("Intelligence与Metaverse, Meta与Intel", []))


def test_patterns_find_names_the_gazetteer_lacks() -> None:
    extractor = Extractor(Gazetteer([]))
    found = {
        (f.type, f.name)
        for f in extractor.extract(
            "澜舟科技发布Orbit-7B",
            ["澜舟科技创始人兼CEO钟一鸣表示,Orbit-7B与Nebula 3将于年内开源", "该公司完成5亿元融资"],
        )
    }
    assert {
        ("org", "澜舟科技"),
        ("person", "钟一鸣"),
        ("product", "Orbit-7B"),
        ("product", "Nebula 3"),
        ("money", "5亿元"),
    } <= found


def test_user_gazetteer_add_and_reindex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "lib.db")
    assert run_cli(capsys, "import", str(DIGEST_SEED), "--db", db).code == 0
    # 首席商业评论 is an outlet; make "壹伴" a company to see the change land
    result = run_cli(
        capsys,
        "entities",
        "add",
        "光锥",
        "--type",
        "org",
        "--alias",
        "欧洲核子研究中心",
        "--db",
        db,
    )
    assert result.code == 0 and "added 光锥 (org)" in result.out
    user_copy = Path(result.out.split(" in ")[1].split("\n")[0])
    assert user_copy.read_text(encoding="utf-8").startswith(
        "# neican gazetteer"
    )  # a copy, comments kept
    assert 'name = "光锥"' in user_copy.read_text(encoding="utf-8")
    assert "run `neican reindex`" in run_cli(capsys, "entities", "--db", db).err
    added = run_cli(
        capsys,
        "entities",
        "add",
        "Intersect Power",
        "--type",
        "org",
        "--alias",
        "Intersect",
        "--db",
        db,
    )
    assert "updated Intersect Power (org)" in added.out
    assert run_cli(capsys, "reindex", "--db", db).code == 0
    assert run_cli(capsys, "entities", "--db", db).err == ""
    rows = json.loads(run_cli(capsys, "entities", "--type", "org", "--json", "--db", db).out)
    intersect = next(r for r in rows if r["name"] == "Intersect Power")
    assert "Intersect" in intersect["aliases"]
    assert set(intersect) == {"name", "type", "aliases", "articles", "mentions"}


def test_entities_cli(seed_library: Library, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(seed_library.path)
    listing = run_cli(capsys, "entities", "--type", "person", "--db", db).out.splitlines()
    assert listing[0].split()[:5] == ["person", "杨立昆", "6", "articles", "6"]
    shown = run_cli(capsys, "entities", "show", "杨立坤", "--db", db)
    assert (
        shown.out.splitlines()[0] == "杨立昆 (person)"
        and shown.out.splitlines()[-1] == "6 articles"
    )
    missing = run_cli(capsys, "entities", "show", "某某某", "--db", db)
    assert missing.code == 1 and "no entity named '某某某'" in missing.err
    money = json.loads(run_cli(capsys, "entities", "--type", "money", "--json", "--db", db).out)
    assert {
        "name": "200亿美元",
        "type": "money",
        "aliases": ["20000000000 USD"],
        "articles": 1,
        "mentions": 1,
        "value": 2e10,
        "unit": "USD",
    } in money


def test_show_json_lists_the_articles_entities(
    seed_library: Library, capsys: pytest.CaptureFixture[str]
) -> None:
    article = next(r for r in seed_library.article_rows() if r.title.startswith("AI小登"))
    data = json.loads(
        run_cli(capsys, "show", str(article.id), "--json", "--db", str(seed_library.path)).out
    )
    by_name = {e["name"]: e for e in data["entities"]}
    assert by_name["英伟达"] == {
        "name": "英伟达",
        "type": "org",
        "count": 4,
        "aliases": ["NVIDIA", "辉达", "英伟达公司"],
    }
    assert by_name["200亿美元"]["value"] == 2e10


@pytest.mark.parametrize(
    ("text", "name", "count"),
    [
        ("Intel发布新品，Intelligence不是Intel", "Intel", 2),
        ("GPT-5和GPT-5.1、GPT-5-mini，xGPT-5", "GPT-5", 1),
        ("Kimi K2发布；Kimi K2.5不是K2", "Kimi K2", 1),
        (".Meta Meta. Meta", "Meta", 2),
        ("百度集团与百度", "百度", 2),
        ("AIAI AI", "AI", 1),
    ],
)
def test_mentions_of_latin_names_stop_at_latin(text: str, name: str, count: int) -> None:
    from store.entities.names import count_in as _count

    assert _count(text, name) == count


def test_a_name_in_more_articles_than_sqlite_allows_variables(tmp_path: Path) -> None:
    import sqlite3

    from conftest import big_digest

    big_digest(tmp_path / "big.txt", 700, "大文件")
    with Library(tmp_path / "lib.db") as lib:
        lib.import_paths([tmp_path / "big.txt"])
        lib.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 600)
        matched, rows = lib.entity_articles("Meta")
        assert matched and len(rows) > 600


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="安德鲁费尔德曼王李·• a的\n1", max_size=40))
def test_dotted_names_are_found_from_the_dots_as_the_pattern_finds_them(text: str) -> None:
    # Transliterated names (`安德鲁·费尔德曼`) are looked for around each dot only;
    # the matches must be the pattern's own, overlaps and runs of dots included.
    from store.entities.names import _DOTTED_PERSON
    from store.entities.names import dotted_names as _dotted_names

    expected = [(m.start(), m.end()) for m in _DOTTED_PERSON.finditer(text)]
    assert [(m.start(), m.end()) for m in _dotted_names(text)] == expected
