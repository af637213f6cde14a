"""Evaluation: retrieval (MRR, recall@k), entity-level NER (seqeval), classification accuracy/macro-F1."""
from __future__ import annotations

import numpy as np
import torch


def ranks_from_scores(scores) -> np.ndarray:
    """1-based rank of the correct item for each query.

    Args:
        scores: ``[Q, N]`` similarity matrix whose correct item for query ``i`` is column ``i`` (Q ≤ N).
            Ties count against the query (the correct item ranks after every item with an equal score).

    Returns:
        int array ``[Q]``, values in 1..N.
    """
    s = torch.as_tensor(np.asarray(scores, dtype=np.float64))
    correct = s[torch.arange(len(s)), torch.arange(len(s))].unsqueeze(1)
    return ((s >= correct).sum(1)).numpy()


def mrr(ranks) -> float:
    """Mean reciprocal rank: mean over queries of 1/rank (CodeSearchNet / CodeBERT Table 2 metric)."""
    r = np.asarray(ranks, dtype=np.float64)
    return float((1.0 / r).mean())


def recall_at_k(ranks, k: int) -> float:
    """Share of queries whose correct item is in the top ``k``."""
    return float((np.asarray(ranks) <= k).mean())


def retrieval_report(scores, ks=(1, 5, 10)) -> dict:
    """``{"MRR": …, "R@1": …, …}`` from a ``[Q, N]`` score matrix (see :func:`ranks_from_scores`)."""
    ranks = ranks_from_scores(scores)
    out = {"MRR": mrr(ranks)}
    out.update({f"R@{k}": recall_at_k(ranks, k) for k in ks})
    return out


def ner_report(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Entity-level micro precision/recall/F1 with seqeval (exact span and type match, BIO/IOB2 scheme),
    the metric of BioBERT's NER tables; plus per-type F1 under ``"per_type"``."""
    from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
    from seqeval.scheme import IOB2

    kw = dict(mode="strict", scheme=IOB2)
    rep = classification_report(gold, pred, output_dict=True, zero_division=0, **kw)
    per_type = {k: v["f1-score"] for k, v in rep.items() if not k.endswith("avg")}
    return {
        "precision": precision_score(gold, pred, zero_division=0, **kw),
        "recall": recall_score(gold, pred, zero_division=0, **kw),
        "f1": f1_score(gold, pred, zero_division=0, **kw),
        "per_type": per_type,
    }


def classification_report(gold, pred, n_classes: int | None = None) -> dict:
    """Accuracy and macro-F1 (unweighted mean of per-class F1; a class never gold nor predicted is skipped)."""
    gold = np.asarray(gold)
    pred = np.asarray(pred)
    n = n_classes or int(max(gold.max(), pred.max()) + 1)
    f1s = []
    for c in range(n):
        tp = int(((pred == c) & (gold == c)).sum())
        fp = int(((pred == c) & (gold != c)).sum())
        fn = int(((pred != c) & (gold == c)).sum())
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return {"accuracy": float((gold == pred).mean()), "macro_f1": float(np.mean(f1s)) if f1s else 0.0}
