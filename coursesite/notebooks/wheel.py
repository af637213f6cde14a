"""The demo library as a wheel, served with the site: ``downloads/vdlm-<version>-py3-none-any.whl``.

A notebook downloaded from the site (or unzipped from the offline bundle) installs ``vdlm`` from this file
(its first cell looks for it beside the notebook and in the bundle's ``downloads/``), so it runs with no
clone and no network. The project's own wheel would not do: it holds the site engine (``coursesite``) too and
declares no dependencies. So the wheel is built from a staging folder holding only ``vdlm/``, the licence and
a minimal ``pyproject.toml`` generated here:

- name ``vdlm``, version ``__version__`` of ``vdlm/__init__.py`` (read as text: importing vdlm imports torch);
- ``requires-python`` and the dependencies of the project's ``demo`` extra, copied from ``pyproject.toml``
  (one list for both), so ``pip install vdlm-….whl`` brings torch, transformers and the rest where an index
  is reachable, and checks that they are there where none is.

It is built by setuptools' own wheel builder through ``pip wheel --no-deps --no-build-isolation --no-index``
(no network, no new build environment; about 2 s on 2 cores) and cached by content hash in the engine's disk
cache (:class:`coursesite.pagecache.DiskCache`, room ``wheels``): the key is every file of ``vdlm/`` with
its bytes plus the generated ``pyproject.toml``, so a rebuild under ``mkdocs serve`` or a new build with
nothing changed in ``vdlm/`` reuses the bytes and never starts pip.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..citations.parse import Problem

__all__ = ["DOWNLOADS", "Wheel", "WheelError", "build", "library_version", "wheel_name", "wheel_project"]

DOWNLOADS = "downloads"  # site folder of the wheel (and of anything else a student downloads)
PACKAGE = "vdlm"
_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)


class WheelError(Exception):
    """The wheel cannot be built; ``problem`` names the file and line and what to do."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Wheel:
    """A built wheel: its file name (``vdlm-0.1.0-py3-none-any.whl``), its bytes and the cache key."""

    name: str
    data: bytes
    key: str

    @property
    def size_mb(self) -> float:
        return len(self.data) / 1e6


def library_version(root: Path) -> str:
    """``__version__`` of ``root/vdlm/__init__.py``.

    Raises:
        WheelError: the file or the assignment is missing.
    """
    init = root / PACKAGE / "__init__.py"
    try:
        m = _VERSION.search(init.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WheelError(Problem(f"{PACKAGE}/__init__.py", 1, 1, f"cannot be read ({exc.strerror})")) from exc
    if not m:
        raise WheelError(Problem(f"{PACKAGE}/__init__.py", 1, 1,
                                 'has no `__version__ = "X.Y.Z"` line: the wheel is named after it'))
    return m.group(1)


def wheel_name(version: str) -> str:
    """The file name pip expects for a pure-Python wheel of ``vdlm`` ``version``."""
    return f"{PACKAGE}-{version}-py3-none-any.whl"


def wheel_project(root: Path) -> str:
    """The ``pyproject.toml`` of the ``vdlm`` wheel, made from the project's (its ``demo`` extra).

    Raises:
        WheelError: ``pyproject.toml`` cannot be parsed or has no ``demo`` extra.
    """
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        deps = list(project["optional-dependencies"]["demo"]) + list(project.get("dependencies", []))
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise WheelError(Problem("pyproject.toml", 1, 1, f"needs [project.optional-dependencies] demo = [...] for "
                                 f"the vdlm wheel ({type(exc).__name__}: {exc})")) from exc
    lines = [
        "[build-system]", 'requires = ["setuptools>=70.1"]', 'build-backend = "setuptools.build_meta"', "",
        "[project]", f'name = "{PACKAGE}"', f'version = "{library_version(root)}"',
        'description = "Demo library of the lecture 垂直领域大模型: CodeBERT, BioBERT and ClinicalBERT"',
        f'requires-python = "{project.get("requires-python", ">=3.10")}"', 'license = "MIT"',
        'license-files = ["LICENSE"]', "dependencies = [", *[f"  {_toml_str(d)}," for d in deps], "]", "",
        "[tool.setuptools.packages.find]", f'include = ["{PACKAGE}*"]', "",
    ]
    return "\n".join(lines)


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sources(root: Path) -> list[Path]:
    return sorted(p for p in (root / PACKAGE).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def cache_key(root: Path, disk) -> str:
    """The key of the wheel for the current ``vdlm/`` (every file's path and bytes) and ``pyproject.toml``."""
    parts = [wheel_project(root)]
    for path in _sources(root) + [root / "LICENSE"]:
        parts.append(path.relative_to(root).as_posix() + "\0" + hashlib.sha256(path.read_bytes()).hexdigest())
    return disk.key("vdlm-wheel", *parts)


def build(root: Path, disk, memo: Wheel | None = None) -> Wheel:
    """The wheel of ``root/vdlm``: ``memo`` or the disk cache when nothing changed, else built anew.

    Args:
        root: the project folder (holds ``vdlm/``, ``pyproject.toml`` and ``LICENSE``).
        disk: a :class:`coursesite.pagecache.DiskCache` (``folder=None``: nothing kept on disk).
        memo: the wheel of the previous build in this process (``mkdocs serve``).

    Raises:
        WheelError: pip or setuptools failed (the message carries pip's last lines).
    """
    key = cache_key(root, disk)
    if memo is not None and memo.key == key:
        return memo
    found = disk.get(key)
    if isinstance(found, Wheel):
        return found
    name = wheel_name(library_version(root))
    with tempfile.TemporaryDirectory(prefix="vdlm-wheel-") as tmp:
        stage, out = Path(tmp) / "src", Path(tmp) / "dist"
        shutil.copytree(root / PACKAGE, stage / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy2(root / "LICENSE", stage / "LICENSE")
        (stage / "pyproject.toml").write_text(wheel_project(root), encoding="utf-8")
        env = dict(os.environ, SOURCE_DATE_EPOCH="1577836800", PIP_DISABLE_PIP_VERSION_CHECK="1")  # 2020-01-01
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                               "--no-index", "-q", "-w", str(out), str(stage)],
                              capture_output=True, text=True, env=env)
        built = out / name
        if proc.returncode != 0 or not built.is_file():
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise WheelError(Problem("pyproject.toml", 1, 1, (
                f"building {name} failed (pip wheel exit {proc.returncode}: {tail}); the build needs setuptools "
                "≥ 70.1 in its Python (`pip install 'setuptools>=70.1'`)")))
        wheel = Wheel(name, built.read_bytes(), key)
    disk.put(key, wheel)
    return wheel


def write(wheel: Wheel, folder: Path) -> Path:
    """Write ``wheel`` to ``folder/<name>`` unless that file already holds these bytes; return its path."""
    path = folder / wheel.name
    folder.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != wheel.data:
        tmp = path.with_suffix(".part")
        tmp.write_bytes(wheel.data)
        tmp.replace(path)
    return path


def add_to_site(files, config, wheel: Wheel, folder: Path) -> str:
    """Write ``wheel`` under ``folder`` and add it to ``files`` as ``downloads/<name>``; return that site path."""
    from mkdocs.structure.files import File

    path = write(wheel, folder)
    uri = f"{DOWNLOADS}/{wheel.name}"
    if files.get_file_from_path(uri) is None:
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return uri
