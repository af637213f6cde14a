"""Decks an instructor can teach from (issue 14): density, figures and tables on slides, reveal steps, the
whole-lecture deck's frame, and drawing on slides.

- From the built site's files (coursesite.slides.report): each section page has at least one content slide per
  2.5 minutes; every 图N/表N of a page is on a slide of its deck; the 本页参考文献 slide lists only what the slides
  cite; steps are fragments in the deck; the whole-lecture deck has a divider per part and a closing slide; the index
  shows the total minutes and the slide count.
- In Chromium (one browser, one deck opened a few times): the chalkboard plugin loads with no request to another
  host and no console error, a stroke drawn with the mouse survives a reload, a numeric deep link #/N shows "N / T",
  the slide number does not overlap the controls, and the PDF shows each slide once with every step built.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from coursesite.slides import report as R
from test_slides import _open_deck

ROOT = Path(__file__).resolve().parent.parent


def section_pages() -> list[str]:
    """The page folders of mkdocs.yml's 讲义 section (the lecture's sections, 01–10)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    block = re.search(r"^\s+-\s+讲义:\s*\n((?:\s{6,}-\s+[^\n]+\n)+)", text, flags=re.M)
    assert block, "mkdocs.yml: no 讲义 section in nav"
    return [m[:-3] for m in re.findall(r"([\w./-]+\.md)", block.group(1))]


@pytest.fixture(scope="module")
def stats(built_site) -> dict[str, R.DeckStats]:
    return {name: R.deck_stats(built_site, name) for name in R.page_decks(built_site)}


def test_each_section_has_a_content_slide_per_two_and_a_half_minutes(stats):
    thin = [f"docs/{n}.md: {s.content_slides} content slides for {s.minutes:g} minutes; needs ≥ {s.target} "
            f"(one per {R.MINUTES_PER_SLIDE:g} minutes: give each ### topic its slide)"
            for n in section_pages() if not (s := stats[n]).dense_enough]
    assert not thin, "\n".join(thin)


def test_every_figure_and_table_of_a_page_is_on_a_slide(stats):
    missing = [f"docs/{n}.md: {', '.join(s.figures_missing)} on the page but on no slide (take it out of page-only)"
               for n, s in stats.items() if s.figures_missing]
    assert not missing, "\n".join(missing)
    assert sum(len(s.figures_on_page) for s in stats.values()) > 0


def test_page_bibliography_slide_lists_only_what_the_slides_cite(built_site, stats):
    problems = []
    for name in stats:
        soup = BeautifulSoup((built_site / name / "slides" / "index.html").read_text(encoding="utf-8"), "html.parser")
        bib = soup.select('section[id^="page-bibliography"] ol.bibliography li[id]')
        # in the deck a citation links to its entry on the bibliography slide: #/ref-key
        cited = {a["href"].split("#", 1)[1].lstrip("/") for s in soup.select(".slides > section:not([id^='page-bibliography'])")
                 for a in s.select(".slide-body a[href*='ref-']")}
        listed = {li["id"] for li in bib}
        if listed - cited:
            problems.append(f"{name}: listed but cited on no slide: {sorted(listed - cited)}")
    assert not problems, "\n".join(problems)


def test_reveal_steps_are_fragments_in_the_decks(stats):
    assert sum(s.fragments for s in stats.values()) > 0, "no page marks reveal steps (<div class=\"steps\" markdown>)"


def test_whole_lecture_deck_has_part_dividers_a_closing_slide_and_the_index_counts_slides(built_site):
    lecture = R.lecture_stats(built_site)
    parts = len(R.page_decks(built_site))
    assert lecture["dividers"] == parts and lecture["closing"] == 1, lecture
    soup = BeautifulSoup((built_site / "slides" / "index.html").read_text(encoding="utf-8"), "html.parser")
    sections = soup.select(".slides > section")
    assert "slide-closing" in sections[-1]["class"]
    dividers = [s for s in sections if "slide-divider" in s["class"]]
    assert all("slide-title" in s.find_next_sibling("section")["class"] for s in dividers)
    assert [d.select_one(".slide-kicker").get_text() for d in dividers][:2] == [
        f"第 1 部分 / 共 {parts} 部分", f"第 2 部分 / 共 {parts} 部分"]
    index = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser").select_one("article")
    text = index.get_text(" ", strip=True)
    assert f"{len(sections)} 张幻灯片" in text and "合计：" in text, text[-600:]


# ------------------------------------------------------------------------------------------------
# In Chromium


def _deck(built_site: Path) -> str:
    """A section deck that has reveal steps (the PDF check needs them)."""
    for name in section_pages():
        if R.deck_stats(built_site, name).fragments:
            return name
    pytest.fail("no section deck has reveal steps")


STROKES = """() => { const d = JSON.parse(RevealChalkboard.getData()); return d[0].data.map(s => ({
  h: s.slide.h, events: s.events.filter(e => e.type === 'draw').length })); }"""
INK = """() => { const c = document.querySelector('#notescanvas canvas[data-chalkboard="0"]');
  if (!c) return -1; const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++; return n; }"""


def test_chalkboard_loads_offline_and_a_stroke_survives_a_reload(built_site, site_url, browser):
    name = _deck(built_site)
    page, log = _open_deck(browser, f"{site_url}{name}/slides/#/3")  # the third slide (hash counts from 1)
    try:
        assert page.evaluate("typeof RevealChalkboard === 'object' && Reveal.hasPlugin('RevealChalkboard')")
        assert page.locator("#customcontrols #toggle-notes button").count() == 1
        # the icon font is served by the site and has loaded
        assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 7 Free\"')")
        page.keyboard.press("c")  # draw on the slide
        page.wait_for_timeout(400)
        page.mouse.move(400, 300)
        page.mouse.down()
        for i in range(1, 16):
            page.mouse.move(400 + 20 * i, 300 + 8 * i)
        page.mouse.up()
        page.wait_for_timeout(1500)  # the plugin writes its storage a second after the last stroke
        before = page.evaluate(STROKES)
        assert any(s["h"] == 2 and s["events"] for s in before), before
        assert page.evaluate(INK) > 0
        page.reload(wait_until="load")
        page.wait_for_function("document.documentElement.dataset.deckReady === '1'", timeout=90_000)
        page.wait_for_timeout(800)
        after = page.evaluate(STROKES)
        assert any(s["h"] == 2 and s["events"] for s in after), f"the stroke is lost on reload: {after}"
        page.wait_for_function(f"({INK})() > 0", timeout=10_000)  # and it is drawn again on the slide
        assert page.evaluate("Reveal.getIndices().h") == 2
    finally:
        page.close()
    assert not log["foreign"], log["foreign"]
    assert not log["errors"] and not log["failed"], log
    # a first visit has no boards stored yet: deck.js stores empty ones, so the plugin does not warn
    assert not [w for w in log["warnings"] if "storage" in w], log["warnings"]


def test_numeric_deep_link_matches_the_counter_and_the_counter_clears_the_controls(built_site, site_url, browser):
    name = _deck(built_site)
    page, log = _open_deck(browser, f"{site_url}{name}/slides/#/5")
    try:
        total = page.evaluate("Reveal.getTotalSlides()")
        assert page.evaluate("Reveal.getIndices().h") == 4
        number = page.inner_text(".reveal .slide-number").replace(" ", "")
        assert number == f"5/{total}", number
        boxes = page.evaluate("""() => ['.reveal .slide-number', '.reveal .controls .navigate-right', '.reveal .controls .navigate-left', '#customcontrols > ul', '.reveal .slides > section.present .slide-source']
            .map(s => document.querySelector(s)).filter(Boolean).map(e => e.getBoundingClientRect().toJSON())""")
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap = a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
                assert not overlap, f"overlap: {a} / {b}"
    finally:
        page.close()
    assert not log["errors"] and not log["foreign"], log


def test_pdf_shows_every_step_once(built_site, site_url, browser, tmp_path):
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.fail("pdfinfo/pdftotext not found: apt-get install poppler-utils")
    from coursesite.pdf import pdf_pages, print_deck

    name = _deck(built_site)
    soup = BeautifulSoup((built_site / name / "slides" / "index.html").read_text(encoding="utf-8"), "html.parser")
    slides = soup.select(".slides > section")
    steps = [re.sub(r"\s+", "", f.get_text()) for f in soup.select(".slides .fragment")]
    out = tmp_path / f"{name}.pdf"
    print_deck(browser, f"{site_url}{name}/slides/", out)
    assert pdf_pages(out) == len(slides), "one page per slide: steps are not printed as separate pages"
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    hidden = [s[:30] for s in steps if s and s[:12] not in text]
    assert not hidden, f"steps missing from the PDF (printed unbuilt?): {hidden}"

    handout = tmp_path / f"{name}-handout.pdf"
    print_deck(browser, f"{site_url}{name}/slides/", handout, notes=True)
    notes = subprocess.run(["pdftotext", "-layout", str(handout), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "讲者备注" in notes and "Speaker notes" not in notes
    labelled = [a.get_text() for a in soup.select("aside.notes .note-label")]
    if labelled:  # each labelled note line (重点：/提问：/常见混淆：) starts a line of its own in the handout
        starts = {line.strip().split("：", 1)[0] + "：" for line in notes.splitlines() if "：" in line}
        assert set(labelled) <= starts, (sorted(set(labelled) - starts), notes[:800])
