"""Vendored assets: serve the site's JavaScript from npm packages, never from a CDN.

Copies the files listed in ``VENDOR`` from ``node_modules/`` into the site under ``assets/vendor/``
as generated files (so ``mkdocs serve`` serves them too). A missing package stops the build with a
message saying to run ``npm ci``.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

# site path under assets/vendor/ -> (package folder in node_modules, glob patterns inside it)
VENDOR = {
    "mathjax": ("mathjax/es5", ["tex-mml-chtml.js", "output/chtml/fonts/woff-v2/*", "input/tex/extensions/**/*.js",
                                "ui/*.js", "a11y/*.js", "adaptors/*.js", "sre/**/*"]),
    "mermaid": ("mermaid/dist", ["mermaid.min.js"]),
    "reveal.js": ("reveal.js", ["dist/reveal.js", "dist/reveal.css", "dist/reset.css", "dist/theme/white.css",
                                "dist/theme/black.css", "dist/theme/fonts/source-sans-pro/*", "plugin/notes/notes.js",
                                "plugin/highlight/highlight.js", "plugin/highlight/monokai.css"]),
    # Drawing on slides and a blackboard (keys C and B): the chalkboard plugin's own files, its buttons through
    # customcontrols, and the Font Awesome icons both use (solid style only); no CDN.
    "reveal.js-plugins": ("reveal.js-plugins", ["LICENSE", "chalkboard/plugin.js", "chalkboard/style.css",
                                                "chalkboard/img/*.png", "customcontrols/plugin.js",
                                                "customcontrols/style.css"]),
    "fontawesome": ("@fortawesome/fontawesome-free", ["LICENSE.txt", "css/fontawesome.min.css", "css/solid.min.css",
                                                      "webfonts/fa-solid-900.woff2"]),
    # live demos (coursesite/demos/): onnxruntime-web's plain SIMD wasm (14 MB; DESIGN.md §9: not the 27 MB
    # asyncify build), fetched by the model demos on first use. The ES modules the demo workers import
    # (@huggingface/tokenizers, onnxruntime-web's ort.wasm.bundle) go in as strings, wrapped by the demo room.
    "onnxruntime-web": ("onnxruntime-web/dist", ["ort-wasm-simd-threaded.wasm"]),
    # Web Worker shim for file://: the offline bundle's search runs its worker in an iframe (mkdocs.offline.yml)
    "iframe-worker": ("iframe-worker", ["shim/index.js"]),
}


def add_vendor_files(files, config, root: Path) -> None:
    """Add the files of :data:`VENDOR` from ``root/node_modules`` to ``files`` as generated files.

    Raises:
        PluginError: a package folder is missing (run ``npm ci``).
    """
    modules = root / "node_modules"
    for name, (package, patterns) in VENDOR.items():
        base = modules / package
        if not base.is_dir():
            raise PluginError(
                f"{base}: missing. The site serves {name} itself; run `npm ci` (or `make serve`) in {root}"
            )
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                if path.is_file():
                    uri = f"assets/vendor/{name}/{path.relative_to(base).as_posix()}"
                    if files.get_file_from_path(uri) is None:
                        files.append(File.generated(config, uri, abs_src_path=str(path)))
