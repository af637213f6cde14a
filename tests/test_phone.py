"""The site on a phone (375×667) and the notebook pages as a student uses them.

- Diagrams: every mermaid diagram of the lecture pages, tapped, opens a zoom view whose smallest label is at
  least 11 px and which pans to every part of the diagram (docs/assets/js/diagram-zoom.js). Labels are
  measured inside Material's shadow root, which the test opens with an init script (Material attaches it
  closed): font size × the SVG's rendered scale.
- Display math: every formula wider than the column sits in a box that scrolls to its right edge and is
  marked as scrolling (edge shadows and a line saying so; docs/assets/js/mathjax-config.js).
- Notebook pages: every figure has an alt text of its own (not nbconvert's placeholder), the bar offers the
  .ipynb with ``download``, the wheel and the one line on what a run needs, and the nav titles are the H1s.

One built site (conftest's ``built_site``), one browser context, one visit per page.
"""
from __future__ import annotations

import html as htmlmod
import json
import re
from pathlib import Path

import pytest
import yaml

from coursesite.notebooks.figures import NBCONVERT_ALT, figure_alts

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 375, "height": 667}
MIN_LABEL_PX = 11
OPEN_SHADOW = ("const _attach = Element.prototype.attachShadow; Element.prototype.attachShadow = function (o) "
               "{ return _attach.call(this, Object.assign({}, o, { mode: 'open' })); };")

LABELS = """(el) => {
  const root = el.shadowRoot, svg = root && root.querySelector('svg');
  if (!svg) return null;
  const r = svg.getBoundingClientRect(), scale = r.width / svg.viewBox.baseVal.width;
  let min = Infinity, n = 0;
  root.querySelectorAll('text, foreignObject div, foreignObject span').forEach((t) => {
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (!t.textContent.trim() || !size) return;
    n += 1; min = Math.min(min, size * scale);
  });
  const o = el.closest('.diagram-zoom-overlay');
  return { min, n, svgWidth: r.width, svgHeight: r.height,
           overlay: o && { scrollWidth: o.scrollWidth, clientWidth: o.clientWidth, scrollHeight: o.scrollHeight } };
}"""

WIDE_MATH = """() => Array.from(document.querySelectorAll('.md-typeset mjx-container[display="true"]'))
  .filter((m) => !m.closest('mjx-assistive-mml') && m.getBoundingClientRect().height > 0)
  .map((m) => {
    const box = m.closest('div.arithmatex'), math = m.firstElementChild || m;
    const width = math.getBoundingClientRect().width;
    if (!box || width <= box.clientWidth + 1) return null;
    const scrolls = /(auto|scroll)/.test(getComputedStyle(box).overflowX);
    box.scrollLeft = box.scrollWidth;
    const reached = math.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
    box.scrollLeft = 0;
    const hint = getComputedStyle(box, '::after').content;
    return { tex: (box.textContent || '').trim().slice(0, 60), width: Math.round(width), column: box.clientWidth,
             scrolls, reached, marked: box.classList.contains('math-scrolls'), hint };
  }).filter(Boolean)"""


def _lecture_pages(site: Path) -> list[str]:
    return sorted(p.parent.name + "/index.html" for p in site.glob("[01][0-9]-*/index.html"))


@pytest.fixture(scope="module")
def phone_visits(browser, site_url, built_site):
    """One phone visit per lecture page: the zoom view of each diagram, and the wide formulas."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    context.add_init_script(OPEN_SHADOW)
    found = {}
    try:
        for path in _lecture_pages(built_site):
            tab = context.new_page()
            tab.goto(site_url + path, wait_until="load")
            diagrams = []
            if tab.locator("pre.mermaid, .md-typeset .mermaid").count():
                tab.wait_for_function("() => !document.querySelector('.md-typeset pre.mermaid') && "
                                      "document.querySelectorAll('.md-typeset .mermaid[data-zoom]').length", timeout=30_000)
                for handle in tab.query_selector_all(".md-typeset .mermaid[data-zoom]"):
                    handle.scroll_into_view_if_needed()
                    before = handle.evaluate(LABELS)
                    handle.click()
                    zoomed = handle.evaluate(LABELS)
                    expanded = handle.get_attribute("aria-expanded")
                    tab.keyboard.press("Escape")
                    diagrams.append({"before": before, "zoomed": zoomed, "expanded": expanded,
                                     "closed": handle.get_attribute("aria-expanded")})
            tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
            tab.evaluate("MathJax.startup.promise")
            found[path] = {"diagrams": diagrams, "math": tab.evaluate(WIDE_MATH)}
            tab.close()
    finally:
        context.close()
    return found


def test_tapped_diagram_is_readable_on_a_phone(phone_visits):
    problems, count = [], 0
    for path, visit in phone_visits.items():
        for i, d in enumerate(visit["diagrams"], 1):
            count += 1
            z = d["zoomed"]
            where = f"{path} diagram {i}"
            if d["expanded"] != "true" or d["closed"] != "false" or not z or not z["overlay"]:
                problems.append(f"{where}: the zoom view did not open and close ({d})")
                continue
            if z["min"] < MIN_LABEL_PX:
                problems.append(f"{where}: smallest label {z['min']:.1f} px in the zoom view (was "
                                f"{d['before']['min']:.1f} px in the column), under {MIN_LABEL_PX} px")
            o = z["overlay"]
            if o["scrollWidth"] + 1 < z["svgWidth"]:
                problems.append(f"{where}: the zoom view does not pan to the whole diagram ({o}, {z['svgWidth']:.0f} px)")
    assert count >= 10, f"only {count} diagrams found on the lecture pages"
    assert not problems, "\n".join(problems)


def test_wide_formulas_scroll_and_say_so_on_a_phone(phone_visits):
    wide = [(path, m) for path, visit in phone_visits.items() for m in visit["math"]]
    assert wide, "no display formula is wider than a phone's column: nothing was checked"
    problems = [f"{path}: {m}" for path, m in wide
                if not (m["scrolls"] and m["reached"] and m["marked"] and "滑动" in m["hint"])]
    assert not problems, "wide formulas that cannot be reached or give no hint:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------- notebook pages

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


def _page(site: Path, nb: Path) -> str:
    return (site / "notebooks" / nb.stem / "index.html").read_text(encoding="utf-8")


def test_notebook_figures_have_their_own_alt_text(built_site):
    problems, total = [], 0
    for nb in NOTEBOOKS:
        html = _page(built_site, nb)
        alts = re.findall(r'<img alt="([^"]*)"[^>]*src="data:image', html)
        total += len(alts)
        want = figure_alts(json.loads(nb.read_text(encoding="utf-8")))
        if NBCONVERT_ALT in html:
            problems.append(f"{nb.name}: nbconvert's placeholder alt text is still on the page")
        if [htmlmod.unescape(a) for a in alts] != want or not all(want):
            problems.append(f"{nb.name}: alt texts {alts} (expected {want})")
    assert total >= 8 and not problems, "\n".join(problems)


def test_notebook_page_offers_the_notebook_the_wheel_and_what_a_run_needs(built_site):
    for nb in NOTEBOOKS:
        html = _page(built_site, nb)
        bar = re.search(r'<div class="notebook-bar">(.*?)</div>', html, re.S).group(1)
        assert f'href="{nb.name}" download' in bar
        wheel = re.search(r'href="(\.\./\.\./downloads/vdlm-[^"]+\.whl)" download>下载 vdlm wheel（\d+ KB）', bar)
        assert wheel and (built_site / "notebooks" / nb.stem / wheel.group(1)).resolve().is_file(), bar
        need = re.search(r'<p class="notebook-needs">([^<]+)</p>', bar).group(1)
        assert "Python ≥ 3.10" in need and "torch" in need and re.search(r"CPU 上完整运行约 \d+ 分钟", need), need
        assert "data-needs-network" in bar and "colab.research.google.com" in bar
        assert "notebook-source" not in html, "the served site must not embed the notebook (offline bundle only)"


def test_nav_titles_of_the_notebooks_are_their_h1s():
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"]
    titles = {}

    def walk(items):
        for item in items:
            if isinstance(item, dict):
                for title, target in item.items():
                    walk(target) if isinstance(target, list) else titles.__setitem__(target, title)

    walk(nav)
    for nb in NOTEBOOKS:
        first = json.loads(nb.read_text(encoding="utf-8"))["cells"][0]
        h1 = re.search(r"^# (.+)$", "".join(first["source"]), re.M).group(1).strip()
        assert titles.get(f"notebooks/{nb.name}") == h1, f"{nb.name}: nav title {titles.get(f'notebooks/{nb.name}')!r}, H1 {h1!r}"
