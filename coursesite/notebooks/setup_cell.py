"""The first code cell of every demo notebook: it makes ``vdlm`` importable wherever the notebook runs.

The cell (:data:`TEMPLATE`, the same in all five notebooks) does nothing when ``vdlm`` is importable (a clone
with ``make install``, ``make notebooks``). Otherwise it tries, in this order, and stops at the first that
works:

1. the wheel beside the downloaded notebook, or in the ``downloads/`` folder of the unzipped offline bundle
   (it looks in the kernel's working folder, which Jupyter sets to the notebook's, and three folders up);
2. ``VDLM_PIP_SOURCE``: a wheel file, a clone of the repository (its ``demo`` extra) or anything pip installs;
3. the site's own copy of the wheel (Colab opens the notebook from the repository, with no file beside it);
4. the repository itself (``vertical-llm-course[demo] @ git+REPO``).

Each failed try prints one Chinese line naming what was tried and pip's last error line (e.g. the dependency
that could not be found); when nothing works, one line says what to do, and the cell stops with that line
(``SystemExit``: Jupyter shows it without a traceback).

The two addresses in the cell come from ONE setting, ``repo_url`` in mkdocs.yml (with ``site_url`` when the
site is not on the repository's GitHub Pages): :func:`expected` gives the cell for a config,
:func:`check_cells` reports a notebook whose cell differs (the build fails), and :func:`sync` rewrites them
(``python scripts/sync_setup_cells.py`` after changing ``repo_url`` for a fork).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..citations.parse import Problem

__all__ = ["TEMPLATE", "check_cells", "expected", "pages_url", "sync", "wheel_url"]

TEMPLATE = '''\
# 环境准备：没有 vdlm 时依次尝试：① 笔记本旁边（或离线包 downloads/ 里）的 vdlm wheel；② 环境变量
# VDLM_PIP_SOURCE（wheel 文件或仓库目录）；③ 课程网站上的 wheel（Colab）；④ 课程仓库。已装好就跳过。
# pip 会一并安装（离线时检查）依赖：torch、transformers 等。
import importlib.util, os, pathlib, subprocess, sys, warnings

warnings.filterwarnings("ignore", message="IProgress not found")  # 没有 ipywidgets 时 tqdm 的提示，与演示无关
WHEEL = "{wheel}"
REPO = "{repo}"
if importlib.util.find_spec("vdlm") is None:
    here = pathlib.Path.cwd()
    near = [w for d in [here, *here.parents][:4] for w in [*d.glob("vdlm-*.whl"), *d.glob("downloads/vdlm-*.whl")]]
    src = os.environ.get("VDLM_PIP_SOURCE", "")
    if src and pathlib.Path(src).is_dir():
        src = "vertical-llm-course[demo] @ " + pathlib.Path(src).resolve().as_uri()
    for what in [*map(str, near[:1]), src, WHEEL, "vertical-llm-course[demo] @ git+" + REPO]:
        if what:
            print("安装 vdlm (首次需要几分钟)：", what)
            pip = [sys.executable, "-m", "pip", "install", "-q", "--retries", "1", "--timeout", "15", what]
            err = subprocess.run(pip, stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()
            importlib.invalidate_caches()  # 新装的包在这个内核里立即可用
            if importlib.util.find_spec("vdlm") is not None:
                break
            why = [s.strip(" ×│") for s in err if s.lstrip(" │").startswith(("×", "fatal:", "ERROR: No matching"))]
            print("  没装上：", (why or err or ["pip 没有说明原因"])[-1])
    else:
        raise SystemExit("没能安装 vdlm（上面是每一步 pip 的报错）。请从课程网站的笔记本页下载 vdlm wheel 放在笔记本旁边，"
                         "或把环境变量 VDLM_PIP_SOURCE 设为 wheel 文件或仓库目录，或连上网络后重新运行本单元。")
'''


def pages_url(repo_url: str | None, site_url: str | None = None) -> str | None:
    """The address of the published site: ``site_url`` when set, else the GitHub Pages address of a GitHub
    ``repo_url`` (``https://OWNER.github.io/REPO/``); None when neither gives one."""
    if site_url:
        return site_url.rstrip("/") + "/"
    m = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repo_url or "")
    if not m:
        return None
    owner, repo = m.group(1).lower(), m.group(2)
    return f"https://{owner}.github.io/" if repo.lower() == f"{owner}.github.io" else f"https://{owner}.github.io/{repo}/"


def wheel_url(repo_url: str | None, site_url: str | None, wheel_path: str) -> str:
    """The site's URL of the wheel (``wheel_path`` such as ``downloads/vdlm-0.1.0-py3-none-any.whl``)."""
    base = pages_url(repo_url, site_url)
    return base + wheel_path if base else ""


def expected(repo_url: str | None, site_url: str | None, wheel_path: str) -> str:
    """The setup cell's source for this config (``repo_url``, ``site_url``, the wheel's site path)."""
    return TEMPLATE.format(wheel=wheel_url(repo_url, site_url, wheel_path), repo=(repo_url or "").rstrip("/")).rstrip("\n")


def _first_code_cell(nb: dict) -> tuple[int, dict] | None:
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code":
            return i, cell
    return None


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _line_in_file(text: str, needle: str) -> int:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def check_cells(paths: list[Path], want: str, root: Path) -> list[Problem]:
    """One error per notebook whose first code cell is not ``want`` (:func:`expected`), at the cell's line.

    Invalid notebooks are skipped (the notebook check reports them)."""
    problems = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            nb = json.loads(text)
        except (OSError, ValueError):
            continue
        found = _first_code_cell(nb) if isinstance(nb, dict) else None
        if found is not None and _source(found[1]).rstrip("\n") == want:
            continue
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = str(path)
        line = _line_in_file(text, '"cell_type": "code"')
        what = "has no code cell" if found is None else "has a setup cell (its first code cell) that differs from the one"
        problems.append(Problem(rel, line, 1, (
            f"{what} the site expects for repo_url/site_url of mkdocs.yml (it installs vdlm in Colab and in a "
            "downloaded notebook); run `python scripts/sync_setup_cells.py` to rewrite it")))
    return problems


def sync(paths: list[Path], want: str) -> list[Path]:
    """Rewrite the first code cell's source of each notebook to ``want``; return the files changed.

    Only the source changes: outputs, execution counts and the JSON layout (one-space indent, as Jupyter
    writes it) stay as they are."""
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        found = _first_code_cell(nb)
        if found is None or _source(found[1]).rstrip("\n") == want:
            continue
        found[1]["source"] = want.splitlines(keepends=True)
        new = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
        path.write_text(new, encoding="utf-8")
        changed.append(path)
    return changed


def config_urls(root: Path) -> tuple[str | None, str | None]:
    """``repo_url`` and ``site_url`` of ``root/mkdocs.yml`` (read as text: the file has Python tags that a
    plain YAML loader refuses)."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")

    def value(key: str) -> str | None:
        m = re.search(rf"^{key}:\s*['\"]?([^'\"\s#]+)", text, re.M)
        return m.group(1) if m else None

    return value("repo_url"), value("site_url")


def main(argv: list[str] | None = None) -> int:
    """``python scripts/sync_setup_cells.py [--check]``: rewrite (or only check) every notebook's setup cell
    from mkdocs.yml's ``repo_url``/``site_url``. Exit 1 with ``--check`` when a cell differs."""
    import argparse

    from ..paths import project_root
    from .wheel import DOWNLOADS, library_version, wheel_name

    ap = argparse.ArgumentParser(description=main.__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only report notebooks whose setup cell differs")
    args = ap.parse_args(argv)
    root = project_root()
    repo_url, site_url = config_urls(root)
    want = expected(repo_url, site_url, f"{DOWNLOADS}/{wheel_name(library_version(root))}")
    paths = sorted((root / "notebooks").glob("*.ipynb"))
    if args.check:
        problems = check_cells(paths, want, root)
        for p in problems:
            print(p)
        return 1 if problems else 0
    for path in sync(paths, want):
        print(f"rewrote the setup cell of {path.relative_to(root).as_posix()}")
    print(f"setup cells install from {wheel_url(repo_url, site_url, DOWNLOADS + '/…')} and {repo_url}")
    return 0
