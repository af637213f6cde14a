"""Data packs: classic scripts that hand data to the page's demo code (``VDLMDemos.provide``). A classic
``<script src>`` loads from ``file://`` too, where ``fetch`` and module imports are blocked (DESIGN.md §9), so
every file a demo needs (tokenizer.json, model bytes, an ES module's source) travels this way. No MkDocs import."""

from __future__ import annotations

import json
from pathlib import Path


def provide_script(name: str, value_js: str) -> str:
    """A data pack: the classic script that hands ``value_js`` (a JavaScript expression, e.g. JSON text) to
    ``VDLMDemos.provide(name, ...)``."""
    return f"VDLMDemos.provide({json.dumps(name)}, {value_js});\n"


def wrap_module(name: str, path: Path) -> str:
    """An ES module file as a data pack holding its source text (the worker imports it from a ``blob:`` URL,
    which works on ``file://`` too)."""
    return provide_script(name, json.dumps(path.read_text(encoding="utf-8")))
