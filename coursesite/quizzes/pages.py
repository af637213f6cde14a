"""The quiz room's glue for :mod:`coursesite.plugin`: checks the sources, renders pages, serves the assets.

- :meth:`Quizzes.check` (``on_nav``): parses every page's ``::: quiz`` block (:mod:`.parse`) and returns the
  problems (the plugin reports them with file:line and fails the build once); links in the explanations are
  checked with every other link of the page by :mod:`coursesite.checks.links`, citations by the citation check.
- :meth:`Quizzes.page_markdown` (``on_page_markdown``, after the citations) and :meth:`Quizzes.page_html`
  (``on_page_content``, before the deck is cut) render the quiz (:mod:`.render`); the home page and the page
  with ``<!-- quiz-summary -->`` get the catalog of every quiz (progress per section, 自测汇总).
- :meth:`Quizzes.add_assets` (``on_config``/``on_files``): ``assets/quizzes/quiz.js`` and ``quiz.css``,
  served by the site itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.structure.files import File

from . import render
from .parse import Quiz, check_ids, parse_quizzes

ASSETS = Path(__file__).resolve().parent / "assets"
JS, CSS = "assets/quizzes/quiz.js", "assets/quizzes/quiz.css"


def _h1(text: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*(\{.*\})?\s*$", text, flags=re.M)
    return m.group(1) if m else ""


class Quizzes:
    """The quizzes of one build (the instance lives across ``mkdocs serve`` rebuilds)."""

    def __init__(self) -> None:
        self.by_page: dict[str, Quiz] = {}  # src_uri -> quiz
        self.items: list[dict] = []  # the catalog, nav order

    def check(self, sources: dict[str, str], pages, prefix: str) -> list:
        """Parse the quiz of every page; ``sources``: ``{"docs/x.md": text}``, ``pages``: nav pages (order
        and URLs of the catalog), ``prefix``: ``"docs/"``. Returns the problems (errors)."""
        problems, found = [], []
        self.by_page = {}
        for path in sorted(sources):
            quizzes, probs = parse_quizzes(sources[path], path)
            problems += probs
            found += quizzes
            if quizzes:
                self.by_page[path[len(prefix):]] = quizzes[0]
        problems += check_ids(found)
        entries = []
        for page in pages:
            src = page.file.src_uri
            if src in self.by_page:
                key = src.rsplit("/", 1)[-1][: -len(".md")]
                entries.append((key, _h1(sources.get(prefix + src, "")) or key, page.file.url, self.by_page[src]))
        self.items = render.catalog(entries)
        return sorted(problems, key=lambda p: (p.path, p.line))

    def page_markdown(self, markdown: str, page) -> str:
        src = page.file.src_uri
        if src not in self.by_page:
            return markdown
        return render.page_markdown(markdown, src.rsplit("/", 1)[-1][: -len(".md")], src)

    def page_html(self, html: str, page) -> str:
        html = render.page_html(html)
        if render.SUMMARY_MARKER in html:
            html = html.replace(render.SUMMARY_MARKER, render.summary_html(self.items, page.file.url), 1)
            html += render.catalog_script(self.items)
        elif page.is_homepage and self.items:
            html += render.catalog_script(self.items)
        return html

    @staticmethod
    def add_config(config) -> None:
        """The quiz script and style on every page (MkDocs' ``extra_javascript``/``extra_css``)."""
        if JS not in [str(s) for s in config["extra_javascript"]]:
            config["extra_javascript"].append(JS)
        if CSS not in config["extra_css"]:
            config["extra_css"].append(CSS)

    @staticmethod
    def add_assets(files, config) -> None:
        for uri in (JS, CSS):
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(ASSETS / uri.rsplit("/", 1)[-1])))
