"""Optimiser and learning-rate schedule comparisons on the same run budget (notebook 04).

Three adaptive optimisers, each with or without a linear warm-up, built explicitly and handed to
``transformers.Trainer`` through its ``optimizers=(optimizer, scheduler)`` argument, so every run of a grid sees
the same data order, masking, step budget and peak learning rate and differs only in the optimiser/schedule:

=========  ==========================  ==========================================================================
name       class                       source
=========  ==========================  ==========================================================================
``adam``   ``torch.optim.Adam``        Kingma & Ba 2015, ICLR ("Adam: A Method for Stochastic Optimization");
                                       weight decay, if any, is an L2 term added to the gradient
``adamw``  ``torch.optim.AdamW``       Loshchilov & Hutter 2019, ICLR ("Decoupled Weight Decay Regularization"):
                                       the decay is applied to the weights, outside the adaptive scaling
``radam``  ``torch.optim.RAdam``       Liu et al. 2020, ICLR (Eighth ICLR, April 2020; arXiv:1908.03265, 2019)
                                       "On the Variance of the Adaptive Learning Rate and Beyond". The lecture
                                       deck writes "(2019) … Eighth ICLR": year and venue do not match
                                       (references.bib key liu2020radam; docs/references.md)
=========  ==========================  ==========================================================================

Schedules (:func:`build_schedule`): ``linear`` = linear warm-up from 0 to the peak LR over
``round(warmup_ratio × max_steps)`` steps, then linear decay to 0 at ``max_steps`` (BERT's schedule);
``warmup_ratio=0`` = start at the peak and decay linearly.

Weight decay follows BERT practice for every optimiser: biases and LayerNorm weights are not decayed
(the groups are made by :func:`param_groups`). Note: passing ``optimizer_cls_and_kwargs`` with a
``weight_decay`` default to ``Trainer`` does *not* decay anything, because Trainer's own parameter groups
carry ``args.weight_decay`` (0.0 by default) and a group value overrides the constructor default.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import torch

OPTIMIZER_CLASSES = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "radam": torch.optim.RAdam,
}

#: Short citations per optimiser, for tables and provenance lines.
CITATIONS = {
    "adam": "Kingma & Ba 2015, ICLR",
    "adamw": "Loshchilov & Hutter 2019, ICLR",
    "radam": "Liu et al. 2020, ICLR",
}

NO_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias", "layer_norm", "layernorm")


@dataclass(frozen=True)
class OptimConfig:
    """One cell of an optimiser × schedule grid.

    Attributes:
        optimizer: ``"adam"``, ``"adamw"`` or ``"radam"``.
        warmup_ratio: share of ``max_steps`` used for linear warm-up (0 = none).
        lr: peak learning rate.
        weight_decay: decay coefficient λ (L2 gradient term for Adam/RAdam, decoupled for AdamW).
        betas, eps: Adam moment coefficients and denominator epsilon (PyTorch defaults).
    """

    optimizer: str = "adamw"
    warmup_ratio: float = 0.0
    lr: float = 1e-4
    weight_decay: float = 0.01
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8

    @property
    def label(self) -> str:
        """e.g. ``"AdamW + 预热 10%"`` / ``"RAdam, 无预热"`` (Chinese labels for plots and tables)."""
        name = {"adam": "Adam", "adamw": "AdamW", "radam": "RAdam"}[self.optimizer]
        return f"{name} + 预热 {self.warmup_ratio:.0%}" if self.warmup_ratio > 0 else f"{name}, 无预热"


def grid(optimizers=("adam", "adamw", "radam"), warmups=(0.0, 0.1), **common) -> list[OptimConfig]:
    """The optimiser × warm-up grid: one :class:`OptimConfig` per pair, all sharing ``common`` (lr, decay…).

    Returns:
        ``len(optimizers) × len(warmups)`` configs, optimiser-major order.

    Raises:
        KeyError: an unknown optimiser name.
    """
    out = []
    for name in optimizers:
        if name not in OPTIMIZER_CLASSES:
            raise KeyError(f"optimizer {name!r}: expected one of {sorted(OPTIMIZER_CLASSES)}")
        for w in warmups:
            out.append(OptimConfig(optimizer=name, warmup_ratio=w, **common))
    return out


def param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Trainable parameters in two groups: decayed (weight matrices, embeddings) and not decayed (biases,
    LayerNorm), as in BERT's optimiser. Frozen parameters (``requires_grad=False``) are left out.

    Returns:
        ``[{"params": [...], "weight_decay": weight_decay}, {"params": [...], "weight_decay": 0.0}]``
        (an empty group is dropped).
    """
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if any(k in name for k in NO_DECAY) else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def build_optimizer(model: torch.nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    """The optimiser of ``cfg`` over ``model``'s trainable parameters (:func:`param_groups`).

    Adam (Kingma & Ba 2015) and RAdam (Liu et al. 2020) take ``weight_decay`` as an L2 term added to the
    gradient, so it is then rescaled by 1/√v̂; AdamW (Loshchilov & Hutter 2019) multiplies the weights by
    ``1 - lr·λ`` each step, outside the adaptive scaling. ``torch.optim.RAdam`` uses the rectification of
    Liu et al.: while the variance of the adaptive learning rate cannot be estimated (ρ_t ≤ 5 in PyTorch's
    implementation) the step is SGD with momentum, then the adaptive step is scaled by r_t → 1.

    Raises:
        KeyError: unknown ``cfg.optimizer``. ValueError: no trainable parameters.
    """
    cls = OPTIMIZER_CLASSES[cfg.optimizer]
    groups = param_groups(model, cfg.weight_decay)
    if not groups:
        raise ValueError("the model has no trainable parameters")
    return cls(groups, lr=cfg.lr, betas=tuple(cfg.betas), eps=cfg.eps)


def lr_lambda(step: int, max_steps: int, warmup_steps: int) -> float:
    """Multiplier of the peak LR at ``step`` (0-based): linear warm-up to 1 over ``warmup_steps`` steps
    (step 0 → 1/warmup_steps, never exactly 0), then linear decay to 0 at ``max_steps``."""
    if warmup_steps > 0 and step < warmup_steps:
        return (step + 1) / warmup_steps
    return max(0.0, (max_steps - step) / max(1, max_steps - warmup_steps))


def build_schedule(optimizer: torch.optim.Optimizer, max_steps: int, warmup_ratio: float = 0.0):
    """``LambdaLR`` with linear warm-up over ``round(warmup_ratio × max_steps)`` steps then linear decay
    (:func:`lr_lambda`); Trainer calls ``scheduler.step()`` once per optimiser step.

    Raises:
        ValueError: ``max_steps < 1`` or ``warmup_ratio`` outside [0, 1).
    """
    if max_steps < 1:
        raise ValueError("max_steps must be ≥ 1")
    if not 0.0 <= warmup_ratio < 1.0:
        raise ValueError("warmup_ratio must be in [0, 1)")
    warm = int(round(warmup_ratio * max_steps))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_lambda(s, max_steps, warm))


def make_optimizers(model: torch.nn.Module, cfg: OptimConfig, max_steps: int):
    """``(optimizer, scheduler)`` for ``Trainer(optimizers=…)`` / :func:`vdlm.train.mlm_train(optimizers=…)`.

    Build it *after* freezing parameters (only trainable ones are optimised) and after moving the model to
    its device.
    """
    opt = build_optimizer(model, cfg)
    return opt, build_schedule(opt, max_steps, cfg.warmup_ratio)


def lr_curve(cfg: OptimConfig, max_steps: int) -> list[float]:
    """The learning rate at each of ``max_steps`` steps under ``cfg`` (for plotting the schedule)."""
    warm = int(round(cfg.warmup_ratio * max_steps))
    return [cfg.lr * lr_lambda(s, max_steps, warm) for s in range(max_steps)]


def radam_rectifier(steps: int, beta2: float = 0.999, threshold: float = 5.0) -> list[float]:
    """RAdam's variance rectification term r_t for t = 1..``steps`` (Liu et al. 2020, Algorithm 2).

    ρ_∞ = 2/(1-β₂) - 1 and ρ_t = ρ_∞ - 2tβ₂ᵗ/(1-β₂ᵗ) are the lengths of the simple moving average that
    approximates the EMA of squared gradients; r_t = √((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t)). While
    ρ_t ≤ ``threshold`` (5 in ``torch.optim.RAdam``; 4 in the paper) the variance of the adaptive learning
    rate is not defined and RAdam takes an un-adapted momentum step (returned as 0.0 here: "no adaptive
    step"). r_t rises towards 1 as t grows, an automatic warm-up of the adaptive part.

    Returns:
        list of ``steps`` floats in [0, 1].
    """
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    out = []
    for t in range(1, steps + 1):
        bt = beta2 ** t
        rho = rho_inf - 2.0 * t * bt / (1.0 - bt)
        if rho <= threshold:
            out.append(0.0)
        else:
            out.append(math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)))
    return out


# ---------------------------------------------------------------- held-out MLM loss -----------------------

@torch.no_grad()
def mlm_eval_loss(model, tokenizer, texts: list[str], *, seq_len: int = 64, max_blocks: int = 64,
                  batch_size: int = 32, seed: int = 1234) -> float:
    """Held-out masked-LM loss: mean cross-entropy (nats) over the masked positions of ``texts``.

    The texts are cut into ``seq_len``-token blocks (:func:`vdlm.train.mlm_blocks`, first ``max_blocks``) and
    masked BERT-style with a fixed ``seed`` (:func:`vdlm.train.mask_tokens`), so two models, or one model
    before and after training, are scored on exactly the same positions. ``exp(loss)`` is the (pseudo-)
    perplexity over the masked positions.

    Args:
        model: ``*ForMaskedLM`` with a trained MLM head (``.cls`` or ``.lm_head``), on any device.

    Returns:
        float loss in nats.

    Raises:
        ValueError: the texts are too short to make one block.
    """
    from .train import mask_tokens, mlm_blocks

    blocks = mlm_blocks(tokenizer, texts, seq_len)[:max_blocks]
    if not blocks:
        raise ValueError(f"texts too short for one block of {seq_len} tokens")
    inp, lab = mask_tokens(tokenizer, torch.tensor(blocks), torch.Generator().manual_seed(seed))
    was_training = model.training
    model.eval()
    dev = next(model.parameters()).device
    head = model.cls if hasattr(model, "cls") else model.lm_head
    total, count = 0.0, 0
    for i in range(0, len(inp), batch_size):
        x, y = inp[i:i + batch_size].to(dev), lab[i:i + batch_size].to(dev)
        hidden = model.base_model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
        sel = y != -100
        logits = head(hidden[sel]).float()
        total += torch.nn.functional.cross_entropy(logits, y[sel], reduction="sum").item()
        count += int(sel.sum())
    model.train(was_training)
    return total / max(1, count)


def perplexity(loss: float) -> float:
    """exp(loss), capped at exp(50) to avoid overflow."""
    return math.exp(min(loss, 50.0))


# ---------------------------------------------------------------- grid runner -----------------------------

@dataclass
class GridResult:
    """One run of :func:`compare_mlm`: its config, :class:`vdlm.train.RunLog`, held-out losses (nats) per
    named evaluation set after training, and the learning rate per step."""

    cfg: OptimConfig
    log: object
    heldout: dict = field(default_factory=dict)
    lrs: list = field(default_factory=list)


def compare_mlm(base_model, tokenizer, texts: list[str], configs: list[OptimConfig], *, max_steps: int,
                eval_sets: dict[str, list[str]] | None = None, seed: int = 0, verbose: bool = True,
                **mlm_kwargs) -> list[GridResult]:
    """Run :func:`vdlm.train.mlm_train` once per config from a fresh copy of ``base_model``, same budget.

    Every run copies the base weights (``copy.deepcopy``), uses the same ``seed`` (data order, masking) and
    ``max_steps``; only the optimiser and schedule differ (:func:`make_optimizers`).

    Args:
        base_model: ``*ForMaskedLM`` (not modified).
        texts: training corpus. configs: e.g. :func:`grid`.
        eval_sets: name → held-out texts, scored after each run with :func:`mlm_eval_loss`.
        mlm_kwargs: passed to ``mlm_train`` (``batch_size``, ``seq_len``, ``train_layers``, ``eval_texts``…);
            ``lr``/``optimizer``/``warmup_ratio`` come from each config.

    Returns:
        list of :class:`GridResult`, in ``configs`` order.
    """
    from .train import freeze_encoder, mlm_train

    out = []
    for cfg in configs:
        model = copy.deepcopy(base_model)
        torch.manual_seed(seed)
        # freeze exactly as mlm_train will, so the optimiser only holds trainable parameters
        if mlm_kwargs.get("freeze_embeddings", True):
            model.get_input_embeddings().weight.requires_grad_(False)
        if mlm_kwargs.get("train_layers") is not None:
            freeze_encoder(model, keep_top=mlm_kwargs["train_layers"])
        opts = make_optimizers(model, cfg, max_steps)
        t0 = time.perf_counter()
        log = mlm_train(model, tokenizer, texts, max_steps=max_steps, lr=cfg.lr, optimizer=cfg.optimizer,
                        warmup_ratio=cfg.warmup_ratio, seed=seed, optimizers=opts, **mlm_kwargs)
        res = GridResult(cfg, log, lrs=lr_curve(cfg, max_steps))
        for name, ev in (eval_sets or {}).items():
            res.heldout[name] = mlm_eval_loss(model, tokenizer, ev, seq_len=mlm_kwargs.get("seq_len", 64))
        if verbose:
            held = ", ".join(f"{k} {v:.3f}" for k, v in res.heldout.items())
            print(f"{cfg.label:<18} loss {log.loss[0]:.3f} → {log.loss[-1]:.3f} | 留出 {held} | "
                  f"{time.perf_counter() - t0:.1f} s")
        out.append(res)
        del model
    return out
