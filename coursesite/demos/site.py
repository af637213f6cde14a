"""The MkDocs side of the demo room: checks the demo blocks of every page, renders them, and adds the demo
files to the site (also under ``mkdocs serve``).

Site layout (all under ``assets/demos/``):

- ``demos.js``, ``demos.css``, ``<demo>.js`` — the browser code, from ``coursesite/demos/assets/``;
- ``data/<name>.js`` — data packs: classic scripts calling ``VDLMDemos.provide(name, value)`` (a classic
  script loads from ``file://`` too, where ``fetch`` and module imports are blocked): ``tok-<id>`` (a
  tokenizer.json, as a string, with its tokenizer_config.json), ``tokenizers`` (the manifest: labels and provenance) and
  ``examples``, made from the committed files under ``demos/tokenizers/`` (``make demos`` writes them);
- ``lib/tokenizers.js`` — ``@huggingface/tokenizers`` (vendored from npm by :mod:`coursesite.assets`) as a
  string, which the worker imports from a ``blob:`` URL (see :func:`wrap_module`).
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from mkdocs.structure.files import File

from .blocks import find_blocks, render_blocks, site_root
from .catalog import all_demos
from .model_files import ORT_WASM_VENDOR, add_model_files
from .packs import provide_script, wrap_module

ASSETS = Path(__file__).resolve().parent / "assets"
OFFLINE_MISSING = ("这个离线包打包时还没有生成此演示的文件，所以这里不能运行；页面其余内容不受影响。想用它：在线打开本页，"
                   "或请打包的人在仓库里先运行 `make demos`，再运行 `make offline`。")
SITE_DIR = "assets/demos"


class DemoRoom:
    """Demo blocks of the pages and the demo files of the site. ``folder``: the repository's ``demos/``."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.node_modules: Path | None = None
        self.demos = all_demos()   # in the offline bundle, with its own missing-file note (set by add_files)

    def check(self, sources: dict[str, str]) -> list:
        """Problems of every page's demo blocks (``sources``: path → Markdown), with file and line."""
        problems = []
        for path, text in sorted(sources.items()):
            if "///" in text and "demo" in text:
                problems.extend(find_blocks(text, path)[1])
        return problems

    def set_offline(self, offline: bool) -> None:
        """Render for the offline bundle (or not): a reader of the bundle has no repository, so a demo whose
        files are missing gets a note for whoever made the bundle (:data:`OFFLINE_MISSING`)."""
        self.demos = {n: dataclasses.replace(d, missing_note=OFFLINE_MISSING) if offline else d
                      for n, d in all_demos().items()}

    def available(self, spec) -> bool:
        """Whether the files that ``spec`` needs are in the demos folder."""
        return self.folder is not None and all((self.folder / r).is_file() for r in spec.requires)

    def render(self, markdown: str, page) -> str:
        """The page's Markdown with its demo blocks replaced by the widgets' HTML (or their notes/errors)."""
        if "///" not in markdown or "demo" not in markdown:
            return markdown
        blocks, _ = find_blocks(markdown, page.file.src_uri)
        return render_blocks(markdown, blocks, site_root(page.file.url), self.available, self.demos)

    def add_files(self, files, config, root: Path) -> None:
        """Add the demo code, the data packs and the wrapped libraries to ``files`` (generated files)."""
        self.node_modules = root / "node_modules"

        def add(uri: str, **kw) -> None:
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, **kw))

        for path in sorted(ASSETS.rglob("*")):
            if path.is_file() and path.suffix in (".js", ".css"):
                add(f"{SITE_DIR}/{path.relative_to(ASSETS).as_posix()}", abs_src_path=str(path))
        lib = self.node_modules / "@huggingface/tokenizers/dist/tokenizers.min.mjs"
        if lib.is_file():
            add(f"{SITE_DIR}/lib/tokenizers.js", content=wrap_module("lib:tokenizers", lib))

        offline = "offline" in config["plugins"] or "material/offline" in config["plugins"]
        self.set_offline(offline)
        done = add_model_files(add, self.folder, self.node_modules, offline=offline)
        if offline:  # file:// cannot fetch the vendored .wasm: the bundle carries it once, as bin/ort-wasm.js
            raw = files.get_file_from_path(f"assets/vendor/{ORT_WASM_VENDOR}")
            if raw is not None and done:
                files.remove(raw)
        folder = self.folder / "tokenizers" if self.folder else None
        if folder is None or not folder.is_dir():
            return
        manifest = folder / "manifest.json"
        if manifest.is_file():
            add(f"{SITE_DIR}/data/tokenizers.js", content=provide_script("tokenizers", manifest.read_text(encoding="utf-8")))
        examples = folder / "examples.json"
        if examples.is_file():
            add(f"{SITE_DIR}/data/examples.js", content=provide_script("examples", examples.read_text(encoding="utf-8")))
        for tok in sorted(folder.glob("*/tokenizer.json")):
            cfg = tok.parent / "tokenizer_config.json"
            # the tokenizer.json as a string (parsed in the worker: a string literal costs the page next to
            # nothing to load, a 0.5 MB object literal costs a parse here and a structured clone to the worker)
            value = ('{"json": ' + json.dumps(tok.read_text(encoding="utf-8")) + ', "config": '
                     + (cfg.read_text(encoding="utf-8") if cfg.is_file() else "{}") + "}")
            add(f"{SITE_DIR}/data/tok-{tok.parent.name}.js", content=provide_script(f"tok-{tok.parent.name}", value))


def demo_names() -> list[str]:
    """The names a ``/// demo | name`` block may use."""
    return sorted(all_demos())
