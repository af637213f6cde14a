#!/usr/bin/env python3
"""Live demos in headless Chromium (Debian's /usr/bin/chromium): the budgets of issue 11, median of 5.

Tokenizer demos (coursesite/demos/):

* bytes fetched on page load by demo code, on each page with a demo and on one without (budget: 0) — the
  resources under ``assets/demos/`` and the vendored demo libraries, from the Resource Timing entries;
* the inline loader's bytes in the page HTML (it is not fetched: part of the page itself);
* first answer: from the first click in the 分词器对比 text box (a fresh browser context: nothing cached) to
  the first tokenizer's pieces on screen (budget 0.5 s), and to all five rows, with the bytes the first use
  fetched;
* a later answer: typing once more, to the pieces on screen.

The model demos' figures come from ``benchmarks/model_demo_bench.py`` (``model_demos`` below). Each function of
``MEASURES`` gets the browser, the site's base URL, the number of runs and the site folder, and prints its lines.

Usage: ``python benchmarks/demo_bench.py [--site DIR] [--runs 5]`` (without ``--site`` it builds the site once
into a temporary folder). Prints the load average too: on a shared machine the figures scale with it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coursesite.demos.blocks import BOOT_JS  # noqa: E402
from coursesite.pdf import serve  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DEMO_PAGES = ["03-biobert/", "04-clinicalbert/", "06-pretraining-tasks-data/"]
NO_DEMO_PAGE = "01-introduction/"
DEMO_CODE = ("/assets/demos/", "/assets/vendor/tokenizers/", "/assets/vendor/transformers/",
             "/assets/vendor/onnxruntime-web/")
RESOURCES_JS = """() => performance.getEntriesByType('resource').map(e => [e.name, e.transferSize || e.encodedBodySize || 0])"""


def demo_bytes(entries) -> int:
    return sum(size for name, size in entries if any(p in name for p in DEMO_CODE))


def page_load(browser, base: str, runs: int, site: Path) -> None:
    for path in DEMO_PAGES + [NO_DEMO_PAGE]:
        sizes, inline = [], 0
        for _ in range(runs):
            ctx = browser.new_context()
            tab = ctx.new_page()
            tab.goto(base + path, wait_until="networkidle")
            sizes.append(demo_bytes(tab.evaluate(RESOURCES_JS)))
            inline = tab.evaluate("() => document.querySelectorAll('.vdlm-demo').length")
            ctx.close()
        print(f"page load {path:28s} demo bytes fetched: median {statistics.median(sizes):.0f} (max {max(sizes)}); "
              f"demos on the page: {inline}, inline loader {len(BOOT_JS.encode()) * inline:,} B in the HTML")


def tokenizer_first_answer(browser, base: str, runs: int, site: Path) -> None:
    firsts, alls, laters, fetched = [], [], [], []
    for i in range(runs):
        ctx = browser.new_context()
        tab = ctx.new_page()
        tab.goto(base + "03-biobert/", wait_until="networkidle")
        el = tab.locator('.vdlm-demo[data-demo="tokenizer"]').first
        el.scroll_into_view_if_needed()
        box = el.locator("textarea")
        t0 = time.perf_counter()
        box.click()
        tab.wait_for_function("el => el.querySelector('tr[data-done]')", arg=el.element_handle(), timeout=30000,
                              polling="raf")
        firsts.append(time.perf_counter() - t0)
        tab.wait_for_function("el => el.querySelectorAll('tr[data-done]').length >= 5", arg=el.element_handle(),
                              timeout=30000, polling="raf")
        alls.append(time.perf_counter() - t0)
        fetched.append(demo_bytes(tab.evaluate(RESOURCES_JS)))
        tab.wait_for_function("el => el.vdlmDoneText === el.querySelector('textarea').value", arg=el.element_handle(),
                              timeout=30000)
        t0 = time.perf_counter()
        box.fill(f"Immunoglobulin{i}")  # one input event: the debounce (150 ms) is part of the answer time
        tab.wait_for_function("el => el.vdlmDoneText === el.querySelector('textarea').value", arg=el.element_handle(),
                              timeout=30000, polling="raf")
        laters.append(time.perf_counter() - t0)
        ctx.close()
    first = statistics.median(firsts)
    print(f"tokenizer demo: first answer after the click, cold: median {first:.3f} s over {runs} "
          f"(runs {', '.join(f'{x:.2f}' for x in firsts)}); budget 0.5 s: {'ok' if first <= 0.5 else 'OVER'}")
    print(f"tokenizer demo: all five rows after the click, cold: median {statistics.median(alls):.3f} s")
    print(f"tokenizer demo: bytes fetched on first use {statistics.median(fetched) / 1e6:.2f} MB")
    print(f"tokenizer demo: later answer (typing, 150 ms debounce included): median {statistics.median(laters):.3f} s")


def model_demos(browser, base: str, runs: int, site: Path) -> None:
    """The model demos' figures, from benchmarks/model_demo_bench.py (when the site has the models)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import model_demo_bench

    if not (site / "assets" / "demos" / "data" / "model-ner.js").is_file():
        print("model demos: not in this site (run `make demos` first)")
        return
    print(f"model demos: sizes {model_demo_bench.sizes(site)}")
    print(f"model demos: {model_demo_bench.measure(browser, base, runs)}")


MEASURES = [page_load, tokenizer_first_answer, model_demos]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build one into a temporary folder)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    site = args.site
    tmp = None
    if site is None:
        tmp = tempfile.TemporaryDirectory()
        site = Path(tmp.name)
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT, env=env, check=True)
    from playwright.sync_api import sync_playwright

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            for measure in MEASURES:
                measure(browser, base, args.runs, site)
        finally:
            browser.close()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
