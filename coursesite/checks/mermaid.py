"""Syntax check of the mermaid diagrams of the lecture pages (no MkDocs, no browser).

A diagram is a fenced block ```` ```mermaid ```` in a page. The browser renders it with mermaid; a diagram
with a syntax error is shown as its source text, silently. :func:`check_mermaid` runs mermaid's own parser
(``mermaid.parse``, the npm package the site serves, from ``node_modules/``) on every diagram in one Node
process (``mermaid_parse.mjs`` next to this file) and reports each error at the diagram's fence, with the
caption that labels it and the line of the page that mermaid could not read.

Needs Node.js (18 or later) and ``npm ci`` (``make install``); without them it returns one warning saying so,
rather than failing the build of a contributor who only writes text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from coursesite.checks.captions import caption_near, fenced_blocks, find_captions
from coursesite.citations.parse import Problem

__all__ = ["check_mermaid", "diagrams"]

SCRIPT = Path(__file__).with_name("mermaid_parse.mjs")
TIMEOUT_S = 60


def diagrams(text: str) -> list[tuple[int, int, str]]:
    """The mermaid diagrams of Markdown ``text`` as ``(line of the opening fence, line of the closing fence,
    diagram text)``."""
    return [(f.line, f.end_line, f.body) for f in fenced_blocks(text)
            if re.match(r"^\{?\.?mermaid\b", f.info)]


def _node_modules(root: Path | None) -> Path | None:
    candidates = [root] if root else [Path.cwd(), Path(__file__).resolve().parents[2]]
    for base in candidates:
        if (base / "node_modules" / "mermaid" / "dist" / "mermaid.core.mjs").is_file():
            return base / "node_modules"
    return None


def _summary(message: str) -> tuple[str, int | None]:
    """mermaid's message on one line (its source excerpt and caret drawing dropped, a long 'Expecting' list
    shortened), and the 1-based line of the diagram it names, if any."""
    m = re.match(r"No diagram type detected.*?for text:\s*(.*)", message, re.S)
    if m:
        first = m.group(1).strip().splitlines()[0] if m.group(1).strip() else ""
        return (f"its first line '{first}' names no diagram type that mermaid knows "
                "(flowchart LR, sequenceDiagram, classDiagram, …)"), 1
    m = re.match(r"Parse error on line (\d+):\n.*?\n-*\^\n(.*)", message, re.S)
    if m:
        line, rest = int(m.group(1)), " ".join(m.group(2).split())
        e = re.search(r"Expecting (.*?), got ('[^']*')", rest)
        if e:
            tokens = e.group(1).split(", ")
            rest = f"expecting {', '.join(tokens[:6])}{', …' if len(tokens) > 6 else ''}, got {e.group(2)}"
        return f"parse error on line {line} of the diagram: {rest}", line
    m = re.search(r"line (\d+)", message)
    return " ".join(message.split()), int(m.group(1)) if m else None


def check_mermaid(pages: dict[str, str], root: Path | None = None, node: str | None = None) -> list[Problem]:
    """Parse every mermaid diagram of ``pages`` (``{"docs/02-codebert.md": markdown}``) with mermaid.

    ``root`` holds ``node_modules/`` (default: the current directory, else the repository of this package);
    ``node`` is the Node.js executable (default: ``node`` on ``PATH``). Returns one error per diagram that
    mermaid rejects, at the line of its opening fence, e.g. ``docs/02-codebert.md:73:1: the mermaid diagram
    '图3：CodeBERT 模型的发展历程示意图 […' does not parse at page line 75 'X -> Y': parse error on line 2 of the
    diagram: expecting 'SEMI', …, got 'MINUS'; fix the diagram (…)``.
    """
    found = [(path, line, end, body) for path in sorted(pages) for line, end, body in diagrams(pages[path])]
    if not found:
        return []
    first = found[0]
    node = node or shutil.which("node")
    modules = _node_modules(root)
    if not node or not modules:
        what = "Node.js (node) is not installed" if not node else "node_modules/mermaid is missing"
        return [Problem(first[0], first[1], 1, (
            f"the mermaid diagrams were not checked: {what}; install Node.js 18+ and run 'make install' "
            "(npm ci), or check each diagram at https://mermaid.live"), "warning")]
    try:
        run = subprocess.run([node, str(SCRIPT), str(modules)], input=json.dumps([f[3] for f in found]),
                             capture_output=True, text=True, timeout=TIMEOUT_S, encoding="utf-8")
        results = json.loads(run.stdout) if run.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        run, results = None, None
        error = str(exc)
    if results is None or len(results) != len(found):
        detail = (run.stderr.strip().splitlines() or ["no output"])[-1] if run is not None else error
        return [Problem(first[0], first[1], 1, (
            f"the mermaid diagrams were not checked: {SCRIPT.name} failed ({detail}); run "
            f"'node {SCRIPT} {modules} <<< \"[\\\"flowchart LR\\\"]\"' to see why, or reinstall with 'make install'"),
            "warning")]

    problems = []
    captions = {path: find_captions(pages[path], path) for path in {f[0] for f in found}}
    for (path, line, end, body), result in zip(found, results):
        if result is None:
            continue
        caption = caption_near(captions[path], line, end)
        which = f"the mermaid diagram '{caption.typed}'" if caption else "this mermaid diagram"
        summary, inner = _summary(result["message"])
        where = ""
        if inner:
            body_lines = body.splitlines()
            inner = max(1, min(inner, len(body_lines)))
            source = body_lines[inner - 1].strip() if body_lines else ""
            where = f" at page line {line + inner}" + (f" '{source}'" if source else "")
        problems.append(Problem(path, line, 1, (
            f"{which} does not parse{where}: {summary}; fix the diagram "
            "(the page would show its source text; try it at https://mermaid.live)")))
    return problems
