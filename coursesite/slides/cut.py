"""Cut a rendered lecture page into reveal.js slides, and assemble slides into decks.

The slide view is cut from the page's *rendered* HTML (what Python-Markdown and the other hooks
produced), so citations, math, code, tables, figures and mermaid diagrams look the same on the page
and on the slide. Everything here is pure: strings in, data out; the plugin's deck room
(:mod:`coursesite.slides.decks`) only feeds it pages and writes the results. It does not import MkDocs.

Conventions (see CONTRIBUTING.md):

- The ``<h1>`` and the content before the first ``<h2>`` make the **title slide**. If that content
  has an element with class ``title-page``, only that element is shown under the title.
- Each ``<h2>`` starts a **content slide**, and so does each top-level ``<h3>`` inside it: the H3 is
  the slide's title and its H2 a small *kicker* above it. The H2's own intro (what comes before its
  first H3) is a slide only when it has content. An explicit break ``<!-- slide -->`` (an HTML
  comment in the Markdown) starts a continuation slide under the same heading. Any other comment
  that looks like a break marker (``<!-- slide: x -->``, ``<!-- new-slide -->``, ``<!-- pagebreak -->``
  …) is reported as unknown.
- Elements with class ``page-only`` are left out of the slides. An ``<h2 class="page-only">``
  (``## 标题 {: .page-only }``) leaves its whole section out of the deck, an ``<h3 class="page-only">``
  its topic. Elements with class ``slide-only`` are shown on the slide only (the page hides them).
- Reveal steps: inside ``<div class="steps">`` every list item of its lists and every other block
  appears in turn; an element with class ``step`` (``{: .step }``) appears on its own step. They
  become reveal.js fragments (the PDF shows each slide once, fully built).
- Speaker notes are ``details.notes`` / ``div.admonition.notes`` blocks (``??? notes "讲者备注"``);
  their content (without the summary line) becomes the slide's ``<aside class="notes">``, each line
  of a paragraph kept on its own line and a leading label (``重点：``, ``提问：`` …) set in bold. A
  notes block before the ``<h1>`` or inside a page-only element belongs to no slide and is reported.
- The ``<h2 id="page-bibliography">`` added by the citation hook (or any slide whose content is an
  ``ol.bibliography``) is a **bibliography slide**: smaller type, no notes needed; a long list is
  split over several slides. The page's own list (``#page-bibliography``) keeps only the references
  cited on the page's slides.

Main entry points: :func:`cut_slides` (HTML → :class:`CutResult`), :func:`assemble_deck` (slides of
one or more pages → deck sections with ids and links fixed for the deck's URL),
:func:`estimate_height` (a rough build-time overflow check) and :func:`add_minutes_to_index`.
"""

from __future__ import annotations

import copy
from html import escape as html_escape
import functools
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

__all__ = [
    "Slide", "Problem", "CutResult", "DeckPage", "DeckSlide", "cut_slides", "assemble_deck",
    "estimate_height", "notes_minutes", "deck_url_for", "relative_url", "add_minutes_to_index", "SLIDE_WIDTH",
    "SLIDE_HEIGHT", "BREAK_MARKER",
]

SLIDE_WIDTH = 1280
SLIDE_HEIGHT = 720
#: The explicit slide break, written in the Markdown as an HTML comment on its own line.
BREAK_MARKER = "slide"
# Comments that look like an attempt at a break marker; anything matching this that is not exactly
# BREAK_MARKER is reported as an unknown marker.
_MARKERISH = re.compile(r"^\s*(new[-_ ]?)?(slides?|page[-_ ]?break|break|split|reveal|---+)\b", re.I)
_NOTES_SELECTOR = "details.notes, div.admonition.notes"
#: Reveal steps (CONTRIBUTING.md): the children of a ``steps`` block, or one ``step`` element, become fragments.
STEPS_CLASS = "steps"
STEP_CLASS = "step"
#: Content shown on the slide only (the page hides it: :meth:`coursesite.slides.decks.Decks.cut_page`).
SLIDE_ONLY_CLASS = "slide-only"
# A note line's label: up to eight characters and a full-width (or ASCII) colon at the start of a line.
_NOTE_LABEL = re.compile(r"^(\s*)([^\s：:，。]{1,8})([：:])")
BIBLIOGRAPHY_ID = "page-bibliography"
# Bibliography slides (two columns of small type): about this many lines fit on a slide, a line
# holding about BIBLIOGRAPHY_LINE_CHARS characters; a longer list continues on the next slide.
BIBLIOGRAPHY_LINES_PER_SLIDE = 46
BIBLIOGRAPHY_LINE_CHARS = 70


@dataclass
class Problem:
    """Something wrong with the slide structure of a page (a build warning, never an error)."""

    slide: str  # the slide's title ("" when the problem belongs to no slide)
    message: str

    def __str__(self) -> str:
        return f"slide '{self.slide}': {self.message}" if self.slide else self.message


@dataclass
class Slide:
    """One slide cut from a page.

    ``anchor`` is the id of the page heading the slide comes from (for the link back to the page);
    ``part`` counts explicit breaks and bibliography continuations under one heading (1, 2 …).
    ``body_html`` is the slide content without the heading, page-only parts and notes.
    """

    kind: str  # "title", "content", "bibliography" or "quiz" (the page's 自测, coursesite.quizzes.slides)
    title: str  # plain text
    title_html: str
    anchor: str
    body_html: str
    notes_html: str = ""
    part: int = 1
    kicker_html: str = ""  # the H2 above an H3 slide's title ("" for an H2 slide)

    @property
    def slide_id(self) -> str:
        return self.anchor if self.part == 1 else f"{self.anchor}-{self.part}"


@dataclass
class CutResult:
    slides: list[Slide] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _clean_heading(tag: Tag) -> tuple[str, str]:
    """(plain text, inner HTML) of a heading without its permalink."""
    tag = copy.copy(tag)
    for a in tag.select("a.headerlink"):
        a.decompose()
    return tag.get_text(" ", strip=True), tag.decode_contents().strip()


def _notes_inner(block: Tag) -> str:
    block = copy.copy(block)
    for t in block.select(":scope > summary, :scope > .admonition-title"):
        t.decompose()
    return block.decode_contents().strip()


def _is_marker(node) -> str | None:
    """'break' for the break marker, 'unknown' for a marker-like comment, None otherwise."""
    if not isinstance(node, Comment):
        return None
    text = str(node).strip()
    if text == BREAK_MARKER:
        return "break"
    if _MARKERISH.match(text):
        return "unknown"
    return None


def _has_text(html: str) -> bool:
    return bool(_soup(html).get_text(strip=True)) or "<img" in html or "<svg" in html


def cut_slides(html: str) -> CutResult:
    """Cut the rendered HTML of one page into slides.

    ``html`` is the page content as MkDocs renders it (``page.content``: the Markdown output, no
    theme). Returns the slides in page order (title slide first) and the problems found: notes
    outside any slide, unknown break markers, content slides without notes, notes under an H2 whose
    intro has no slide.

    >>> r = cut_slides('<h1 id="t">T</h1><p>intro</p><h2 id="a">A</h2><p>x</p>'
    ...                '<details class="notes"><summary>讲者备注</summary><p>say x</p></details>')
    >>> [(s.kind, s.title, s.notes_html) for s in r.slides]
    [('title', 'T', ''), ('content', 'A', '<p>say x</p>')]
    >>> r = cut_slides('<h1 id="t">T</h1><h2 id="a">A</h2><h3 id="b">B</h3><p>y</p>'
    ...                '<details class="notes"><summary>讲者备注</summary><p>say y</p></details>')
    >>> [(s.title, s.kicker_html, s.slide_id) for s in r.slides]
    [('T', '', 't'), ('B', 'A', 'b')]
    """
    soup = _soup(html)
    result = CutResult()
    problems = result.problems

    # Notes inside page-only elements belong to no slide.
    for po in soup.select(".page-only"):
        if po.name in ("h2", "h3"):
            continue  # a page-only section or topic: handled below
        for n in po.select(_NOTES_SELECTOR):
            problems.append(Problem(_title_before(n), "notes block inside a page-only element belongs to no slide "
                                    "(move `??? notes` out of the `<div class=\"page-only\">`)"))
        po.decompose()

    # Walk the top-level nodes, grouping them under the current heading.
    groups: list[dict] = []
    current: dict | None = None
    section: dict | None = None  # the current H2's group (its intro)
    preamble_notes = 0
    for node in list(soup.contents):
        if isinstance(node, Tag) and node.name == "h3" and section is not None and section["kind"] == "content":
            text, inner = _clean_heading(node)
            current = {
                "kind": "content", "title": text, "title_html": inner, "anchor": node.get("id") or "",
                "nodes": [], "skip": section["skip"] or "page-only" in (node.get("class") or []), "part": 1,
                "kicker": html_escape(section["title"]), "section": section,
            }
            section["topics"] += 0 if current["skip"] else 1
            groups.append(current)
            continue
        if isinstance(node, Tag) and node.name in ("h1", "h2"):
            text, inner = _clean_heading(node)
            classes = node.get("class") or []
            is_bib = node.get("id") == BIBLIOGRAPHY_ID or "bibliography-heading" in classes
            current = {
                "kind": "title" if node.name == "h1" else ("bibliography" if is_bib else "content"),
                "title": text, "title_html": inner, "anchor": node.get("id") or "",
                "nodes": [], "skip": "page-only" in classes, "part": 1, "kicker": "", "topics": 0, "intro": True,
            }
            section = current if node.name == "h2" else None
            if node.name == "h1" and groups:
                problems.append(Problem(text, "a second <h1> on the page: it starts a new title slide"))
            groups.append(current)
            continue
        marker = _is_marker(node)
        if marker == "unknown":
            problems.append(Problem(current["title"] if current else "",
                                    f"unknown break marker <!--{node}-->; the break marker is <!-- {BREAK_MARKER} -->"))
            continue
        if marker == "break":
            if current is None or current["kind"] == "title":
                problems.append(Problem(current["title"] if current else "",
                                        f"break marker <!-- {BREAK_MARKER} --> before the first <h2> is ignored"))
                continue
            current = dict(current, nodes=[], part=current["part"] + 1, intro=False)
            groups.append(current)
            continue
        if current is None:
            if isinstance(node, Tag):
                preamble_notes += len(node.select(_NOTES_SELECTOR)) + bool(node.css.match(_NOTES_SELECTOR))
            continue
        current["nodes"].append(node)
    if preamble_notes:
        problems.append(Problem("", "notes block before the page's <h1> belongs to no slide"))

    for g in groups:
        if g["skip"]:
            continue
        frag = _soup("".join(str(n) for n in g["nodes"]))
        notes = []
        for block in frag.select(_NOTES_SELECTOR):
            notes.append(_notes_lines(_notes_inner(block)))
            block.decompose()
        if g["kind"] == "title":
            title_page = frag.select_one(".title-page")
            if title_page is not None:
                frag = _soup(str(title_page))
        quiz = frag.select_one("div.quiz") if g["kind"] == "content" else None
        if quiz is not None:  # the page's 自测: class-poll slides (kind "quiz"), see coursesite.quizzes.slides
            from coursesite.quizzes.slides import quiz_slides

            result.slides.extend(Slide(**s) for s in quiz_slides(quiz))
            continue
        if g["kind"] == "content" and frag.select_one("ol.bibliography") and not notes:
            g["kind"] = "bibliography"
        if g["kind"] == "content" and g.get("intro") and g.get("topics") and not _has_text(str(frag)):
            # an H2 whose topics are slides: its intro is a slide only when it has content
            if any(_has_text(n) for n in notes):
                problems.append(Problem(g["title"], "notes before the first ### of a section with no content of "
                                        "their own belong to no slide (move them into a ### topic's notes, or give "
                                        "the section an intro)"))
            continue
        _mark_steps(frag)
        body = str(frag).strip()
        slide = Slide(kind=g["kind"], title=g["title"], title_html=g["title_html"], anchor=g["anchor"],
                      body_html=body, notes_html="\n".join(n for n in notes if n), part=g["part"],
                      kicker_html=g.get("kicker") or "")
        if slide.kind == "bibliography":
            result.slides.append(slide)
            continue
        if slide.kind == "content" and not _has_text(slide.notes_html):
            label = slide.title + (f" ({slide.part})" if slide.part > 1 else "")
            problems.append(Problem(label, "no speaker notes (end the section with `??? notes \"讲者备注\"`)"))
        result.slides.append(slide)

    # The page's bibliography lists only what the slides cite; a long list is split over several slides.
    cited = _cited_keys(s.body_html for s in result.slides if s.kind != "bibliography")
    out: list[Slide] = []
    for slide in result.slides:
        if slide.kind != "bibliography":
            out.append(slide)
            continue
        if slide.anchor == BIBLIOGRAPHY_ID:
            slide = _only_cited(slide, cited)
            if slide is None:
                continue
        out.extend(_split_bibliography(slide))
    result.slides = out
    return result


def _mark_steps(frag: BeautifulSoup) -> None:
    """Reveal steps: ``.steps`` blocks' list items and other children, and ``.step`` elements, become
    reveal.js fragments (``class="fragment"``); the ``steps``/``step``/``slide-only`` classes stay (harmless)."""
    for block in frag.select("." + STEPS_CLASS):
        for child in block.find_all(True, recursive=False):
            if child.name in ("ul", "ol"):
                for li in child.find_all("li", recursive=False):
                    _add_class(li, "fragment")
            elif child.name == "table":
                for tr in child.select(":scope > tbody > tr"):
                    _add_class(tr, "fragment")
            else:
                _add_class(child, "fragment")
    for el in frag.select("." + STEP_CLASS):
        _add_class(el, "fragment")


def _add_class(tag: Tag, name: str) -> None:
    classes = tag.get("class") or []
    if name not in classes:
        tag["class"] = [*classes, name]


def _notes_lines(html: str) -> str:
    """Keep each line of a notes paragraph on its own line (``<br>``), and set a leading label
    (``重点：``, ``提问：``, ``常见混淆：`` …) of a line, paragraph or list item in bold."""
    frag = _soup(html)
    for p in frag.find_all(["p", "li"]):
        if p.find_parent(["pre", "code"]):
            continue
        for text in list(p.find_all(string=True)):
            if isinstance(text, Comment) or text.find_parent(["pre", "code", "script"]) or "\n" not in text.strip("\n"):
                continue
            lines = str(text).strip("\n").split("\n")
            new = []
            for i, line in enumerate(lines):
                if i:
                    new.append(frag.new_tag("br"))
                new.append(NavigableString(line))
            text.replace_with(*new)
    for block in frag.find_all(["p", "li"]):
        for start in [block, *block.find_all("br")]:
            node = start.contents[0] if start is block and start.contents else start.next_sibling
            if not isinstance(node, NavigableString) or isinstance(node, Comment):
                continue
            m = _NOTE_LABEL.match(str(node))
            if not m:
                continue
            strong = frag.new_tag("strong", attrs={"class": "note-label"})
            strong.string = m.group(2) + m.group(3)
            rest = str(node)[m.end():]
            node.replace_with(NavigableString(m.group(1)), strong, NavigableString(rest))
    return str(frag)


def _cited_keys(bodies) -> set[str]:
    """The ``ref-…`` ids that slide HTML links to (citations)."""
    out: set[str] = set()
    for html in bodies:
        for a in _soup(html).select('a[href^="#ref-"]'):
            out.add(a["href"][1:])
    return out


def _only_cited(slide: Slide, cited: set[str]) -> Slide | None:
    """The bibliography slide with only the entries in ``cited``; None if none is left."""
    frag = _soup(slide.body_html)
    ol = frag.select_one("ol.bibliography")
    if ol is None:
        return slide
    items = ol.find_all("li", recursive=False)
    kept = [li for li in items if not li.get("id") or li.get("id") in cited]  # an entry without id: kept
    if not kept:
        return None
    for li in items:
        if li not in kept:
            li.decompose()
    return Slide(kind=slide.kind, title=slide.title, title_html=slide.title_html, anchor=slide.anchor,
                 body_html=str(frag), notes_html=slide.notes_html, part=slide.part, kicker_html=slide.kicker_html)


def _title_before(node: Tag) -> str:
    h = node.find_previous(["h3", "h2", "h1"])
    return _clean_heading(h)[0] if h else ""


def _split_bibliography(slide: Slide) -> list[Slide]:
    """Split a bibliography slide whose list is long into continuation slides (numbering kept)."""
    frag = _soup(slide.body_html)
    ol = frag.select_one("ol.bibliography")
    if ol is None:
        return [slide]
    items = ol.find_all("li", recursive=False)
    chunks: list[list[Tag]] = [[]]
    size = 0
    for li in items:
        li_text = copy.copy(li)
        for extra in li_text.select(".bib-backlinks, .bib-cited-in"):
            extra.decompose()
        n = -(-len(li_text.get_text(" ", strip=True)) // BIBLIOGRAPHY_LINE_CHARS) + 0.5  # + the gap
        if chunks[-1] and size + n > BIBLIOGRAPHY_LINES_PER_SLIDE:
            chunks.append([])
            size = 0
        chunks[-1].append(li)
        size += n
    if len(chunks) == 1:
        return [slide]
    out = []
    start = int(ol.get("start", 1))
    for i, chunk in enumerate(chunks):
        part = _soup(slide.body_html)
        part_ol = part.select_one("ol.bibliography")
        part_ol.clear()
        for li in chunk:
            part_ol.append(copy.copy(li))
        part_ol["start"] = str(start)
        start += len(chunk)
        if i > 0:  # keep only the list on continuation slides
            part = _soup(str(part_ol))
        out.append(Slide(kind="bibliography", title=slide.title, title_html=slide.title_html,
                         anchor=slide.anchor, body_html=str(part), notes_html=slide.notes_html if i == 0 else "",
                         part=slide.part + i))
    return out


# --------------------------------------------------------------------------------------------------
# Build-time overflow heuristic

def estimate_height(slide: Slide, width: int = SLIDE_WIDTH, font_px: float = 26.0) -> int:
    """A rough height (px at 1280×720) of a slide as the deck CSS lays it out.

    Only a heuristic for the build warning (the browser test measures the real height): counts
    lines of text at the deck's font size (CJK characters are one em wide, others about half),
    table rows, code lines, and a fixed height for figures and diagrams.
    """
    frag = _soup(slide.body_html)
    usable = width * 0.92
    line = font_px * 1.45
    height = 110.0 if slide.kind != "title" else 200.0  # the heading
    for el in frag.select("pre.mermaid, div.mermaid, img, svg"):
        height += 330
        el.decompose()
    for table in frag.select("table"):
        rows = table.select("tr")
        height += 16 + sum(_text_lines(r.get_text(" ", strip=True), usable, font_px * 0.72) for r in rows) * font_px * 0.72 * 1.45 + len(rows) * 8
        table.decompose()
    for pre in frag.select("pre"):
        height += 24 + len(pre.get_text().rstrip("\n").splitlines()) * font_px * 0.7 * 1.35
        pre.decompose()
    for cap in frag.select("figcaption"):
        height += _text_lines(cap.get_text(" ", strip=True), usable, font_px * 0.8) * font_px * 0.8 * 1.45 + 8
        cap.decompose()
    blocks = frag.select("p, li, dt, dd, h3, h4, h5, .arithmatex")
    seen = 0.0
    for b in blocks:
        if b.find(["p", "li"]):  # count leaves only
            continue
        text = b.get_text(" ", strip=True)
        if not text:
            continue
        seen += _text_lines(text, usable - (40 if b.name == "li" else 0), font_px) * line + font_px * 0.5
    # calibrated on the lecture's slides: the sums above run about 25% over Chromium's layout
    return int((height + seen) * 0.8)


def _text_lines(text: str, width: float, font_px: float) -> int:
    ems = sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)
    return max(1, -(-int(ems * font_px) // int(width)))


# --------------------------------------------------------------------------------------------------
# Decks: one page (site/<page>/slides/) or several pages (the whole lecture, site/slides/)

@dataclass
class DeckPage:
    """One page's contribution to a deck: its URL in the site (``02-codebert/``), slides, minutes."""

    url: str
    slides: list[Slide]
    minutes: float | None = None
    title: str = ""


@dataclass
class DeckSlide:
    """A slide ready for the template: ``id`` unique in the deck, ``source`` the URL of the page
    section (relative to the deck), HTML with its links rewritten for the deck's location."""

    id: str
    kind: str
    title: str
    title_html: str
    body_html: str
    notes_html: str
    source: str
    page_url: str
    part: int
    continued: bool
    minutes: float | None = None
    seconds: int | None = None  # speaker-view pacing (reveal.js ``data-timing``), from the notes
    kicker_html: str = ""  # the H2 shown small above an H3 slide's title


_NOTE_MINUTES = re.compile(r"本页约\s*(\d+(?:\.\d+)?)\s*分钟")


def notes_minutes(notes) -> float | None:
    """The minutes a slide's speaker notes plan for it: the number in "本页约 N 分钟" (the notes'
    convention, CONTRIBUTING.md), or None when the notes do not say. ``notes``: HTML text or an
    already parsed BeautifulSoup tree."""
    tree = notes if isinstance(notes, BeautifulSoup) else _soup(notes or "")
    m = _NOTE_MINUTES.search(tree.get_text(" "))
    return float(m.group(1)) if m else None


def deck_url_for(page_url: str) -> str:
    """The URL of a page's deck: ``02-codebert/`` → ``02-codebert/slides/``; the home page's deck
    (the whole lecture) is ``slides/``. Works for ``use_directory_urls: false`` too
    (``02-codebert.html`` → ``02-codebert/slides/``)."""
    url = page_url or ""
    if url.endswith("index.html"):
        url = url[: -len("index.html")]
    elif url.endswith(".html"):
        url = url[: -len(".html")] + "/"
    return url + "slides/"


def relative_url(target: str, base_dir: str) -> str:
    """Relative URL from the folder ``base_dir`` (site-relative, ending in ``/`` or empty) to the
    site-relative ``target`` (may end in ``/``)."""
    trailing = target.endswith("/") or target == ""
    rel = posixpath.relpath("/" + target.strip("/"), "/" + base_dir.strip("/"))
    if rel == ".":
        return "./"
    return rel + ("/" if trailing and not rel.endswith("/") else "")


_SITE = "http://site.invalid/"
_URL_ATTRS = {"a": ["href"], "img": ["src"], "source": ["src"], "video": ["src", "poster"], "audio": ["src"],
              "iframe": ["src"], "object": ["data"], "image": ["href", "xlink:href"], "use": ["href", "xlink:href"]}


def _site_path(href: str, page_url: str) -> tuple[str, str] | None:
    """Resolve ``href`` (as written in a page at ``page_url``) to (site-relative path, fragment);
    None for external URLs (scheme, ``//host``, ``mailto:``, ``data:``)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    full = urlsplit(urljoin(_SITE + page_url, href))
    path = full.path.lstrip("/")
    if full.query:
        path += "?" + full.query
    return path, full.fragment


def _norm_page(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def assemble_deck(pages: list[DeckPage], deck_url: str, *, prefix_ids: bool = False,
                  keep_bibliographies: bool = True, bibliography_page: str | None = None,
                  store=None) -> list[DeckSlide]:
    """Turn the slides of one or more pages into the sections of one deck at ``deck_url``.

    - Element ids stay unique: with ``prefix_ids`` every id of page *i* gets the prefix ``p<i>-``
      (for the whole-lecture deck).
    - Links: to a page (section) that is in the deck → an internal link to that slide/element
      (``#/id``); to anything else in the site → a URL relative to the deck; external → unchanged.
      Images and other resources are rewritten relative to the deck.
    - ``keep_bibliographies=False`` drops the per-page "本页参考文献" slides; citation links
      (``#ref-key``) then go to ``bibliography_page``'s list when that page is in the deck.
    Pure and memoised: the ids of each slide are collected once per slide HTML, and a page's sections are
    rewritten once per (page slides, deck, map of the deck's ids); under ``mkdocs serve`` an edit to one page
    re-does that page only, unless it changed the ids other pages link to. ``store`` (an object with
    ``key(*strings)``, ``get(key)`` and ``put(key, value)``, e.g. :class:`coursesite.pagecache.DiskCache`)
    keeps the sections across processes too.
    """
    deck_dir = deck_url
    page_urls = {_norm_page(p.url) for p in pages}
    prefixes = {_norm_page(p.url): (f"p{i}-" if prefix_ids else "") for i, p in enumerate(pages)}
    kept: list[tuple[DeckPage, list[Slide]]] = []
    ids_in_deck: dict[str, set[str]] = {u: set() for u in page_urls}
    first_slide: dict[str, str] = {}
    for p in pages:
        key = _norm_page(p.url)
        slides = [s for s in p.slides
                  if not (s.kind == "bibliography" and not keep_bibliographies and s.anchor == BIBLIOGRAPHY_ID)]
        for s in slides:
            ids_in_deck[key].update(_ids_of(s.body_html))
            ids_in_deck[key].update(_ids_of(s.notes_html))
            ids_in_deck[key].add(s.slide_id)
            first_slide.setdefault(key, s.slide_id)
        kept.append((p, slides))
    bib_key = _norm_page(bibliography_page) if bibliography_page is not None else None
    links = _DeckLinks(frozenset(page_urls), tuple(sorted(prefixes.items())),
                       tuple(sorted((k, frozenset(v)) for k, v in ids_in_deck.items())),
                       tuple(sorted(first_slide.items())), bib_key)
    out: list[DeckSlide] = []
    for p, slides in kept:
        key = (p.url, p.minutes, deck_dir, links,
               tuple((s.slide_id, s.kind, s.title, s.title_html, s.body_html, s.notes_html, s.anchor, s.part,
                      s.kicker_html) for s in slides))
        sections = _SECTIONS.get(key)
        stored = store.key(_stable(key)) if store is not None and sections is None else None
        if sections is None and stored is not None:
            sections = store.get(stored)
        if sections is None:
            sections = _page_sections(p, slides, deck_dir, links)
            if stored is not None:
                store.put(stored, sections)
        if len(_SECTIONS) > 2048:
            _SECTIONS.clear()
        _SECTIONS[key] = sections
        out.extend(copy.copy(d) for d in sections)
    return out


@dataclass(frozen=True)
class _DeckLinks:
    """What link rewriting needs to know about the whole deck (hashable: it keys the section cache)."""

    page_urls: frozenset
    prefixes: tuple
    ids: tuple
    first_slide: tuple
    bib_key: str | None


_SECTIONS: dict[tuple, list[DeckSlide]] = {}


def _stable(value) -> str:
    """A text form of a section-cache key that is the same in every process (sets sorted)."""
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_stable(v) for v in value)) + "}"
    if isinstance(value, tuple):
        return "(" + ",".join(_stable(v) for v in value) + ")"
    if isinstance(value, _DeckLinks):
        return _stable((value.page_urls, value.prefixes, value.ids, value.first_slide, value.bib_key))
    return repr(value)


@functools.lru_cache(maxsize=4096)
def _ids_of(html: str) -> frozenset[str]:
    """The element ids in an HTML fragment."""
    return frozenset(t["id"] for t in _soup(html).find_all(id=True)) if html else frozenset()


def _page_sections(p: DeckPage, slides: list[Slide], deck_dir: str, links: _DeckLinks) -> list[DeckSlide]:
    """One page's slides as deck sections: ids prefixed, links and resources rewritten for ``deck_dir``."""
    prefixes = dict(links.prefixes)
    ids_in_deck = dict(links.ids)
    first_slide = dict(links.first_slide)
    page_urls, bib_key = links.page_urls, links.bib_key

    def internal(page_key: str, frag: str) -> str | None:
        if page_key not in page_urls:
            return None
        pre = prefixes[page_key]
        if not frag:
            return "#/" + pre + first_slide[page_key] if page_key in first_slide else None
        if frag in ids_in_deck[page_key]:
            return "#/" + pre + frag
        return None

    key = _norm_page(p.url)
    pre = prefixes[key]
    parsed = [(s, _soup(s.body_html), _soup(s.notes_html)) for s in slides]
    # pacing: a heading's "本页约 N 分钟" is shared by all the parts it was cut into, unless every part
    # states its own
    planned: dict[str, float] = {}
    parts: dict[str, int] = {}
    own: dict[str, list[float | None]] = {}
    for s, _, notes in parsed:
        parts[s.anchor] = parts.get(s.anchor, 0) + 1
        m = notes_minutes(notes)
        own.setdefault(s.anchor, []).append(m)
        if m is not None:
            planned.setdefault(s.anchor, m)

    def seconds(s: Slide) -> int | None:
        stated = own[s.anchor]
        if None not in stated:
            return round(stated[s.part - 1] * 60) if s.part - 1 < len(stated) else None
        return round(planned[s.anchor] * 60 / parts[s.anchor]) if s.anchor in planned else None

    out: list[DeckSlide] = []
    for s, body, notes in parsed:
        for tree in (body, notes):
            for t in tree.find_all(id=True):
                t["id"] = pre + t["id"]
            for tag in tree.find_all(list(_URL_ATTRS)):
                for attr in _URL_ATTRS[tag.name]:
                    value = tag.get(attr)
                    if not value or not isinstance(value, str):
                        continue
                    resolved = _site_path(value, p.url)
                    if resolved is None:
                        continue
                    path, frag = resolved
                    target = _norm_page(path)
                    new = internal(target, frag) if tag.name == "a" else None
                    if new is None and tag.name == "a" and frag.startswith("ref-") and bib_key in page_urls \
                            and target == key:
                        new = internal(bib_key, frag)
                    if new is None:
                        new = relative_url(path, deck_dir) if path else relative_url("", deck_dir)
                        if frag:
                            new += "#" + frag
                    tag[attr] = new
            for img in tree.find_all("img", srcset=True):
                del img["srcset"]
        page_section = relative_url(_norm_page(p.url), deck_dir)
        out.append(DeckSlide(
            id=pre + s.slide_id, kind=s.kind, title=s.title, title_html=s.title_html,
            body_html=str(body), notes_html=str(notes), source=page_section + ("#" + s.anchor if s.kind != "title" else ""),
            page_url=p.url, part=s.part, continued=s.part > 1, minutes=p.minutes if s.kind == "title" else None,
            seconds=seconds(s),
            kicker_html=s.kicker_html,
        ))
    return out


# --------------------------------------------------------------------------------------------------
# Time plan on the index page

#: Where the index's note gets the whole-lecture deck's slide count (filled by
#: :meth:`coursesite.slides.decks.Decks.fill_index_count` once every page is cut).
DECK_COUNT_MARKER = '<span class="deck-count"></span>'
_LINK_MD = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def add_minutes_to_index(markdown: str, minutes: dict[str, float], *, heading: str = "目录",
                         total_label: str = "合计") -> tuple[str, float]:
    """Add a "时长" column to the table under ``## <heading>`` of the index page's Markdown and a
    line with the lecture's total after the table.

    ``minutes`` maps a Markdown file (``02-codebert.md``) to its minutes; a row's time is the sum over
    the pages it links to. The total is the sum over all of ``minutes`` (the index page included,
    if present). Returns the new Markdown and the total; unchanged Markdown if no table is found.
    """
    lines = markdown.split("\n")
    total = sum(minutes.values())
    start = None
    for i, line in enumerate(lines):
        if re.match(r"^##\s+" + re.escape(heading) + r"\s*(\{.*\})?\s*$", line.strip()):
            start = i
            break
    if start is None:
        return markdown, total
    i = start + 1
    while i < len(lines) and not lines[i].lstrip().startswith("|"):
        if lines[i].startswith("#"):
            return markdown, total
        i += 1
    if i >= len(lines):
        return markdown, total
    first = i
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        row = lines[i].rstrip()
        if not row.endswith("|"):
            row += " |"
        if i == first:
            row += " 时长（分钟） |"
        elif i == first + 1:
            row += "---:|"
        else:
            linked = _LINK_MD.findall(row)
            value = sum(minutes.get(posixpath.normpath(m), 0) for m in linked)
            row += f" {_fmt(value)} |" if linked else " |"
        lines[i] = row
        i += 1
    end = i
    # skip a caption block right after the table
    if end < len(lines) and lines[end].strip().startswith("/// caption"):
        while end < len(lines) and lines[end].strip() != "///":
            end += 1
        end += 1
    note = (f"\n**{total_label}：{_fmt(total)} 分钟**（约 {total / 45:.1f} 课时，按每课时 45 分钟计）。"
            f"整讲幻灯片：[放映全部](slides/){{ .slides-link }}{DECK_COUNT_MARKER}；每一页也可以单独放映。\n")
    lines.insert(end, note)
    return "\n".join(lines), total


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
