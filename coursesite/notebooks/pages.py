"""Notebook pages: publish the top-level ``notebooks/`` folder through mkdocs-jupyter.

The notebook room of the site plugin (:mod:`coursesite.plugin`):

1. ``on_files`` (priority 100, i.e. before mkdocs-jupyter's own ``on_files``): mounts every
   ``notebooks/*.ipynb`` of the repository as a documentation file ``notebooks/NAME.ipynb``, so the plugin
   renders it as a page (on mkdocs-jupyter 0.26 files outside ``docs_dir`` are otherwise not seen, or are
   copied as static files).
2. ``on_page_content``: mkdocs-jupyter 0.26 slugifies headings to ASCII, so Chinese headings get ``id=""``
   and the TOC links are dead. We give every heading of a notebook page the id that
   ``pymdownx.slugs.slugify(case="lower")`` gives Markdown pages (deduplicated ``_1``, ``_2`` like
   Python-Markdown's toc), point its ``¶`` anchor at it, and rebuild ``page.toc`` from the same ids.
3. Adds a bar at the top of each notebook page: a download link for the ``.ipynb`` (copied next to the page
   by the plugin's ``include_source``), one for the vdlm wheel (:mod:`.wheel`), an "Open in Colab" link built
   from ``repo_url`` (``https://colab.research.google.com/github/OWNER/REPO/blob/main/notebooks/NAME.ipynb``;
   GitHub only, for other hosts it is left out) and one line on what a run needs (:func:`needs_line`). In
   the offline bundle the page also carries the notebook's bytes (see :class:`Downloads`). Figures get alt
   texts from their cells' titles (:mod:`.figures`).
4. Points the page's edit/view buttons at ``notebooks/NAME.ipynb`` in the repository: MkDocs builds
   ``edit_url`` from ``edit_uri`` (``…/docs/``) + the mounted path, a ``docs/notebooks/`` that does not exist.
"""
from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

NB_FOLDER = "notebooks"  # default of the plugin's ``notebooks_dir``
BRANCH = "main"  # default of the plugin's ``repo_branch``
_HEADING = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1>", re.S)


def _slugify():
    from pymdownx.slugs import slugify

    return slugify(case="lower")


def _text(fragment: str) -> str:
    fragment = re.sub(r'<a class="anchor-link".*?</a>', "", fragment, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("¶", "").strip()


def fix_headings(html: str) -> tuple[str, list[dict]]:
    """Give every heading a readable unique id; return the new HTML and nested TOC tokens.

    Returns:
        ``(html, tokens)``: tokens as Python-Markdown's ``toc_tokens`` (level, id, name, children).
    """
    slug = _slugify()
    used: dict[str, int] = {}
    flat: list[dict] = []

    def repl(m: re.Match) -> str:
        level, attrs, inner = int(m.group(1)), m.group(2), m.group(3)
        name = _text(inner)
        kept = re.search(r'\sid="([^"]+)"', attrs) if "bibliography-heading" in attrs else None
        base = kept.group(1) if kept else slug(name, "-") or "section"  # the page bibliography keeps its id
        uid = base
        while uid in used:
            used[base] += 1
            uid = f"{base}_{used[base]}"
        used.setdefault(uid, 0)
        attrs = re.sub(r'\sid="[^"]*"', "", attrs)
        inner = re.sub(r'(<a class="anchor-link" href=")#[^"]*(")', rf"\1#{uid}\2", inner)
        flat.append({"level": level, "id": uid, "name": htmlmod.escape(name), "children": []})
        return f'<h{level} id="{uid}"{attrs}>{inner}</h{level}>'

    html = _HEADING.sub(repl, html)
    tokens: list[dict] = []
    stack: list[dict] = []
    for tok in flat:
        while stack and stack[-1]["level"] >= tok["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(tok)
        stack.append(tok)
    return html, tokens


def colab_url(repo_url: str | None, name: str, folder: str = NB_FOLDER, branch: str = BRANCH) -> str | None:
    """Colab link for ``<folder>/NAME`` of a GitHub ``repo_url``; None for other hosts."""
    m = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repo_url or "")
    if not m:
        return None
    return f"https://colab.research.google.com/github/{m.group(1)}/{m.group(2)}/blob/{branch}/{folder}/{name}"


def edit_url(repo_url: str | None, edit_uri: str | None, docs_dir: str, name: str, folder: str = NB_FOLDER) -> str | None:
    """Edit link of ``notebooks/NAME``: ``edit_uri`` with its trailing docs folder (``edit/main/docs/``)
    swapped for ``notebooks/``; None without ``repo_url``/``edit_uri``."""
    if not repo_url or not edit_uri:
        return None
    base = edit_uri.rstrip("/")
    docs = Path(docs_dir).name
    if base.endswith("/" + docs) or base == docs:
        base = base[: -len(docs)].rstrip("/")
    return "/".join(part for part in (repo_url.rstrip("/"), base, folder, name) if part)


def mount(files, config, folder: Path, uri_folder: str = NB_FOLDER, sources: dict[str, Path] | None = None) -> None:
    """Add every ``folder/*.ipynb`` to ``files`` as documentation file ``<uri_folder>/NAME.ipynb`` (before
    mkdocs-jupyter's ``on_files``, which then renders them as pages).

    ``sources`` maps a notebook's name to another folder that holds ``<uri_folder>/NAME.ipynb`` to convert
    instead of the file itself (a repaired copy, or under ``mkdocs serve`` a page explaining the error).
    """
    present = {f.src_uri for f in files}
    for nb in sorted(folder.glob("*.ipynb")):
        uri = f"{uri_folder}/{nb.name}"
        if uri not in present:
            src_dir = (sources or {}).get(nb.name, folder.parent)
            files.append(File(uri, str(src_dir), config["site_dir"], config["use_directory_urls"]))


def prepare(folder: Path, root: Path, cache: Path, uri_folder: str = NB_FOLDER, serve: bool = False):
    """Check every notebook of ``folder`` before mkdocs-jupyter converts it.

    - A notebook with widget metadata nbconvert cannot read (saved from Colab or with tqdm bars) is repaired
      in a copy under ``cache`` (:func:`coursesite.checks.notebooks.sanitize_widgets`; the file itself is
      not rewritten), and a warning says how to fix the file.
    - A notebook that is not valid JSON or not nbformat 4 is an error. Under ``mkdocs serve`` its page shows
      the error instead (a one-cell notebook written under ``cache``), so the preview keeps serving and
      recovers when the file is fixed.

    Returns ``(problems, sources)``: the problems, and for :func:`mount` the folder to convert each repaired
    or replaced notebook from.
    """
    import json

    from ..checks.notebooks import check_notebook, sanitize_widgets

    problems, sources = [], {}
    for nb in sorted(folder.glob("*.ipynb")):
        found = check_notebook(nb, root)
        problems.extend(found)
        errors = [p for p in found if p.severity == "error"]
        if errors and not serve:
            continue
        if errors:
            items = "".join(f"<li><code>{htmlmod.escape(str(p))}</code></li>" for p in errors)
            box = ('<div class="admonition failure"><p class="admonition-title">笔记本检查：这个笔记本无法显示</p>'
                   f"<p><code>mkdocs build</code> 会因此失败；改好文件后这里会自动恢复。</p><ul>{items}</ul></div>")
            data = {"cells": [{"cell_type": "markdown", "id": "course-check", "metadata": {},
                               "source": f"# {nb.stem}\n\n{box}\n"}],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        elif any("widget" in p.message for p in found):
            data = json.loads(nb.read_text(encoding="utf-8"))
            sanitize_widgets(data)
        else:
            continue
        out_dir = cache / "notebooks" / nb.stem
        out = out_dir / uri_folder / nb.name
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
        sources[nb.name] = out_dir
    return problems, sources


def is_notebook_page(src_uri: str, uri_folder: str = NB_FOLDER) -> bool:
    """True for a page mounted by :func:`mount`."""
    return src_uri.startswith(f"{uri_folder}/") and src_uri.endswith(".ipynb")


#: Measured for the requirement line (installed sizes from the RECORD files of a venv with the demo extra,
#: Linux x86_64, Python 3.11, torch 2.13 CPU, 2026-12): what pip adds to a Python that already has torch
#: (92 distributions minus torch and its 9 dependencies), and the stand-in weights package within it.
DEPS_BESIDES_TORCH_MB = 530
STANDIN_WEIGHTS_MB = 92


@dataclass(frozen=True)
class Downloads:
    """What a notebook page offers beside the .ipynb: the vdlm wheel (site path, size) and, in the offline
    bundle (``embed``), the notebook's bytes inside the page, so that "下载" works from ``file://``, where
    Chromium ignores the ``download`` attribute and shows the JSON (docs/assets/js/offline-links.js)."""

    wheel_uri: str | None = None
    wheel_bytes: int = 0
    python: str = "3.10"
    embed: bool = False


def _run_minutes(nb: dict) -> tuple[int, str] | None:
    """Minutes and device of the run that made the committed outputs (``metadata.vdlm.seconds``, written by
    scripts/run_notebooks.py, and the ``device: …`` the notebook prints); None when not recorded."""
    seconds = ((nb.get("metadata") or {}).get("vdlm") or {}).get("seconds")
    if not isinstance(seconds, (int, float)):
        return None
    text = "".join("".join(o.get("text", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code"
                   for o in c.get("outputs", []) if isinstance(o, dict))
    m = re.search(r"device:\s*(cuda|mps|cpu)", text)
    return max(1, round(seconds / 60)), (m.group(1) if m else "cpu").upper().replace("CUDA", "GPU")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def needs_line(nb: dict, downloads: Downloads) -> str:
    """The one line on a notebook page saying what a student needs to run it away from the site."""
    run = _run_minutes(nb)
    took = f"本页的结果在 {run[1]} 上完整运行约 {run[0]} 分钟。" if run else ""
    return (f"在自己的电脑上运行：需要 Python ≥ {downloads.python} 和 torch；把 .ipynb 和 vdlm wheel 放在同一文件夹，"
            f"第一个单元会装上 vdlm 和其余依赖（torch 之外安装后约 {DEPS_BESIDES_TORCH_MB} MB，含离线替身权重约 "
            f"{STANDIN_WEIGHTS_MB} MB；离线时须已装好）。{took}")


def decorate(html: str, page, config, uri_folder: str = NB_FOLDER, branch: str = BRANCH,
             downloads: Downloads | None = None) -> str:
    """Readable heading ids + TOC, figure alt texts, edit link on the notebook file, the download/Colab bar
    with the wheel and the requirement line (see module doc)."""
    import base64
    import json

    from mkdocs.utils import get_relative_url

    from .figures import apply_alts, figure_alts

    downloads = downloads or Downloads()
    html, tokens = fix_headings(html)
    page.toc = get_toc(tokens)
    name = Path(page.file.src_uri).name
    raw = Path(page.file.abs_src_path).read_bytes() if page.file.abs_src_path else b""
    try:
        nb = json.loads(raw)
    except ValueError:
        nb = {}
    html = apply_alts(html, figure_alts(nb) if isinstance(nb, dict) else [])
    page.edit_url = edit_url(config.get("repo_url"), config.get("edit_uri"), config["docs_dir"], name, uri_folder)
    links = [f'<a class="md-button" href="{name}" download data-notebook-download>下载 {name}</a>']
    if downloads.wheel_uri:
        href = get_relative_url(downloads.wheel_uri, page.url)
        links.append(f'<a class="md-button" href="{href}" download>下载 vdlm wheel（{_size(downloads.wheel_bytes)}）</a>')
    colab = colab_url(config.get("repo_url"), name, uri_folder, branch)
    if colab:
        links.append(f'<a class="md-button" href="{colab}" rel="noopener" data-needs-network>在 Colab 中打开</a>')
    bar = f'<div class="notebook-bar"><p class="notebook-links">{" ".join(links)}</p>\n'
    if downloads.wheel_uri:
        bar += f'<p class="notebook-needs">{htmlmod.escape(needs_line(nb if isinstance(nb, dict) else {}, downloads))}</p>\n'
    if downloads.embed and raw:
        bar += (f'<script type="text/plain" class="notebook-source" data-name="{htmlmod.escape(name)}" '
                f'data-search-exclude>{base64.b64encode(raw).decode()}</script>\n')
    return bar + "</div>\n" + html
