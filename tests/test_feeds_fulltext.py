"""Full text: a linked page's main text, decoded right, as sections; or a one-line reason."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import SHARED, needs_shared

from store.errors import ParseError
from store.feeds.fulltext import extract
from store.sanitize import clean_text

PAGES = SHARED / "fixtures" / "web" / "pages"
URL = "https://news.example.com/2025/01/06/a.html"


def _norm(text: str) -> str:
    """The fixtures' match rule (unescape, no whitespace) after neican's own cleaning
    (NFKC: "，" reads ",", as in every digest)."""
    return re.sub(r"\s+", "", clean_text(html.unescape(text)))


def _pages() -> list[Path]:
    return sorted(p for p in PAGES.iterdir() if p.is_dir()) if PAGES.is_dir() else []


@needs_shared
@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_real_chinese_pages_give_their_article(page: Path) -> None:
    expected = json.loads((page / "expected.json").read_text(encoding="utf-8"))
    full = extract((page / "source.html").read_bytes(), {}, expected.get("url") or URL)
    body = _norm(full.text)
    missing = [s for s in expected["must_include"] if _norm(s) not in body]
    leaked = [s for s in expected["must_exclude"] if _norm(s) in body]
    assert (missing, leaked) == ([], [])
    title, wanted = _norm(full.title or ""), _norm(expected["title"])
    # the fixtures' lenient rule: the title, or the title and a site-name suffix
    assert title == wanted or re.fullmatch(re.escape(wanted) + r"[_\-|—–].{1,12}", title)
    for bad in expected.get("title_must_not_contain", []):
        assert _norm(bad) not in title


PARAGRAPHS = [
    "人工智能公司今天发布了新一代大模型，在推理、编程和多语言理解方面都有明显提升，业内人士认为这将改变行业格局。",
    "据介绍，新模型的训练使用了超过十万张加速卡，训练数据涵盖网页、书籍、代码和科学论文，总量达到数十万亿个词元。",
    "公司首席执行官在发布会上表示，开源社区对模型的改进速度超出预期，未来将继续开放更多的权重和技术报告供研究者使用。",
    "分析师指出，算力成本的下降和推理效率的提高，使得大模型在企业中的部署门槛明显降低，中小企业也开始尝试使用。",
]


def page(charset_meta: str | None = None, extra: str = "", title: str = "新一代大模型发布") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}_示例新闻网</title></head><body>"
        "<nav><a href='/'>首页</a> <a href='/tech'>科技</a></nav>"
        f"<article><h1>{title}</h1>{extra}{body}</article>"
        "<footer>版权所有 示例新闻网</footer></body></html>"
    )


def test_a_page_becomes_sections_with_its_title() -> None:
    full = extract(page("utf-8").encode(), {"Content-Type": "text/html; charset=utf-8"}, URL)
    assert full.title == "新一代大模型发布"
    assert full.encoding == "utf-8"
    text = full.text
    for paragraph in PARAGRAPHS:
        assert clean_text(paragraph) in text
    assert "版权所有" not in text and "首页" not in text
    assert all(b.text for s in full.sections for b in s.bullets)


def test_gb2312_pages_decode_by_header_then_meta_then_content() -> None:
    gb = page("gb2312").encode("gb18030")
    expected = clean_text(PARAGRAPHS[0])
    for headers in (
        {},  # the <meta charset>
        {"Content-Type": "text/html; charset=GB2312"},
        {"Content-Type": "text/html"},
        {"Content-Type": "text/html; charset=iso-8859-1"},  # a server default that lies
    ):
        full = extract(gb, headers, URL)
        assert expected in full.text, headers
        assert full.encoding == "gb18030"
    # no label at all: guessed, not read as Latin-1
    unlabelled = page().encode("gb18030")
    assert expected in extract(unlabelled, {}, URL).text


def test_gbk_only_characters_under_a_gb2312_label() -> None:
    data = page(
        "gb2312",
        extra="<p>航新科技、昇兴股份、福鞍股份今天复牌，三家公司都表示经营正常，股价波动属于市场行为。</p>",
    ).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert "昇兴股份" in extract(data, {"Content-Type": "text/html; charset=gb2312"}, URL).text


def test_utf8_bytes_labelled_gb2312_read_as_utf8() -> None:
    data = page("gb2312").encode("utf-8")
    full = extract(data, {"Content-Type": "text/html; charset=gb2312"}, URL)
    assert full.encoding == "utf-8" and clean_text(PARAGRAPHS[1]) in full.text


def test_hostile_page_text_is_inert() -> None:
    extra = (
        "<script>alert('x')</script><style>.a{color:red}</style>"
        "<p>\x1b[31m红色\x1b[0m文字 \u202e反转 [bold red]标记[/] 出现在一段足够长的正文里，"
        "用来确认转义序列和方向控制符都被去掉。</p>"
    )
    full = extract(page("utf-8", extra=extra).encode(), {}, URL)
    text = full.text
    assert "alert" not in text and "color:red" not in text
    assert "\x1b" not in text and "[31m" not in text and "\u202e" not in text
    assert "红色文字 反转 [bold red]标记[/]" in text


def test_what_cannot_be_extracted_is_a_one_line_reason() -> None:
    nav_only = b"<html><body><nav><a href='/'>home</a></nav><p>Hi.</p></body></html>"
    for data, reason in [
        (b"", "empty document"),
        (b"   ", "empty document"),
        (nav_only, "no article text found on the page"),
        (bytes(range(256)) * 40, "binary data, not a web page"),
    ]:
        with pytest.raises(ParseError) as refused:
            extract(data, {}, URL)
        assert str(refused.value).startswith(f"{URL}: {reason}"), str(refused.value)
        assert "\n" not in str(refused.value)


def test_a_trailing_related_links_block_is_cut() -> None:
    related = (
        "<p>推荐阅读：另一篇完全无关的文章标题</p><p>扫一扫，关注我们的公众号</p>"
        "<p>热门</p><p>证券要闻</p>"
    )
    text = extract(
        page("utf-8", extra="").replace("</article>", related + "</article>").encode(), {}, URL
    ).text
    assert clean_text(PARAGRAPHS[-1]) in text
    assert "推荐阅读" not in text and "公众号" not in text and "证券要闻" not in text
