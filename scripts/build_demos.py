#!/usr/bin/env python3
"""Make the files of the site's live demos (``make demos``), into ``demos/`` (mkdocs.yml's ``demos_dir``).

    python scripts/build_demos.py                    # tokenizers (no torch, seconds) and models (torch)
    python scripts/build_demos.py --only tokenizers  # the tokenizer demos only (committed files)

``tokenizers`` (:mod:`vdlm.demo_tokenizers`): the tokenizer.json files of the 分词器对比 / 掩码 / 滑窗 demos,
committed, so a fresh checkout shows those demos working. ``models`` (:mod:`vdlm.webdemo`): the ONNX models of
the code-search and NER demos (built, not committed: see CONTRIBUTING.md). Each step is cached by content
key and skips what is up to date.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def tokenizers(out: Path) -> None:
    from vdlm.demo_tokenizers import build_tokenizers

    build_tokenizers(out / "tokenizers")


def models(out: Path) -> None:
    from vdlm import webdemo

    webdemo.build_demos(out / "models")


STEPS = {"tokenizers": tokenizers, "models": models}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(STEPS), action="append", help="run only this step (repeatable)")
    ap.add_argument("--out", type=Path, default=ROOT / "demos", help="output folder (default: demos/)")
    args = ap.parse_args(argv)
    for name in args.only or list(STEPS):
        t = time.perf_counter()
        try:
            STEPS[name](args.out)
        except ImportError as e:
            print(f"build_demos: step {name}: missing package ({e}); run `make install-demo` first", file=sys.stderr)
            return 2
        print(f"build_demos: {name} done in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
