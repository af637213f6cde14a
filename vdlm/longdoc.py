"""Long documents beyond 512 tokens: sliding-window encoding and classification.

Why this exists: BioBERT and Bio+Clinical BERT are BERT-Base encoders with ``max_position_embeddings`` = 512
(their config.json files: https://huggingface.co/dmis-lab/biobert-base-cased-v1.1,
https://huggingface.co/emilyalsentzer/Bio_ClinicalBERT): position 513 has no embedding, so one forward pass
sees at most 512 tokens, ``[CLS]`` and ``[SEP]`` included. (Bio+Clinical BERT was even pre-trained on sequences
of only 128 tokens: Alsentzer et al. 2019, references.bib key alsentzer-etal-2019-publicly.) Bio_ClinicalBERT's tokenizer also ships a huge ``model_max_length`` (capped to 512 by
:func:`vdlm.loading.cap_max_length`), so without an explicit cap the ids of a long note reach the model and
crash it. A discharge summary easily runs to thousands of tokens, and plain truncation keeps only the start:
the sections at the end (assessment, plan, disposition) are silently lost.

The sliding window (as in BERT's SQuAD ``doc_stride`` handling) cuts the token sequence into windows of
``max_length`` tokens that overlap by ``stride`` tokens, runs the encoder on each window and pools the
per-window outputs. The windows come from the tokenizer itself (``return_overflowing_tokens=True`` with
``stride``; a fast tokenizer is required), so each window is a well-formed ``[CLS] … [SEP]`` input.

Number of windows for a text of ``n`` tokens (special tokens excluded), with ``c = max_length - 2`` content
tokens per window (single-sequence BERT/RoBERTa inputs add 2 special tokens): ``1`` if ``n <= c``, else
``1 + ceil((n - c) / (c - stride))`` (:func:`n_windows`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .env import autocast, to_device

POOLS = ("mean", "max", "first", "last")


def n_windows(n_tokens: int, max_length: int = 512, stride: int = 128, n_special: int = 2) -> int:
    """Number of sliding windows the tokenizer makes for ``n_tokens`` content tokens.

    Args:
        n_tokens: length of the text in tokens, special tokens excluded (≥ 0).
        max_length: window length in tokens, special tokens included (512 for BERT-Base: ``max_position_embeddings`` in config.json).
        stride: overlap between consecutive windows in tokens (HF's ``stride``), ``0 <= stride < max_length - n_special``.
        n_special: special tokens per window (2 for ``[CLS] … [SEP]``).

    Returns:
        int ≥ 1.

    Raises:
        ValueError: the stride leaves no new tokens per window.
    """
    content = max_length - n_special
    if not 0 <= stride < content:
        raise ValueError(f"stride {stride} must be in [0, {content}) for max_length {max_length}")
    if n_tokens <= content:
        return 1
    return 1 + math.ceil((n_tokens - content) / (content - stride))


def check_length(model, max_length: int) -> None:
    """Raise ValueError when ``max_length`` exceeds what the model's position embeddings allow.

    BERT: ``max_position_embeddings`` (512). RoBERTa/CodeBERT store 514 = 512 + 2 (padding offset; config.json
    of https://huggingface.co/microsoft/codebert-base), so their usable maximum is 512 as well.
    """
    cfg = getattr(model, "config", None)
    if cfg is None or not getattr(cfg, "max_position_embeddings", None):
        return
    limit = cfg.max_position_embeddings - (2 if getattr(cfg, "model_type", "") in ("roberta", "xlm-roberta") else 0)
    if max_length > limit:
        raise ValueError(f"max_length {max_length} > {limit} positions of this {cfg.model_type} model; "
                         "use sliding windows of at most that length")


def windows(tokenizer, texts: list[str] | str, max_length: int = 512, stride: int = 128) -> dict:
    """Tokenize ``texts`` into overlapping windows with the tokenizer's overflow mechanism.

    Args:
        tokenizer: a *fast* HF tokenizer (``return_overflowing_tokens`` with ``stride`` needs one).
        texts: one text or a list.
        max_length: tokens per window, special tokens included.
        stride: tokens shared by consecutive windows.

    Returns:
        dict with ``input_ids``/``attention_mask`` (lists of lists, one per window, unpadded),
        ``doc`` (list: index of the text each window came from, HF's ``overflow_to_sample_mapping``) and
        ``offsets`` (list of ``(start_char, end_char)`` per window in its text).

    Raises:
        ValueError: slow tokenizer, or a stride that leaves no new tokens per window.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("sliding windows need a fast tokenizer (use_fast=True)")
    n_windows(0, max_length, stride, tokenizer.num_special_tokens_to_add())  # validates the stride
    if isinstance(texts, str):
        texts = [texts]
    enc = tokenizer(list(texts), truncation=True, max_length=max_length, stride=stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    spans = []
    for offs in enc["offset_mapping"]:
        real = [(s, e) for s, e in offs if e > s]
        spans.append((real[0][0], real[-1][1]) if real else (0, 0))
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
            "doc": list(enc["overflow_to_sample_mapping"]), "offsets": spans}


def truncated_text(tokenizer, text: str, max_length: int = 512) -> str:
    """The prefix of ``text`` that survives ``truncation=True, max_length=max_length`` (original casing kept).

    Useful to show which sections a truncating model never sees.
    """
    offs = tokenizer(text, truncation=True, max_length=max_length, return_offsets_mapping=True)["offset_mapping"]
    ends = [e for s, e in offs if e > s]
    return text[: ends[-1]] if ends else ""


def pool_logits(window_logits, how: str = "mean") -> np.ndarray:
    """Pool ``[W, C]`` per-window logits of one document into ``[C]``.

    ``"mean"``: average over windows; ``"max"``: per-class maximum (a class wins if *any* window is confident
    in it); ``"first"``: the first window only, i.e. plain truncation to ``max_length``; ``"last"``: the last
    window only (tail truncation).

    Raises:
        ValueError: unknown ``how`` or no windows.
    """
    x = np.asarray(window_logits, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"expected [W, C] logits with W ≥ 1, got shape {x.shape}")
    if how == "mean":
        return x.mean(0)
    if how == "max":
        return x.max(0)
    if how == "first":
        return x[0]
    if how == "last":
        return x[-1]
    raise ValueError(f"pool {how!r}: expected one of {POOLS}")


@dataclass
class LongResult:
    """Per-window outputs of :func:`window_logits`.

    Attributes:
        window_logits: list (one per document) of float arrays ``[W_i, C]``.
        offsets: list (one per document) of ``(start_char, end_char)`` per window.
        max_length, stride: the window settings used.
    """

    window_logits: list = field(default_factory=list)
    offsets: list = field(default_factory=list)
    max_length: int = 512
    stride: int = 128

    @property
    def n_windows(self) -> list[int]:
        """Windows per document."""
        return [len(w) for w in self.window_logits]

    def pooled(self, how: str = "mean") -> np.ndarray:
        """``[N, C]`` document logits pooled with :func:`pool_logits`."""
        return np.stack([pool_logits(w, how) for w in self.window_logits])

    def predict(self, how: str = "mean") -> np.ndarray:
        """``[N]`` predicted class per document (argmax of the pooled logits)."""
        return self.pooled(how).argmax(-1)


@torch.no_grad()
def window_logits(model, tokenizer, texts: list[str], max_length: int = 512, stride: int = 128,
                  batch_size: int = 8) -> LongResult:
    """Run a ``*ForSequenceClassification`` model on every sliding window of every text.

    Args:
        model: sequence classifier (any device; inputs are moved to ``model.device``), eval mode is set.
        tokenizer: its fast tokenizer.
        texts: documents of any length.
        max_length: window length in tokens (≤ the model's 512 positions, checked by :func:`check_length`).
        stride: overlap in tokens between consecutive windows.
        batch_size: windows per forward pass (windows are sorted by length to pad little).

    Returns:
        :class:`LongResult`; ``result.predict("first")`` equals classifying the truncated text.

    Raises:
        ValueError: ``max_length`` too long for the model, slow tokenizer, bad stride.
    """
    check_length(model, max_length)
    w = windows(tokenizer, texts, max_length, stride)
    n = len(w["input_ids"])
    order = sorted(range(n), key=lambda i: len(w["input_ids"][i]))
    logits: list = [None] * n
    model.eval()
    device = model.device
    for s in range(0, n, batch_size):
        idx = order[s:s + batch_size]
        batch = tokenizer.pad({"input_ids": [w["input_ids"][i] for i in idx]}, return_tensors="pt")
        with autocast(device):
            out = model(**to_device(dict(batch), device)).logits.float().cpu().numpy()
        for j, i in enumerate(idx):
            logits[i] = out[j]
    res = LongResult(max_length=max_length, stride=stride)
    for d in range(len(texts)):
        ids = [i for i in range(n) if w["doc"][i] == d]
        res.window_logits.append(np.stack([logits[i] for i in ids]))
        res.offsets.append([w["offsets"][i] for i in ids])
    return res


def predict_long(model, tokenizer, texts: list[str], *, max_length: int = 512, stride: int = 128,
                 pool: str = "mean", batch_size: int = 8) -> np.ndarray:
    """Classify documents of any length: sliding windows (:func:`window_logits`) + pooling (:func:`pool_logits`).

    Returns:
        int array ``[N]`` of predicted classes.
    """
    return window_logits(model, tokenizer, texts, max_length, stride, batch_size).predict(pool)


@torch.no_grad()
def encode_long(model, tokenizer, texts: list[str], *, max_length: int = 512, stride: int = 128,
                batch_size: int = 8, normalize: bool = True) -> torch.Tensor:
    """Document embeddings beyond 512 tokens: mean-pooled token vectors per window, averaged over windows
    (weighted by the window's token count).

    Args:
        model: an encoder or any model with ``.base_model``. Other args as in :func:`window_logits`.

    Returns:
        float32 CPU tensor ``[len(texts), hidden]`` (L2-normalised when ``normalize``).
    """
    from .train import mean_pool

    enc_model = getattr(model, "base_model", model)
    check_length(enc_model, max_length)
    w = windows(tokenizer, texts, max_length, stride)
    enc_model.eval()
    device = next(enc_model.parameters()).device
    sums = [None] * len(texts)
    counts = [0.0] * len(texts)
    for s in range(0, len(w["input_ids"]), batch_size):
        ids = w["input_ids"][s:s + batch_size]
        batch = to_device(dict(tokenizer.pad({"input_ids": ids}, return_tensors="pt")), device)
        with autocast(device):
            hidden = enc_model(**batch).last_hidden_state
        vec = mean_pool(hidden.float(), batch["attention_mask"]).cpu()
        for j, d in enumerate(w["doc"][s:s + batch_size]):
            k = float(len(ids[j]))
            sums[d] = vec[j] * k if sums[d] is None else sums[d] + vec[j] * k
            counts[d] += k
    out = torch.stack([sums[d] / counts[d] for d in range(len(texts))])
    return torch.nn.functional.normalize(out, dim=-1) if normalize else out
