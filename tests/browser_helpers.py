"""Browser probes for tests/test_browser.py (Playwright pages): what a page requested and logged while
loading, how its math and diagrams rendered, axe-core's verdict, text contrast, horizontal overflow on a phone,
and the search UI. The static checkers on the built HTML live in ``coursesite/checks/site.py`` (also used by
``coursesite/offline.py``) and are re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from coursesite.pdf import serve  # noqa: F401  (one local HTTP server, shared with the PDF export)
from coursesite.checks.site import (  # noqa: F401  (re-exported for the tests)
    SitePage, StaticSite, classify, discover_pages, html_file_for, page_key, sitemap_paths,
)

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "build" / "test-artifacts"

# --------------------------------------------------------------------------------------------------------
# Browser probes
# --------------------------------------------------------------------------------------------------------

def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome-error"):
        return True
    return parts.hostname in ("127.0.0.1",)


@dataclass
class Visit:
    """What happened while one page loaded."""
    page: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)


def block_external(context, sink: list[str] | None = None) -> None:
    """Abort every request to a host other than 127.0.0.1 (and record it). Not used by default: routing turns
    off Chromium's HTTP cache, which makes every page load parse MathJax and mermaid anew (3x slower);
    open_page records requests to other hosts anyway."""
    def handler(route):
        if sink is not None:
            sink.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda url: not is_local(url), handler)


def open_page(context, url: str, page_path: str):
    """Open ``url`` in a new tab, recording console errors, failed and external requests into a Visit."""
    visit = Visit(page_path)
    tab = context.new_page()

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            src = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            visit.console_errors.append(f"console error: {msg.text[:300]}{src}")

    def on_pageerror(err):
        visit.console_errors.append(f"uncaught exception: {str(err)[:300]}")

    def on_request(req):
        if not is_local(req.url):
            visit.external.append(f"{req.resource_type} {req.url}")

    def on_failed(req):
        if is_local(req.url):
            visit.failed.append(f"{req.resource_type} {req.url}: {req.failure}")

    def on_response(resp):
        if resp.status >= 400:
            visit.failed.append(f"{resp.request.resource_type} {resp.url}: HTTP {resp.status}")

    tab.on("console", on_console)
    tab.on("pageerror", on_pageerror)
    tab.on("request", on_request)
    tab.on("requestfailed", on_failed)
    tab.on("response", on_response)
    tab.goto(url, wait_until="load", timeout=30000)
    return tab, visit


# Wait for what a page renders after 'load': MathJax typesetting, mermaid diagrams, reveal.js, web fonts.
SETTLE_JS = """async () => {
  const deadline = Date.now() + 8000;
  const until = async (cond) => { while (!cond() && Date.now() < deadline) await new Promise(r => setTimeout(r, 50)); };
  if (document.querySelector('.reveal')) await until(() => window.Reveal && Reveal.isReady && Reveal.isReady());
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await until(() => MathJax.typesetPromise);
    try { await MathJax.startup.promise; } catch (e) {}
  }
  if (document.querySelector('.mermaid') && window.mermaid)
    await until(() => !document.querySelector('pre.mermaid'));
  await document.fonts.ready;
  return true;
}"""

RENDER_JS = """() => {
  const out = {math: [], mermaid: []};
  const describe = (el) => {
    const cap = el.closest('figure') && el.closest('figure').querySelector('figcaption');
    return (el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' +
            (cap ? JSON.stringify(cap.textContent.trim().slice(0, 50)) : '')).trim();
  };
  document.querySelectorAll('.arithmatex').forEach((el, i) => {
    const c = el.querySelector('mjx-container');
    const err = el.querySelector('mjx-merror');
    // an undefined macro is no mjx-merror: MathJax's noundefined extension shows it as red text, "\\boldsymbol"
    const raw = c && !err ? (c.textContent.match(/\\\\[A-Za-z]+/) || [''])[0] : '';
    out.math.push({i, ok: !!c && !err && !raw, text: el.textContent.trim().slice(0, 60),
                   error: err ? err.textContent.slice(0, 80) : raw ? 'undefined macro ' + raw : ''});
  });
  out.notebookMathSource = [...document.querySelectorAll('.jupyter-wrapper .jp-RenderedMarkdown, .jupyter-wrapper .jp-MarkdownOutput')]
      .filter(el => /\\$[^$\\s][^$]*\\$|\\\\\\(|\\\\\\[/.test(el.textContent)).length;
  out.notebookMath = document.querySelectorAll('.jupyter-wrapper mjx-container').length;
  out.mathErrors = [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80));
  document.querySelectorAll('.mermaid').forEach((el, i) => {
    const r = el.getBoundingClientRect();
    out.mermaid.push({i, tag: el.tagName.toLowerCase(), w: r.width, h: r.height, what: describe(el)});
  });
  return out;
}"""

# Contrast of the text a student reads. For each visible element with its own text, composite the colours of
# its background ancestors and compute the WCAG contrast ratio of its text colour against that.
CONTRAST_JS = """(rootSel) => {
  const roots = [...document.querySelectorAll(rootSel)];
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, bottom) => { const a = top[3] + bottom[3] * (1 - top[3]); if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]); };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const canvas = () => { for (const el of [document.body, document.documentElement]) {
      const c = parse(getComputedStyle(el).backgroundColor); if (c && c[3] > 0) return over(c, [255, 255, 255, 1]); }
    return [255, 255, 255, 1]; };
  const base = canvas();
  const background = (el) => { const layers = []; let hasImage = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) { const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none') hasImage = true;
      const c = parse(s.backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? [0, 0, 0, 0] : base;
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return {bg, hasImage}; };
  const skip = 'pre, code, kbd, mjx-container, svg, .mermaid, .headerlink, .md-clipboard, script, style, noscript, .md-search, .md-header, .md-sidebar, .md-footer, .md-source, [aria-hidden="true"]';
  const bad = []; let checked = 0;
  for (const root of roots) for (const el of root.querySelectorAll('*')) {
    if (el.closest(skip)) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = el.getBoundingClientRect(); if (r.width < 1 || r.height < 1) continue;
    const s = getComputedStyle(el); const fg0 = parse(s.color); if (!fg0) continue;
    const {bg, hasImage} = background(el); if (hasImage) continue;
    const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * Number(s.opacity || 1)], bg);
    const l1 = lum(fg), l2 = lum(bg); const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    checked++;
    if (ratio < need - 0.01) bad.push({el: el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''),
      text: own.slice(0, 40), ratio: Math.round(ratio * 100) / 100, need, fg: s.color, bg: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')'});
  }
  return {checked, bad};
}"""

# Elements that stick out to the right of a phone screen (outside any horizontally scrolling box).
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth;
  const scrollW = document.documentElement.scrollWidth;
  const out = [];
  if (scrollW <= W + 1) return {W, scrollW, out};
  const clips = (e) => { const s = getComputedStyle(e); return /(auto|scroll|hidden|clip)/.test(s.overflowX); };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= W + 1 || r.width === 0) continue;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (clips(p)) { clipped = true; break; }
    if (clipped) continue;
    const parent = el.parentElement; const pr = parent ? parent.getBoundingClientRect() : null;
    if (pr && pr.right > W + 1 && parent !== document.body) continue;  // report the outermost one only
    out.push(el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
             (el.id ? '#' + el.id : '') + ' right=' + Math.round(r.right) + 'px ' + JSON.stringify((el.textContent || '').trim().slice(0, 40)));
    if (out.length >= 5) break;
  }
  return {W, scrollW, out};
}"""

AXE_RUN_JS = """async (rules) => {
  // preload: false: axe would re-fetch style sheets and resolve their @imports against the page (spurious 404s)
  const only = rules ? {type: 'rule', values: rules} : {type: 'tag', values: ['wcag2a', 'wcag2aa']};
  const r = await axe.run(document, {runOnly: only, resultTypes: ['violations'], preload: false});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160)})), count: v.nodes.length}));
}"""


def run_axe(tab, rules: list[str] | None = None) -> list[str]:
    """axe-core's serious and critical violations on the open page (WCAG 2 A/AA, or only ``rules``), one line
    each."""
    if not tab.evaluate("() => typeof axe === 'object'"):
        tab.add_script_tag(path=str(AXE_JS))
    problems = []
    for v in tab.evaluate(AXE_RUN_JS, rules):
        nodes = "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"])
        problems.append(f"axe {v['impact']} {v['id']} ({v['help']}) x{v['count']}: {nodes}")
    return problems


def content_root(kind: str) -> str:
    return ".reveal .slides" if kind == "deck" else ".md-content"


# --------------------------------------------------------------------------------------------------------
# Search through the real UI
# --------------------------------------------------------------------------------------------------------

SEARCH_INPUT = "input.md-search__input"
RESULT_LINKS_JS = """() => [...document.querySelectorAll('.md-search-result__list > li.md-search-result__item')]
    .map(li => { const a = li.querySelector('a'); return a ? a.href : ''; })"""


def search_top(tab, query: str, n: int = 3, timeout_ms: int = 15000) -> list[str]:
    """Type ``query`` into Material's search box and return the page keys of the first ``n`` results."""
    box = tab.locator(SEARCH_INPUT)
    if not box.is_visible():
        tab.locator('label[for="__search"]').first.click()
    box.fill("")
    box.press("End")  # Material reads the query on keyup
    tab.wait_for_function("() => !document.querySelector('.md-search-result__list > li')", timeout=timeout_ms)
    box.fill(query)
    box.press("End")
    tab.wait_for_function(
        """() => document.querySelector('.md-search-result__list > li') ||
                 /没有|No match/i.test((document.querySelector('.md-search-result__meta') || {}).textContent || '')""",
        timeout=timeout_ms)
    base = tab.evaluate("() => new URL(document.querySelector('script[src*=\"assets/javascripts/bundle\"]').src, location.href).href")
    site_root = base.split("assets/javascripts/")[0]
    keys = []
    for href in tab.evaluate(RESULT_LINKS_JS)[:n]:
        rel = href[len(site_root):] if href.startswith(site_root) else href
        keys.append(page_key(rel))
    return keys


# A deck advances with the arrow keys: returns "" or the problem.
DECK_ADVANCE_JS = """() => (window.Reveal && Reveal.isReady && Reveal.isReady()) ? Reveal.getTotalSlides()
                                                                          : 'reveal.js did not start'"""


def deck_advances(tab) -> str:
    """Press ArrowRight in a started reveal.js deck; return "" if it moved to the next slide, else the problem."""
    total = tab.evaluate(DECK_ADVANCE_JS)
    if isinstance(total, str):
        return total
    before = tab.evaluate("() => Reveal.getIndices()")
    tab.keyboard.press("ArrowRight")
    try:
        tab.wait_for_function(f"() => JSON.stringify(Reveal.getIndices()) !== {json.dumps(json.dumps(before, separators=(',', ':')))}",
                              timeout=2000)
    except Exception:
        if total > 1:
            return f"ArrowRight did not advance from slide {before} ({total} slides)"
    return ""


# The smallest type in a widget and whether its slide still fits the 1280×720 slide after an answer.
SLIDE_FIT_JS = """el => { const slide = el.closest('section'), scale = Reveal.getScale();
  const sizes = [...el.querySelectorAll('*')].filter(e => e.offsetParent !== null && [...e.childNodes].some(
    n => n.nodeType === 3 && n.textContent.trim())).map(e => parseFloat(getComputedStyle(e).fontSize));
  return { height: slide.scrollHeight,
           bottom: (el.getBoundingClientRect().bottom - slide.getBoundingClientRect().top) / scale, minFont: Math.min(...sizes),
           outputScrolls: el.querySelector('.vdlm-demo-output').scrollHeight > el.querySelector('.vdlm-demo-output').clientHeight }; }"""
