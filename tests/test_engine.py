"""The engine: one plugin, its caches across `mkdocs serve` rebuilds, and the same output as a clean build."""
from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
COPY = ["docs", "notebooks", "overrides", "outline", "references.bib", "mkdocs.yml", "coursesite",
        "vdlm", "pyproject.toml", "LICENSE"]  # the last three: the vdlm wheel the build serves

# Two rebuilds in one process, as `mkdocs serve` does them (the plugin instance and its caches are kept):
# build, edit, build again into the same folder; prints the render cache's hits and misses of the last build.
INCREMENTAL = textwrap.dedent("""
    import sys
    from pathlib import Path
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    site = sys.argv[1]
    first = load_config("mkdocs.yml", site_dir=site)
    first.plugins.on_startup(command="serve", dirty=False)
    build(first)
    page = Path("docs/02-codebert.md")
    page.write_text(page.read_text(encoding="utf-8") + "\\n\\n## 新增一节\\n\\n新的一段 [@lee2020biobert]。\\n",
                    encoding="utf-8")
    bib = Path("references.bib")
    bib.write_text(bib.read_text(encoding="utf-8").replace("BioBERT: a pre-trained", "BioBERT: A pre-trained", 1),
                   encoding="utf-8")
    second = load_config("mkdocs.yml", site_dir=site)
    build(second)
    plugin = second.plugins["course"]
    print("renders", plugin.renders.hits, plugin.renders.misses)
    third = load_config("mkdocs.yml", site_dir=site)
    build(third)
    plugin = third.plugins["course"]
    print("renders", plugin.renders.hits, plugin.renders.misses)
""")


def _project(tmp: Path) -> Path:
    for name in COPY:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp / name)
    (tmp / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp


def _differences(a: Path, b: Path) -> list[str]:
    out = []
    for path in sorted(p for p in a.rglob("*") if p.is_file() and p.suffix != ".gz"):
        rel = path.relative_to(a)
        other = b / rel
        if not other.is_file():
            out.append(f"{rel}: only in the incremental build")
        elif not filecmp.cmp(path, other, shallow=False):
            out.append(f"{rel}: differs")
    out += [f"{p.relative_to(b)}: only in the clean build" for p in b.rglob("*")
            if p.is_file() and p.suffix != ".gz" and not (a / p.relative_to(b)).exists()]
    return out


def test_rebuild_through_the_caches_equals_a_clean_build(tmp_path):
    project = _project(tmp_path / "project")
    (tmp_path / "inc.py").write_text(INCREMENTAL, encoding="utf-8")
    run = subprocess.run([sys.executable, str(tmp_path / "inc.py"), str(tmp_path / "incremental")], cwd=project,
                         env=ENV, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    counts = [line.split()[1:] for line in run.stdout.splitlines() if line.startswith("renders")]
    # after the edit of one page and of the .bib: the edited page and those citing the changed entry re-render,
    # the rest come from the cache; with nothing changed, every Markdown page comes from the cache
    hits, misses = map(int, counts[0])
    assert misses >= 1 and hits >= 5, counts
    hits, misses = map(int, counts[1])
    assert misses == 0 and hits >= 14, counts
    # a clean build of the edited sources in a copy without any cache, and one that reads the disk cache
    cold = tmp_path / "cold-project"
    shutil.copytree(project, cold, symlinks=True, ignore=shutil.ignore_patterns(".cache", "build"))
    for where, out in ((cold, "clean"), (project, "warm")):
        clean = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / out)], cwd=where,
                               env=ENV, capture_output=True, text=True, timeout=600)
        assert clean.returncode == 0, clean.stderr[-4000:]
    assert "新的一段" in (tmp_path / "incremental" / "02-codebert" / "index.html").read_text(encoding="utf-8")
    assert _differences(tmp_path / "incremental", tmp_path / "clean") == []
    assert _differences(tmp_path / "warm", tmp_path / "clean") == []


def test_the_plugin_is_registered_and_its_config_validated(tmp_path):
    """`course` resolves through the entry point, and a bad option fails the build naming it."""
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="mkdocs.plugins") if e.name == "course"]
    assert ep.value == "coursesite.plugin:CoursePlugin"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# t\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - course:\n      citation_style: mla\n",
                                         encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=ENV,
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "citation_style" in run.stderr and "mla" in run.stderr and "Traceback" not in run.stderr


def test_site_tooling_and_demo_library_do_not_import_each_other():
    import ast

    def imports(folder: str) -> set[str]:
        names = set()
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
        return names

    assert "vdlm" not in imports("coursesite")
    assert "coursesite" not in imports("vdlm") and "scripts" not in imports("vdlm")


def test_pure_rooms_do_not_import_mkdocs():
    """Parsing, checking, cutting and rendering stay portable (DESIGN §13): only the glue imports MkDocs."""
    for module in ["citations/parse.py", "citations/render.py", "slides/cut.py", "search/dictionary.py",
                   "checks/site.py"]:
        text = (ROOT / "coursesite" / module).read_text(encoding="utf-8")
        assert "import mkdocs" not in text and "from mkdocs" not in text, module


def test_check_citations_without_the_site_packages_says_how_to_install(tmp_path):
    """Run with a Python that has none of the site's packages: one line saying what to do, exit 2."""
    python = shutil.which("python3") or sys.executable
    run = subprocess.run([python, "-S", str(ROOT / "scripts" / "check_citations.py")], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "make install" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("module", ["coursesite.plugin", "coursesite.pdf", "coursesite.offline"])
def test_modules_import(module):
    __import__(module)


def test_preview_keeps_serving_through_contributors_mistakes_and_recovers(tmp_path):
    """Under `mkdocs serve`: a notebook that is not JSON, an unknown citation key and a dead anchor each show a
    red box on their page (the page keeps its title in the nav), every other page keeps serving, `notebooks/`
    is watched, and fixing the file recovers the page."""
    from benchmarks.build_bench import fetch, served, wait_for

    project = _project(tmp_path / "project")
    nb = project / "notebooks" / "02-biobert-ner.ipynb"
    good_nb = nb.read_text(encoding="utf-8")
    page = project / "docs" / "03-biobert.md"
    good_page = page.read_text(encoding="utf-8")
    with served(project) as (base, _):
        nb.write_text(good_nb[:200], encoding="utf-8")  # a half-saved notebook
        wait_for(base + "notebooks/02-biobert-ner/", "笔记本检查：这个笔记本无法显示", 90)
        assert "not valid JSON" in fetch(base + "notebooks/02-biobert-ner/")
        assert "CodeBERT" in fetch(base + "02-codebert/")
        nb.write_text(good_nb, encoding="utf-8")
        assert _gone(base + "notebooks/02-biobert-ner/", "笔记本检查", 90), "fixing the notebook did not recover it"
        assert "下载 02-biobert-ner.ipynb" in fetch(base + "notebooks/02-biobert-ner/")

        page.write_text(good_page + "\n\n错误的引用 [@nosuchkey2099]，[死链](02-codebert.md#不存在的锚点)。\n",
                        encoding="utf-8")
        wait_for(base + "03-biobert/", "nosuchkey2099", 90)
        html = fetch(base + "03-biobert/")
        assert "检查：本页有" in html and "unknown key 'nosuchkey2099'" in html
        assert "不存在的锚点" in html and "has no heading with id" in html
        title = good_page.split("\n# ", 1)[1].split("\n", 1)[0].strip()
        assert f"<title>{title}" in html, "the error box must not change the page's title"
        page.write_text(good_page, encoding="utf-8")
        assert _gone(base + "03-biobert/", "检查：本页有", 90), "fixing the page did not remove its error box"


def _gone(url: str, text: str, timeout: float) -> bool:
    from benchmarks.build_bench import fetch

    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        html = fetch(url)
        if html and text not in html:
            return True
        time.sleep(0.1)
    return False


def _mini(tmp_path: Path, pages: dict[str, str], notebooks: dict[str, dict] | None = None,
          extra: str = "") -> Path:
    """A small project with the course plugin (and mkdocs-jupyter when there are notebooks)."""
    import json

    (tmp_path / "docs").mkdir()
    for name, text in pages.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    (tmp_path / "refs.bib").write_text("", encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    plugins = "plugins:\n"
    if notebooks:
        (tmp_path / "notebooks").mkdir()
        for name, nb in notebooks.items():
            (tmp_path / "notebooks" / name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
        plugins += "  - mkdocs-jupyter:\n      include: ['notebooks/*.ipynb']\n      ignore: ['*.md']\n"
    plugins += f"  - course:\n      bibliography: refs.bib\n{extra}"
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nmarkdown_extensions:\n  - pymdownx.blocks.caption\n"
                                         "  - pymdownx.superfences\n" + plugins, encoding="utf-8")
    return tmp_path


def _build(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "site")], cwd=project,
                          env=ENV, capture_output=True, text=True, timeout=300)


def test_a_notebook_saved_from_colab_builds_with_the_widgets_text_and_is_not_rewritten(tmp_path):
    from tests.test_source_checks import WIDGET_NB

    project = _mini(tmp_path, {"index.md": "# 首页\n"}, {"colab.ipynb": WIDGET_NB})
    before = (project / "notebooks" / "colab.ipynb").read_bytes()
    run = _build(project)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "KeyError" not in run.stderr and "Traceback" not in run.stderr
    page = (project / "site" / "notebooks" / "colab" / "index.html").read_text(encoding="utf-8")
    text = next(o["data"]["text/plain"] for c in WIDGET_NB["cells"] for o in c.get("outputs", [])
                if "text/plain" in o.get("data", {}))
    assert (text if isinstance(text, str) else "".join(text)).strip()[:10] in page
    assert "unpkg.com" not in page  # no widget manager from a CDN
    assert (project / "notebooks" / "colab.ipynb").read_bytes() == before


@pytest.mark.parametrize("body, message", [
    ("```mermaid\nflowchart LR\n  A --> B\n  B -> C\n```\n\n/// caption\n图1：坏图\n///\n",
     "docs/index.md:3:1: the mermaid diagram '图1：坏图' does not parse"),
    ("图见下。\n\n/// caption\n图99：多出来的一张图\n///\n",
     "docs/index.md:6:1: caption '图99：多出来的一张图': 图99 is not in the deck"),
    ("[链接](other.md#不存在的锚点)\n", "docs/index.md:3:1: link to 'other.md#不存在的锚点'"),
    ("[链接](nopage.md)\n", "docs/index.md:3:1: link to 'nopage.md': no page docs/nopage.md"),
])
def test_the_build_fails_on_a_bad_source_naming_file_and_line(tmp_path, body, message):
    figures = 1 if "图" in body else 0  # captions are checked against a one-figure deck where there is one
    project = _mini(tmp_path, {"index.md": "# 首页\n\n" + body, "other.md": "# 另一页\n\n## 有的标题\n"},
                    extra=f"      figures: {figures}\n")
    run = _build(project)
    assert run.returncode != 0
    assert message in run.stderr, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
