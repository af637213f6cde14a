"""MkDocs hook: present every lecture page as a reveal.js deck (the slide view).

Thin glue around :mod:`scripts.slides` (the pure slide-cutting code):

- ``on_nav``: reads each page's front matter; a page is a *lecture page* (it gets a deck) when it
  declares ``minutes:`` > 0 and not ``slides: false``.
- ``on_page_markdown``: on the home page, adds a "时长" column and the lecture's total time under
  the 目录 table (:func:`scripts.slides.add_minutes_to_index`).
- ``on_page_content``: cuts the rendered page into slides, logs problems as warnings naming the page
  and slide (notes outside any slide, unknown break marker, missing notes, a slide that probably
  overflows 1280×720), and adds a "幻灯片" button to the page.
- ``on_post_build``: writes ``<page>/slides/index.html`` for each lecture page, the whole lecture
  (home page first, then the nav order) at ``slides/index.html``, and the deck's CSS and JS under
  ``assets/slides/``. reveal.js, MathJax and mermaid come from ``assets/vendor/`` (vendor hook).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import slides as S  # noqa: E402

log = logging.getLogger("mkdocs.hooks.slides")
TEMPLATES = ROOT / "scripts" / "templates"
# Build warning when the heuristic height of a slide exceeds the screen by this factor. The deck
# shrinks the type of a slightly tall slide to 80% (up to ~1.4× fits), and the browser test measures
# the real height; the heuristic only catches clear cases.
OVERFLOW_FACTOR = 1.45

_state: dict = {}

_BUTTON = (
    '<a href="{href}" class="md-content__button md-button slides-button" title="{title}">'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true"><path d="M2 3h20v2h-1v11h-6l1.5 '
    '5H15l-1.5-5h-3L9 21H7.5L9 16H3V5H2V3m3 2v9h14V5H5m5 2 5 2.5-5 2.5V7z"/></svg>'
    '<span>幻灯片</span></a>\n'
)


def _lecture(meta: dict) -> bool:
    minutes = meta.get("minutes")
    return meta.get("slides", True) is not False and isinstance(minutes, (int, float)) and minutes > 0


def on_config(config, **kwargs):
    _state.clear()
    _state.update(meta={}, order=[], decks={}, home=None, total=0)
    return config


def on_nav(nav, config, files, **kwargs):
    docs = Path(config["docs_dir"])
    for page in nav.pages:
        src = page.file.src_uri
        path = docs / src
        meta = {}
        if src.endswith(".md") and path.is_file():
            try:
                meta = get_data(path.read_text(encoding="utf-8-sig"))[1]
            except Exception:  # a broken front matter is reported by MkDocs itself
                meta = {}
        _state["meta"][src] = meta
        _state["order"].append(src)
    return nav


def on_page_markdown(markdown, page, config, files, **kwargs):
    if page.is_homepage:
        minutes = {src: float(m["minutes"]) for src, m in _state["meta"].items() if _lecture(m)}
        markdown, total = S.add_minutes_to_index(markdown, minutes)
        _state["total"] = total
    return markdown


def on_page_content(html, page, config, files, **kwargs):
    src = page.file.src_uri
    meta = _state["meta"].get(src) or page.meta or {}
    if not _lecture(meta):
        return html
    result = S.cut_slides(html)
    for problem in result.problems:
        log.warning(f"slides: {src}: {problem}")
    for slide in result.slides:
        if slide.kind == "bibliography":
            continue
        height = S.estimate_height(slide)
        if height > S.SLIDE_HEIGHT * OVERFLOW_FACTOR:
            log.warning(
                f"slides: {src}: slide '{slide.title}' probably overflows {S.SLIDE_WIDTH}×{S.SLIDE_HEIGHT} "
                f"(estimated {height}px tall): move explanations into a page-only block or into the notes"
            )
    _state["decks"][src] = S.DeckPage(url=page.url, slides=result.slides, minutes=meta.get("minutes"),
                                      title=str(page.title or ""))
    if page.is_homepage:
        _state["home"] = src
        title = "把整讲作为幻灯片放映（reveal.js，按 S 打开讲者视图）"
    else:
        title = "把本页作为幻灯片放映（reveal.js，按 S 打开讲者视图）"
    # The deck's URL relative to the page: "slides/" with directory URLs; with use_directory_urls: false
    # (the offline bundle) the page is "04-clinicalbert.html" and its deck "04-clinicalbert/slides/index.html".
    page_dir = page.url.rsplit("/", 1)[0] + "/" if "/" in page.url else ""
    href = S.relative_url(S.deck_url_for(page.url), page_dir)
    if not config.get("use_directory_urls", True):
        href += "index.html"
    return _BUTTON.format(href=href, title=title) + html


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".reveal .highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs("html.deck-dark .reveal .highlight")
    return "\n/* Code colours (Pygments). */\n" + light + "\n" + dark + "\n"


def _reveal_version(root: Path) -> str:
    try:
        return json.loads((root / "node_modules/reveal.js/package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "5"


def on_post_build(config, **kwargs):
    site = Path(config["site_dir"])
    root = Path(config["config_file_path"]).parent if config.get("config_file_path") else ROOT
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("deck.html")
    theme = (config.get("extra") or {}).get("slides_theme", "white")
    if theme not in ("white", "black"):
        log.warning(f"slides: extra.slides_theme is {theme!r}; only 'white' and 'black' load no web fonts")
        theme = "white"
    common = dict(theme=theme, reveal_version=_reveal_version(root))

    assets = site / "assets" / "slides"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "deck.css").write_text((TEMPLATES / "deck.css").read_text(encoding="utf-8") + _pygments_css(),
                                     encoding="utf-8")
    (assets / "deck.js").write_text((TEMPLATES / "deck.js").read_text(encoding="utf-8"), encoding="utf-8")

    decks = _state.get("decks", {})
    ordered = [decks[src] for src in _state.get("order", []) if src in decks]

    def write(deck_url: str, title: str, slides: list, minutes: float | None, total: float | None):
        out = site / deck_url / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        info = {"title": title, "slides": len(slides), "totalSeconds": int(round((minutes or 0) * 60)) or None}
        html = template.render(
            title=title, slides=slides, root=S.relative_url("", deck_url), total_minutes=S._fmt(total) if total else "",
            deck_json=Markup(json.dumps(info, ensure_ascii=False).replace("<", "\\u003c")), **common,
        )
        out.write_text(html, encoding="utf-8")

    for src, deck in decks.items():
        if src == _state.get("home"):
            continue
        url = S.deck_url_for(deck.url)
        write(url, deck.title, S.assemble_deck([deck], url), deck.minutes, None)

    if ordered:
        home = decks.get(_state.get("home")) if _state.get("home") else None
        pages = ([home] if home else []) + [d for d in ordered if d is not home]
        bib_page = next((d.url for d in pages for s in d.slides if "bibliography-all" in s.body_html), None)
        url = S.deck_url_for(home.url if home else "")
        total = sum(float(d.minutes or 0) for d in pages)
        slides = S.assemble_deck(pages, url, prefix_ids=True, keep_bibliographies=False, bibliography_page=bib_page)
        title = home.title if home else config.get("site_name", "")
        write(url, title, slides, total, total)
