"""Decks: present every lecture page as a reveal.js deck (the slide room of the site plugin).

Thin glue around :mod:`coursesite.slides.cut` (the pure slide-cutting code); :mod:`coursesite.plugin`
calls these methods from its events:

- :meth:`Decks.read_meta` (``on_nav``): reads each page's front matter; a page is a *lecture page* (it
  gets a deck) when it declares ``minutes:`` > 0 and not ``slides: false``.
- :meth:`Decks.index_markdown` (``on_page_markdown``): on the home page, adds a "时长" column and the
  lecture's total time under the 目录 table (:func:`coursesite.slides.cut.add_minutes_to_index`).
- :meth:`Decks.cut_page` (``on_page_content``): cuts the rendered page into slides (cached by the HTML's
  hash: an unchanged page is not cut again under ``mkdocs serve``), logs problems as warnings naming the
  page and slide (notes outside any slide, unknown break marker, missing notes, a slide that probably
  overflows 1280×720), and adds a "幻灯片" button to the page.
- :meth:`Decks.write` (``on_post_build``): writes ``<page>/slides/index.html`` for each lecture page, the
  whole lecture (home page first, then the nav order) at ``slides/index.html``, and the deck's CSS and JS
  under ``assets/slides/``. reveal.js, MathJax and mermaid come from ``assets/vendor/``
  (:mod:`coursesite.assets`). A deck whose HTML is unchanged is not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.utils.meta import get_data

from ..citations import backlinks
from ..pagecache import DiskCache
from . import cut as S

log = logging.getLogger("mkdocs.plugins.course.slides")
TEMPLATES = Path(__file__).resolve().parent / "templates"
# Build warning when the heuristic height of a slide exceeds the screen by this factor. The deck
# shrinks the type of a slightly tall slide to 80% (up to ~1.4× fits), and the browser test measures
# the real height; the heuristic only catches clear cases.
OVERFLOW_FACTOR = 1.45

_BUTTON = (
    '<a href="{href}" class="md-content__button md-button slides-button" title="{title}">'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true"><path d="M2 3h20v2h-1v11h-6l1.5 '
    '5H15l-1.5-5h-3L9 21H7.5L9 16H3V5H2V3m3 2v9h14V5H5m5 2 5 2.5-5 2.5V7z"/></svg>'
    '<span>幻灯片</span></a>\n'
)


# The opening tag of an element with class slide-only (shown on the slide; hidden on the page).
_SLIDE_ONLY_TAG = re.compile(r'<([a-zA-Z][\w-]*)(\s[^>]*?\bclass="(?:[^"]*\s)?' + S.SLIDE_ONLY_CLASS + r'(?:\s[^"]*)?"[^>]*?)(/?)>')


def hide_slide_only(html: str) -> str:
    """The page's HTML with every ``slide-only`` element hidden (``hidden``) and left out of the search index
    (Material's ``data-search-exclude``); the deck, cut from the unhidden HTML, shows them."""
    if S.SLIDE_ONLY_CLASS not in html:
        return html
    html = _drop_backlinks_into_slide_only(html)
    return _SLIDE_ONLY_TAG.sub(lambda m: f"<{m.group(1)}{m.group(2)} hidden data-search-exclude{m.group(3)}>", html)


def _drop_backlinks_into_slide_only(html: str) -> str:
    """The page bibliography's ↩ links that would jump to a citation inside a slide-only element (hidden on the
    page) are removed; the citation's other back-links stay."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    hidden = {el["id"]: None for box in soup.select("." + S.SLIDE_ONLY_CLASS) for el in box.select(backlinks.CITATION)}
    return str(soup) if hidden and backlinks.retarget(soup, hidden) else html


def density_note(html: str, slides: list[S.Slide], minutes: float) -> str:
    """The build's line on how well a deck carries its page (issue 14): content slides against the target of one per
    :data:`coursesite.slides.report.MINUTES_PER_SLIDE` minutes, and the page's 图N/表N that are on no slide.
    Informational: the pages are written against it; ``tests/test_decks.py`` is the check that fails."""
    from bs4 import BeautifulSoup

    from .report import captions, target_slides

    content = sum(1 for s in slides if s.kind == "content")
    target = target_slides(minutes)
    on_slides = set(captions(BeautifulSoup("".join(s.body_html for s in slides), "html.parser")))
    missing = [c for c in captions(BeautifulSoup(html, "html.parser")) if c not in on_slides]
    note = f"{content} content slides for {S._fmt(minutes)} minutes (target ≥ {target}"
    note += ")" if content >= target else "; below the target: give each ### topic its slide)"
    if missing:
        note += f"; on no slide: {', '.join(missing)}"
    return note


def _lecture(meta: dict) -> bool:
    minutes = meta.get("minutes")
    return meta.get("slides", True) is not False and isinstance(minutes, (int, float)) and minutes > 0


class Decks:
    """The decks of one site build; the instance (and its caches) lives across ``mkdocs serve`` rebuilds."""

    def __init__(self, theme: str = "white", overflow_factor: float = OVERFLOW_FACTOR) -> None:
        self.theme = theme
        self.overflow_factor = overflow_factor
        self._cut_cache: dict[str, tuple[S.CutResult, list[str]]] = {}
        self.disk = DiskCache(None, "slides")  # the plugin gives it a folder
        self._written: dict[str, str] = {}  # deck file -> sha256 of what was written there
        self._notes: dict[tuple[str, float], str] = {}  # (sha256 of a page's HTML, minutes) -> its density note
        self._env = None
        self.reset()

    def reset(self) -> None:
        """Forget the pages of the previous build (called at ``on_config``)."""
        self.meta: dict[str, dict] = {}
        self.order: list[str] = []
        self.decks: dict[str, S.DeckPage] = {}
        self.home: str | None = None
        self.total = 0.0

    def read_meta(self, pages, docs_dir: Path) -> None:
        """Front matter of each page in nav order (``pages``: MkDocs ``nav.pages``)."""
        for page in pages:
            src = page.file.src_uri
            path = docs_dir / src
            meta = {}
            if src.endswith(".md") and path.is_file():
                try:
                    meta = get_data(path.read_text(encoding="utf-8-sig"))[1]
                except Exception:  # a broken front matter is reported by MkDocs itself
                    meta = {}
            self.meta[src] = meta
            self.order.append(src)

    def index_markdown(self, markdown: str, page) -> str:
        """The home page's 目录 with a 时长 column and the total; other pages unchanged."""
        if page.is_homepage:
            minutes = {src: float(m["minutes"]) for src, m in self.meta.items() if _lecture(m)}
            markdown, self.total = S.add_minutes_to_index(markdown, minutes)
        return markdown

    def _cut(self, html: str) -> tuple[S.CutResult, list[str]]:
        """The page's slides and its build warnings (problems, probable overflows), once per HTML."""
        key = self.disk.key(html, repr(self.overflow_factor))
        hit = self._cut_cache.get(key) or self.disk.get(key)
        if hit is None:
            if len(self._cut_cache) > 256:
                self._cut_cache.clear()
            result = S.cut_slides(html)
            warnings = [str(problem) for problem in result.problems]
            for slide in result.slides:
                if slide.kind == "bibliography":
                    continue
                height = S.estimate_height(slide)
                if height > S.SLIDE_HEIGHT * self.overflow_factor:
                    warnings.append(
                        f"slide '{slide.title}' probably overflows {S.SLIDE_WIDTH}×{S.SLIDE_HEIGHT} "
                        f"(estimated {height}px tall): move explanations into a page-only block or into the notes")
            hit = (result, warnings)
            self.disk.put(key, hit)
        self._cut_cache[key] = hit
        return hit

    def cut_page(self, html: str, page, config) -> str:
        """Cut a lecture page into slides, report problems, and put the 幻灯片 button on the page."""
        src = page.file.src_uri
        meta = self.meta.get(src) or page.meta or {}
        if not _lecture(meta):
            return html
        result, warnings = self._cut(html)
        for warning in warnings:
            log.warning(f"slides: {src}: {warning}")
        minutes = float(meta.get("minutes") or 0)
        note_key = (hashlib.sha256(html.encode("utf-8")).hexdigest(), minutes)
        if note_key not in self._notes:
            self._notes = {k: v for k, v in self._notes.items() if k[0] != note_key[0]} if len(self._notes) < 256 else {}
            self._notes[note_key] = density_note(html, result.slides, minutes)
        log.info(f"slides: {src}: {self._notes[note_key]}")
        self.decks[src] = S.DeckPage(url=page.url, slides=result.slides, minutes=meta.get("minutes"),
                                     title=str(page.title or ""))
        if page.is_homepage:
            self.home = src
            title = "把整讲作为幻灯片放映（reveal.js，按 S 打开讲者视图）"
        else:
            title = "把本页作为幻灯片放映（reveal.js，按 S 打开讲者视图）"
        # The deck's URL relative to the page: "slides/" with directory URLs; with use_directory_urls: false
        # (the offline bundle) the page is "04-clinicalbert.html" and its deck "04-clinicalbert/slides/index.html".
        page_dir = page.url.rsplit("/", 1)[0] + "/" if "/" in page.url else ""
        href = S.relative_url(S.deck_url_for(page.url), page_dir)
        if not config.get("use_directory_urls", True):
            href += "index.html"
        return _BUTTON.format(href=href, title=title) + hide_slide_only(html)

    def _write_if_changed(self, path: Path, text: str) -> None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if self._written.get(str(path)) == digest and path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self._written[str(path)] = digest

    def write(self, config, root: Path) -> None:
        """Write every deck, the whole-lecture deck and the deck assets into ``config["site_dir"]``."""
        site = Path(config["site_dir"])
        if self._env is None:
            self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                           trim_blocks=True, lstrip_blocks=True, auto_reload=True)
        template = self._env.get_template("deck.html")
        common = dict(theme=self.theme, reveal_version=_reveal_version(root))

        assets = site / "assets" / "slides"
        self._write_if_changed(assets / "deck.css", (TEMPLATES / "deck.css").read_text(encoding="utf-8") + _pygments_css())
        self._write_if_changed(assets / "deck.js", (TEMPLATES / "deck.js").read_text(encoding="utf-8"))

        decks = self.decks

        def write(deck_url: str, title: str, slides: list, minutes: float | None, total: float | None):
            info = {"title": title, "slides": len(slides), "totalSeconds": int(round((minutes or 0) * 60)) or None}
            html = template.render(
                title=title, slides=slides, root=S.relative_url("", deck_url), total_minutes=S._fmt(total) if total else "",
                deck_json=Markup(json.dumps(info, ensure_ascii=False).replace("<", "\\u003c")), **common,
            )
            self._write_if_changed(site / deck_url / "index.html", html)

        for src, deck in decks.items():
            if src == self.home:
                continue
            url = S.deck_url_for(deck.url)
            write(url, deck.title, S.assemble_deck([deck], url, store=self.disk), deck.minutes, None)

        lecture = self.lecture_deck()
        if lecture is not None:
            url, slides, total = lecture
            home = decks.get(self.home) if self.home else None
            title = home.title if home else config.get("site_name", "")
            write(url, title, slides, total, total)

    def lecture_deck(self) -> tuple[str, list[S.DeckSlide], float] | None:
        """The whole-lecture deck (home page first, then the nav order) with its part dividers and closing slide:
        (deck URL, slides, total minutes); None when no page has a deck. Call after every page is cut."""
        ordered = [self.decks[src] for src in self.order if src in self.decks]
        if not ordered:
            return None
        home = self.decks.get(self.home) if self.home else None
        pages = ([home] if home else []) + [d for d in ordered if d is not home]
        bib_page = next((d.url for d in pages for s in d.slides if "bibliography-all" in s.body_html), None)
        url = S.deck_url_for(home.url if home else "")
        total = sum(float(d.minutes or 0) for d in pages)
        slides = S.assemble_deck(pages, url, prefix_ids=True, keep_bibliographies=False, bibliography_page=bib_page,
                                 store=self.disk)
        return url, lecture_frame(pages, slides, url, home), total

    def fill_index_count(self, files) -> None:
        """Put the whole-lecture deck's slide count into the home page's note (``on_env``: every page is cut)."""
        home = next((f.page for f in files.documentation_pages() if f.src_uri == self.home and f.page), None)
        if home is None or not home.content or S.DECK_COUNT_MARKER not in home.content:
            return
        lecture = self.lecture_deck()
        if lecture is None:
            return
        slides = lecture[1]
        content = sum(1 for s in slides if s.kind == "content")
        home.content = home.content.replace(
            S.DECK_COUNT_MARKER, f'<span class="deck-count">（{len(slides)} 张幻灯片，其中 {content} 张内容页）</span>')


def lecture_frame(pages: list[S.DeckPage], slides: list[S.DeckSlide], deck_url: str,
                  home: S.DeckPage | None) -> list[S.DeckSlide]:
    """The whole-lecture deck's slides with a divider before each part (every page but the home page: "第 k
    部分 / 共 K 部分", its title and minutes, where it starts in the lecture, and the parts as an agenda with this one
    marked) and a closing slide (the lecture's total time and slide count, links to the summary, questions and
    references pages when the deck has them). ``slides``: :func:`coursesite.slides.cut.assemble_deck`'s output
    for ``pages`` (the home page first)."""
    from html import escape

    parts = [p for p in pages if p is not home]
    index = {p.url: i for i, p in enumerate(parts)}
    start: dict[str, float] = {}
    elapsed = float(home.minutes or 0) if home else 0.0
    for p in parts:
        start[p.url] = elapsed
        elapsed += float(p.minutes or 0)

    def agenda(current: str) -> str:
        mark = ' class="agenda-current"'
        items = "".join(f'<li{mark if p.url == current else ""}>{escape(p.title)}</li>' for p in parts)
        return f'<ol class="agenda">{items}</ol>'

    out: list[S.DeckSlide] = []
    seen: set[str] = set()
    for slide in slides:
        if slide.kind == "title" and slide.page_url in index and slide.page_url not in seen:
            seen.add(slide.page_url)
            page = parts[index[slide.page_url]]
            k = index[slide.page_url] + 1
            minutes = S._fmt(float(page.minutes or 0))
            at = S._fmt(start[page.url])
            out.append(S.DeckSlide(
                id=f"part-{k}", kind="divider", title=page.title, title_html=escape(page.title),
                body_html=(f'<p class="slide-minutes">约 {minutes} 分钟 · 从第 {at} 分钟开始</p>' + agenda(page.url)),
                notes_html="", source=slide.source, page_url=slide.page_url, part=1, continued=False,
                kicker_html=f"第 {k} 部分 / 共 {len(parts)} 部分"))
        out.append(slide)
    links = []
    for p in parts:
        if any(key in p.url for key in ("summary", "qa", "references")):
            links.append(f'<li><a href="{S.relative_url(p.url, deck_url)}">{escape(p.title)}</a></li>')
    total = S._fmt(sum(float(p.minutes or 0) for p in pages))
    count = len(out) + 1
    body = (f'<p class="slide-minutes">全讲约 {total} 分钟 · {len(parts)} 个部分 · {count} 张幻灯片</p>'
            + (f'<ul class="closing-links">{"".join(links)}</ul>' if links else ""))
    out.append(S.DeckSlide(
        id="closing", kind="closing", title="谢谢！欢迎提问与讨论", title_html="谢谢！欢迎提问与讨论", body_html=body,
        notes_html="", source=S.relative_url(home.url if home else "", deck_url), page_url=home.url if home else "",
        part=1, continued=False))
    return out


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
