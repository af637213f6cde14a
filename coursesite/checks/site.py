"""Static checks of a built site (BeautifulSoup, no browser), shared by ``scripts/build_offline.py`` and the
browser suite (``tests/test_browser.py``): every internal link and anchor resolves, every asset a page loads
exists and is local, every image and diagram has a text alternative.

Every problem is one line that names the page (path in the built site) and the element, so that a failure
message says where to look: ``02-codebert/index.html:1324 <a href="#missing">…</a>: anchor #missing not found``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

PARSER = "html.parser"  # gives each element its source line (lxml does not), and is as fast here

# Folders of the built site that hold no pages of the course.
SKIP_DIRS = ("assets/", "search/")
SKIP_FILES = ("404.html",)

# --------------------------------------------------------------------------------------------------------
# The pages of a built site
# --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SitePage:
    path: str  # path of the HTML file inside the site, e.g. "02-codebert/index.html"
    kind: str  # "page", "notebook" or "deck"

    @property
    def key(self) -> str:
        """The page as a search result names it: "02-codebert" for 02-codebert/index.html or 02-codebert.html."""
        return page_key(self.path)


def page_key(path: str) -> str:
    path = unquote(path.split("#")[0].split("?")[0]).lstrip("/")
    for suffix in ("index.html", ".html", "/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path.rstrip("/")


def classify(html: str) -> str:
    if re.search(r'class="[^"]*\breveal\b', html) and "slides" in html:
        return "deck"
    if "jupyter-wrapper" in html:
        return "notebook"
    return "page"


def sitemap_paths(site: Path) -> list[str]:
    """Paths (inside the site) of the pages listed in sitemap.xml (mkdocs writes it without site_url too)."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return []
    out = []
    for loc in ET.parse(sitemap).getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        url = urlsplit((loc.text or "").strip()).path.lstrip("/")
        out.append(html_file_for(site, url) or url)
    return out


def html_file_for(site: Path, rel: str) -> str | None:
    """The HTML file that the site-relative URL path ``rel`` serves, or None."""
    rel = unquote(rel)
    target = site / rel
    if rel == "" or rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    if target.is_file():
        return target.relative_to(site).as_posix()
    return None


def discover_pages(site: Path) -> list[SitePage]:
    """Every page of the built site: those in sitemap.xml (nav pages, notebook pages) plus every other HTML
    file (decks at <page>/slides/ and slides/, anything a hook adds), minus 404.html and assets."""
    paths = set(sitemap_paths(site))
    for f in site.rglob("*.html"):
        rel = f.relative_to(site).as_posix()
        if rel.startswith(SKIP_DIRS) or rel in SKIP_FILES:
            continue
        paths.add(rel)
    pages = []
    for rel in sorted(paths):
        f = site / rel
        kind = classify(f.read_text(encoding="utf-8", errors="replace")) if f.is_file() else "page"
        pages.append(SitePage(rel, kind))
    return pages


# --------------------------------------------------------------------------------------------------------
# Static checks on the built HTML
# --------------------------------------------------------------------------------------------------------

# element -> attribute that loads something the page needs (an asset); <a href> is a link, checked apart
ASSET_ATTRS = {
    "script": "src", "img": "src", "source": "src", "iframe": "src", "video": "src", "audio": "src",
    "embed": "src", "track": "src", "input": "src",
}
LINK_RELS_ASSET = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "manifest", "apple-touch-icon"}


def describe(el, limit: int = 120) -> str:
    """A short, recognisable description of a BeautifulSoup element: its start tag and a bit of its text."""
    attrs = []
    for name in ("id", "class", "href", "src", "alt", "rel"):
        if el.has_attr(name):
            value = el[name]
            value = " ".join(value) if isinstance(value, list) else value
            attrs.append(f'{name}="{value[:80]}"')
    text = re.sub(r"\s+", " ", el.get_text(" ", strip=True))[:60]
    tag = f"<{el.name}{' ' if attrs else ''}{' '.join(attrs)}>"
    return (f"{tag} {text!r}" if text else tag)[:limit + 60]


def where(page: str, el) -> str:
    line = getattr(el, "sourceline", None)
    return f"{page}:{line}" if line else page


class StaticSite:
    """The built site, parsed once: ids per page and the checkers that use them."""

    def __init__(self, site: Path):
        self.site = site
        self._soups: dict[str, BeautifulSoup] = {}
        self._ids: dict[str, set[str]] = {}

    def soup(self, rel: str) -> BeautifulSoup:
        if rel not in self._soups:
            text = (self.site / rel).read_text(encoding="utf-8", errors="replace")
            self._soups[rel] = BeautifulSoup(text, PARSER)
        return self._soups[rel]

    def ids(self, rel: str) -> set[str]:
        if rel not in self._ids:
            soup = self.soup(rel)
            found = {t["id"] for t in soup.find_all(id=True)}
            found |= {t["name"] for t in soup.find_all("a", attrs={"name": True})}
            self._ids[rel] = found
        return self._ids[rel]

    def html_files(self) -> list[str]:
        return sorted(f.relative_to(self.site).as_posix() for f in self.site.rglob("*.html")
                      if not f.relative_to(self.site).as_posix().startswith(SKIP_DIRS))

    # -- links -------------------------------------------------------------------------------------------
    def resolve(self, page: str, url: str) -> tuple[str | None, str | None, str]:
        """Resolve ``url`` found in ``page``: (site-relative target path or None if it is not local,
        fragment or None, problem or "")."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return None, None, ""
        base = "/" + page
        target_url = urljoin(base, parts.path) if parts.path else base
        rel = unquote(urlsplit(target_url).path).lstrip("/")
        if ".." in Path(rel).parts or not (self.site / rel).resolve().is_relative_to(self.site.resolve()):
            return rel, parts.fragment or None, "points outside the site"
        target = self.site / rel
        if rel == "" or target_url.endswith("/") or target.is_dir():
            rel = (Path(rel) / "index.html").as_posix() if rel else "index.html"
            target = self.site / rel
        if not target.is_file():
            return rel, parts.fragment or None, f"target {rel} does not exist"
        return rel, (unquote(parts.fragment) if parts.fragment else None), ""

    def check_links(self, pages: list[str] | None = None, file_urls: bool = False) -> list[str]:
        """Every <a href> to a local page must resolve to a file, and its #anchor to an id on that page.
        file_urls: the site is opened from disk, where a link to a folder does not open its index.html."""
        problems = []
        for page in pages or self.html_files():
            soup = self.soup(page)
            is_deck = classify(str(soup)[:200000]) == "deck"
            for a in soup.find_all(["a", "area"], href=True):
                href = a["href"].strip()
                if not href or href.startswith(("javascript:", "mailto:", "data:", "tel:")):
                    continue
                if is_deck and href.startswith("#/"):
                    continue  # reveal.js slide routes
                rel, frag, problem = self.resolve(page, href)
                if rel is None:
                    continue  # external link: allowed for <a>, a reader may follow it
                if problem:
                    problems.append(f"{where(page, a)} {describe(a)}: broken link, {problem}")
                    continue
                path_part = urlsplit(href).path
                if file_urls and path_part and (path_part.endswith("/") or (self.site / rel).parent == (
                        self.site / urljoin("/" + page, path_part).lstrip("/"))):
                    problems.append(f"{where(page, a)} {describe(a)}: links to a folder, which file:// does not "
                                    f"open: link to {rel} instead")
                    continue
                if frag and rel.endswith(".html") and frag not in self.ids(rel):
                    problems.append(f"{where(page, a)} {describe(a)}: anchor #{frag} not found in {rel}")
        return problems

    # -- assets ------------------------------------------------------------------------------------------
    def check_assets(self, pages: list[str] | None = None) -> list[str]:
        """Every script, style sheet, image, font link... a page loads must exist in the site (a wrong
        extra_javascript path) and must not come from another host."""
        problems = []
        for page in pages or self.html_files():
            soup = self.soup(page)
            refs = [(el, el.get(attr)) for tag, attr in ASSET_ATTRS.items() for el in soup.find_all(tag)
                    if el.get(attr)]
            refs += [(el, el.get("href")) for el in soup.find_all("link", href=True)
                     if LINK_RELS_ASSET & set(el.get("rel") or [])]
            for el, url in refs:
                url = url.strip()
                if url.startswith(("data:", "blob:", "about:")):
                    continue
                parts = urlsplit(url)
                if parts.scheme in ("http", "https") or parts.netloc:
                    if parts.hostname not in ("127.0.0.1", "localhost"):
                        problems.append(f"{where(page, el)} {describe(el)}: loads from another host ({parts.hostname})")
                    continue
                rel, _, problem = self.resolve(page, url)
                if problem:
                    problems.append(f"{where(page, el)} {describe(el)}: missing file, {problem}")
        return problems

    # -- text alternatives -------------------------------------------------------------------------------
    def check_alt_text(self, pages: list[str] | None = None) -> list[str]:
        """Every image has alt text (alt="" only with role=presentation / aria-hidden), every inline SVG image
        and every mermaid diagram has a text alternative (aria-label, title, or a figure caption)."""
        problems = []
        for page in pages or self.html_files():
            soup = self.soup(page)
            for img in soup.find_all("img"):
                decorative = img.get("role") in ("presentation", "none") or img.get("aria-hidden") == "true"
                alt = img.get("alt")
                if alt is None or (not alt.strip() and not decorative):
                    if img.get("aria-label") or img.get("aria-labelledby") or img.get("title"):
                        continue
                    problems.append(f"{where(page, img)} {describe(img)}: image without alt text")
            for svg in soup.find_all("svg", attrs={"role": "img"}):
                if not (svg.get("aria-label") or svg.get("aria-labelledby") or svg.find("title")):
                    problems.append(f"{where(page, svg)} {describe(svg)}: SVG image without a text alternative")
            for diagram in soup.select(".mermaid"):
                if diagram.get("aria-label") or diagram.get("title") or diagram.get("aria-labelledby"):
                    continue
                figure = diagram.find_parent("figure")
                cap = figure.find("figcaption") if figure else None
                if cap and cap.get_text(strip=True):
                    continue
                problems.append(f"{where(page, diagram)} {describe(diagram)}: diagram without a text alternative "
                                "(put it in a figure with a caption, or give it aria-label)")
        return problems
