"""The build cache: what ``mkdocs serve`` need not redo for a page that did not change.

MkDocs rebuilds the whole site on every save under ``mkdocs serve``. The plugin instance lives across those
rebuilds, and so does this cache:

- :class:`RenderCache`: a page's Markdown → HTML conversion (Python-Markdown with every extension), keyed by
  the SHA-256 of the page's final Markdown (after the citation step), its URL, the set of files of the site
  and the bytes of the config file(s). A hit restores exactly what :meth:`mkdocs.structure.pages.Page.render`
  sets (content, toc, title from the H1, anchor ids, links to other pages' anchors) and replays the log
  records the conversion emitted (a broken link keeps warning on every rebuild).
- :func:`jinja_bytecode_cache`: compiled Jinja templates of the theme on disk (Jinja's own
  ``FileSystemBytecodeCache``, keyed by the template source's checksum).

Nothing here changes what is built: a test builds clean and through the cache and compares the pages.
"""
from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.structure.pages import Page


@dataclass
class _Rendered:
    key: str
    content: str
    toc: object
    title: str | None
    anchor_ids: set[str] | None
    links: dict[str, dict[str, str]] | None  # target src_uri -> {anchor: original link}
    records: list[logging.LogRecord] = field(default_factory=list)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append(record)


def config_signature(config) -> str:
    """SHA-256 of the config file's bytes and those of the file it INHERITs (what shapes the Markdown)."""
    h = hashlib.sha256()
    path = config.get("config_file_path")
    seen = set()
    while path and path not in seen and Path(path).is_file():
        seen.add(path)
        text = Path(path).read_bytes()
        h.update(text)
        inherit = next((line.split(":", 1)[1].strip().strip("'\"") for line in text.decode("utf-8", "replace").splitlines()
                        if line.startswith("INHERIT:")), None)
        path = str(Path(path).parent / inherit) if inherit else None
    return h.hexdigest()


class RenderCache:
    """Markdown → HTML of each page across ``mkdocs serve`` rebuilds (one entry per page: the last one)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Rendered] = {}
        self._signature = ""
        self.hits = 0
        self.misses = 0

    def begin(self, config, files) -> None:
        """Start a build: the signature of what every page's HTML depends on besides its own Markdown."""
        h = hashlib.sha256(config_signature(config).encode())
        for f in sorted(files, key=lambda f: f.src_uri):
            h.update(f"{f.src_uri}\0{f.url}\0".encode())
        self._signature = h.hexdigest()
        self.hits = self.misses = 0

    def attach(self, page, markdown: str) -> None:
        """Make ``page.render`` answer from the cache when nothing it depends on changed (Markdown pages only;
        a page whose ``render`` another plugin already replaced, like mkdocs-jupyter's notebooks, is left alone)."""
        if not page.file.src_uri.endswith(".md") or "render" in vars(page):
            return
        key = hashlib.sha256(f"{self._signature}\0{page.file.src_uri}\0{page.file.url}\0{markdown}".encode()).hexdigest()
        cache = self

        def render(self_page, config, files) -> None:
            entry = cache._entries.get(self_page.file.src_uri)
            if entry is not None and entry.key == key:
                cache.hits += 1
                self_page.content = entry.content
                self_page.toc = copy.deepcopy(entry.toc)
                self_page._title_from_render = entry.title
                self_page.present_anchor_ids = set(entry.anchor_ids) if entry.anchor_ids is not None else None
                if entry.links is not None:
                    links = {}
                    for src_uri, anchors in entry.links.items():
                        target = files.get_file_from_path(src_uri)
                        if target is not None:
                            links[target] = dict(anchors)
                    self_page.links_to_anchors = links
                for record in entry.records:
                    logging.getLogger(record.name).handle(record)
                return
            cache.misses += 1
            capture = _Capture()
            root = logging.getLogger("mkdocs")
            root.addHandler(capture)
            try:
                Page.render(self_page, config, files)
            finally:
                root.removeHandler(capture)
            links = self_page.links_to_anchors
            cache._entries[self_page.file.src_uri] = _Rendered(
                key=key, content=self_page.content, toc=copy.deepcopy(self_page.toc),
                title=self_page._title_from_render,
                anchor_ids=set(self_page.present_anchor_ids) if self_page.present_anchor_ids is not None else None,
                links={f.src_uri: dict(a) for f, a in links.items()} if links is not None else None,
                records=capture.records,
            )

        page.render = render.__get__(page, Page)


def jinja_bytecode_cache(env, folder: Path) -> None:
    """Keep the compiled templates of ``env`` (the theme's Jinja environment) in ``folder``."""
    import jinja2

    if env.bytecode_cache is None:
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
