"""Alt text for the figures of a rendered notebook.

mkdocs-jupyter (nbconvert) gives every image output ``alt="No description has been provided for this
image"``. A figure of our notebooks is drawn by matplotlib in a code cell that names what it shows in its
titles (``ax.set_title("训练 loss")``, ``plt.title(...)``, ``fig.suptitle(...)``). :func:`figure_alts` reads
them from the cell's source with :mod:`ast` (no code runs). An f-string field that names a notebook constant
(``EPOCHS = 3``, or ``N_TEST = vdlm.pick(200, 1000)``: the value of the profile that made the committed outputs)
shows that value; any other field, whose value exists only at run time, becomes ``…``. A figure whose cell has no title is described by the section it is in (the last heading
above it). :func:`apply_alts` puts them into the page's HTML, in output order.
"""
from __future__ import annotations

import ast
import html as htmlmod
import re

__all__ = ["NBCONVERT_ALT", "apply_alts", "figure_alts"]

NBCONVERT_ALT = "No description has been provided for this image"
_TITLE_CALLS = ("set_title", "title", "suptitle")
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return None


def _literal(node: ast.AST, profile: str):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "pick":
        args = dict(zip(("quick", "full"), node.args)) | {k.arg: k.value for k in node.keywords if k.arg}
        return _literal(args["quick" if profile == "quick" else "full"], profile) if "full" in args else None
    return None


def constants(sources: list[str], profile: str = "full") -> dict:
    """``NAME = <number or string>`` and ``NAME = vdlm.pick(quick, full)`` at the top level of the code cells."""
    found = {}
    for source in sources:
        tree = _parse(source)
        for node in tree.body if tree else ():
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = _literal(node.value, profile)
                if value is not None:
                    found[node.targets[0].id] = value
    return found


def _field(v: ast.FormattedValue, known: dict) -> str:
    if isinstance(v.value, ast.Name) and v.value.id in known and v.conversion == -1:
        spec = _string(v.format_spec, {}) if v.format_spec else ""
        try:
            return format(known[v.value.id], spec or "")
        except (TypeError, ValueError):
            return "…"
    return "…"


def _string(node: ast.AST | None, known: dict) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else _field(v, known) for v in node.values)
    return None


def titles(source: str, known: dict | None = None) -> list[str]:
    """The string titles a code cell gives its figure, in source order (``[]`` if it does not parse);
    f-string fields naming one of ``known`` (:func:`constants`) show its value."""
    tree = _parse(source)
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _TITLE_CALLS \
                and node.args:
            text = _string(node.args[0], known or {})
            if text and text.strip():
                found.append((node.lineno, node.col_offset, " ".join(text.split())))
    return [t for *_, t in sorted(found)]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def figure_alts(nb: dict) -> list[str]:
    """One alt text per image output of notebook ``nb`` (a dict as read from the .ipynb), in output order.

    ``图：<title>；<title>`` from the cell's titles, else ``「<heading>」一节的图`` from the last Markdown
    heading above the cell, else ``笔记本中的图``."""
    alts, heading = [], ""
    profile = ((nb.get("metadata") or {}).get("vdlm") or {}).get("profile", "full")
    known = constants([_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "code"], profile)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            heads = re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _source(cell), re.M)
            if heads:
                heading = heads[-1]
            continue
        if cell.get("cell_type") != "code":
            continue
        images = [o for o in cell.get("outputs", []) if any(t in (o.get("data") or {}) for t in _IMAGE_TYPES)]
        if not images:
            continue
        named = titles(_source(cell), known)
        alt = ("图：" + "；".join(dict.fromkeys(named))) if named else \
            (f"「{heading}」一节的图" if heading else "笔记本中的图")
        alts.extend([alt] * len(images))
    return alts


def apply_alts(html: str, alts: list[str]) -> str:
    """Replace nbconvert's placeholder alt of each image in ``html`` by the next of ``alts`` (in order)."""
    it = iter(alts)
    placeholder = f'alt="{NBCONVERT_ALT}"'

    def repl(_m: re.Match) -> str:
        alt = next(it, None)
        return f'alt="{htmlmod.escape(alt, quote=True)}"' if alt else placeholder

    return re.sub(re.escape(placeholder), repl, html)
