"""MkDocs hook: check citations, render them as linked labels, add bibliographies.

- ``on_config``: runs :func:`scripts.citations.check_project` over ``docs/`` and ``references.bib``;
  any error aborts ``mkdocs build`` (with or without ``--strict``), warnings are logged. Under
  ``mkdocs serve`` an error is logged the same way but does not stop the server (a stopped build leaves
  the preview stuck while the contributor is typing): the page shows a red box listing its errors and
  each unknown key is marked in place, until the text is fixed.
- ``on_page_markdown``: replaces each ``[@key]`` with a label linked to the page's bibliography
  (``#ref-<key>``); each label has an id (``cite-<key>-<n>``) that the bibliography links back to.
  A page that cites anything gets a "本页参考文献" section at the end.
- The page whose Markdown contains ``<!-- bibliography:all -->`` (``docs/references.md``) gets the
  whole bibliography there, each entry with links to every place it is cited.

Setting: ``extra.citation_style`` in mkdocs.yml, ``apa`` (default) or ``gb7714``.
"""

from __future__ import annotations

import html
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bibrender import format_entries, inline_label  # noqa: E402
from scripts.citations import check_project, find_citations  # noqa: E402

log = logging.getLogger("mkdocs.hooks.citations")
MARKER = "<!-- bibliography:all -->"
BOX_LIMIT = 10  # errors listed in the red box under mkdocs serve (all of them go to the terminal)

_state: dict = {}
_mode: dict = {"command": "build"}


def on_startup(command, dirty, **kwargs):
    _mode["command"] = command


def _anchor(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")


def on_config(config, **kwargs):
    docs_dir = Path(config["docs_dir"])
    root = Path(config["config_file_path"]).parent if config.get("config_file_path") else Path.cwd()
    bib_path = root / config["extra"].get("bibliography", "references.bib")
    style = config["extra"].get("citation_style", "apa")
    if style not in ("apa", "gb7714"):
        raise PluginError(f"mkdocs.yml: extra.citation_style is {style!r}; use 'apa' or 'gb7714'")
    problems, bibliography, by_file = check_project(docs_dir, bib_path, root=root)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        if p.severity == "warning":
            log.info(str(p))  # unused entries etc.: reported by scripts/check_citations.py too
        else:
            log.error(str(p))
    if errors and _mode["command"] != "serve":
        raise PluginError(
            f"citation check failed with {len(errors)} error(s) (see above); "
            "run `python scripts/check_citations.py` for the full list"
        )
    _state.update(
        style=style,
        bibliography=bibliography,
        formatted=format_entries(bibliography.entries.values(), style),
        docs_dir=docs_dir,
        root=root,
        numbers={},
        cited_in=defaultdict(list),  # key -> [(src_uri, anchor id)]
        errors=errors,  # only non-empty under mkdocs serve
    )
    return config


def on_nav(nav, config, files, **kwargs):
    """Number entries by first citation in nav order (GB/T 7714) and record every citation place."""
    numbers: dict[str, int] = {}
    cited_in = defaultdict(list)
    for page in nav.pages:
        path = Path(config["docs_dir"]) / page.file.src_uri
        if not path.is_file():
            continue
        counts: dict[str, int] = defaultdict(int)
        for citation in find_citations(path.read_text(encoding="utf-8")):
            for item in citation.items:
                counts[item.key] += 1
                numbers.setdefault(item.key, len(numbers) + 1)
                cited_in[item.key].append((page.file.src_uri, f"cite-{_anchor(item.key)}-{counts[item.key]}"))
    for key in _state["bibliography"].entries:
        numbers.setdefault(key, len(numbers) + 1)
    _state["numbers"] = numbers
    _state["cited_in"] = cited_in
    _state["files"] = files
    return nav


def _label(key: str, locator: str) -> str:
    entry = _state["bibliography"].entries[key]
    text = inline_label(entry, _state["style"], _state["numbers"].get(key))
    if locator:
        text += ", " + html.escape(locator)
    return text


def _render_citation(citation, counts) -> str:
    parts = []
    for item in citation.items:
        if item.key not in _state["bibliography"].entries:  # only reached under mkdocs serve
            parts.append(f'<mark class="citation-error" title="references.bib 中没有这个键">@{html.escape(item.key)}？</mark>')
            continue
        counts[item.key] += 1
        anchor = f"cite-{_anchor(item.key)}-{counts[item.key]}"
        title = html.escape(html.unescape(re.sub(r"<[^>]+>", "", _state["formatted"][item.key])), quote=True)
        prefix = html.escape(item.prefix) + " " if item.prefix else ""
        parts.append(
            f'{prefix}<a class="citation-link" id="{anchor}" href="#ref-{_anchor(item.key)}" '
            f'title="{title}">{_label(item.key, item.locator)}</a>'
        )
    sep = ", " if _state["style"] == "gb7714" else "; "
    open_, close = ("[", "]") if _state["style"] == "gb7714" else ("(", ")")
    css = "citation citation-numeric" if _state["style"] == "gb7714" else "citation"
    return f'<span class="{css}">{open_}{sep.join(parts)}{close}</span>'


def _entry_html(key: str, backlinks: str) -> str:
    number = ""
    if _state["style"] == "gb7714":
        number = f'<span class="bib-number">[{_state["numbers"][key]}]</span> '
    return f'<li id="ref-{_anchor(key)}" class="bib-entry">{number}{_state["formatted"][key]}{backlinks}</li>'


def on_page_markdown(markdown, page, config, files, **kwargs):
    if not _state:
        return markdown
    citations = find_citations(markdown)
    full = _full_bibliography(page) if MARKER in markdown else None
    if not citations:
        return _error_box(page) + (markdown.replace(MARKER, full) if full else markdown)
    counts: dict[str, int] = defaultdict(int)
    rendered = [(c, _render_citation(c, counts)) for c in citations if not c.problem]
    out = markdown
    for citation, text in reversed(rendered):
        out = out[: citation.start] + text + out[citation.end :]
    keys: list[str] = []
    for citation in citations:
        for key in citation.keys:
            if key not in keys and key in _state["bibliography"].entries:
                keys.append(key)
    if _state["style"] == "gb7714":
        keys.sort(key=lambda k: _state["numbers"][k])
    else:
        keys.sort(key=lambda k: re.sub(r"<[^>]+>", "", _state["formatted"][k]).lower())
    items = []
    for key in keys:
        back = " ".join(
            f'<a class="bib-backlink" href="#cite-{_anchor(key)}-{i}" title="回到第 {i} 处引用">↩{i if counts[key] > 1 else ""}</a>'
            for i in range(1, counts[key] + 1)
        )
        items.append(_entry_html(key, f' <span class="bib-backlinks">{back}</span>'))
    listing = "\n".join(items)
    out += (
        "\n\n## 本页参考文献 {: #page-bibliography .bibliography-heading }\n\n"
        f'<ol class="bibliography">\n{listing}\n</ol>\n'
    )
    # The full bibliography goes in last: the citation offsets above refer to the original text.
    return _error_box(page) + (out.replace(MARKER, full) if full else out)


def _error_box(page) -> str:
    """Under mkdocs serve: a red box at the top of the page listing the citation errors of this page and
    of the .bib file (file:line:col and what to do, as the terminal shows them); empty otherwise."""
    errors = _state.get("errors") or []
    if not errors:
        return ""
    src = (Path(_state["docs_dir"]) / page.file.src_uri).resolve()
    mine = [e for e in errors if (_state["root"] / e.path).resolve() == src or e.path.endswith(".bib")]
    if not mine:
        return ""
    shown = mine[:BOX_LIMIT]
    items = "\n".join(f"    - `{e}`" for e in shown)
    if len(mine) > len(shown):
        items += f"\n    - ……另有 {len(mine) - len(shown)} 个，见终端或 `python scripts/check_citations.py`"
    return (f'!!! failure "引用检查：本页有 {len(mine)} 个错误"\n\n'
            f"    `mkdocs build` 会因此失败；改好后这里会自动消失。\n\n{items}\n\n")


def _full_bibliography(page) -> str:
    files = _state["files"]
    bib = _state["bibliography"]
    keys = list(bib.entries)
    if _state["style"] == "gb7714":
        keys.sort(key=lambda k: _state["numbers"][k])
    else:
        keys.sort(key=lambda k: re.sub(r"<[^>]+>", "", _state["formatted"][k]).lower())
    items = []
    for key in keys:
        links = []
        per_page: dict[str, list[str]] = {}
        for src_uri, anchor in _state["cited_in"].get(key, []):
            if src_uri != page.file.src_uri:
                per_page.setdefault(src_uri, []).append(anchor)
        for src_uri, anchors in per_page.items():  # one link per page, to its first citation
            target = files.get_file_from_path(src_uri)
            if target is None or target.page is None:
                continue
            url = get_relative_url(target.url, page.file.url) + "#" + anchors[0]
            title = html.escape(str(target.page.title or src_uri))
            count = f"（{len(anchors)} 处）" if len(anchors) > 1 else ""
            links.append(f'<a class="bib-backlink" href="{url}">{title}</a>{count}')
        where = f' <span class="bib-cited-in">引用于：{"、".join(links)}</span>' if links else ""
        items.append(_entry_html(key, where))
    return '<ol class="bibliography bibliography-all">\n' + "\n".join(items) + "\n</ol>"
