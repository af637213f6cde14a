#!/usr/bin/env python3
"""Budgets of the model demos (代码搜索, 实体识别) in headless Chromium, median of 5; prints the figures.

    python benchmarks/model_demo_bench.py [--site DIR]   # DIR: a built site (default: build it to build/bench-demos)

Per demo: the first answer after the click with an empty browser cache ("cold": the model file, the wasm and the
data are fetched and compiled) and with a warm HTTP cache (a reload in the same browser context), and later
answers (one query or sentence, the worker call included). Budgets (issue 11): first answer ≤ 6 s cold, ≤ 3 s
warm, later answers ≤ 100 ms; all model and wasm files together ≤ 60 MB. ``measure`` is what
``benchmarks/demo_bench.py`` calls.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGE = "08-case-studies/"
INPUTS = {
    "codesearch": ["compute the standard deviation of a sample", "decode percent-encoded characters in a URL",
                   "create a zip archive of a directory", "read exactly n bytes from a stream",
                   "parse an XML file into an element tree"],
    "ner": ["Mutations in BRCA1 increase the risk of breast cancer.",
            "Patients with chronic myeloid leukemia were treated with imatinib.",
            "Long-term lithium therapy can cause hypothyroidism.",
            "Ivacaftor improves lung function in cystic fibrosis caused by gating variants of CFTR.",
            "Haloperidol given for many years may cause tardive dyskinesia."],
}
CALL = {"codesearch": "q => VDLMDemos.models.search(q)", "ner": "t => VDLMDemos.models.tag(t)"}

FIRST_JS = """async (demo) => {
  const el = document.querySelector(`.vdlm-demo[data-demo="${demo}"]`);
  const out = el.querySelector('.vdlm-demo-output');
  const t0 = performance.now();
  el.querySelector('.vdlm-demo-input').dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
  el.querySelector('.vdlm-demo-input').focus();
  while (!out.children.length && el.getAttribute('data-demo-ready') !== 'error') await new Promise(r => setTimeout(r, 10));
  return {ms: performance.now() - t0, ok: el.getAttribute('data-demo-ready') === '1' && out.children.length > 0,
          status: el.querySelector('.vdlm-demo-status').textContent};
}"""
LATER_JS = """async ([call, text]) => { const f = eval(call); const t0 = performance.now(); await f(text);
  return performance.now() - t0; }"""


def first_answer(context, url: str, demo: str) -> float:
    tab = context.new_page()
    tab.goto(url, wait_until="load")
    r = tab.evaluate(FIRST_JS, demo)
    tab.close()
    if not r["ok"]:
        raise RuntimeError(f"{demo}: no answer: {r['status']}")
    return r["ms"]


def measure(browser, base_url: str, runs: int = 5) -> dict:
    """Figures for both model demos on ``base_url + PAGE`` (ms; medians of ``runs``)."""
    url = base_url + PAGE
    out = {}
    for demo in ("codesearch", "ner"):
        cold, warm, later = [], [], []
        for _ in range(runs):
            ctx = browser.new_context()
            cold.append(first_answer(ctx, url, demo))
            warm.append(first_answer(ctx, url, demo))
            ctx.close()
        ctx = browser.new_context()
        tab = ctx.new_page()
        tab.goto(url, wait_until="load")
        tab.evaluate(FIRST_JS, demo)
        for text in INPUTS[demo]:
            later.append(tab.evaluate(LATER_JS, [CALL[demo], text]))
        ctx.close()
        out[demo] = {"first_cold_ms": statistics.median(cold), "first_warm_ms": statistics.median(warm),
                     "later_ms": statistics.median(later), "runs": runs}
    return out


def sizes(site: Path) -> dict:
    """Bytes of the model and wasm files in a built site."""
    models = sorted((site / "assets" / "demos" / "models").rglob("*.onnx"))
    wasm = sorted((site / "assets" / "vendor" / "onnxruntime-web").glob("*.wasm"))
    m = sum(p.stat().st_size for p in models)
    w = sum(p.stat().st_size for p in wasm)
    return {"models_bytes": m, "wasm_bytes": w, "total_mb": round((m + w) / 1e6, 2),
            "files": [p.relative_to(site).as_posix() for p in models + wasm]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", type=Path, help="a built site (default: build one to build/bench-demos)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    site = args.site
    if site is None:
        site = ROOT / "build" / "bench-demos"
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT, check=True,
                       env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
        print(f"site built in {time.perf_counter() - t:.0f} s")
    from playwright.sync_api import sync_playwright

    from coursesite.pdf import serve
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    size = sizes(site)
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        figures = measure(browser, base, args.runs)
        browser.close()
    print(f"model demos, headless Chromium, {os.cpu_count()} cores, median of {args.runs}:")
    for demo, f in figures.items():
        print(f"  {demo:<11} first answer cold {f['first_cold_ms'] / 1000:.2f} s (budget 6 s), "
              f"warm {f['first_warm_ms'] / 1000:.2f} s (budget 3 s), later {f['later_ms']:.0f} ms (budget 100 ms)")
    print(f"  model + wasm files: {size['total_mb']:.1f} MB (budget 60 MB): models {size['models_bytes'] / 1e6:.1f} MB, "
          f"wasm {size['wasm_bytes'] / 1e6:.1f} MB")
    print(json.dumps({"figures": figures, "sizes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
