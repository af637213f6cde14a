"""Every demo notebook runs top to bottom in the quick profile, on CPU, offline (HF_HUB_OFFLINE=1).

Outputs go to a temporary folder: the committed notebooks are never overwritten. The stand-in weights are
made on first use and cached under VDLM_CACHE (default ~/.cache/vdlm); on a fresh machine the first run
builds them (budget: all notebooks < 10 min on 2 cores).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402
from tests import tiny_models  # noqa: E402

PRESENT = [n for n in run_notebooks.NOTEBOOKS if (ROOT / "notebooks" / n).exists()]


@pytest.fixture(autouse=True)
def _offline_cpu(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("VDLM_DEVICE", "cpu")


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_runs_quick(name, tmp_path):
    src = ROOT / "notebooks" / name
    before = src.read_bytes()
    seconds = run_notebooks.execute(src, tmp_path / name, "quick", timeout=600)
    assert src.read_bytes() == before, "the committed notebook must not be modified"
    nb = nbformat.read(tmp_path / name, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "[来源]" in text, "every result must carry a provenance line"
    print(f"{name}: {seconds:.0f} s")


@pytest.fixture(scope="module")
def local_models(tmp_path_factory):
    """VDLM_MODELS_DIR with a tiny save_pretrained checkpoint of the real architecture for each hub id."""
    return tiny_models.models_dir(tmp_path_factory.mktemp("models"))


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_uses_local_checkpoints_unchanged(name, tmp_path, local_models, monkeypatch):
    """With the real checkpoints in a local directory (here: tiny random ones of the real architectures,
    RoBERTa + byte-level BPE for CodeBERT, cased WordPiece BERT for BioBERT/ClinicalBERT) the same notebook
    runs unchanged and every provenance line names the local weights, none a stand-in. Their numbers mean
    nothing; the point is the code path (mask tokens, casing, tokenizers) that stand-ins never take."""
    monkeypatch.setenv("VDLM_MODELS_DIR", str(local_models))
    standins = run_notebooks._cache_dir() / "standins"
    before = sorted(standins.iterdir()) if standins.is_dir() else []
    run_notebooks.execute(ROOT / "notebooks" / name, tmp_path / name, "quick", timeout=600)
    nb = nbformat.read(tmp_path / name, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.get("output_type") == "stream")
    sources = [line for line in text.splitlines() if line.startswith("[来源]")]
    assert sources, "no provenance line"
    assert all(str(local_models) in line for line in sources), "\n".join(sources)
    assert "离线替身" not in text
    assert (sorted(standins.iterdir()) if standins.is_dir() else []) == before, "a stand-in was built"


def test_failing_cell_is_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('boom')")]
    src = tmp_path / "bad.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(run_notebooks.NotebookError, match=r"bad.ipynb: cell 1 failed[\s\S]*boom"):
        run_notebooks.execute(src, tmp_path / "out.ipynb", "quick", timeout=60)


def test_cache_key_changes_with_profile_and_source(tmp_path):
    src = ROOT / "notebooks" / PRESENT[0]
    env = dict(os.environ)
    k_quick = run_notebooks.cache_key(src, "quick", env)
    assert k_quick == run_notebooks.cache_key(src, "quick", env)
    assert k_quick != run_notebooks.cache_key(src, "full", env)
    assert k_quick != run_notebooks.cache_key(src, "quick", dict(env, VDLM_REVISION_BERT_BASE_CASED="abc"))


def test_all_five_demo_notebooks_are_present_and_in_the_nav():
    assert PRESENT == run_notebooks.NOTEBOOKS, "a demo notebook is missing from notebooks/"
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in run_notebooks.NOTEBOOKS:
        assert f"notebooks/{name}" in nav, f"{name} is not in the nav of mkdocs.yml"


# ------------------------------------------------------------- a notebook downloaded from the site
def _setup_cell(name: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


def test_setup_cell_installs_this_project_from_the_repository():
    """A notebook downloaded from the site (or opened in Colab) starts with one setup cell, the same in all
    five, built from mkdocs.yml's repo_url (coursesite/notebooks/setup_cell.py): when ``vdlm`` is not
    importable it installs the wheel beside the notebook, VDLM_PIP_SOURCE, the site's wheel, or this
    project's ``demo`` extra from the repository."""
    import tomllib

    from coursesite.notebooks import setup_cell, wheel

    repo_url, site_url = setup_cell.config_urls(ROOT)
    want = setup_cell.expected(repo_url, site_url, f"downloads/{wheel.wheel_name(wheel.library_version(ROOT))}")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for name in run_notebooks.NOTEBOOKS:
        assert _setup_cell(name).rstrip("\n") == want, f"{name}: run `python scripts/sync_setup_cells.py`"
    assert f'REPO = "{repo_url}"' in want and f'"{project["name"]}[demo] @ git+" + REPO' in want
    assert 'find_spec("vdlm") is None' in want, "the setup cell must not reinstall over an existing vdlm"


def test_demo_extra_provides_every_module_the_notebooks_import():
    """Every module a notebook or the ``vdlm`` package imports comes from the standard library, from this
    project or from a distribution listed in the project's dependencies or its ``demo`` extra, so the setup
    cell's install is enough in a fresh environment (a module that is only there as a dependency of a
    dependency can disappear with its next release)."""
    import ast
    import re
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    demo = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-")
            for d in project["optional-dependencies"]["demo"] + project["dependencies"]}
    dists = packages_distributions()
    sources = []
    for name in run_notebooks.NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        sources += [(f"{name}: cell {i}", "\n".join(line for line in c.source.splitlines()
                                                     if not line.lstrip().startswith(("%", "!"))))
                    for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    sources += [(f.relative_to(ROOT).as_posix(), f.read_text(encoding="utf-8")) for f in sorted((ROOT / "vdlm").rglob("*.py"))]
    missing = []
    for where, src in sources:
        for node in ast.walk(ast.parse(src)):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for mod in mods:
                top = mod.split(".")[0]
                if top in sys.stdlib_module_names or top == "vdlm":
                    continue
                provided = {d.lower().replace("_", "-") for d in dists.get(top, [])}
                if not provided & demo:
                    missing.append(f"{where} imports {top} (from {sorted(provided) or '?'}), "
                                   "not in the demo extra of pyproject.toml")
    assert not missing, "\n".join(missing)
