#!/usr/bin/env python3
"""Benchmark the site build as contributors meet it. Prints seconds.

1. **Clean build**: wall time of ``mkdocs build`` into an empty folder, a new process each time: the first
   run with an empty cache (a fresh clone), then the median of N-1 runs that reuse the content-hash disk
   cache under ``.cache/plugin/course/`` (what a contributor's ``make build`` / ``make check`` meets).
2. **Edit loop under ``mkdocs serve``**: starts ``mkdocs serve`` on a free port in a scratch copy of the
   project (so the real pages are never touched), waits for the first build, then N times appends a new
   paragraph to one lecture page and polls that page's URL until the served HTML contains it: the time
   from saving the file to the new HTML being served, which is when live reload refreshes the browser.
   The scratch copy is deleted afterwards.

Usage: python benchmarks/build_bench.py [-n 5] [--page docs/02-codebert.md] [--skip-clean]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a scratch copy of the project needs to serve (node_modules is linked, not copied).
COPY = ["docs", "notebooks", "overrides", "outline", "references.bib", "mkdocs.yml", "coursesite", "vdlm", "pyproject.toml",
        "LICENSE", "demos"]  # vdlm and demos: mkdocs.yml watches vdlm; the site serves its wheel and the demo files
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")


def run(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of one command; exits with its stderr when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def scratch_copy() -> Path:
    """A copy of the project's sources in a temporary folder (node_modules and .cache linked)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-project-"))
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.is_file():
            shutil.copy2(src, tmp / name)
    (tmp / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp


@contextlib.contextmanager
def served(project: Path, timeout: float = 180.0):
    """Run ``mkdocs serve`` in ``project`` on a free port until the first build is served; yields
    ``(base_url, seconds_to_first_page)``. Also used by the tests of the preview (tests/test_engine.py)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(project / "serve.log", "w")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            env=ENV, stdout=log, stderr=subprocess.STDOUT)
    try:
        while fetch(base) is None:
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                raise RuntimeError(f"mkdocs serve did not start:\n{(project / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.05)
        yield base, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(url: str, text: str, timeout: float = 60.0) -> float:
    """Poll ``url`` until its HTML contains ``text``; seconds waited. Raises TimeoutError."""
    t0 = time.perf_counter()
    while True:
        html = fetch(url)
        if html and text in html:
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"{url} did not show {text!r} within {timeout:.0f} s")
        time.sleep(0.02)


def edit_loop(project: Path, page: str, n: int, timeout: float = 60.0) -> tuple[float, list[float]]:
    """Seconds of the first ``mkdocs serve`` build, and of each save → new HTML served (``n`` edits)."""
    url_path = page.removeprefix("docs/").removesuffix(".md") + "/"
    with served(project) as (base, first):
        time.sleep(1.0)  # let the watcher settle
        times = []
        path = project / page
        for i in range(n):
            marker = f"bench-edit-{i}-{time.time_ns()}"
            text = path.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            path.write_text(text + f"\n\n{marker}\n", encoding="utf-8")
            wait_for(base + url_path, marker, timeout)
            times.append(time.perf_counter() - t0)
            time.sleep(0.5)
        return first, times


def fmt(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--page", default="docs/02-codebert.md", help="page edited under mkdocs serve")
    parser.add_argument("--skip-clean", action="store_true", help="measure only the edit loop")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    project = scratch_copy()
    try:
        if not args.skip_clean:
            out = project / "site-bench"
            clean = []
            for _ in range(args.n):
                shutil.rmtree(out, ignore_errors=True)
                clean.append(run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], project))
            print(f"clean build, empty cache        {clean[0]:6.2f} s  (the first run: nothing under .cache/ yet)")
            if len(clean) > 1:
                print(f"clean build, disk cache         {fmt(clean[1:])}")
        first, edits = edit_loop(project, args.page, args.n)
        print(f"mkdocs serve: first build       {first:6.2f} s")
        print(f"mkdocs serve: edit -> new HTML  {fmt(edits)}; edited {args.page}")
    finally:
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    main()
