"""The site files of the two model demos (代码搜索 ``codesearch``, 实体识别 ``ner``), from ``demos/models/``.

``make demos`` (``vdlm.webdemo.build_demos``) writes ``demos/models/<demo>/`` (the transformers.js layout:
``config.json``, ``tokenizer.json``, ``tokenizer_config.json``, ``onnx/model_quantized.onnx``) plus the demo's
data (``codesearch/pool.json``: the pool's functions and their vectors; ``ner/demo.json``: labels) and
``manifest.json`` (sizes, SHA-256, the held-out figures). They are built, not committed (CONTRIBUTING.md).

In the site (under ``assets/demos/``):

- ``models/<demo>/model_quantized.onnx`` — the int8 model, fetched by the widget on first use (http);
- ``data/model-<demo>.js`` — a data pack: tokenizer.json, the demo's data, the model's size and SHA-256;
- ``lib/ort.js`` — onnxruntime-web's self-contained wasm build (``ort.wasm.bundle.min.mjs``, no imports) as a
  string, which the worker imports from a ``blob:`` URL; the ``.wasm`` is the one :mod:`coursesite.assets`
  vendors (``assets/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm``), handed to onnxruntime as bytes;
- for the offline bundle (``offline=True``): ``bin/<name>.js`` — the model and the wasm as base64 data packs,
  since ``file://`` blocks ``fetch``; the bundle then leaves out the ``.onnx`` files and the vendored ``.wasm``
  (each would be a second, unreachable copy).

Nothing here imports ``vdlm``: the files are read as they are.
"""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from .packs import provide_script, wrap_module

MODEL_DEMOS = ("codesearch", "ner")
EXTRA = {"codesearch": "pool.json", "ner": "demo.json"}
ORT_LIB = "onnxruntime-web/dist/ort.wasm.bundle.min.mjs"
ORT_WASM = "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm"
ORT_WASM_VENDOR = "onnxruntime-web/" + ORT_WASM.rsplit("/", 1)[1]  # under assets/vendor/ (coursesite.assets)


def model_pack(folder: Path, demo: str) -> str | None:
    """The data pack ``model-<demo>`` (JavaScript source) from ``folder/models/<demo>/``, or None when the
    demo's model has not been built.

    The value: ``{"tokenizer": <tokenizer.json as a string>, "tokenizer_config": {...}, "config": {...}, "data": <pool.json or
    demo.json>, "model": {"path", "bytes", "sha256"}}``.
    """
    d = folder / "models" / demo
    onnx = d / "onnx" / "model_quantized.onnx"
    need = [onnx, d / "tokenizer.json", d / "config.json", d / EXTRA[demo]]
    if not all(p.is_file() for p in need):
        return None
    cfg = d / "tokenizer_config.json"
    model = {"path": f"models/{demo}/model_quantized.onnx", "bytes": onnx.stat().st_size, "sha256": hashlib.sha256(onnx.read_bytes()).hexdigest()}
    value = ('{"tokenizer": ' + json.dumps((d / "tokenizer.json").read_text(encoding="utf-8"))  # parsed in the worker
             + ', "tokenizer_config": ' + (cfg.read_text(encoding="utf-8") if cfg.is_file() else "{}")
             + ', "config": ' + (d / "config.json").read_text(encoding="utf-8")
             + ', "data": ' + (d / EXTRA[demo]).read_text(encoding="utf-8")
             + ', "model": ' + json.dumps(model) + "}")
    return provide_script(f"model-{demo}", value)


def binary_pack(name: str, path: Path) -> str:
    """A data pack ``bin:<name>`` holding ``path``'s bytes as base64 (for ``file://``, where fetch is blocked)."""
    return provide_script(f"bin:{name}", json.dumps(base64.b64encode(path.read_bytes()).decode("ascii")))


def add_model_files(add, folder: Path | None, node_modules: Path, offline: bool = False) -> list[str]:
    """Add the model demos' files with ``add(uri, **kw)`` (``File.generated`` arguments).

    Args:
        folder: the repository's ``demos/`` (None: nothing to add but the runtime).
        node_modules: where ``onnxruntime-web`` is installed.
        offline: also add the base64 packs ``bin/<name>.js`` for ``file://``.

    Returns:
        The demos whose files were added.
    """
    lib = node_modules / ORT_LIB
    if lib.is_file():
        add("assets/demos/lib/ort.js", content=wrap_module("lib:ort", lib))
    done = []
    for demo in MODEL_DEMOS if folder is not None else ():
        pack = model_pack(folder, demo)
        if pack is None:
            continue
        onnx = folder / "models" / demo / "onnx" / "model_quantized.onnx"
        add(f"assets/demos/data/model-{demo}.js", content=pack)
        if offline:  # file:// cannot fetch the .onnx: only the base64 pack goes into the bundle
            add(f"assets/demos/bin/model-{demo}.js", content=binary_pack(f"model-{demo}", onnx))
        else:
            add(f"assets/demos/models/{demo}/model_quantized.onnx", abs_src_path=str(onnx))
        done.append(demo)
    wasm = node_modules / ORT_WASM
    if offline and done and wasm.is_file():
        add("assets/demos/bin/ort-wasm.js", content=binary_pack("ort-wasm", wasm))
    return done
