#!/usr/bin/env python3
"""Benchmark the site build: median wall time of a clean ``mkdocs build`` over N runs, and of a
rebuild after touching one lecture page (``mkdocs build --dirty``, which rebuilds changed pages only,
as ``mkdocs serve`` does on an edit). Prints seconds. Usage: python benchmarks/build_bench.py [-n 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--page", default="docs/02-codebert.md", help="page touched before the rebuild")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-site-"))
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)]
    clean = []
    for _ in range(args.n):
        shutil.rmtree(out, ignore_errors=True)
        clean.append(run(mkdocs))
    page = ROOT / args.page
    dirty = []
    for _ in range(args.n):
        os.utime(page)
        dirty.append(run(mkdocs + ["--dirty"]))
    shutil.rmtree(out, ignore_errors=True)
    print(f"cores: {os.cpu_count()}")
    print(f"clean build        median {statistics.median(clean):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in clean)})")
    print(f"rebuild one page   median {statistics.median(dirty):6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in dirty)}; touched {args.page})")


if __name__ == "__main__":
    main()
