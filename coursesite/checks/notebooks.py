"""Checks of the notebook files (``notebooks/*.ipynb``) before the site converts them (no MkDocs, no nbconvert).

:func:`check_notebook` reports a file that is not valid JSON (at the line and column where the JSON breaks),
one that is not an nbformat 4 notebook, and widget metadata that nbconvert cannot convert: a notebook saved
from Colab or with tqdm progress bars keeps ``metadata.widgets["application/vnd.jupyter.widget-state+json"]``
without its ``state`` key, and nbconvert then fails with ``KeyError: 'state'``.

:func:`sanitize_widgets` repairs that metadata in memory (the file is not rewritten): it drops the notebook's
widget state, so each widget output falls back to the text form saved next to it (``text/plain``, e.g. tqdm's
``100%|██████████| 10/10``), which is also what a static site can show (live widgets need a kernel and
JavaScript from a CDN).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from coursesite.citations.parse import Problem

__all__ = ["WIDGET_STATE", "check_notebook", "check_notebook_text", "sanitize_widgets", "widgets_problem"]

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _line_of(text: str, pattern: str) -> int:
    m = re.search(pattern, text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def widgets_problem(nb: dict) -> str | None:
    """Why nbconvert cannot convert the widget metadata of notebook ``nb``, or ``None`` if it can.

    nbconvert reads ``metadata.widgets[WIDGET_STATE]["state"]`` whenever ``metadata.widgets`` is present.
    """
    metadata = nb.get("metadata") if isinstance(nb, dict) else None
    widgets = metadata.get("widgets") if isinstance(metadata, dict) else None
    if widgets is None:
        return None
    entry = widgets.get(WIDGET_STATE) if isinstance(widgets, dict) else None
    if not isinstance(entry, dict):
        return f"its metadata 'widgets' has no '{WIDGET_STATE}' entry"
    if not isinstance(entry.get("state"), dict):
        return f"its widget metadata ('{WIDGET_STATE}') has no 'state'"
    return None


def sanitize_widgets(nb: dict) -> bool:
    """Drop the widget state of notebook ``nb`` (a dict, changed in place); return whether anything changed.

    Afterwards nbconvert converts the notebook, showing each widget output by its ``text/plain`` form. The
    whole ``metadata.widgets`` is dropped, broken or not: nbconvert needs either a complete state or none,
    and a notebook page with widget state would load the widget manager from a CDN, which the site does not.
    """
    metadata = nb.get("metadata") if isinstance(nb, dict) else None
    if isinstance(metadata, dict) and "widgets" in metadata:
        del metadata["widgets"]
        return True
    return False


def check_notebook_text(text: str, path: str) -> list[Problem]:
    """Check the text of a notebook file named ``path`` in messages; see :func:`check_notebook`."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(path, exc.lineno, exc.colno, (
            f"not valid JSON ({exc.msg}); fix it in Jupyter or an editor, or restore it with "
            f"'git checkout -- {path}'"))]
    if not isinstance(nb, dict):
        return [Problem(path, 1, 1, "not a notebook: the file is JSON but not an object with 'cells' and "
                                    f"'metadata'; save it from Jupyter as .ipynb or restore it with 'git checkout -- {path}'")]
    version = nb.get("nbformat")
    if version != 4:
        line = _line_of(text, r'"nbformat"\s*:')
        found = "has no 'nbformat' key" if version is None else f"is nbformat {version!r}"
        return [Problem(path, line, 1, (
            f"not an nbformat 4 notebook (it {found}); open it in Jupyter and save it again, or convert it with "
            f"'jupyter nbconvert --to notebook --nbformat 4 {path}'"))]
    if not isinstance(nb.get("cells"), list):
        return [Problem(path, _line_of(text, r'"cells"\s*:'), 1,
                        "not a notebook: it has no list of 'cells'; save it from Jupyter or restore it with "
                        f"'git checkout -- {path}'")]
    problems = []
    why = widgets_problem(nb)
    if why:
        problems.append(Problem(path, _line_of(text, r'"widgets"\s*:'), 1, (
            f"{why} (saved from Colab or with tqdm progress bars), which nbconvert cannot convert; the site "
            "shows the widgets' text form instead. To fix the file: in Jupyter, Settings → 'Save Widget State "
            "Automatically' off, then save; or delete metadata.widgets"), "warning"))
    return problems


def check_notebook(path: Path, root: Path) -> list[Problem]:
    """Check the notebook file ``path`` (named relative to ``root`` in messages).

    Errors: not valid JSON (at the line and column from :class:`json.JSONDecodeError`), not an nbformat 4
    notebook, no ``cells`` list. Warning: widget metadata without ``state`` (``KeyError: 'state'`` in
    nbconvert), which the site repairs in memory with :func:`sanitize_widgets`. A file that cannot be read is
    an error too. Reads the file once; writes nothing.
    """
    rel = _rel(Path(path), Path(root))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [Problem(rel, 1, 1, f"not valid UTF-8 text ({exc.reason} at byte {exc.start}); restore it with "
                                   f"'git checkout -- {rel}'")]
    except OSError as exc:
        return [Problem(rel, 1, 1, f"cannot read the notebook ({exc.strerror or exc})")]
    return check_notebook_text(text, rel)
