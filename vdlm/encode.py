"""Sentence/code embeddings and fill-mask.

:func:`encode` is the library's fast path, used by the notebooks:

* every text is tokenized once; texts are sorted by token length and cut into batches under a token budget
  (short queries go many to a batch, long functions few), so batches pad little;
* on CPU, the Linear layers of encoders with hidden size ≥ 256 run as int8 dynamic quantisation with
  **per-channel** weight scales (:func:`quantize_for_cpu`, cached per model until its weights change); the
  per-tensor scheme cost 0.02 MRR in ``benchmarks/encode_bench.py``, per-channel keeps it within 0.01;
* ``torch.inference_mode``; on CUDA/MPS mixed precision (:func:`vdlm.env.autocast`) and larger batches.

:func:`encode_naive` is the reference: one text per forward pass, float32. ``benchmarks/encode_bench.py``
compares the two (sequences/s and retrieval MRR).
"""
from __future__ import annotations

import copy
import warnings
import weakref

import torch

from .env import autocast, to_device
from .train import mean_pool

#: Default token budget per batch (padded tokens = batch size × longest text) on CPU and on accelerators.
TOKEN_BUDGET = {"cpu": 1024, "accel": 8192}
#: Linear layers narrower than this are not quantised (fbgemm's per-call overhead exceeds the gain).
MIN_QUANT_WIDTH = 256

_QUANT_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _encoder(model):
    """The bare encoder of a ``*ForMaskedLM``/``*ForSequenceClassification`` model, or the model itself."""
    return getattr(model, "base_model", model)


def _weights_version(module: torch.nn.Module) -> tuple:
    """Fingerprint of the weights: data pointers plus per-parameter sums and absolute sums (~10 ms for 23M
    parameters). Optimizer steps update ``p.data`` in place without bumping ``p._version``, so a version counter
    would miss fine-tuning; a changed sum does not."""
    with torch.no_grad():
        params = list(module.parameters())
        sums = torch.stack([torch.stack([p.sum(), p.abs().sum()]).float() for p in params]) if params else None
    return tuple(p.data_ptr() for p in params), (tuple(sums.flatten().tolist()) if sums is not None else ())


def quantize_for_cpu(model, *, per_channel: bool = True, layers: str = "all"):
    """int8 dynamic quantisation of the ``nn.Linear`` layers of ``model``'s encoder (a copy; the original stays).

    Weights are stored as int8 (one scale per output channel when ``per_channel``, else one per matrix);
    activations are quantised per call with one scale per tensor (``torch.ao.quantization.quantize_dynamic``,
    fbgemm kernels, which use AVX-512 VNNI where the CPU has it).

    Args:
        model: encoder or ``*For*`` model (its ``.base_model`` is used); any device, the copy is on CPU.
        per_channel: per-output-channel weight scales (default; much smaller error than per-tensor on BERT-style
            encoders whose rows differ in range).
        layers: ``"all"`` Linear layers, or ``"ffn"``: only the feed-forward ``intermediate.dense`` and
            ``output.dense`` layers (attention projections stay float32).

    Returns:
        The quantised copy in eval mode (CPU only: the quantised kernels have no CUDA/MPS implementation).

    Raises:
        ValueError: unknown ``layers``.
    """
    if layers not in ("all", "ffn"):
        raise ValueError(f"layers={layers!r}: expected 'all' or 'ffn'")
    m = copy.deepcopy(_encoder(model)).cpu().eval()
    qconfig = (torch.ao.quantization.per_channel_dynamic_qconfig if per_channel
               else torch.ao.quantization.default_dynamic_qconfig)
    spec = {}
    for name, mod in m.named_modules():
        if not isinstance(mod, torch.nn.Linear):
            continue
        if layers == "ffn" and not (name.endswith("intermediate.dense")
                                    or (name.endswith("output.dense") and ".attention." not in name)):
            continue
        spec[name] = qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(m, spec, dtype=torch.qint8)


def _should_quantize(enc_model, device: torch.device) -> bool:
    if device.type != "cpu" or "fbgemm" not in torch.backends.quantized.supported_engines:
        return False
    widths = [m.in_features for m in enc_model.modules() if isinstance(m, torch.nn.Linear)]
    return bool(widths) and min(widths) >= MIN_QUANT_WIDTH


def fast_model(model, device: torch.device | None = None, quantize: bool | None = None):
    """The module :func:`encode` runs: the int8 copy from :func:`quantize_for_cpu` (cached per model and
    rebuilt when its weights change, e.g. after fine-tuning), or the float encoder itself.

    Args:
        quantize: ``None`` = automatic (CPU, fbgemm available, every Linear ≥ :data:`MIN_QUANT_WIDTH` wide).
    """
    enc_model = _encoder(model)
    device = device or next(enc_model.parameters()).device
    if quantize is None:
        quantize = _should_quantize(enc_model, device)
    if not quantize:
        return enc_model
    version = _weights_version(enc_model)
    hit = _QUANT_CACHE.get(enc_model)
    if hit is not None and hit[0] == version:
        return hit[1]
    q = quantize_for_cpu(enc_model)
    _QUANT_CACHE[enc_model] = (version, q)
    return q


def plan_batches(lengths: list[int], *, token_budget: int, max_batch: int = 64,
                 sort_by_length: bool = True) -> list[list[int]]:
    """Group text indices into batches whose padded size (count × longest length) stays ≤ ``token_budget``.

    Args:
        lengths: token count of each text.
        token_budget: max padded tokens per batch (a single text longer than the budget gets its own batch).
        max_batch: max texts per batch.
        sort_by_length: ascending length order (stable), so a batch holds texts of similar length; otherwise
            input order.

    Returns:
        Lists of indices; every index appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i]) if sort_by_length else list(range(len(lengths)))
    batches: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i in order:
        new_longest = max(longest, lengths[i])
        if cur and (len(cur) >= max_batch or (len(cur) + 1) * new_longest > token_budget):
            batches.append(cur)
            cur, new_longest = [], lengths[i]
        cur.append(i)
        longest = new_longest
    if cur:
        batches.append(cur)
    return batches


def _pad(ids: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    n, width = len(ids), max(len(x) for x in ids)
    input_ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    for j, x in enumerate(ids):
        input_ids[j, : len(x)] = torch.tensor(x, dtype=torch.long)
        mask[j, : len(x)] = 1
    return input_ids, mask


def encode(model, tokenizer, texts: list[str], *, batch_size: int | None = None, max_length: int = 256,
           sort_by_length: bool = True, normalize: bool = True, quantize: bool | None = None,
           token_budget: int | None = None) -> torch.Tensor:
    """Mean-pooled embeddings of ``texts`` (the fast path; see the module docstring).

    Args:
        model: an encoder (``AutoModel``) or a model with ``.base_model``; on any device.
        tokenizer: its tokenizer; inputs are truncated to ``max_length`` tokens (special tokens included).
        batch_size: max texts per forward pass (default 64); batches are also capped by ``token_budget``.
        sort_by_length: batch texts of similar length together; output order is always the input order.
        normalize: L2-normalise (cosine similarity = dot product).
        quantize: int8 Linear layers on CPU; ``None`` = automatic (see :func:`fast_model`), ``False`` = float32
            (bit-for-bit the same path as :func:`encode_naive` up to padding).
        token_budget: max padded tokens per batch (default :data:`TOKEN_BUDGET`).

    Returns:
        float32 CPU tensor ``[len(texts), hidden]``.
    """
    enc_model = _encoder(model)
    device = next(enc_model.parameters()).device
    runner = fast_model(enc_model, device, quantize)
    runner.eval()
    run_device = torch.device("cpu") if runner is not enc_model else device
    if token_budget is None:
        token_budget = TOKEN_BUDGET["cpu" if run_device.type == "cpu" else "accel"]
    ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"] if len(texts) else []
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    out: list[torch.Tensor | None] = [None] * len(ids)
    with torch.inference_mode():
        for idx in plan_batches([len(x) for x in ids], token_budget=token_budget, max_batch=batch_size or 64,
                                sort_by_length=sort_by_length):
            input_ids, mask = _pad([ids[i] for i in idx], pad_id)
            batch = to_device({"input_ids": input_ids, "attention_mask": mask}, run_device)
            with autocast(run_device):
                hidden = runner(**batch).last_hidden_state
            vec = mean_pool(hidden.float(), batch["attention_mask"])
            if normalize:
                vec = torch.nn.functional.normalize(vec, dim=-1)
            vec = vec.cpu()
            for j, i in enumerate(idx):
                out[i] = vec[j]
    return torch.stack(out) if out else torch.empty(0)


@torch.no_grad()
def encode_naive(model, tokenizer, texts: list[str], *, max_length: int = 256, normalize: bool = True) -> torch.Tensor:
    """Reference implementation: one text per forward pass (tokenized one at a time), float32, no quantisation.

    Returns:
        float32 CPU tensor ``[len(texts), hidden]``, same layout as :func:`encode`.
    """
    enc_model = _encoder(model)
    enc_model.eval()
    device = next(enc_model.parameters()).device
    out = []
    for text in texts:
        batch = to_device(dict(tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")), device)
        with autocast(device):
            hidden = enc_model(**batch).last_hidden_state
        vec = mean_pool(hidden.float(), batch["attention_mask"])
        if normalize:
            vec = torch.nn.functional.normalize(vec, dim=-1)
        out.append(vec[0].cpu())
    return torch.stack(out) if out else torch.empty(0)


@torch.no_grad()
def fill_mask(model, tokenizer, template: str, top_k: int = 5) -> list[tuple[str, float]]:
    """Top-k predictions for the single mask in ``template``.

    Write the mask as ``{mask}``; it is replaced by ``tokenizer.mask_token`` (``<mask>`` for RoBERTa/CodeBERT,
    ``[MASK]`` for BERT/BioBERT), the trap of hard-coding one of them.

    Returns:
        ``[(token, probability), …]`` best first; tokens decoded without the BPE space marker.

    Raises:
        ValueError: the template does not contain exactly one ``{mask}``.
    """
    if template.count("{mask}") != 1:
        raise ValueError("template needs exactly one '{mask}'")
    text = template.replace("{mask}", tokenizer.mask_token)
    enc = tokenizer(text, return_tensors="pt", truncation=True)
    pos = (enc["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0]
    model.eval()
    enc = to_device(dict(enc), model.device)
    with autocast(model.device):
        logits = model(**enc).logits[0, pos].float()
    probs = logits.softmax(-1)
    top = probs.topk(top_k)
    return [(tokenizer.decode([int(i)]).strip(), float(p)) for p, i in zip(top.values, top.indices)]
