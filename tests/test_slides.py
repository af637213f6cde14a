"""The slide view: reveal.js decks cut from the lecture pages (coursesite/slides/cut.py, coursesite/slides/decks.py).

Three layers:

- unit tests of the pure cutting code (no build): H2 → slide, page-only, notes, break markers,
  bibliography, link rewriting, the index's time plan, and the hook's build warnings;
- checks of the built site's files: every lecture page has a deck and a "幻灯片" button, every link
  and image in a deck resolves, each slide links back to its page section;
- Chromium (one browser page per deck, heights measured in-page): no console error, no request to
  another host, arrow keys reach every slide, slide count = H2s + title, notes on every content slide,
  no slide taller or wider than 1280×720, mermaid and math rendered, deep links; and the PDF export
  (one page per slide, Chinese titles in the text layer, handouts).
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, Comment, Tag

from coursesite.slides import cut as S

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
W, H = S.SLIDE_WIDTH, S.SLIDE_HEIGHT

NOTES = '<details class="notes"><summary>讲者备注</summary><p>{}</p></details>'


def page_html(*sections: str, intro: str = "<p>导语</p>") -> str:
    """A rendered page: H1, intro, then one H2 per title, each with a paragraph and notes."""
    out = f'<h1 id="t">标题<a class="headerlink" href="#t">¶</a></h1>{intro}'
    for i, title in enumerate(sections):
        out += f'<h2 id="s{i}">{title}</h2><p>要点 {i}</p>' + NOTES.format(f"讲 {i}")
    return out


# ------------------------------------------------------------------------------------------------
# Unit tests: the cutting function


def test_each_h2_is_one_slide_after_the_title_slide():
    result = S.cut_slides(page_html("甲", "乙"))
    assert [(s.kind, s.title) for s in result.slides] == [("title", "标题"), ("content", "甲"), ("content", "乙")]
    assert result.problems == []
    assert "headerlink" not in result.slides[0].title_html
    assert result.slides[1].notes_html == "<p>讲 0</p>"
    assert "讲者备注" not in result.slides[1].notes_html and "details" not in result.slides[1].body_html


def test_adding_an_h2_to_a_real_page_adds_a_slide():
    """Page and deck cannot drift: the deck is cut from the page, one slide per H2 (or H3 topic)."""
    import markdown

    src = (DOCS / "02-codebert.md").read_text(encoding="utf-8")
    src = re.sub(r"^---\n.*?\n---\n", "", src, flags=re.S)
    exts = ["attr_list", "md_in_html", "admonition", "tables", "pymdownx.details", "pymdownx.superfences",
            "pymdownx.blocks.caption", "toc"]

    def slides(text):
        return S.cut_slides(markdown.markdown(text, extensions=exts)).slides

    before = slides(src)
    after = slides(src + '\n\n## 新加的一节\n\n- 新要点\n\n??? notes "讲者备注"\n    新备注\n')
    assert len(after) == len(before) + 1
    assert after[-1].title == "新加的一节" and "新备注" in after[-1].notes_html
    topic = '\n\n### 新加的话题\n\n- 话题要点\n\n??? notes "讲者备注"\n    话题备注\n'
    with_topic = slides(src + '\n\n## 新加的一节\n\n- 新要点\n\n??? notes "讲者备注"\n    新备注\n' + topic)
    assert len(with_topic) == len(after) + 1 and with_topic[-1].kicker_html == "新加的一节"


def topic_page(*topics: str, intro: str = "") -> str:
    """A rendered page with one H2 whose topics (H3) each have a paragraph and notes."""
    out = '<h1 id="t">标题</h1><p>导语</p><h2 id="sec">小节<a class="headerlink" href="#sec">¶</a></h2>' + intro
    for i, title in enumerate(topics):
        out += f'<h3 id="k{i}">{title}</h3><p>要点 {i}</p>' + NOTES.format(f"本页约 2 分钟。讲 {i}")
    return out


def test_each_h3_is_a_slide_with_its_section_as_kicker():
    result = S.cut_slides(topic_page("甲", "乙"))
    assert [(s.kind, s.title, s.kicker_html, s.slide_id) for s in result.slides] == [
        ("title", "标题", "", "t"), ("content", "甲", "小节", "k0"), ("content", "乙", "小节", "k1")]
    assert "要点 1" in result.slides[2].body_html and "要点 1" not in result.slides[1].body_html
    assert "讲 1" in result.slides[2].notes_html and "讲 1" not in result.slides[1].notes_html
    assert result.problems == []


def test_section_intro_is_a_slide_only_with_content():
    with_intro = S.cut_slides(topic_page("甲", intro="<p>本节导语</p>" + NOTES.format("导语备注")))
    assert [s.title for s in with_intro.slides] == ["标题", "小节", "甲"]
    assert with_intro.slides[1].kicker_html == "" and "本节导语" in with_intro.slides[1].body_html
    only_notes = S.cut_slides(topic_page("甲", intro=NOTES.format("无处可放")))
    assert [s.title for s in only_notes.slides] == ["标题", "甲"]
    assert any("belong to no slide" in p.message and p.slide == "小节" for p in only_notes.problems)
    page_only_intro = S.cut_slides(topic_page("甲", intro='<div class="page-only"><p>长</p></div>'))
    assert [s.title for s in page_only_intro.slides] == ["标题", "甲"] and page_only_intro.problems == []


def test_page_only_topic_and_break_under_a_topic():
    html = topic_page("甲", "乙", "丙").replace('<h3 id="k1">', '<h3 class="page-only" id="k1">').replace(
        "<p>要点 2</p>", "<p>要点 2</p>" + NOTES.format("上半") + "<!-- slide --><p>下半</p>")
    result = S.cut_slides(html)
    assert [(s.title, s.slide_id) for s in result.slides] == [("标题", "t"), ("甲", "k0"), ("丙", "k2"), ("丙", "k2-2")]
    assert all("要点 1" not in s.body_html for s in result.slides)
    assert result.slides[3].kicker_html == "小节" and "下半" in result.slides[3].body_html
    deck = S.assemble_deck([S.DeckPage(url="a/", slides=result.slides, minutes=4)], "a/slides/")
    assert [d.seconds for d in deck[1:]] == [120, 60, 60] and deck[3].continued
    each_own = html.replace("<p>上半</p>", "<p>本页约 1.5 分钟</p>").replace(
        "<p>下半</p>", "<p>下半</p>" + NOTES.format("本页约 0.5 分钟"))
    deck = S.assemble_deck([S.DeckPage(url="a/", slides=S.cut_slides(each_own).slides, minutes=4)], "a/slides/")
    assert [d.seconds for d in deck[1:]] == [120, 90, 30], "every part states its minutes: each keeps its own"


def test_reveal_steps_become_fragments_and_the_page_markup_is_harmless():
    import markdown

    src = ('# T\n\n## 小节\n\n### 甲\n\n<div class="steps" markdown>\n\n- 一\n- 二\n\n另一段\n\n</div>\n\n'
           '单独一步\n{: .step }\n\n- 不动\n\n??? notes "讲者备注"\n    本页约 1 分钟。\n')
    html = markdown.markdown(src, extensions=["attr_list", "md_in_html", "pymdownx.details", "toc"])
    assert "fragment" not in html  # the page: only the harmless classes
    body = BeautifulSoup(S.cut_slides(html).slides[1].body_html, "html.parser")
    frags = [t.get_text(strip=True) for t in body.select(".fragment")]
    assert frags == ["一", "二", "另一段", "单独一步"], frags


def test_notes_keep_their_lines_and_bold_labels():
    html = page_html("甲").replace(NOTES.format("讲 0"), '<details class="notes"><summary>讲者备注</summary>'
                                    '<p>本页约 3 分钟。\n重点：MLM 与 RTD 的区别。\n提问：RTD 的负例从哪来？</p>'
                                    '<ul><li>常见混淆：判别器不是 GAN。</li></ul></details>')
    notes = BeautifulSoup(S.cut_slides(html).slides[1].notes_html, "html.parser")
    assert len(notes.p.find_all("br")) == 2
    assert [b.get_text() for b in notes.select("strong.note-label")] == ["重点：", "提问：", "常见混淆："]
    assert S.notes_minutes(str(notes)) == 3


def test_page_only_content_is_left_out_of_the_slide():
    html = page_html("甲").replace(
        "<p>要点 0</p>", '<p>要点 0</p><div class="page-only"><p>长解释</p></div><p class="page-only">也不上</p>')
    slide = S.cut_slides(html).slides[1]
    assert "要点 0" in slide.body_html and "长解释" not in slide.body_html and "也不上" not in slide.body_html


def test_page_only_h2_leaves_its_section_out():
    html = page_html("甲", "乙").replace('<h2 id="s1">', '<h2 class="page-only" id="s1">')
    assert [s.title for s in S.cut_slides(html).slides] == ["标题", "甲"]


def test_title_page_block_is_the_title_slide_content():
    html = page_html("甲", intro='<div class="title-page"><p>副标题</p></div><p>很长的导语</p>')
    title = S.cut_slides(html).slides[0]
    assert "副标题" in title.body_html and "很长的导语" not in title.body_html


def test_break_marker_starts_a_continuation_slide():
    html = page_html("甲").replace("<p>要点 0</p>", "<p>要点 0</p>" + NOTES.format("上半") + "<!-- slide --><p>下半</p>")
    result = S.cut_slides(html)
    assert [(s.title, s.part, s.slide_id) for s in result.slides[1:]] == [("甲", 1, "s0"), ("甲", 2, "s0-2")]
    assert "下半" in result.slides[2].body_html and "下半" not in result.slides[1].body_html
    assert result.problems == []


@pytest.mark.parametrize("marker", ["<!-- slide: 二 -->", "<!-- new-slide -->", "<!-- pagebreak -->", "<!-- slides -->"])
def test_unknown_break_marker_is_reported_with_its_slide(marker):
    html = page_html("甲").replace("<p>要点 0</p>", "<p>要点 0</p>" + marker)
    result = S.cut_slides(html)
    assert len(result.slides) == 2
    assert any("unknown break marker" in p.message and p.slide == "甲" for p in result.problems), result.problems


def test_other_comments_are_not_markers():
    html = page_html("甲").replace("<p>要点 0</p>", "<p>要点 0</p><!-- minutes:total --><!-- TODO: 图 -->")
    assert S.cut_slides(html).problems == []


def test_notes_outside_any_slide_are_reported():
    inside_page_only = page_html("甲").replace(
        "<p>要点 0</p>", '<div class="page-only"><p>x</p>' + NOTES.format("迷路的备注") + "</div>")
    problems = S.cut_slides(inside_page_only).problems
    assert any("belongs to no slide" in p.message and p.slide == "甲" for p in problems), problems
    before_h1 = NOTES.format("最前面") + page_html("甲")
    assert any("before the page's <h1>" in p.message for p in S.cut_slides(before_h1).problems)


def test_missing_notes_are_reported():
    html = page_html("甲").replace(NOTES.format("讲 0"), "")
    assert [(p.slide, "no speaker notes" in p.message) for p in S.cut_slides(html).problems] == [("甲", True)]


def test_bibliography_is_the_last_slide_and_lists_only_what_the_slides_cite():
    items = "".join(f'<li id="ref-k{i}" class="bib-entry">Author {i}. Title. 2020.</li>' for i in range(5))
    cite = '<a class="citation-link" href="#ref-k{}">k{}</a>'
    html = page_html("甲", "乙").replace("<p>要点 0</p>", f"<p>要点 0 {cite.format(0, 0)}</p>").replace(
        "<p>要点 1</p>", f'<p>要点 1 {cite.format(2, 2)}</p><div class="page-only"><p>{cite.format(4, 4)}</p></div>') + (
        '<h2 class="bibliography-heading" id="page-bibliography">本页参考文献</h2>'
        f'<ol class="bibliography">{items}</ol>')
    result = S.cut_slides(html)
    assert result.slides[-1].kind == "bibliography" and result.problems == []
    listed = [li["id"] for li in BeautifulSoup(result.slides[-1].body_html, "html.parser").select("li")]
    assert listed == ["ref-k0", "ref-k2"], "only the references cited on the slides (not in page-only text)"
    nothing_cited = S.cut_slides(page_html("甲") + '<h2 id="page-bibliography">本页参考文献</h2>'
                                 f'<ol class="bibliography">{items}</ol>')
    assert [s.kind for s in nothing_cited.slides] == ["title", "content"]


def test_long_bibliography_is_split_keeping_the_numbering():
    items = "".join(f'<li class="bib-entry">{"文献" * 300} {i}</li>' for i in range(12))
    html = page_html("甲") + f'<h2 id="page-bibliography">本页参考文献</h2><ol class="bibliography">{items}</ol>'
    bib = [s for s in S.cut_slides(html).slides if s.kind == "bibliography"]
    assert len(bib) > 1 and [s.part for s in bib] == list(range(1, len(bib) + 1))
    starts = [int(BeautifulSoup(s.body_html, "html.parser").ol.get("start", 1)) for s in bib]
    assert starts[0] == 1 and starts == sorted(starts) and len(set(starts)) == len(starts)


def test_deck_urls_and_relative_links():
    assert S.deck_url_for("02-codebert/") == "02-codebert/slides/"
    assert S.deck_url_for("") == "slides/"
    assert S.deck_url_for("02-codebert.html") == "02-codebert/slides/"
    assert S.relative_url("assets/x.svg", "02-codebert/slides/") == "../../assets/x.svg"
    assert S.relative_url("02-codebert/", "02-codebert/slides/") == "../"
    assert S.relative_url("", "slides/") == "../"


def test_assemble_rewrites_links_for_the_deck_location():
    body = ('<p><img alt="图" src="../assets/figures/a.svg"> <a href="../03-biobert/#x">B</a> '
            '<a href="#s1">乙</a> <a href="#gone">页面上才有</a> <a href="https://example.org/">外链</a> '
            '<a class="citation-link" href="#ref-k">K</a></p>')
    html = page_html("甲", "乙").replace("<p>要点 0</p>", body) + (
        '<h2 id="page-bibliography">本页参考文献</h2><ol class="bibliography"><li id="ref-k">K 2020</li></ol>')
    page = S.DeckPage(url="02-codebert/", slides=S.cut_slides(html).slides)
    deck = S.assemble_deck([page], "02-codebert/slides/")
    soup = BeautifulSoup(deck[1].body_html, "html.parser")
    assert soup.img["src"] == "../../assets/figures/a.svg"
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert hrefs == ["../../03-biobert/#x", "#/s1", "../#gone", "https://example.org/", "#/ref-k"]
    assert deck[1].source == "../#s0" and deck[0].source == "../"


def test_speaker_pacing_comes_from_the_notes_and_is_shared_by_continuations():
    html = page_html("甲", "乙").replace("讲 0", "本页约 6 分钟。先讲……").replace(
        "<p>要点 0</p>", "<p>要点 0</p><!-- slide --><p>下半</p>")
    deck = S.assemble_deck([S.DeckPage(url="a/", slides=S.cut_slides(html).slides, minutes=6)], "a/slides/")
    assert [(d.id, d.seconds) for d in deck] == [("t", None), ("s0", 180), ("s0-2", 180), ("s1", None)]
    assert S.notes_minutes("<p>本页约 2.5 分钟</p>") == 2.5 and S.notes_minutes("<p>讲 10 分钟的例子</p>") is None


def test_whole_deck_prefixes_ids_and_links_between_pages_stay_inside():
    a = S.DeckPage(url="", slides=S.cut_slides(page_html("目录").replace(
        "<p>要点 0</p>", '<p><a href="02-codebert/">二</a> <a href="02-codebert/#s0">二甲</a></p>')).slides)
    b_html = page_html("甲").replace("<p>要点 0</p>", '<p><a class="citation-link" href="#ref-k">K</a></p>') + (
        '<h2 id="page-bibliography">本页参考文献</h2><ol class="bibliography"><li id="ref-k">K</li></ol>')
    b = S.DeckPage(url="02-codebert/", slides=S.cut_slides(b_html).slides)
    refs = S.DeckPage(url="references/", slides=S.cut_slides(
        '<h1 id="r">参考文献</h1><h2 id="all">全部文献</h2><ol class="bibliography bibliography-all">'
        '<li id="ref-k">K</li></ol>').slides)
    deck = S.assemble_deck([a, b, refs], "slides/", prefix_ids=True, keep_bibliographies=False,
                           bibliography_page="references/")
    ids = [s.id for s in deck]
    assert ids == ["p0-t", "p0-s0", "p1-t", "p1-s0", "p2-r", "p2-all"]  # per-page bibliography dropped
    toc = BeautifulSoup(deck[1].body_html, "html.parser")
    assert [x["href"] for x in toc.find_all("a")] == ["#/p1-t", "#/p1-s0"]
    cite = BeautifulSoup(deck[3].body_html, "html.parser").a
    assert cite["href"] == "#/p2-ref-k"
    assert deck[3].source == "../02-codebert/#s0"


def test_index_gets_minutes_column_and_total():
    md = ("# 标题\n\n## 目录\n\n| 节 | 内容 | 演示笔记本 |\n|---|---|---|\n| 1 | [甲](01-a.md) | |\n"
          "| | [总结](summary.md) · [问答](qa.md) · [术语](glossary.md) | |\n\n## 其他\n")
    out, total = S.add_minutes_to_index(md, {"index.md": 2, "01-a.md": 15, "summary.md": 10, "qa.md": 5})
    assert total == 32
    rows = [line for line in out.splitlines() if line.startswith("|")]
    assert rows[0].endswith("时长（分钟） |") and rows[1].endswith("---:|")
    assert rows[2].endswith(" 15 |") and rows[3].endswith(" 15 |")
    assert "合计：32 分钟" in out and out.index("合计") < out.index("## 其他")


def test_hook_warns_naming_page_and_slide(caplog):
    from coursesite.slides.decks import Decks

    decks = Decks()
    long_prose = "".join(f"<p>{'很长的解释文字' * 30}</p>" for _ in range(12))
    html = page_html("甲", "乙", "丙").replace("<p>要点 0</p>", "<p>要点 0</p><!-- slide: 新 -->")
    html = html.replace(NOTES.format("讲 1"), "").replace("<p>要点 2</p>", long_prose)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="bad-page.md"), url="bad-page/", is_homepage=False,
                           meta={"minutes": 5}, title="标题")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.course.slides"):
        out = decks.cut_page(html, page, config={})
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("bad-page.md" in m and "'甲'" in m and "unknown break marker" in m for m in messages), messages
    assert any("bad-page.md" in m and "'乙'" in m and "no speaker notes" in m for m in messages), messages
    assert any("bad-page.md" in m and "'丙'" in m and "overflows" in m for m in messages), messages
    assert 'class="md-content__button md-button slides-button"' in out and 'href="slides/"' in out


# ------------------------------------------------------------------------------------------------
# The built site's files


def _front_matter(path: Path) -> dict:
    from mkdocs.utils.meta import get_data

    return get_data(path.read_text(encoding="utf-8"))[1]


def nav_pages() -> list[str]:
    """The Markdown files of mkdocs.yml's nav, in order."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:"):]
    return re.findall(r"^\s+-\s+(?:[^\n]*?:\s+)?([\w./-]+\.md)\s*$", nav, flags=re.M)


def lecture_pages() -> list[str]:
    """Nav pages with a deck (front matter minutes > 0, not slides: false), index first."""
    out = []
    for src in nav_pages():
        meta = _front_matter(DOCS / src) if (DOCS / src).is_file() else {}
        if meta.get("slides", True) is not False and isinstance(meta.get("minutes"), (int, float)) \
                and meta["minutes"] > 0:
            out.append(src)
    return sorted(out, key=lambda s: s != "index.md")


def page_dir(src: str) -> str:
    return "" if src == "index.md" else src[: -len(".md")] + "/"


def article(built_site: Path, src: str) -> BeautifulSoup:
    soup = BeautifulSoup((built_site / page_dir(src) / "index.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article")


def expected_slides(built_site: Path, src: str, whole: bool = False) -> list[str]:
    """Slide titles a page must give, counted from the page itself: H1; every H2 (not page-only; without the
    page bibliography in the whole-lecture deck, or when the slides cite nothing) unless its H3 topics have
    slides and its intro has no content; every top-level H3 topic that is not page-only; one more per break
    marker."""
    art = article(built_site, src)
    titles = [S._clean_heading(art.h1)[0]]
    section: dict | None = None

    def close():
        if section and not section["skip"] and (not section["topics"] or section["intro"]):
            titles.insert(section["at"], section["title"])

    for node in art.children:
        name = getattr(node, "name", None)
        if name == "h2":
            close()
            section = None
            if "page-only" in (node.get("class") or []):
                section = {"skip": True, "topics": 0, "intro": False, "at": len(titles), "title": ""}
                continue
            if node.get("id") == S.BIBLIOGRAPHY_ID and (whole or not _slides_cite(built_site, src)):
                section = {"skip": True, "topics": 0, "intro": False, "at": len(titles), "title": ""}
                continue
            quiz = node.find_next_sibling("div", class_="quiz") if node.get("id") == "self-check" else None
            if quiz is not None:  # the 自测: a question slide and an answer slide per question (test_quizzes.py)
                n = len(quiz.select("form.quiz-q"))
                titles += [t for i in range(1, n + 1) for t in (f"自测 {i}/{n}", f"自测 {i}/{n} · 答案")]
                section = {"skip": True, "topics": 0, "intro": False, "at": len(titles), "title": ""}
                continue
            section = {"skip": False, "topics": 0, "intro": False, "at": len(titles), "in_topic": False,
                       "title": S._clean_heading(node)[0], "topic_skip": False}
        elif name == "h3" and section is not None:
            if section["skip"]:
                continue
            section["in_topic"] = True
            section["topic_skip"] = "page-only" in (node.get("class") or [])
            if not section["topic_skip"]:
                section["topics"] += 1
                titles.append(S._clean_heading(node)[0])
        elif isinstance(node, Comment) and str(node).strip() == S.BREAK_MARKER and section and not section["skip"]:
            if not section.get("topic_skip"):
                titles.append(titles[-1] if section["in_topic"] else section["title"])
        elif section is not None and not section["skip"] and not section["in_topic"] and isinstance(node, Tag):
            if "page-only" in (node.get("class") or []) or node.css.match(".notes") or "notes" in (node.get("class") or []):
                continue
            if node.get_text(strip=True) or node.find(["img", "svg"]):
                section["intro"] = True
    close()
    return titles


def _slides_cite(built_site: Path, src: str) -> bool:
    """Whether the page's deck keeps its bibliography slide (some slide cites a reference)."""
    deck = built_site / page_dir(src) / "slides" / "index.html"
    return 'id="page-bibliography"' in deck.read_text(encoding="utf-8")


def deck_files(built_site: Path) -> dict[str, Path]:
    """name → deck file: 'lecture' for site/slides/, the page folder for the others."""
    out = {"lecture": built_site / "slides" / "index.html"}
    for src in lecture_pages():
        if src != "index.md":
            out[src[:-3]] = built_site / page_dir(src) / "slides" / "index.html"
    return out


def test_every_lecture_page_has_a_deck_and_a_slides_button(built_site):
    missing, no_button = [], []
    for src in lecture_pages():
        deck = built_site / page_dir(src) / "slides" / "index.html"
        if not deck.is_file():
            missing.append(src)
        art = article(built_site, src)
        button = art.select_one("a.slides-button")
        if button is None or button.get("href") != "slides/" or "幻灯片" not in button.get_text():
            no_button.append(src)
    assert not missing, f"pages without a deck: {missing}"
    assert not no_button, f"pages without a 幻灯片 button linking to slides/: {no_button}"
    assert "glossary.md" not in lecture_pages()


def test_index_shows_the_lecture_total_minutes(built_site):
    total = sum(_front_matter(DOCS / src)["minutes"] for src in lecture_pages())
    text = article(built_site, "index.md").get_text(" ", strip=True)
    assert f"合计：{S._fmt(total)} 分钟" in text, text[:2000]
    header = article(built_site, "index.md").select_one("table tr")
    assert "时长" in header.get_text()


def test_speaker_pacing_adds_up_to_the_page_minutes(built_site):
    """Each content slide's speaker-view pacing (data-timing, from "本页约 N 分钟" in its notes) is set, and
    a page's slides add up to its ``minutes:``, so the speaker view's pace matches the time plan."""
    problems = []
    for src in lecture_pages():
        if src == "index.md":  # its deck (slides/) is the whole lecture, checked page by page here
            continue
        minutes = _front_matter(DOCS / src)["minutes"]
        deck = BeautifulSoup((built_site / page_dir(src) / "slides" / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
        content = deck.select("section.slide-content")
        untimed = [sec["id"] for sec in content if not sec.get("data-timing")]
        total = sum(int(sec["data-timing"]) for sec in content if sec.get("data-timing"))
        if untimed:
            problems.append(f"docs/{src}: slides without 本页约 N 分钟 in their notes: {untimed}")
        elif abs(total - minutes * 60) > len(content):
            problems.append(f"docs/{src}: notes plan {total / 60:g} min, front matter says minutes: {minutes}")
    assert not problems, "\n".join(problems)


@functools.lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(t["id"] for t in soup.find_all(id=True))


def _resolves(built_site: Path, base_url: str, ref: str) -> str | None:
    """None if the site-relative reference ``ref`` (from ``base_url``) exists, else a reason."""
    parts = urlsplit(urljoin("http://site.invalid/" + base_url, ref))
    path = built_site / unquote(parts.path).lstrip("/")
    if unquote(parts.path).endswith("/") or path.is_dir():
        path = path / "index.html"
    if not path.is_file():
        return f"{ref}: no such file"
    if parts.fragment and path.suffix == ".html":
        if unquote(parts.fragment) not in _ids(path):
            return f"{ref}: no element with id {unquote(parts.fragment)!r}"
    return None


def test_deck_links_images_and_back_links_resolve(built_site):
    problems = []
    for name, path in deck_files(built_site).items():
        base = path.parent.relative_to(built_site).as_posix() + "/"
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        ids = {t["id"] for t in soup.find_all(id=True)}
        for tag, attr in [("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")]:
            for el in soup.find_all(tag, attrs={attr: True}):
                ref = el[attr]
                if re.match(r"^[a-z][a-z0-9+.-]*:", ref) or ref.startswith("//"):
                    if tag != "a" and not ref.startswith("data:"):
                        problems.append(f"{name}: <{tag}> loads {ref} from another host")
                    continue
                if ref.startswith("#"):
                    target = unquote(ref.lstrip("#/"))
                    if target and target not in ids:
                        problems.append(f"{name}: {ref}: no such slide or element in the deck")
                    continue
                why = _resolves(built_site, base, ref)
                if why:
                    problems.append(f"{name}: {why}")
        for section in soup.select(".slides > section"):
            link = section.select_one("a.slide-source")
            if link is None:
                problems.append(f"{name}: slide {section.get('id')} has no link back to the page")
    assert not problems, "\n".join(problems[:40])


# ------------------------------------------------------------------------------------------------
# In Chromium: one page per deck, everything measured in-page

COLLECT = """() => Array.from(document.querySelectorAll('.reveal .slides > section')).map(s => ({
  id: s.id, kind: (s.className.match(/slide-(title|content|bibliography|quiz|divider|closing)/) || [])[1],
  continued: s.classList.contains('continued'), page: s.dataset.page, fit: s.dataset.fit || '',
  title: (s.querySelector(':scope > h1, :scope > h2') || {}).innerText || '',
  notes: ((s.querySelector('aside.notes') || {}).textContent || '').trim(),
  mermaidLeft: s.querySelectorAll('pre.mermaid, div.mermaid').length,
  diagrams: Array.from(s.querySelectorAll('.mermaid-diagram svg')).map(g =>
      g.querySelectorAll('g').length > 0 && !/Syntax error/i.test(g.textContent)),
  math: s.querySelectorAll('.arithmatex').length,
  mathDone: s.querySelectorAll('.arithmatex mjx-container').length,
}))"""

# diagramFont: the smallest label of each diagram on the slide, in slide pixels (font size × the factor the
# SVG was scaled by to fit), so a wide flowchart squeezed onto a slide shows up as small text.
MEASURE = """() => { const s = Reveal.getCurrentSlide(); const scale = Reveal.getScale();
  const diagramFont = Array.from(s.querySelectorAll('.mermaid-diagram svg')).map(svg => {
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (!vb || !vb.width) return null;
    const k = svg.getBoundingClientRect().width / vb.width / scale;
    const sizes = Array.from(svg.querySelectorAll('foreignObject div, text'))
      .filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize));
    return sizes.length ? Math.round(Math.min(...sizes) * k * 10) / 10 : null; });
  return { h: Reveal.getIndices().h, id: s.id, height: s.scrollHeight, width: s.scrollWidth,
           diagramFont, hash: '' }; }"""
MIN_DIAGRAM_FONT = 12  # px on the 1280×720 slide


def _open_deck(browser, url: str):
    page = browser.new_page(viewport={"width": W, "height": H})
    log = {"errors": [], "foreign": [], "failed": [], "warnings": []}
    host = urlsplit(url).netloc
    page.on("console", lambda m: m.type == "error" and log["errors"].append(m.text))
    page.on("console", lambda m: m.type == "warning" and log["warnings"].append(m.text))
    page.on("pageerror", lambda e: log["errors"].append(f"uncaught: {e}"))
    page.on("request", lambda r: (urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
                                  and urlsplit(r.url).netloc != host) and log["foreign"].append(r.url))
    page.on("requestfailed", lambda r: log["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and log["failed"].append(f"{r.url} (HTTP {r.status})"))
    page.goto(url, wait_until="load")
    page.wait_for_function("document.documentElement.dataset.deckReady === '1'", timeout=90_000)
    return page, log


@pytest.fixture(scope="module")
def deck_runs(built_site, site_url, browser):
    """Open every deck once, walk it with the arrow keys (through every reveal step) measuring each slide;
    return the records."""
    runs = {}
    for name, path in deck_files(built_site).items():
        url = site_url + path.parent.relative_to(built_site).as_posix() + "/"
        page, log = _open_deck(browser, url)
        try:
            slides = page.evaluate(COLLECT)
            total = page.evaluate("Reveal.getTotalSlides()")
            page.locator("body").focus()
            # quiz slides step through their choices (fragments): shown at once here, so one key = one slide
            page.evaluate("Reveal.configure({ fragments: false })")
            visits = [page.evaluate(MEASURE)]
            for _ in range(total - 1):
                # a slide with reveal steps takes one press per step before the next slide
                steps = page.evaluate("Reveal.getCurrentSlide().querySelectorAll('.fragment:not(.visible)').length")
                for _ in range(steps + 1):
                    page.keyboard.press("ArrowRight")
                visits.append(page.evaluate(MEASURE))
            page.keyboard.press("ArrowRight")  # past the end: stays on the last slide
            end = page.evaluate(MEASURE)
            try:  # reveal writes the URL hash shortly after the slide changes
                page.wait_for_function("decodeURIComponent(location.hash) === '#/' + Reveal.getCurrentSlide().id",
                                       timeout=5000)
                end["hash"] = page.evaluate("decodeURIComponent(location.hash)")
            except Exception:
                end["hash"] = page.evaluate("decodeURIComponent(location.hash)")
            overview = None
            if name == "lecture":
                page.keyboard.press("o")
                overview = page.evaluate("Reveal.isOverview()")
                page.keyboard.press("o")
            runs[name] = dict(url=url, slides=slides, total=total, visits=visits, end=end, overview=overview, **log)
        finally:
            page.close()
    return runs


def _where(run_slide: dict) -> str:
    src = "index.md" if not run_slide["page"] else run_slide["page"].rstrip("/") + ".md"
    return f"docs/{src} › '{run_slide['title'].strip()}'"


def test_decks_load_without_console_errors_or_foreign_requests(deck_runs):
    bad = []
    for name, run in deck_runs.items():
        bad += [f"{name}: console error: {e}" for e in run["errors"]]
        bad += [f"{name}: request to another host: {u}" for u in run["foreign"]]
        bad += [f"{name}: failed request: {u}" for u in run["failed"]]
    assert not bad, "\n".join(bad)


def test_arrow_keys_reach_every_slide_and_update_the_hash(deck_runs):
    for name, run in deck_runs.items():
        assert [v["h"] for v in run["visits"]] == list(range(run["total"])), name
        assert run["end"]["h"] == run["total"] - 1, name
        ids = [s["id"] for s in run["slides"]]
        assert [v["id"] for v in run["visits"]] == ids, name
        assert run["end"]["hash"] == "#/" + run["end"]["id"], f"{name}: the URL hash does not follow the slide"
    assert deck_runs["lecture"]["overview"] is True, "the O key does not open the overview"


def test_slide_count_matches_the_pages_headings(deck_runs, built_site):
    for src in lecture_pages():
        if src == "index.md":
            continue
        run = deck_runs[src[:-3]]
        extra = sum(1 for s in run["slides"] if s["kind"] == "bibliography" and s["continued"])
        want = expected_slides(built_site, src)
        assert run["total"] == len(want) + extra, (
            f"{src}: {run['total']} slides, the page has {len(want)} (H1 + H2s + breaks) "
            f"+ {extra} bibliography continuations: {want}")
        titles = [s["title"].replace("（续）", "").strip() for s in run["slides"] if not
                  (s["kind"] == "bibliography" and s["continued"])]
        assert titles == want, src


def test_whole_lecture_deck_is_every_page_in_nav_order(deck_runs, built_site):
    run = deck_runs["lecture"]
    pages = lecture_pages()
    order = []
    for s in run["slides"]:
        if s["kind"] == "title":
            order.append("index.md" if not s["page"] else s["page"].rstrip("/") + ".md")
    assert order == pages
    want = sum(len(expected_slides(built_site, src, whole=True)) for src in pages)
    extra = sum(1 for s in run["slides"] if s["kind"] == "bibliography" and s["continued"])
    frame = (len(pages) - 1) + 1  # a divider before each part (every page but the home page) and a closing slide
    assert run["total"] == want + extra + frame


def test_every_content_slide_has_speaker_notes(deck_runs):
    missing = sorted({_where(s) for run in deck_runs.values() for s in run["slides"]
                      if s["kind"] == "content" and not s["notes"]})
    assert not missing, "content slides without speaker notes (`??? notes \"讲者备注\"`):\n" + "\n".join(missing)


def test_no_slide_overflows_1280x720(deck_runs):
    """Measured in Chromium at 1280×720: the slide's own layout height/width (reveal scales the whole
    1280×720 slide to the window, so anything taller is cut off on the screen and in the PDF). The
    deck shrinks the type of a slide that is a little too tall down to 80%; this reports what still
    does not fit."""
    over = {}
    for name, run in deck_runs.items():
        by_id = {s["id"]: s for s in run["slides"]}
        for v in run["visits"]:
            s = by_id[v["id"]]
            if v["height"] > H or v["width"] > W:
                key = (_where(s), s["continued"])
                shrunk = f" with type already shrunk to {float(s['fit']):.0%}" if s["fit"] else ""
                over[key] = f"{_where(s)}{' (续)' if s['continued'] else ''}: {v['height']}px tall" + (
                    f", {v['width']}px wide" if v["width"] > W else "") + f"{shrunk} (deck {name}, slide #{v['id']})"
    assert not over, (f"{len(over)} slide(s) overflow {W}×{H}; move explanations into "
                      "`<div class=\"page-only\" markdown>` or split with `<!-- slide -->`:\n" + "\n".join(sorted(over.values())))


def test_diagram_labels_stay_readable_on_slides(deck_runs):
    """A flowchart too wide for the slide is scaled down with its labels; below MIN_DIAGRAM_FONT px they
    cannot be read from the back of a room. Fix: break long labels with <br>, drop edge labels, or draw TB."""
    small = []
    for name, run in deck_runs.items():
        for v in run["visits"]:
            small += [f"{name}: slide #{v['id']}: diagram labels {f} px < {MIN_DIAGRAM_FONT} px"
                      for f in v.get("diagramFont", []) if f is not None and f < MIN_DIAGRAM_FONT]
    assert not small, "\n".join(small)


def test_mermaid_and_math_render_in_slides(deck_runs):
    problems, diagrams, formulas = [], 0, 0
    for name, run in deck_runs.items():
        for s in run["slides"]:
            if s["mermaidLeft"]:
                problems.append(f"{name}: {_where(s)}: {s['mermaidLeft']} mermaid diagram(s) not rendered")
            if not all(s["diagrams"]):
                problems.append(f"{name}: {_where(s)}: a mermaid diagram rendered empty or with a syntax error")
            if s["mathDone"] < s["math"]:
                problems.append(f"{name}: {_where(s)}: {s['math'] - s['mathDone']} formula(s) not typeset")
            diagrams += len(s["diagrams"])
            formulas += s["math"]
    assert not problems, "\n".join(problems)
    if not diagrams or not formulas:
        pytest.skip(f"the slides have {diagrams} diagram(s) and {formulas} formula(s): nothing to check")


def test_deep_link_opens_that_slide(built_site, site_url, browser):
    name = next(n for n in deck_files(built_site) if n != "lecture")
    soup = BeautifulSoup(deck_files(built_site)[name].read_text(encoding="utf-8"), "html.parser")
    target = soup.select(".slides > section")[2]["id"]
    page, log = _open_deck(browser, f"{site_url}{name}/slides/#/{target}")
    try:
        assert page.evaluate("Reveal.getCurrentSlide().id") == target
        assert page.evaluate("Reveal.getIndices().h") == 2
    finally:
        page.close()


def test_speaker_view_shows_the_notes_and_a_timer(built_site, site_url, browser, deck_runs):
    """The S key opens reveal's speaker view (a popup with the notes, the timer and the pacing)."""
    name = next(n for n, r in deck_runs.items() if n != "lecture" and any(s["notes"] for s in r["slides"]))
    slide = next(s for s in deck_runs[name]["slides"] if s["notes"])
    page, log = _open_deck(browser, f"{deck_runs[name]['url']}#/{slide['id']}")
    try:
        with page.expect_popup() as popup_info:
            page.keyboard.press("s")
        popup = popup_info.value
        popup.on("console", lambda m: m.type == "error" and log["errors"].append(f"speaker view: {m.text}"))
        notes = ".speaker-controls-notes .value"
        popup.wait_for_function(f"(document.querySelector('{notes}') || {{}}).textContent", timeout=30_000)
        shown = re.sub(r"\s+", "", popup.inner_text(notes))
        assert re.sub(r"\s+", "", slide["notes"])[:30] in shown
        assert popup.locator(".speaker-controls-time .timer").count() == 1
        # Chinese labels; "下一张" sits above the preview of the next slide, not over its title
        popup.wait_for_function("document.getElementById('deck-speaker-css')", timeout=10_000)
        assert popup.inner_text("#upcoming-slide .label").strip() == "下一张"
        assert popup.inner_text(".speaker-controls-notes .label").strip() == "讲者备注"
        label, frame = popup.evaluate("""() => ['#upcoming-slide .label', '#upcoming-slide iframe']
            .map(s => document.querySelector(s).getBoundingClientRect().toJSON())""")
        assert label["bottom"] <= frame["top"] + 1, (label, frame)
        # the previews show the presented slide and the next one (their #/h/v is zero-based)
        current = popup.frame_locator("#current-slide iframe").locator(".reveal .slides > section.present").first
        current.wait_for(timeout=30_000)
        popup.wait_for_timeout(500)
        assert current.get_attribute("id") == slide["id"], "the speaker view's current slide is not the presented one"
        popup.close()
    finally:
        page.close()
    assert not log["errors"] and not log["foreign"], log


# ------------------------------------------------------------------------------------------------
# PDF export (one deck, with and without notes)


def _pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def test_pdf_export_one_page_per_slide_with_chinese_text(built_site, site_url, browser, deck_runs, tmp_path):
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.fail("pdfinfo/pdftotext not found: apt-get install poppler-utils")
    from coursesite.pdf import print_deck

    names = [n for n in deck_runs if n != "lecture"]
    name = "02-codebert" if "02-codebert" in names else names[0]
    run = deck_runs[name]
    out = tmp_path / f"{name}.pdf"
    print_deck(browser, run["url"], out)
    assert _pdf_pages(out) == run["total"]
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                                             text=True, check=True).stdout)
    missing = [s["title"] for s in run["slides"] if re.sub(r"\s+", "", s["title"]) not in text]
    assert not missing, f"titles missing from the PDF's text layer: {missing}"

    handout = tmp_path / f"{name}-handout.pdf"
    print_deck(browser, run["url"], handout, notes=True)
    with_notes = sum(1 for s in run["slides"] if s["notes"])
    assert _pdf_pages(handout) == run["total"] + with_notes
    notes_text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(handout), "-"], capture_output=True,
                                                   text=True, check=True).stdout)
    first_notes = next(s["notes"] for s in run["slides"] if s["notes"])
    assert re.sub(r"\s+", "", first_notes)[:20] in notes_text
