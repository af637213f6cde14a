"""The site as students see it: the built site in a real browser (Debian Chromium driven by Playwright).

* static crawl of the built HTML: every internal link and #anchor resolves, every asset exists and is local,
  every image and diagram has a text alternative;
* every page, notebook page and deck in a light desktop browser: no console error, no failed request, no
  request to another host, math typeset, mermaid diagrams drawn with a size, no serious/critical axe-core
  violation (wcag2a + wcag2aa), readable body text;
* the same pages dark and on a phone (375x667): readable body text, no horizontal scrolling;
* search through the real UI: each course term finds its page among the top 3 results;
* decks advance with the arrow keys;
* the offline bundle (``make offline``) opened from disk (file://): pages load, search works, decks advance;
* the checkers themselves fail, naming page and element, on a small broken site.

Screenshots for a person to look at go to build/test-artifacts/.

Set BROWSER_TEST_SITE=/path/to/built/site to run against a site you built yourself (no strict build);
BROWSER_TEST_OFFLINE=/path/to/unzipped/bundle likewise for the offline bundle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.browser_helpers import (
    ARTIFACTS, AXE_JS, CONTRAST_JS, OVERFLOW_JS, RENDER_JS, ROOT, SETTLE_JS, StaticSite, content_root, deck_advances,
    discover_pages, open_page, run_axe, search_top, serve,
)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

# query -> the page that should be among its top 3 results (page key: the page's folder in the built site)
SEARCH_TABLE = {
    "预训练": "06-pretraining-tasks-data",
    "微调": "07-downstream-finetuning",
    "命名实体识别": "03-biobert",
    "代码搜索": "08-case-studies",
    "临床": "04-clinicalbert",
    "MIMIC": "04-clinicalbert",
    "再入院": "04-clinicalbert",
    "CodeBERT": "02-codebert",
    "BioBERT": "03-biobert",
    "ClinicalBERT": "04-clinicalbert",
    "PubMed": "03-biobert",
    "替换词检测": "02-codebert",
    "CodeSearchNet": "06-pretraining-tasks-data",
    "混合精度": "05-training-optimization",
    "LoRA": "07-downstream-finetuning",
    "隐私": "10-future-challenges",
    "术语表": "glossary",
}
# Screenshots: (file name, how to choose the page)
LECTURE_FOR_SCREENSHOT = "02-codebert"


def _fail(title: str, problems: list[str], limit: int = 80) -> None:
    if problems:
        more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
        pytest.fail(f"{title} ({len(problems)}):\n" + "\n".join(problems[:limit]) + more, pytrace=False)


# --------------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_dir(request) -> Path:
    override = os.environ.get("BROWSER_TEST_SITE")
    return Path(override) if override else request.getfixturevalue("built_site")


@pytest.fixture(scope="module")
def base_url(request, site_dir):
    if os.environ.get("BROWSER_TEST_SITE"):
        with serve(site_dir) as url:
            yield url
    else:
        yield request.getfixturevalue("site_url")


@pytest.fixture(scope="module")
def pages(site_dir):
    found = discover_pages(site_dir)
    assert any(p.path == "index.html" for p in found), f"{site_dir}: no index.html"
    return found


@pytest.fixture(scope="module")
def static(site_dir) -> StaticSite:
    return StaticSite(site_dir)


def _screenshot_targets(pages) -> dict[str, str]:
    """page path -> screenshot file name: the index, one lecture page, one notebook page, one deck."""
    out = {"index.html": "index.png"}
    lecture = next((p for p in pages if p.key == LECTURE_FOR_SCREENSHOT), None) or \
        next((p for p in pages if p.kind == "page" and p.key[:2].isdigit()), None)
    if lecture:
        out[lecture.path] = "lecture.png"
    notebook = next((p for p in pages if p.kind == "notebook"), None)
    if notebook:
        out[notebook.path] = "notebook.png"
    deck = next((p for p in pages if p.path == SWEPT_DECKS[0]), None) or next((p for p in pages if p.kind == "deck"), None)
    if deck:
        out[deck.path] = "slide.png"
    return out


def _sweep(browser, base: str, pages, *, full: bool, shots: dict[str, str] | None = None,
           shot_prefix: str = "") -> dict:
    """Visit every page once, in one browser context; return {page path: Visit} with the probes' results.

    full=False: load checks only (console, failed and external requests). full=True, on the same load: light
    desktop (1280x800) math, diagrams, contrast, axe-core and screenshots; then dark mode switched with the
    page's own palette toggle, contrast again; then a 375x667 phone viewport, horizontal overflow."""
    shots = shots or {}
    context = browser.new_context(viewport=DESKTOP, color_scheme="light", reduced_motion="reduce")
    results = {}
    try:
        for p in pages:
            tab, visit = open_page(context, base + p.path, p.path)
            try:
                tab.wait_for_selector(".reveal .slides" if p.kind == "deck" else ".md-content", timeout=10000)
                tab.evaluate(SETTLE_JS)
                if full:
                    visit.info["render"] = tab.evaluate(RENDER_JS)
                    visit.info["contrast_light"] = tab.evaluate(CONTRAST_JS, content_root(p.kind))
                    visit.info["axe"] = run_axe(tab)
                if p.kind == "deck":
                    visit.info["deck"] = deck_advances(tab)  # on the second slide from here on
                if p.path in shots:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    if p.kind == "deck":
                        tab.wait_for_timeout(1200)  # let the slide transition finish
                    tab.screenshot(path=str(ARTIFACTS / (shot_prefix + shots[p.path])))
                if full and p.kind != "deck":
                    visit.info["scheme"] = tab.evaluate(TO_DARK_JS)
                    visit.info["contrast_dark"] = tab.evaluate(CONTRAST_JS, content_root(p.kind))
                    visit.info["axe_dark"] = run_axe(tab, ["color-contrast"])  # code and links have own colours
                if full:
                    tab.set_viewport_size(PHONE)
                    tab.wait_for_timeout(50)
                    visit.info["overflow"] = tab.evaluate(OVERFLOW_JS)
                    if shots.get(p.path) == "lecture.png":
                        tab.screenshot(path=str(ARTIFACTS / (shot_prefix + "phone-dark-lecture.png")))
                    tab.evaluate("() => localStorage.clear()")  # the palette choice would carry to the next page
            except Exception as exc:  # a page that does not render at all: report it with the others
                visit.console_errors.append(f"page did not render: {str(exc).splitlines()[0][:200]}")
            finally:
                tab.close()
            results[p.path] = visit
    finally:
        context.close()
    return results


# Switch to dark mode as a reader does: click the palette toggle in the header (Material shows the one that
# leads to the other scheme). Return the scheme the page shows afterwards.
TO_DARK_JS = """async () => {
  const scheme = () => document.body.getAttribute('data-md-color-scheme');
  if (scheme() !== 'slate') {
    const toggle = [...document.querySelectorAll('form[data-md-component="palette"] label')]
        .find(l => l.offsetParent !== null && !l.hidden);
    if (toggle) toggle.click();
    for (let i = 0; i < 40 && scheme() !== 'slate'; i++) await new Promise(r => setTimeout(r, 25));
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return scheme();
}"""


# Decks are opened, walked and checked slide by slide in tests/test_slides.py and tests/test_decks.py; the sweeps
# here take two of them (a section deck and the whole lecture), which keeps the suite inside CI's time budget.
SWEPT_DECKS = (f"{LECTURE_FOR_SCREENSHOT}/slides/index.html", "slides/index.html")
# From file:// (the offline bundle) every feature once: home, a lecture page with live demos and a quiz, the
# quiz overview, the glossary, a notebook page and the two decks.
OFFLINE_SWEPT = ("index.html", "03-biobert/index.html", "06-pretraining-tasks-data/index.html",
                 "quizzes/index.html", "glossary/index.html") + SWEPT_DECKS


def _swept(pages, keep_pages: tuple[str, ...] | None = None) -> list:
    """The pages a sweep visits: every page and notebook page (or only ``keep_pages`` and one notebook page)
    and the decks of SWEPT_DECKS."""
    notebook = next((p.path for p in pages if p.kind == "notebook"), None)
    return [p for p in pages if p.path in SWEPT_DECKS or (
        p.kind != "deck" and (keep_pages is None or p.path in keep_pages or p.path == notebook))]


@pytest.fixture(scope="module")
def sweep(browser, base_url, pages):
    return _sweep(browser, base_url, _swept(pages), full=True, shots=_screenshot_targets(pages))


# --------------------------------------------------------------------------------------------------------
# Static crawl of the built HTML
# --------------------------------------------------------------------------------------------------------

def test_sitemap_pages_exist(site_dir, pages):
    from tests.browser_helpers import sitemap_paths

    missing = [p for p in sitemap_paths(site_dir) if not (site_dir / p).is_file()]
    _fail("pages listed in sitemap.xml but missing", missing)
    assert len(pages) >= 2


def test_internal_links_and_anchors_resolve(static):
    _fail("broken internal links or anchors", static.check_links())


def test_assets_exist_and_are_local(static):
    _fail("assets missing or loaded from another host", static.check_assets())


def test_images_and_diagrams_have_text_alternatives(static):
    _fail("images or diagrams without a text alternative", static.check_alt_text())


# --------------------------------------------------------------------------------------------------------
# Every page in the browser
# --------------------------------------------------------------------------------------------------------

def _load_problems(results) -> list[str]:
    problems = []
    for page, v in results.items():
        problems += [f"{page}: {m}" for m in v.console_errors]
        problems += [f"{page}: failed request {m}" for m in v.failed]
        problems += [f"{page}: request to another host {m}" for m in v.external]
    return problems


def test_pages_load_without_errors(sweep, pages):
    kinds = {k: sum(p.kind == k for p in _swept(pages)) for k in ("page", "notebook", "deck")}
    _fail(f"pages with console errors or failed/external requests (checked {kinds})", _load_problems(sweep))


def test_math_typesets(sweep, pages):
    problems = []
    kinds = {p.path: p.kind for p in pages}
    for page, v in sweep.items():
        r = v.info.get("render")
        if not r:
            continue
        for m in r["math"]:
            if not m["ok"]:
                problems.append(f"{page}: .arithmatex #{m['i']} {m['text']!r} not typeset {m['error']}".rstrip())
        problems += [f"{page}: MathJax error {e!r}" for e in r["mathErrors"]]
        if kinds.get(page) == "notebook" and r["notebookMathSource"] and not r["notebookMath"]:
            problems.append(f"{page}: {r['notebookMathSource']} notebook markdown cells hold $…$ math, "
                            "but no mjx-container was rendered")
    _fail("math not typeset", problems)


def test_mermaid_diagrams_render(sweep):
    problems = []
    for page, v in sweep.items():
        for d in (v.info.get("render") or {}).get("mermaid", []):
            if d["tag"] == "pre" or d["w"] < 10 or d["h"] < 10:
                problems.append(f"{page}: mermaid diagram #{d['i']} {d['what']} rendered {d['w']:.0f}x{d['h']:.0f}"
                                + (" (never drawn)" if d["tag"] == "pre" else ""))
    _fail("mermaid diagrams not rendered", problems)


def test_axe_no_serious_or_critical_violations(sweep):
    assert AXE_JS.is_file(), f"{AXE_JS} missing: run npm ci"
    problems = [f"{page}: {m}" for page, v in sweep.items() for m in v.info.get("axe", [])]
    _fail("axe-core serious/critical violations (wcag2a, wcag2aa)", problems)


def _contrast_problems(results, scheme: str) -> list[str]:
    problems = []
    for page, v in results.items():
        c = v.info.get(f"contrast_{scheme}")
        if c is None:
            continue
        if scheme == "dark" and v.info.get("scheme") != "slate":
            problems.append(f"{page}: dark mode requested but the page shows scheme {v.info.get('scheme')!r}")
        for b in c["bad"][:10]:
            problems.append(f"{page} [{scheme}]: <{b['el']}> {b['text']!r} contrast {b['ratio']} < {b['need']} "
                            f"(text {b['fg']} on {b['bg']})")
        if len(c["bad"]) > 10:
            problems.append(f"{page} [{scheme}]: ... {len(c['bad']) - 10} more low-contrast elements")
    return problems


def test_text_readable_light(sweep):
    _fail("unreadable text, light mode", _contrast_problems(sweep, "light"))


def test_text_readable_dark(sweep):
    problems = [f"{page} [dark]: {m}" for page, v in sweep.items() for m in v.info.get("axe_dark", [])]
    _fail("unreadable text, dark mode", _contrast_problems(sweep, "dark") + problems)


def test_phone_no_horizontal_scroll(sweep):
    problems = []
    for page, v in sweep.items():
        o = v.info.get("overflow")
        if o and o["scrollW"] > o["W"] + 1:
            problems.append(f"{page}: page is {o['scrollW']}px wide on a {o['W']}px phone; sticking out: "
                            + ("; ".join(o["out"]) or "(no single element found)"))
    _fail("horizontal scrolling on a 375x667 phone", problems)


def test_screenshots_written(sweep, pages):
    expected = set(_screenshot_targets(pages).values())
    missing = [n for n in expected if not (ARTIFACTS / n).is_file()]
    assert not missing, f"screenshots not written to {ARTIFACTS}: {missing}"


# --------------------------------------------------------------------------------------------------------
# Search and decks
# --------------------------------------------------------------------------------------------------------

def _search_problems(browser, url: str, pages) -> list[str]:
    keys = {p.key for p in pages}
    context = browser.new_context(viewport=DESKTOP)
    problems = []
    try:
        tab, visit = open_page(context, url, "index.html")
        for query, expected in SEARCH_TABLE.items():
            if expected not in keys:
                problems.append(f"search {query!r}: the expected page {expected!r} is not in the site")
                continue
            try:
                top = search_top(tab, query)
            except Exception as exc:
                problems.append(f"search {query!r}: no result list ({str(exc).splitlines()[0][:150]})")
                continue
            if expected not in top:
                problems.append(f"search {query!r}: expected {expected!r} in the top 3, got {top}")
        problems += [f"search page: {m}" for m in visit.console_errors + visit.failed + visit.external]
    finally:
        context.close()
    return problems


def test_search_finds_course_terms(browser, base_url, pages):
    assert len(SEARCH_TABLE) >= 12
    _fail("search results", _search_problems(browser, base_url + "index.html", pages))


def test_wide_diagram_opens_over_the_whole_window(browser, base_url):
    """A flowchart scaled down to the text column (图5 on the BioBERT page) opens over the whole window on
    click and on Enter, and closes on Esc, returning focus to it (docs/assets/js/diagram-zoom.js)."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        tab = context.new_page()
        tab.goto(base_url + "03-biobert/index.html", wait_until="load")
        tab.wait_for_selector(".md-typeset .mermaid[data-zoom]", timeout=30_000)
        diagram = tab.locator(".md-typeset .mermaid[data-zoom]").first
        column = diagram.bounding_box()["width"]
        diagram.click()
        box = diagram.bounding_box()
        assert diagram.get_attribute("aria-expanded") == "true"
        assert box["width"] >= DESKTOP["width"] - 20 > column, (column, box)
        tab.keyboard.press("Escape")
        assert diagram.get_attribute("aria-expanded") == "false"
        assert tab.evaluate("document.activeElement.classList.contains('mermaid')")
        tab.keyboard.press("Enter")
        assert diagram.get_attribute("aria-expanded") == "true"
        tab.keyboard.press("Escape")
    finally:
        context.close()


def _deck_problems(results, pages) -> list[str]:
    decks = [p.path for p in pages if p.kind == "deck"]
    return [f"{d}: {results[d].info['deck']}" for d in decks if d in results and results[d].info.get("deck")] + \
        [f"{d}: deck did not start" for d in decks if d in results and "deck" not in results[d].info]


def test_decks_advance(sweep, pages):
    """Each deck starts and ArrowRight moves to the next slide (its load errors are in the load test)."""
    _fail("decks", _deck_problems(sweep, pages))


# --------------------------------------------------------------------------------------------------------
# The offline bundle (file://)
# --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_site(tmp_path_factory) -> Path:
    override = os.environ.get("BROWSER_TEST_OFFLINE")
    if override:
        return Path(override)
    out = tmp_path_factory.mktemp("offline")
    proc = subprocess.run([sys.executable, "scripts/build_offline.py", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    if proc.returncode != 0:
        pytest.fail(f"scripts/build_offline.py failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}", pytrace=False)
    zips = sorted(out.glob("*.zip"))
    assert len(zips) == 1, f"expected one zip in {out}, found {zips}"
    unpacked = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(zips[0]) as z:
        z.extractall(unpacked)
    roots = [p for p in unpacked.iterdir() if p.is_dir()]
    assert len(roots) == 1 and (roots[0] / "index.html").is_file(), \
        f"{zips[0].name}: expected one top folder with index.html, found {list(unpacked.iterdir())}"
    return roots[0]


@pytest.fixture(scope="module")
def offline_pages(offline_site):
    return discover_pages(offline_site)


def test_offline_config_keeps_main_plugins():
    """mkdocs.offline.yml inherits mkdocs.yml, but YAML lists are replaced, not merged: its plugin list must
    be the main one plus `offline`."""
    def load(name):
        class Loader(yaml.SafeLoader):
            pass
        Loader.add_multi_constructor("", lambda loader, suffix, node: None)
        return yaml.load((ROOT / name).read_text(encoding="utf-8"), Loader=Loader)

    main, offline = load("mkdocs.yml"), load("mkdocs.offline.yml")
    assert offline.get("INHERIT") == "mkdocs.yml"
    assert offline["plugins"] == main["plugins"] + ["offline"], \
        "mkdocs.offline.yml: plugins must be mkdocs.yml's plugins followed by `- offline`"
    features = (offline.get("theme") or {}).get("features") or main["theme"].get("features", [])
    assert "navigation.instant" not in features, "instant navigation does not work from file://"


def test_offline_bundle_contents(offline_site, offline_pages):
    assert (offline_site / "search" / "search_index.js").is_file(), "offline search index (search_index.js) missing"
    assert not (offline_site / "index.html").read_text(encoding="utf-8").count("unpkg.com"), \
        "index.html still loads the iframe-worker shim from unpkg.com"
    main_kinds = {k: sum(p.kind == k for p in offline_pages) for k in ("page", "notebook", "deck")}
    assert main_kinds["page"] >= 2, main_kinds
    static = StaticSite(offline_site)
    problems = static.check_assets() + static.check_links(file_urls=True)
    _fail("offline bundle: missing assets or broken links", problems)


@pytest.fixture(scope="module")
def offline_sweep(browser, offline_site, offline_pages):
    return _sweep(browser, offline_site.as_uri() + "/", _swept(offline_pages, OFFLINE_SWEPT), full=False,
                  shots={"index.html": "index.png"}, shot_prefix="offline-")


def test_offline_pages_load(offline_sweep):
    _fail("offline bundle (file://): pages with console errors or failed/external requests",
          _load_problems(offline_sweep))


def test_offline_search(browser, offline_site, offline_pages):
    _fail("offline bundle (file://): search", _search_problems(browser, offline_site.as_uri() + "/index.html",
                                                               offline_pages))


def test_offline_decks(offline_sweep, offline_pages):
    _fail("offline bundle (file://): decks", _deck_problems(offline_sweep, offline_pages))


def test_offline_model_demos_run_from_file(browser, offline_site):
    """From file:// the two model demos load the model and the wasm from their base64 packs (fetch is blocked
    there) and answer; the bundle holds each of those files once (no unreachable .onnx or vendored .wasm)."""
    if not (ROOT / "demos" / "models" / "manifest.json").is_file():
        pytest.fail("demos/models/ missing: run `make demos` (make test builds them first)")
    assert not list(offline_site.rglob("*.onnx")) and not list(offline_site.rglob("*.wasm")), \
        "the offline bundle must carry the model and wasm files only as base64 packs (assets/demos/bin/)"
    assert {p.name for p in (offline_site / "assets" / "demos" / "bin").glob("*.js")} == \
        {"ort-wasm.js", "model-codesearch.js", "model-ner.js"}
    context = browser.new_context(viewport=DESKTOP)
    try:
        tab, visit = open_page(context, (offline_site / "08-case-studies.html").as_uri(),
                               "08-case-studies.html")
        for demo in ("codesearch", "ner"):
            el = tab.locator(f'.vdlm-demo[data-demo="{demo}"]').first
            el.scroll_into_view_if_needed()
            el.locator(".vdlm-demo-input").click()
            tab.wait_for_function(f"""() => document.querySelector('.vdlm-demo[data-demo="{demo}"]')
                .getAttribute('data-demo-ready')""", timeout=60000)
            assert el.get_attribute("data-demo-ready") == "1", el.locator(".vdlm-demo-status").inner_text()
        got = tab.evaluate("q => VDLMDemos.models.search(q)", "create a zip archive of a directory")
        assert len(got["model"]) == 5 and len(got["bm25"]) == 5, got
        tags = tab.evaluate("t => VDLMDemos.models.tag(t)", "Mutations in FBN1 cause Marfan syndrome.")
        assert len(tags["tags"]) >= 6 and all(t == "O" or t[:2] in ("B-", "I-") for t in tags["tags"]), tags
        assert not visit.external and not visit.console_errors, (visit.external, visit.console_errors)
    finally:
        context.close()


def test_offline_notebook_downloads_and_network_links(browser, offline_site):
    """From file:// the notebook page saves the .ipynb (Chromium ignores `download` there and would show the
    JSON: docs/assets/js/offline-links.js saves the bytes embedded in the page), offers the vdlm wheel that the
    bundle holds, marks the Colab link as needing the network and hides the repository's edit icons."""
    name = "02-biobert-ner.ipynb"
    page = next(offline_site.glob(f"notebooks/{name[:-6]}*.html"))
    wheels = sorted((offline_site / "downloads").glob("vdlm-*-py3-none-any.whl"))
    assert len(wheels) == 1, "the offline bundle must hold the vdlm wheel under downloads/"
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    try:
        tab = context.new_page()
        tab.goto(page.as_uri(), wait_until="load")
        with tab.expect_download(timeout=15_000) as got:
            tab.click(".notebook-links a[data-notebook-download]")
        saved = Path(got.value.path())
        assert got.value.suggested_filename == name
        assert saved.read_bytes() == (ROOT / "notebooks" / name).read_bytes()
        assert tab.url == page.as_uri(), "the page must stay, not show the notebook's JSON"
        with tab.expect_download(timeout=15_000) as got:
            tab.click(".notebook-links a[href$='.whl']")
        assert got.value.suggested_filename == wheels[0].name
        colab = tab.locator(".notebook-links a[data-needs-network]")
        assert "需联网" in colab.inner_text()
        assert tab.locator(".md-content__button.md-icon[href^='http']").evaluate_all(
            "els => els.every(e => getComputedStyle(e).display === 'none')")
    finally:
        context.close()


# --------------------------------------------------------------------------------------------------------
# Bad input: the checkers name page and element
# --------------------------------------------------------------------------------------------------------

BROKEN_INDEX = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>broken</title>
<script src="assets/js/does-not-exist.js"></script></head>
<body><div class="md-content"><h1 id="top">坏页面</h1>
<p><a href="missing-page/">缺失页面</a> <a href="other/#no-such-anchor">缺失锚点</a> <a href="other/#ok">好锚点</a>
<a href="#top">本页锚点</a></p>
<img src="pic.png">
<figure><div class="mermaid">graph LR; A-->B</div></figure>
</div></body></html>"""
OTHER = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>other</title></head>
<body><div class="md-content"><h2 id="ok">好</h2></div></body></html>"""
# a 1x1 PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a10000000049454e44ae426082")


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("broken")
    (site / "index.html").write_text(BROKEN_INDEX, encoding="utf-8")
    (site / "other").mkdir()
    (site / "other" / "index.html").write_text(OTHER, encoding="utf-8")
    (site / "pic.png").write_bytes(PNG)
    return site


def test_checker_catches_missing_page_and_anchor(broken_site):
    problems = StaticSite(broken_site).check_links()
    assert len(problems) == 2, problems
    assert any(p.startswith("index.html:") and 'href="missing-page/"' in p and "does not exist" in p for p in problems)
    assert any('href="other/#no-such-anchor"' in p and "anchor #no-such-anchor not found in other/index.html" in p
               for p in problems)


def test_checker_catches_missing_extra_javascript(broken_site):
    problems = StaticSite(broken_site).check_assets()
    assert len(problems) == 1 and problems[0].startswith("index.html:")
    assert 'src="assets/js/does-not-exist.js"' in problems[0] and "missing file" in problems[0]


def test_checker_catches_image_without_alt(broken_site):
    problems = StaticSite(broken_site).check_alt_text()
    assert any('<img src="pic.png">' in p and "image without alt text" in p for p in problems), problems
    assert any("mermaid" in p and "diagram without a text alternative" in p for p in problems), problems


def test_browser_check_catches_404_script(browser, broken_site):
    from tests.browser_helpers import SitePage

    with serve(broken_site) as url:
        results = _sweep(browser, url, [SitePage("index.html", "page")], full=True)
    problems = _load_problems(results)
    assert any(p.startswith("index.html: failed request script") and "does-not-exist.js: HTTP 404" in p
               for p in problems), problems
    axe = results["index.html"].info["axe"]
    assert any("image-alt" in m and "pic.png" in m for m in axe), axe
