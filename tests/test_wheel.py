"""A notebook downloaded from the site runs away from a clone: its setup cell installs the served vdlm wheel.

- The wheel the build serves (``downloads/vdlm-<version>-py3-none-any.whl``) holds ``vdlm`` and nothing else
  (no ``coursesite``), and declares the ``demo`` extra of pyproject.toml as its dependencies.
- In a fresh virtual environment that cannot reach any index (``PIP_NO_INDEX=1``, proxies pointing at a
  closed port), with the downloaded .ipynb and the wheel in one folder, the notebook's first cell installs
  vdlm from the wheel and the library imports from that environment. The dependencies (torch, transformers…)
  are not installed again: the new environment sees the test environment's packages through a ``.pth``
  file (what a student's Python with torch and the rest installed is), and pip's resolver checks every
  ``Requires-Dist`` of the wheel against them with no index, so a missing or misspelt dependency fails here.
- With nothing reachable and no wheel, the cell prints one Chinese line per try and stops with a Chinese
  line saying what to do, not a traceback.
- The wheel is cached by content: a second build with nothing changed in vdlm/ does not start pip.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from coursesite.notebooks import wheel as vdlm_wheel
from coursesite.pagecache import DiskCache

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "02-biobert-ner.ipynb"
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused at once


def _served_wheel(site: Path) -> Path:
    wheels = sorted((site / vdlm_wheel.DOWNLOADS).glob("vdlm-*-py3-none-any.whl"))
    assert len(wheels) == 1, f"expected one vdlm wheel under downloads/, found {wheels}"
    return wheels[0]


def _first_cell(ipynb: Path) -> str:
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    return "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])


@pytest.fixture
def fresh_venv(tmp_path_factory) -> Path:
    """A new venv for each test (no pip of its own, no vdlm) that sees this environment's packages through a
    .pth file."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "test-shared-deps.pth").write_text("\n".join(sorted(shared)) + "\n", encoding="utf-8")
    return venv


def _offline_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VDLM_", "PYTHON"))}
    env.update({"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "GIT_TERMINAL_PROMPT": "0",
                "http_proxy": CLOSED, "https_proxy": CLOSED, "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED,
                "ALL_PROXY": CLOSED, "no_proxy": "", "NO_PROXY": ""})
    env.update(extra)
    return env


def test_served_wheel_holds_vdlm_only_and_declares_the_demo_extra(built_site):
    path = _served_wheel(built_site)
    version = vdlm_wheel.library_version(ROOT)
    assert path.name == f"vdlm-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        meta = z.read(f"vdlm-{version}.dist-info/METADATA").decode("utf-8")
    tops = {n.split("/")[0] for n in names}
    assert tops == {"vdlm", f"vdlm-{version}.dist-info"}, tops
    shipped = {n for n in names if n.startswith("vdlm/")}
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "vdlm").rglob("*.py") if "__pycache__" not in p.parts}
    assert shipped == wanted
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requires = re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
    assert sorted(requires) == sorted(project["optional-dependencies"]["demo"])
    assert f"Requires-Python: {project['requires-python']}" in meta


def test_downloaded_notebook_installs_the_wheel_beside_it_offline(built_site, fresh_venv, tmp_path):
    """The .ipynb and the wheel as a student downloads them from the notebook page, into one folder."""
    page = built_site / "notebooks" / NOTEBOOK.removesuffix(".ipynb")
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / NOTEBOOK).write_bytes((page / NOTEBOOK).read_bytes())
    wheel = _served_wheel(built_site)
    (folder / wheel.name).write_bytes(wheel.read_bytes())
    python = str(fresh_venv / "bin" / "python")
    started = time.perf_counter()
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('vdlm') is not None)"
    assert subprocess.run([python, "-c", probe], cwd=folder, env=_offline_env()).returncode == 0, \
        "vdlm must not be importable in the fresh venv before the cell runs"

    cell = _first_cell(folder / NOTEBOOK)
    run = subprocess.run([python, "-c", cell], cwd=folder, env=_offline_env(), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    installed = time.perf_counter() - started
    assert f"安装 vdlm (首次需要几分钟)： {folder / wheel.name}" in run.stdout
    assert "没装上" not in run.stdout
    imported = subprocess.run([python, "-c", "import vdlm; print(vdlm.__file__); print(vdlm.__version__)"],
                              cwd=tmp_path, env=_offline_env(HF_HUB_OFFLINE="1"), capture_output=True, text=True,
                              timeout=300)
    assert imported.returncode == 0, imported.stderr
    where, version = imported.stdout.split()
    assert Path(where).is_relative_to(fresh_venv), f"vdlm imported from {where}, not from the fresh venv"
    assert version == vdlm_wheel.library_version(ROOT)
    print(f"setup cell (pip install of the wheel, offline): {installed:.1f} s; import vdlm: "
          f"{time.perf_counter() - started - installed:.1f} s")
    again = subprocess.run([python, "-c", cell], cwd=folder, env=_offline_env(), capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == "", "with vdlm installed the cell must do nothing"


def test_first_cell_with_nothing_reachable_says_what_to_do_in_chinese(fresh_venv, tmp_path):
    cell = _first_cell(ROOT / "notebooks" / NOTEBOOK)
    run = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", cell], cwd=tmp_path,
                         env=_offline_env(PIP_INDEX_URL=CLOSED + "/simple"), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr, run.stderr
    tries = re.findall(r"^安装 vdlm \(首次需要几分钟\)： (.+)$", run.stdout, re.M)
    assert tries[0].endswith("/downloads/" + _served_name()) and tries[1].endswith(
        "git+https://github.com/vertical-llm-course/codebert-biobert-clinicalbert"), tries
    failures = re.findall(r"^  没装上： (.+)$", run.stdout, re.M)
    assert len(failures) == len(tries) == 2, run.stdout
    assert all(f.strip() for f in failures)
    last = run.stderr.strip().splitlines()
    assert len(last) == 1 and last[0].startswith("没能安装 vdlm"), run.stderr
    for what in ("下载 vdlm wheel", "VDLM_PIP_SOURCE", "连上网络"):
        assert what in last[0]


def _served_name() -> str:
    return vdlm_wheel.wheel_name(vdlm_wheel.library_version(ROOT))


def test_wheel_is_built_once_per_content(tmp_path, monkeypatch):
    """Same vdlm/ → the cached bytes, no pip; one changed file → a new build."""
    disk = DiskCache(tmp_path / "cache", "wheels")
    first = vdlm_wheel.build(ROOT, disk)
    calls = []
    monkeypatch.setattr(vdlm_wheel.subprocess, "run", lambda *a, **k: calls.append(a) or pytest.fail("pip ran"))
    assert vdlm_wheel.build(ROOT, DiskCache(tmp_path / "cache", "wheels")).data == first.data  # a new process
    assert vdlm_wheel.build(ROOT, DiskCache(None, "wheels"), memo=first) is first  # mkdocs serve
    monkeypatch.undo()
    copy = tmp_path / "root"
    for name in ("pyproject.toml", "LICENSE"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((ROOT / name).read_bytes())
    for path in (ROOT / "vdlm").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            dest = copy / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())
    assert vdlm_wheel.cache_key(copy, disk) == first.key
    (copy / "vdlm" / "metrics.py").write_text((copy / "vdlm" / "metrics.py").read_text() + "\n# changed\n")
    assert vdlm_wheel.cache_key(copy, disk) != first.key


# ------------------------------------------------------------- the one setting behind Colab and install URLs
def test_repo_url_placeholders_warn_locally_and_fail_a_publishing_build(tmp_path):
    from coursesite.checks import publish

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nrepo_url: https://github.com/your-name/your-repo\n", encoding="utf-8")
    for url in ("https://github.com/your-name/your-repo", "https://github.com/OWNER/REPO",
                "https://example.com/a/b", "https://github.com/<user>/course", None, "github.com/a"):
        local, publishing = (publish.check_repo_url(url, config, p) for p in (False, True))
        assert [p.severity for p in local] == ["warning"] and [p.severity for p in publishing] == ["error"], url
        assert str(publishing[0]).startswith("mkdocs.yml:2:1: ") and "sync_setup_cells.py" in str(publishing[0])
    assert publish.check_repo_url("https://github.com/vertical-llm-course/codebert-biobert-clinicalbert", config, True) == []
    assert publish.for_publishing({"COURSE_PUBLISH": "1"}) and not publish.for_publishing({})


def test_publishing_build_needs_a_repository_that_answers(tmp_path):
    from coursesite.checks import publish

    config = tmp_path / "mkdocs.yml"
    config.write_text("repo_url: x\n", encoding="utf-8")
    repo = tmp_path / "repo"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "x"], check=True)
    assert publish.check_repository_answers(repo.as_uri(), config) == []
    missing = publish.check_repository_answers((tmp_path / "nothing").as_uri(), config)
    assert len(missing) == 1 and "does not answer" in missing[0].message and missing[0].line == 1


def test_setup_cell_that_disagrees_with_repo_url_is_an_error_naming_the_fix(tmp_path):
    from coursesite.notebooks import setup_cell

    nb = tmp_path / "notebooks" / NOTEBOOK
    nb.parent.mkdir()
    nb.write_bytes((ROOT / "notebooks" / NOTEBOOK).read_bytes())
    wheel_path = "downloads/" + _served_name()
    fork = setup_cell.expected("https://github.com/someone/fork", None, wheel_path)
    [problem] = setup_cell.check_cells([nb], fork, tmp_path)
    assert problem.path == f"notebooks/{NOTEBOOK}" and "sync_setup_cells.py" in problem.message
    before = json.loads(nb.read_text(encoding="utf-8"))
    assert setup_cell.sync([nb], fork) == [nb] and setup_cell.check_cells([nb], fork, tmp_path) == []
    after = json.loads(nb.read_text(encoding="utf-8"))
    assert 'WHEEL = "https://someone.github.io/fork/downloads/' in fork and 'REPO = "https://github.com/someone/fork"' in fork
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert len(changed) == 1 and before["cells"][changed[0]]["outputs"] == after["cells"][changed[0]]["outputs"]
