"""The ``course`` MkDocs plugin: the events, and nothing else (each room does its own work).

Registered in pyproject.toml under ``[project.entry-points."mkdocs.plugins"]``; settings in
:class:`coursesite.config.CourseConfig`. Because it defines ``on_startup``, MkDocs keeps one instance for
the whole of ``mkdocs serve``: the rooms' caches live across rebuilds.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from . import assets
from .checks.captions import check_captions
from .checks.links import check_links
from .checks.mermaid import check_mermaid, diagrams
from .checks import publish
from .citations.pages import CitationPages, error_box
from .citations.parse import notebook_markdown_cells
from .config import CourseConfig
from .demos.site import DemoRoom
from .notebooks import pages as notebooks
from .notebooks import setup_cell
from .notebooks import wheel as vdlm_wheel
from .pagecache import DiskCache, RenderCache, jinja_bytecode_cache
from .quizzes.pages import Quizzes
from .search.dictionary import write_user_dict
from .search.entries import EntryCache
from .search.query import DICT_NAME, clean_search_index, query_dictionary_js
from .slides.decks import Decks


log = logging.getLogger("mkdocs.plugins.course")


class CoursePlugin(BasePlugin[CourseConfig]):
    """Citations, decks, notebook pages, the search dictionary and vendored assets of the course site."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command = "build"
        self.citations = CitationPages()
        self.decks = Decks()
        self.quizzes = Quizzes()
        self.demos = DemoRoom()
        self.renders = RenderCache()
        self.search_entries = EntryCache()
        self._search_signature = ""
        self._mermaid: tuple[str, list] = ("", [])
        self._failed: list[str] = []
        self._sources: dict[str, str] = {}
        self._disk = DiskCache(None, "checks")
        self._wheel = None  # the vdlm wheel of this build (coursesite/notebooks/wheel.py), None without one
        self._memo_wheel = None  # the last one built: reused under `mkdocs serve` while vdlm/ is unchanged
        self._jieba_loaded = ""  # the search signature whose user dictionary jieba holds
        self._jieba_lock = threading.Lock()

    def _report(self, problems, what: str) -> list:
        """Log ``problems`` (errors as errors, warnings as info: a build should not stop on a note) and keep the
        count of errors: a build fails once every check has run (:meth:`_fail_if_any`), so one run lists every
        mistake; under ``mkdocs serve`` the pages show them instead. Returns the errors."""
        errors = [p for p in problems if p.severity == "error"]
        for p in problems:
            (log.error if p.severity == "error" else log.info)(str(p))
        if errors:
            self._failed.append(f"{what}: {len(errors)} error(s)")
        return errors

    def _fail_if_any(self) -> None:
        if self._failed and self.command != "serve":
            raise PluginError(f"the build stops on {'; '.join(self._failed)} (each listed above with its file and "
                              "line); fix them and run `make check` again")

    # -- paths ------------------------------------------------------------------------------------------

    def _root(self, config) -> Path:
        path = config.get("config_file_path")
        return Path(path).resolve().parent if path else Path.cwd()

    def _notebooks(self, config) -> list[Path]:
        return sorted((self._root(config) / self.config.notebooks_dir).glob("*.ipynb"))

    # -- events -----------------------------------------------------------------------------------------

    def on_startup(self, *, command, dirty) -> None:
        self.command = command

    @event_priority(100)  # before Material's search plugin reads the jieba dictionary
    def on_config(self, config):
        root = self._root(config)
        docs = Path(config["docs_dir"])
        user_dict = root / "build" / "jieba_user_dict.txt"
        write_user_dict(docs / self.config.glossary, self.config.search_terms, user_dict)
        search = self._search_plugin(config)
        if search is not None:
            # The search plugin would load jieba (1.5 s) at its on_config, even when every page's entries come
            # from our cache: we load our dictionary ourselves, before the first page that needs segmenting.
            search.config["jieba_dict_user"] = None
            self._jieba_user_dict = user_dict
            self._search_signature = hashlib.sha256(user_dict.read_bytes() + repr(dict(search.config)).encode()).hexdigest()
        cache = root / self.config.cache_dir if self.config.disk_cache else None
        self.citations.disk = DiskCache(cache, "citations")
        self.decks.disk = DiskCache(cache, "slides")
        self.renders.disk = DiskCache(cache, "pages")
        self.search_entries.disk = DiskCache(cache, "search")
        self._disk = DiskCache(cache, "checks")
        self._failed = []
        self._report(self.citations.check(docs, root / self.config.bibliography, root, self.config.citation_style,
                                          notebooks=self._notebooks(config)), "citation check")
        self.demos.folder = root / self.config.demos_dir
        self.decks.theme = self.config.slides.theme
        self.decks.overflow_factor = self.config.slides.overflow_factor
        self.decks.reset()
        self.quizzes.add_config(config)
        return config

    def _load_jieba(self) -> None:
        """jieba's dictionaries with the course's words (what Material's search does with ``jieba_dict_user``);
        jieba keeps them for the process, so under ``mkdocs serve`` this runs once."""
        import jieba

        with self._jieba_lock:  # the background preload (on_post_build) and a rebuild may both get here
            if self._jieba_loaded != self._search_signature:
                jieba.load_userdict(str(self._jieba_user_dict))
                self._jieba_loaded = self._search_signature

    @staticmethod
    def _search_plugin(config):
        return config["plugins"].get("material/search") or config["plugins"].get("search")

    def on_pre_build(self, config):
        search = self._search_plugin(config)
        if search is not None:  # its index exists now (made in its on_config)
            self.search_entries.wrap(search, self._search_signature, self._load_jieba)

    @event_priority(100)  # before mkdocs-jupyter's on_files, which turns the mounted notebooks into pages
    def on_files(self, files, config):
        root = self._root(config)
        folder = root / self.config.notebooks_dir
        # a broken notebook's page shows its error, so the build goes on to every other check (and the
        # preview keeps serving); the build then stops in on_env
        problems, sources = notebooks.prepare(folder, root, root / self.config.cache_dir, self.config.notebooks_dir,
                                              serve=True)
        self._report(problems, "notebook check")
        notebooks.mount(files, config, folder, self.config.notebooks_dir, sources)
        self._add_wheel(files, config, root)
        self._report(self._check_repo(config), "repo_url check")
        assets.add_vendor_files(files, config, root)
        self.quizzes.add_assets(files, config)
        self.demos.add_files(files, config, root)
        return files

    def on_nav(self, nav, config, files):
        docs = Path(config["docs_dir"])
        prefix = docs.name + "/"
        # every Markdown page, read once: the checks below, the citation numbering and the link check use it
        self._sources = {prefix + f.src_uri: Path(f.abs_src_path).read_text(encoding="utf-8")
                         for f in files.documentation_pages() if f.src_uri.endswith(".md") and f.abs_src_path}
        sources = [(page.file.src_uri, self._sources[prefix + page.file.src_uri]) for page in nav.pages
                   if prefix + page.file.src_uri in self._sources]  # nav order: GB/T 7714 numbers by first citation
        self.citations.other_errors = self._report(
            (check_captions(self._sources, self.config.figures, self.config.tables)
             if self.config.figures or self.config.tables else []) + self._check_diagrams(config),
            "caption and diagram check")
        self.citations.other_errors += self._report(self.quizzes.check(self._sources, nav.pages, prefix), "quiz check")
        self.citations.other_errors += self._report(self.demos.check(self._sources), "demo check")
        for nb in self._notebooks(config):  # numbered after the pages, in file order (as in the nav)
            try:
                cells = notebook_markdown_cells(nb)
            except (OSError, ValueError):  # reported by the citation and notebook checks
                cells = []
            sources.append((f"{self.config.notebooks_dir}/{nb.name}", "\n\n".join(text for _, text in cells)))
        self.citations.number(sources, files)
        self.decks.read_meta(nav.pages, docs)
        self.renders.begin(config, files)
        return nav

    def _write_query_dictionary(self, user_dict: Path, out: Path) -> None:
        """The browser's query dictionary (:mod:`coursesite.search.query`), made once per user dictionary."""
        key = self._disk.key("query-dictionary", user_dict.read_text(encoding="utf-8"))
        text = self._disk.get(key)
        if text is None:
            text = query_dictionary_js(user_dict)
            self._disk.put(key, text)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")

    def _check_diagrams(self, config) -> list:
        """Mermaid syntax of every diagram; re-run only when some diagram's text changed."""
        # Keyed by each diagram with the lines around it (its caption), not by the whole page: editing the prose
        # of a page with diagrams does not start Node again.
        parts = []
        for path, text in sorted(self._sources.items()):
            if "mermaid" not in text:
                continue
            lines = text.splitlines()
            for line, end, _body in diagrams(text):
                parts.append(f"{path}:{line}:{end}\0" + "\n".join(lines[max(0, line - 4):end + 4]))
        key = self._disk.key("mermaid", *parts)
        if self._mermaid[0] != key:
            found = self._disk.get(key)
            if found is None:
                found = check_mermaid(self._sources, self._root(config))
                if not any(p.severity == "warning" for p in found):  # "not checked" (no Node) is not kept
                    self._disk.put(key, found)
            self._mermaid = (key, found)
        return list(self._mermaid[1])

    def on_env(self, env, config, files):
        jinja_bytecode_cache(env, self._root(config) / self.config.cache_dir / "jinja")
        # Every page is rendered now: check the links between pages against the ids MkDocs gave the headings.
        prefix = Path(config["docs_dir"]).name + "/"
        anchors = {}
        for f in files.documentation_pages():
            page = f.page
            if page is None:
                continue
            ids = set(page.present_anchor_ids or ()) | set(_toc_ids(page.toc))
            anchors[prefix + f.src_uri] = ids
        errors = self._report(check_links(self._sources, anchors), "link check")
        self._fail_if_any()
        by_page: dict[str, list] = {}
        for problem in errors:
            by_page.setdefault(problem.path, []).append(problem)
        for path, problems in by_page.items():  # serving: the box goes on the linking page, after its H1
            f = files.get_file_from_path(path[len(prefix):])
            if f is not None and f.page is not None and f.page.content is not None:
                f.page.content = _after_h1(f.page.content, _box_html(problems))
        self.decks.fill_index_count(files)  # every page is cut now: the index gets the lecture's slide count
        return env

    def _render_markdown(self, markdown, page, config, files):
        markdown = self.citations.render(markdown, page.file.src_uri, page.file.url)
        markdown = self.quizzes.page_markdown(markdown, page)
        markdown = self.demos.render(markdown, page)
        return self.decks.index_markdown(markdown, page)

    @event_priority(-100)  # last: the Markdown is final, so it keys the cached HTML
    def _cache_render(self, markdown, page, config, files):
        self.renders.attach(page, markdown)
        return markdown

    on_page_markdown = CombinedEvent(_render_markdown, _cache_render)

    def on_page_content(self, html, page, config, files):
        # A diagram's source is not text to search (Material's search skips data-search-exclude, then drops it).
        html = html.replace('<pre class="mermaid">', '<pre class="mermaid" data-search-exclude>')
        if notebooks.is_notebook_page(page.file.src_uri, self.config.notebooks_dir):
            html = self.citations.render_html(html, page.file.src_uri)
            return notebooks.decorate(html, page, config, self.config.notebooks_dir, self.config.repo_branch,
                                      self._downloads(config))
        html = self.quizzes.page_html(html, page)
        return self.decks.cut_page(html, page, config)

    def _add_wheel(self, files, config, root: Path) -> None:
        """The demo library as a wheel beside the notebooks (``downloads/vdlm-<version>-py3-none-any.whl``), and
        the check that the notebooks' setup cells install it from the addresses of ``repo_url``. A project
        without ``vdlm/`` gets neither."""
        self._wheel = None
        if not (root / vdlm_wheel.PACKAGE).is_dir():
            return
        cache = root / self.config.cache_dir
        try:
            self._wheel = vdlm_wheel.build(root, DiskCache(cache if self.config.disk_cache else None, "wheels"),
                                           self._memo_wheel)
        except vdlm_wheel.WheelError as exc:
            self._report([exc.problem], "vdlm wheel")
            return
        self._memo_wheel = self._wheel
        uri = vdlm_wheel.add_to_site(files, config, self._wheel, cache / "downloads")
        # the setup cell's addresses come from repo_url (site_url read from the file: serve overrides it)
        want = setup_cell.expected(config.get("repo_url"), setup_cell.config_urls(root)[1], uri)
        self._report(setup_cell.check_cells(self._notebooks(config), want, root), "notebook setup cell check")

    def _check_repo(self, config) -> list:
        """repo_url: a warning when it is a placeholder; with COURSE_PUBLISH=1 an error, and the repository must answer."""
        config_file = Path(config.get("config_file_path") or "mkdocs.yml")
        publishing = publish.for_publishing() and self.command != "serve"
        found = publish.check_repo_url(config.get("repo_url"), config_file, publishing)
        if publishing and not found:
            found = publish.check_repository_answers(config["repo_url"], config_file)
        return found

    def _downloads(self, config) -> notebooks.Downloads:
        """The wheel and, in the offline bundle (Material's offline plugin on), the embedded notebook."""
        offline = config["plugins"].get("material/offline") or config["plugins"].get("offline")
        return notebooks.Downloads(
            wheel_uri=f"{vdlm_wheel.DOWNLOADS}/{self._wheel.name}" if self._wheel else None,
            wheel_bytes=len(self._wheel.data) if self._wheel else 0,
            embed=bool(offline is not None and offline.config.get("enabled", True)))

    def on_post_build(self, config):
        if self.command == "serve" and self._jieba_loaded != self._search_signature \
                and self._search_plugin(config) is not None:
            # every search entry came from the disk cache: load jieba now, in the background, so that the
            # contributor's first edit does not wait for it
            threading.Thread(target=self._load_jieba, daemon=True).start()
        site = Path(config["site_dir"])
        # after Material's search plugin wrote the index, before `offline` (priority -100) inlines it
        clean_search_index(site)
        self._write_query_dictionary(self._root(config) / "build" / "jieba_user_dict.txt", site / DICT_NAME)
        self.decks.write(config, self._root(config))


def _toc_ids(toc):
    for item in toc or ():
        yield item.id
        yield from _toc_ids(item.children)


def _box_html(problems) -> str:
    import markdown

    return '<div class="course-check-box">' + markdown.markdown(error_box(problems), extensions=["admonition"]) + "</div>"


def _after_h1(content: str, box: str) -> str:
    m = re.search(r"</h1>", content)
    return content[: m.end()] + box + content[m.end():] if m else box + content
