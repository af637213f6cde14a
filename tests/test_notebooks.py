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
