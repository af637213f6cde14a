"""Demo blocks in a page's Markdown: find, check and render them (pure: strings in, strings out; no MkDocs).

The syntax (documented in CONTRIBUTING.md, "在页面中放置在线演示") is a pymdownx-style block with the demo's
name as its argument and its options as indented ``key: value`` lines, with no content::

    /// demo | tokenizer
        tokenizers: bert-uncased, biomed-wp
    ///

:func:`find_blocks` returns the blocks and the problems (unknown demo, unknown or bad option, a block left
open, content in a block), each with the page's path and the 1-based line; blocks inside fenced code are not
blocks. :func:`render_blocks` replaces each block by the widget's HTML skeleton: a label and a text box,
one-click examples, a status line and an output area, plus a tiny inline loader that fetches the demo code
(``assets/demos/demos.js``) only when the reader first focuses, clicks or types in the widget, so a page
loads no demo file until its demo is used. A demo whose files are missing renders as a note saying how to
make them.
"""
from __future__ import annotations

import dataclasses
import html
import json
import posixpath
import re
from functools import lru_cache
from pathlib import Path

from coursesite.checks.captions import fenced_blocks
from coursesite.citations.parse import Problem

from .catalog import all_demos
from .specs import DemoSpec, Option

__all__ = ["DemoBlock", "find_blocks", "render_blocks", "site_root", "BOOT_JS"]

_START = re.compile(r"^(?P<indent>[ \t]*)///[ \t]*demo\b(?P<rest>.*)$")
_END = re.compile(r"^[ \t]*///[ \t]*$")
_OPTION = re.compile(r"^[ \t]*(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$")


@dataclasses.dataclass(frozen=True)
class DemoBlock:
    """One ``/// demo | name`` block: its 1-based first and last line, indentation, demo name and checked
    options (every option of the demo, defaults filled in); ``errors``: the messages of a block that is wrong
    (it is then shown as a red box in place of the widget)."""

    line: int
    end_line: int
    indent: str
    name: str
    options: dict
    errors: tuple = ()


def _value(spec: DemoSpec, key: str, opt: Option, raw: str) -> tuple[object, str]:
    """The option's value parsed from ``raw``, or (None, error message)."""
    if opt.kind == "text":
        return raw, ""
    if opt.kind == "int":
        if not re.fullmatch(r"-?\d+", raw):
            return None, f"option `{key}` of demo `{spec.name}` is a whole number ({opt.help}), not `{raw}`"
        n = int(raw)
        if (opt.low is not None and n < opt.low) or (opt.high is not None and n > opt.high):
            return None, f"option `{key}` of demo `{spec.name}`: {n} is outside {opt.low}..{opt.high} ({opt.help})"
        return n, ""
    items = [x.strip() for x in raw.split(",") if x.strip()] if opt.kind == "list" else [raw]
    bad = [x for x in items if x not in opt.choices]
    if bad or not items:
        return None, (f"option `{key}` of demo `{spec.name}`: `{', '.join(bad) or raw}` is not one of "
                      f"{', '.join(opt.choices)}")
    return (tuple(items) if opt.kind == "list" else items[0]), ""


def find_blocks(text: str, path: str, demos: dict[str, DemoSpec] | None = None) -> tuple[list[DemoBlock], list[Problem]]:
    """The demo blocks of Markdown ``text`` (the page at ``path``, for the messages) and the problems found.

    Returns (blocks in page order, problems); a block with a problem has its messages in ``errors``. ``demos``
    defaults to :func:`coursesite.demos.catalog.all_demos`.
    """
    demos = all_demos() if demos is None else demos
    fenced = [(f.line, f.end_line) for f in fenced_blocks(text)]
    lines = text.splitlines()
    blocks: list[DemoBlock] = []
    problems: list[Problem] = []
    names = ", ".join(sorted(demos))
    i = 0
    while i < len(lines):
        m = _START.match(lines[i])
        if not m or any(a <= i + 1 <= b for a, b in fenced):
            i += 1
            continue
        start = i + 1
        j = i + 1
        while j < len(lines) and not _END.match(lines[j]) and not _START.match(lines[j]):
            j += 1
        if j >= len(lines) or not _END.match(lines[j]):
            problems.append(Problem(path, start, 1, "demo block is not closed: end it with a line `///`"))
            blocks.append(DemoBlock(start, start, m.group("indent"), "", {}, (problems[-1].message,)))
            i = j
            continue
        rest = m.group("rest").strip()
        name = rest[1:].strip() if rest.startswith("|") else ""
        spec = demos.get(name)
        errors = []
        if spec is None:
            errors.append((start, f"unknown demo `{name}`: write `/// demo | <name>` with one of {names}" if name
                           else f"demo block without a name: write `/// demo | <name>` with one of {names}"))
        options: dict = {}
        for k in range(i + 1, j):
            if not lines[k].strip():
                continue
            om = _OPTION.match(lines[k])
            if om is None:
                errors.append((k + 1, "a demo block holds only `key: value` option lines (indented), not text: "
                                      f"`{lines[k].strip()[:40]}`"))
                continue
            if spec is None:
                continue
            key, raw = om.group("key"), om.group("value")
            opt = spec.options.get(key)
            if opt is None:
                known = ", ".join(sorted(spec.options)) or "none"
                errors.append((k + 1, f"unknown option `{key}` of demo `{name}` (its options: {known})"))
                continue
            value, err = _value(spec, key, opt, raw)
            if err:
                errors.append((k + 1, err))
            else:
                options[key] = value
        if spec is not None and not errors:
            full = {key: opt.default for key, opt in spec.options.items()}
            full.update(options)
            if "stride" in full and "max_length" in full and full["stride"] >= full["max_length"] - 2:
                errors.append((start, f"demo `{name}`: stride {full['stride']} must be smaller than max_length - 2 "
                                      f"({full['max_length'] - 2} tokens per window besides [CLS] and [SEP])"))
        if errors:
            blocks.append(DemoBlock(start, j + 1, m.group("indent"), name, {}, tuple(msg for _, msg in errors)))
        else:
            blocks.append(DemoBlock(start, j + 1, m.group("indent"), name, full))
        problems.extend(Problem(path, line, 1, msg) for line, msg in errors)
        i = j + 1
    return blocks, problems


def site_root(page_url: str) -> str:
    """Relative URL from the page at site-relative ``page_url`` (``03-biobert/`` or ``03-biobert.html``) to
    the site root: ``../`` or ``""``."""
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    depth = len([p for p in folder.split("/") if p])
    return "../" * depth


# The inline loader (the same for every block; the first one defines it). It fetches nothing until the reader
# focuses, clicks or types in a demo, then loads assets/demos/demos.js (a classic script: it also works from
# file://), preloads the demo's own script, and hands the demo to VDLMDemos.activate. Keys typed in the demo never reach the page or the deck.
BOOT_JS = (
    "(function(s){var w=window;if(!w.VDLMBoot){w.VDLMBoot=function(el){var on=0;"
    # keys for the widget, not the deck: typing in a box; Space/Enter on a button or a result's <summary>;
    # arrows, Page Up/Down, Home/End and Space in the scrolling output box
    "function stop(e){var t=e.target,n=t.tagName,k=e.key;if(/^(TEXTAREA|INPUT|SELECT)$/.test(n)||t.isContentEditable||"
    "((n==='BUTTON'||n==='SUMMARY')&&(k===' '||k==='Enter'))||"
    "(t.closest&&t.closest('.vdlm-demo-output')&&/^(Arrow|Page|Home$|End$| $)/.test(k)))e.stopPropagation();}"
    "el.addEventListener('keydown',stop);el.addEventListener('keypress',stop);"
    # an example pressed before the demo is mounted: demos.js clicks it again once the demo can answer
    "el.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('.vdlm-demo-example');"
    "if(b&&!el.hasAttribute('data-demo-ready'))el.vdlmPending=b;},true);"
    "function go(e){if(on)return;on=1;var st=el.querySelector('.vdlm-demo-status');"
    "var p=w.VDLMDemos?Promise.resolve():new Promise(function(ok,no){"
    "var x=document.querySelector('script[data-vdlm-demos]');if(!x){x=document.createElement('script');"
    "x.src=el.querySelector('a.vdlm-demo-base').href;x.setAttribute('data-vdlm-demos','');"
    "document.head.appendChild(x);}x.addEventListener('load',ok);x.addEventListener('error',no);});"
    # the demo's own script is needed next: fetch it meanwhile (demos.js then finds it in the cache)
    "var l=document.createElement('link');l.rel='preload';l.as='script';"
    "l.href=new URL(el.getAttribute('data-script'),el.querySelector('a.vdlm-demo-base').href).href;"
    "document.head.appendChild(l);"
    "if(st)st.textContent='正在加载演示……';"
    "p.then(function(){w.VDLMDemos.activate(el);},function(){on=0;if(st){st.textContent="
    "'演示脚本加载失败（assets/demos/demos.js）：请确认网站文件完整，或重新构建网站。';"
    "st.className+=' vdlm-demo-error';}});}"
    "['focusin','pointerdown','input'].forEach(function(t){el.addEventListener(t,go);});};}"
    "w.VDLMBoot(s.parentNode);})(document.currentScript);"
)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _md_code(text: str) -> str:
    """Backtick spans of a note as <code> (the note is HTML inside a raw block)."""
    parts = re.split(r"`([^`]+)`", text)  # odd items were inside backticks
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p, quote=False) for i, p in enumerate(parts))


@lru_cache(maxsize=1)
def widget_css() -> str:
    """``assets/demos.css`` with comments and runs of white space removed: inlined once per page that has a
    widget, so that the widget is laid out from the start (demos.js, which loads on first use, then skips the
    file); about 3 KB."""
    text = (Path(__file__).resolve().parent / "assets" / "demos.css").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"\s+", " ", text).strip()


def render_block(block: DemoBlock, spec: DemoSpec, root: str, available: bool, style: bool = False) -> str:
    """The HTML of one block (one raw HTML block, no blank line inside). ``root``: relative URL of the site
    root from the page; ``available``: the demo's files exist (else the note of ``spec.missing_note``);
    ``style``: begin with the widget's stylesheet (:func:`widget_css`; the page's first widget)."""
    if not available:
        return (f'<div class="admonition warning vdlm-demo-missing" data-demo="{spec.name}" data-search-exclude>'
                f'<p class="admonition-title">在线演示 · {html.escape(spec.title)}：暂不可用</p>'
                f'<p>{_md_code(spec.missing_note)}</p></div>')
    opts = {k: list(v) if isinstance(v, tuple) else v for k, v in block.options.items() if k != "text"}
    rows = 8 if spec.multiline else 2
    examples = "".join(
        f'<button type="button" class="md-button vdlm-demo-example" data-text="{_attr(text)}">{html.escape(label)}</button>'
        for label, text in spec.examples)
    parts = [
        f'<div class="admonition example vdlm-demo" data-demo="{spec.name}" data-script="{_attr(spec.script)}" data-options="{_attr(json.dumps(opts, ensure_ascii=False))}" data-search-exclude>',
        f'<style data-vdlm-demos>{widget_css()}</style>' if style else "",
        f'<p class="admonition-title">在线演示 · {html.escape(spec.title)}</p>',
        f'<a class="vdlm-demo-base" href="{root}assets/demos/demos.js" hidden aria-hidden="true" tabindex="-1"></a>',
        f'<label class="vdlm-demo-label">{html.escape(spec.input_label)}'
        f'<textarea class="vdlm-demo-input" rows="{rows}" spellcheck="false" autocomplete="off">{html.escape(block.options.get("text") or spec.text)}</textarea></label>',
        f'<div class="vdlm-demo-examples" role="group" aria-label="一键示例">{examples}</div>' if examples else "",
        '<p class="vdlm-demo-status" role="status" aria-live="polite">点击或输入即开始：演示文件在首次使用时才加载，运行在你的浏览器里，不联网。</p>',
        # a scrolling region: focusable, so that keyboard users can scroll it (axe: scrollable-region-focusable)
        '<div class="vdlm-demo-output" tabindex="0" role="region" aria-label="演示结果"></div>',
        '<p class="vdlm-demo-provenance"></p>',
        f"<script>{BOOT_JS}</script>",
        "</div>",
    ]
    return "".join(p for p in parts if p)


def render_blocks(markdown: str, blocks: list[DemoBlock], root: str, available, demos: dict | None = None) -> str:
    """``markdown`` with each of ``blocks`` (from :func:`find_blocks` on the same text) replaced by its HTML.

    ``available(spec) -> bool`` says whether a demo's files exist. The HTML keeps the block's indentation and
    stands between blank lines, so Markdown passes it through as a raw HTML block.
    """
    if not blocks:
        return markdown
    demos = all_demos() if demos is None else demos
    lines = markdown.split("\n")
    first = next((b for b in blocks if not b.errors and available(demos[b.name])), None)
    for b in sorted(blocks, key=lambda b: b.line, reverse=True):
        if b.errors:
            out = ('<div class="admonition failure course-check-box" data-search-exclude><p class="admonition-title">'
                   f'演示块有误（第 {b.line} 行）</p>' + "".join(f"<p>{_md_code(e)}</p>" for e in b.errors) + "</div>")
        else:
            spec = demos[b.name]
            out = render_block(b, spec, root, available(spec), style=b is first)
        lines[b.line - 1:b.end_line] = ["", b.indent + out, ""]
    return "\n".join(lines)
