#!/usr/bin/env python3
"""Encoding speed of the code-search encoder on the stdlib corpus: library path vs naive loop.

* naive: one text per forward pass, float32 (``vdlm.encode.encode_naive``), the reference;
* library: ``vdlm.encode.encode`` as the notebooks call it: texts tokenized once, sorted by length and cut
  into batches under a token budget; on CPU the Linear layers run as int8 dynamic quantisation with
  per-channel weight scales (``vdlm.encode.quantize_for_cpu``, built once per model and cached).

Both encode the same queries and functions of the held-out pool; the retrieval MRR of both is printed so a
speed-up that costs accuracy shows. The two are measured interleaved (naive, library, naive, library …) in
the same process so that load from other processes hits both alike; each round prints its own ratio.

Usage: ``python benchmarks/encode_bench.py [--n 300] [--rounds 2] [--threads 2] [--budget 1024]``.
Goal (2 CPU cores): ratio ≥ 3× with |ΔMRR| ≤ 0.01.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

import vdlm  # noqa: E402
from vdlm.data.codesearch import load_stdlib_pairs, split_pairs  # noqa: E402
from vdlm.encode import encode, encode_naive, fast_model  # noqa: E402
from vdlm.metrics import retrieval_report  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="pairs in the pool (queries + functions encoded)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved naive/library measurements")
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op threads (0 = leave as is)")
    ap.add_argument("--budget", type=int, default=1024, help="library: padded tokens per batch")
    ap.add_argument("--max-length", type=int, default=256, help="truncation, same for both paths")
    ap.add_argument("--no-quantize", action="store_true", help="library path in float32 (batching only)")
    ap.add_argument("--model", default="codebert")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    _, test = split_pairs(load_stdlib_pairs(), n_test=args.n, n_train=0)
    queries, codes = [p.query for p in test], [p.code for p in test]
    lm = vdlm.load(args.model, device="cpu")
    n_seq = len(queries) + len(codes)
    quantize = False if args.no_quantize else None
    t = time.perf_counter()
    runner = fast_model(lm.model, torch.device("cpu"), quantize)
    prep = time.perf_counter() - t
    config = (f"max_length {args.max_length}, token budget {args.budget}/batch, length-sorted, inference_mode, "
              f"{'int8 dynamic per-channel (all Linear)' if runner is not vdlm.encode._encoder(lm.model) else 'float32'}, "
              f"torch threads {torch.get_num_threads()}")
    print(f"pool: {args.n} pairs ({n_seq} sequences); config: {config}; one-time model preparation {prep:.1f} s")

    def naive(xs):
        return encode_naive(lm.model, lm.tokenizer, xs, max_length=args.max_length)

    def library(xs):
        return encode(lm.model, lm.tokenizer, xs, max_length=args.max_length, token_budget=args.budget,
                      quantize=quantize)

    def run(fn):
        t = time.perf_counter()
        q, c = fn(queries), fn(codes)
        return n_seq / (time.perf_counter() - t), retrieval_report((q @ c.T).numpy())["MRR"]

    naive(queries[:4]), library(queries[:4])  # warm-up (kernels, allocator)
    ratios = []
    for r in range(1, args.rounds + 1):
        n_sps, n_mrr = run(naive)
        l_sps, l_mrr = run(library)
        ratios.append(l_sps / n_sps)
        print(f"round {r}: seq/s naive {n_sps:6.1f} | seq/s library {l_sps:6.1f} | ratio {l_sps / n_sps:4.2f}x | "
              f"MRR naive {n_mrr:.4f} | MRR library {l_mrr:.4f} | ΔMRR {l_mrr - n_mrr:+.4f}", flush=True)
    print(f"ratio per round: {', '.join(f'{x:.2f}x' for x in ratios)} (median {statistics.median(ratios):.2f}x); "
          f"goal ≥ 3x with |ΔMRR| ≤ 0.01")
    vdlm.show(lm.provenance)


if __name__ == "__main__":
    main()
