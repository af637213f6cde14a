"""Citations on the site's pages: check them, render them as linked labels, add bibliographies.

The room of the citation work inside the site plugin (:mod:`coursesite.plugin` calls it); the parsing
and checking are in :mod:`coursesite.citations.parse`, the formatting in :mod:`coursesite.citations.render`.

- :meth:`CitationPages.check` (``on_config``): checks ``docs/`` and the bibliography; any error aborts
  ``mkdocs build`` (with or without ``--strict``), warnings are logged. Under ``mkdocs serve`` an error
  is logged the same way but does not stop the server (a stopped build leaves the preview stuck while the
  contributor is typing): the page shows a red box listing its errors, placed after the page's H1 so the
  page keeps its title in the nav and the header, and each unknown key is marked in place.
- :meth:`CitationPages.render` (``on_page_markdown``): replaces each ``[@key]`` with a label linked to
  the page's bibliography (``#ref-<key>``); each label has an id (``cite-<key>-<n>``) that the
  bibliography links back to. A page that cites anything gets a "本页参考文献" section at the end.
- The page whose Markdown contains ``<!-- bibliography:all -->`` (``docs/references.md``) gets the
  whole bibliography there, each entry with links to every place it is cited.

Caches (the instance lives across ``mkdocs serve`` rebuilds): the formatted entries per (bibliography
text, style); labels per (entry, style, number). Citation scanning is memoised in ``parse``.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections import defaultdict
from pathlib import Path

from mkdocs.utils import get_relative_url

from ..pagecache import DiskCache
from .parse import Problem, check_project, find_citations
from .render import format_entries, inline_label

log = logging.getLogger("mkdocs.plugins.course.citations")
MARKER = "<!-- bibliography:all -->"
BOX_LIMIT = 10  # errors listed in the red box under mkdocs serve (all of them go to the terminal)
STYLES = ("apa", "gb7714")


def anchor(key: str) -> str:
    """The id fragment of a key in anchors: ``cite-<anchor>-<n>``, ``ref-<anchor>``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")


def _plain(formatted: str) -> str:
    return re.sub(r"<[^>]+>", "", formatted).lower()


class CitationPages:
    """Citation state of one site: the checked bibliography, numbering, where each key is cited."""

    def __init__(self) -> None:
        self.style = "apa"
        self.bibliography = None
        self.formatted: dict[str, str] = {}
        self.numbers: dict[str, int] = {}
        self.cited_in: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.errors: list[Problem] = []
        self.other_errors: list[Problem] = []  # the other source checks' errors, shown in the same box
        self.docs_dir = Path("docs")
        self.root = Path.cwd()
        self.files = None
        self._formatted_cache: dict[tuple[str, str], dict[str, str]] = {}
        self._labels: dict[tuple, str] = {}
        self._html_cache: dict[str, str] = {}  # notebook pages: sha256 of HTML and citation state -> HTML
        self.disk = DiskCache(None, "citations")  # the plugin gives it a folder

    # -- on_config -------------------------------------------------------------------------------------

    def check(self, docs_dir: Path, bib_path: Path, root: Path, style: str, notebooks=()) -> list[Problem]:
        """Check the pages and the Markdown cells of ``notebooks`` (paths of ``.ipynb`` files) against
        ``bib_path``; return every problem (the caller logs them and fails the build on an error). The errors
        are kept for the pages' red boxes under ``mkdocs serve``; an unknown key renders as ``@key？``."""
        self.style, self.docs_dir, self.root = style, docs_dir, root
        problems, bibliography, by_file = check_project(docs_dir, bib_path, root=root, notebooks=notebooks)
        self.errors = [p for p in problems if p.severity == "error"]
        self.bibliography = bibliography
        bib_text = Path(bib_path).read_bytes() if Path(bib_path).is_file() else b""
        key = (hashlib.sha256(bib_text).hexdigest(), style)
        if key not in self._formatted_cache:
            stored = self.disk.key("formatted", *key)
            formatted = self.disk.get(stored)
            if formatted is None:
                formatted = format_entries(bibliography.entries.values(), style)
                self.disk.put(stored, formatted)
            self._formatted_cache = {key: formatted}
            self._labels.clear()
        self.formatted = self._formatted_cache[key]
        return problems

    # -- on_nav ----------------------------------------------------------------------------------------

    def number(self, sources: list[tuple[str, str]], files) -> None:
        """Number entries by first citation in nav order (GB/T 7714) and record every citation place.

        ``sources``: ``(src_uri, markdown text)`` of each page in nav order.
        """
        numbers: dict[str, int] = {}
        cited_in = defaultdict(list)
        for src_uri, text in sources:
            counts: dict[str, int] = defaultdict(int)
            for citation in find_citations(text):
                for item in citation.items:
                    counts[item.key] += 1
                    numbers.setdefault(item.key, len(numbers) + 1)
                    cited_in[item.key].append((src_uri, f"cite-{anchor(item.key)}-{counts[item.key]}"))
        for key in self.bibliography.entries if self.bibliography else ():
            numbers.setdefault(key, len(numbers) + 1)
        self.numbers, self.cited_in, self.files = numbers, cited_in, files

    # -- on_page_markdown ------------------------------------------------------------------------------

    def render(self, markdown: str, src_uri: str, page_url: str) -> str:
        """Return ``markdown`` with citations rendered, the page's bibliography appended and, under
        ``mkdocs serve``, the red error box after the H1."""
        if self.bibliography is None:
            return markdown
        citations = find_citations(markdown)
        full = self._full_bibliography(src_uri, page_url) if MARKER in markdown else None
        out = markdown
        if citations:
            counts: dict[str, int] = defaultdict(int)
            rendered = [(c, self._render_citation(c, counts)) for c in citations if not c.problem]
            for citation, text in reversed(rendered):
                out = out[: citation.start] + text + out[citation.end :]
            keys: list[str] = []
            for citation in citations:
                for key in citation.keys:
                    if key not in keys and key in self.bibliography.entries:
                        keys.append(key)
            keys.sort(key=self._sort_key)
            items = [self._entry_html(key, self._backlinks(key, counts[key])) for key in keys]
            if items:
                listing = "\n".join(items)
                out += (
                    "\n\n## 本页参考文献 {: #page-bibliography .bibliography-heading }\n\n"
                    f'<ol class="bibliography">\n{listing}\n</ol>\n'
                )
        if full:  # last: the citation offsets above refer to the original text
            out = out.replace(MARKER, full)
        return self._with_error_box(out, src_uri)

    def render_html(self, html_text: str, src_uri: str) -> str:
        """Citations in the rendered HTML of a notebook page (mkdocs-jupyter converts the notebook itself, so
        there is no Markdown step to hook): ``[@key]`` in the text of Markdown cells (not in code, and not
        in code cells or outputs) becomes a linked label, and a "本页参考文献" list goes at the end.

        Returns ``html_text`` unchanged when it cites nothing.
        """
        if self.bibliography is None or "[" not in html_text or "@" not in html_text:
            return html_text
        key = self.disk.key(html_text, src_uri, self.style, repr(sorted(self.numbers.items())),
                            repr(sorted(self.formatted.items())))
        hit = self._html_cache.get(key) or self.disk.get(key)
        if hit is None:
            hit = self._render_html(html_text)
            self.disk.put(key, hit)
        if len(self._html_cache) > 64:
            self._html_cache.clear()
        self._html_cache[key] = hit
        return hit

    def _render_html(self, html_text: str) -> str:
        from bs4 import BeautifulSoup, NavigableString

        soup = BeautifulSoup(html_text, "html.parser")
        counts: dict[str, int] = defaultdict(int)
        keys: list[str] = []
        for cell in soup.select("div.jp-MarkdownCell"):
            for node in list(cell.find_all(string=True)):
                if not isinstance(node, NavigableString) or node.find_parent(["code", "pre", "script", "style"]):
                    continue
                text = str(node)
                citations = [c for c in find_citations(text) if not c.problem]
                if not citations:
                    continue
                out, pos = [], 0
                for c in citations:
                    out.append(html.escape(text[pos:c.start], quote=False))
                    out.append(self._render_citation(c, counts))
                    keys.extend(k for k in c.keys if k in self.bibliography.entries and k not in keys)
                    pos = c.end
                out.append(html.escape(text[pos:], quote=False))
                node.replace_with(BeautifulSoup("".join(out), "html.parser"))
        if not keys:
            return html_text
        keys.sort(key=self._sort_key)
        items = "\n".join(self._entry_html(k, self._backlinks(k, counts[k])) for k in keys)
        return (str(soup) + '\n<h2 class="bibliography-heading" id="page-bibliography">本页参考文献</h2>\n'
                f'<ol class="bibliography">\n{items}\n</ol>\n')

    @staticmethod
    def _backlinks(key: str, count: int) -> str:
        back = " ".join(
            f'<a class="bib-backlink" href="#cite-{anchor(key)}-{i}" title="回到第 {i} 处引用">↩{i if count > 1 else ""}</a>'
            for i in range(1, count + 1)
        )
        return f' <span class="bib-backlinks">{back}</span>'

    def _sort_key(self, key: str):
        return self.numbers.get(key, 0) if self.style == "gb7714" else _plain(self.formatted[key])

    def _label(self, key: str, locator: str) -> str:
        number = self.numbers.get(key)
        cache_key = (key, self.style, number)
        if cache_key not in self._labels:
            self._labels[cache_key] = inline_label(self.bibliography.entries[key], self.style, number)
        text = self._labels[cache_key]
        if locator:
            text += ", " + html.escape(locator)
        return text

    def _render_citation(self, citation, counts) -> str:
        parts = []
        for item in citation.items:
            if item.key not in self.bibliography.entries:  # only reached under mkdocs serve
                parts.append(f'<mark class="citation-error" title="references.bib 中没有这个键">@{html.escape(item.key)}？</mark>')
                continue
            counts[item.key] += 1
            a = f"cite-{anchor(item.key)}-{counts[item.key]}"
            title = html.escape(html.unescape(re.sub(r"<[^>]+>", "", self.formatted[item.key])), quote=True)
            prefix = html.escape(item.prefix) + " " if item.prefix else ""
            parts.append(
                f'{prefix}<a class="citation-link" id="{a}" href="#ref-{anchor(item.key)}" '
                f'title="{title}">{self._label(item.key, item.locator)}</a>'
            )
        numeric = self.style == "gb7714"
        sep = ", " if numeric else "; "
        open_, close = ("[", "]") if numeric else ("(", ")")
        css = "citation citation-numeric" if numeric else "citation"
        return f'<span class="{css}">{open_}{sep.join(parts)}{close}</span>'

    def _entry_html(self, key: str, backlinks: str) -> str:
        number = f'<span class="bib-number">[{self.numbers[key]}]</span> ' if self.style == "gb7714" else ""
        return f'<li id="ref-{anchor(key)}" class="bib-entry">{number}{self.formatted[key]}{backlinks}</li>'

    def page_errors(self, src_uri: str) -> list[Problem]:
        """The errors shown on page ``src_uri``: its own (citations, captions, diagrams) and the .bib file's
        (a build stops on them before writing any page, so only ``mkdocs serve`` shows the box)."""
        errors = self.errors + self.other_errors
        if not errors:
            return []
        src = (self.docs_dir / src_uri).resolve()
        return [e for e in errors
                if e.path.endswith(".bib") or (self.root / e.path).resolve() == src or e.path == src_uri]

    def _with_error_box(self, markdown: str, src_uri: str) -> str:
        """Under mkdocs serve: a red box listing this page's citation errors (file:line:col and what to do,
        as the terminal shows them), placed right after the H1 so the page keeps its title."""
        mine = self.page_errors(src_uri)
        if not mine:
            return markdown
        return insert_after_title(markdown, error_box(mine))

    def _full_bibliography(self, src_uri: str, page_url: str) -> str:
        keys = sorted(self.bibliography.entries, key=self._sort_key)
        items = []
        for key in keys:
            links = []
            per_page: dict[str, list[str]] = {}
            for cited_src, a in self.cited_in.get(key, []):
                if cited_src != src_uri:
                    per_page.setdefault(cited_src, []).append(a)
            for cited_src, anchors in per_page.items():  # one link per page, to its first citation
                target = self.files.get_file_from_path(cited_src) if self.files is not None else None
                if target is None or target.page is None:
                    continue
                url = get_relative_url(target.url, page_url) + "#" + anchors[0]
                title = html.escape(str(target.page.title or cited_src))
                count = f"（{len(anchors)} 处）" if len(anchors) > 1 else ""
                links.append(f'<a class="bib-backlink" href="{url}">{title}</a>{count}')
            where = f' <span class="bib-cited-in">引用于：{"、".join(links)}</span>' if links else ""
            items.append(self._entry_html(key, where))
        return '<ol class="bibliography bibliography-all">\n' + "\n".join(items) + "\n</ol>"


def _code_span(text: str) -> str:
    """``text`` as one Markdown code span, whatever backticks it holds (a fence one longer than its longest run)."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if len(ticks) > 1 else ""  # Markdown strips one space inside a multi-backtick span
    return f"{ticks}{pad}{text}{pad}{ticks}"


def error_box(problems: list[Problem], limit: int = BOX_LIMIT) -> str:
    """The Markdown of the red box that lists ``problems`` (at most ``limit``) at the top of a page under
    ``mkdocs serve``, each as ``file:line:col: message`` exactly as the terminal shows it."""
    shown = problems[:limit]
    items = "\n".join(f"    - {_code_span(str(e))}" for e in shown)
    if len(problems) > len(shown):
        items += f"\n    - ……另有 {len(problems) - len(shown)} 个，见终端或 `make check`"
    return (f'!!! failure "检查：本页有 {len(problems)} 个错误"\n\n'
            f"    `mkdocs build` 会因此失败；改好后这里会自动消失。\n\n{items}\n\n")


def insert_after_title(markdown: str, block: str) -> str:
    """Insert the Markdown ``block`` after the page's first H1 (ATX ``# …`` or setext), outside code
    fences; at the top when there is none. MkDocs takes a page's title from an H1 that comes first, so
    a box put above it would rename the page in the nav and the header."""
    fence = None
    pos = 0
    for line in markdown.splitlines(keepends=True):
        stripped = line.strip()
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and re.match(r"#\s+\S", line):
            end = pos + len(line)
            return markdown[:end] + ("" if line.endswith("\n") else "\n") + "\n" + block + markdown[end:]
        pos += len(line)
    return block + markdown
