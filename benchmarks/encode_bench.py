#!/usr/bin/env python3
"""Encoding speed of the code-search encoder on the stdlib corpus: library path vs naive loop.

* naive: one text per forward pass, float32 (``vdlm.encode.encode_naive``);
* library: int8 dynamic quantisation of the Linear layers (``vdlm.encode.quantize_for_cpu``) + texts sorted
  by length in small batches (``vdlm.encode.encode``).

Prints sequences/s of both, the ratio (one run each), and the retrieval MRR of both on the same pool so a
speed-up that costs accuracy shows. Usage: ``python benchmarks/encode_bench.py [--n 300] [--batch 4]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

import vdlm  # noqa: E402
from vdlm.data.codesearch import load_stdlib_pairs, split_pairs  # noqa: E402
from vdlm.encode import encode, encode_naive, quantize_for_cpu  # noqa: E402
from vdlm.metrics import retrieval_report  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="pairs in the pool (queries + functions encoded)")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--model", default="codebert")
    args = ap.parse_args()
    _, test = split_pairs(load_stdlib_pairs(), n_test=args.n, n_train=0)
    queries, codes = [p.query for p in test], [p.code for p in test]
    lm = vdlm.load(args.model, device="cpu")
    texts = queries + codes
    print(f"torch threads: {torch.get_num_threads()}, pool: {args.n} pairs ({len(texts)} sequences)")

    def run(fn):
        t = time.perf_counter()
        q = fn(queries)
        c = fn(codes)
        dt = time.perf_counter() - t
        return len(texts) / dt, retrieval_report((q @ c.T).numpy())["MRR"]

    naive_sps, naive_mrr = run(lambda xs: encode_naive(lm.model, lm.tokenizer, xs, max_length=args.max_length))
    qmodel = quantize_for_cpu(lm.model)
    lib_sps, lib_mrr = run(lambda xs: encode(qmodel, lm.tokenizer, xs, batch_size=args.batch,
                                            max_length=args.max_length))
    print(f"naive (1 text/forward, fp32)         : {naive_sps:7.1f} seq/s   MRR {naive_mrr:.4f}")
    print(f"library (int8 + length-sorted b={args.batch}) : {lib_sps:7.1f} seq/s   MRR {lib_mrr:.4f}")
    print(f"speed-up {lib_sps / naive_sps:.2f}x   ΔMRR {lib_mrr - naive_mrr:+.4f}")
    vdlm.show(lm.provenance)


if __name__ == "__main__":
    main()
