"""Fine-tuning strategies for an encoder with a task head (notebook 05): full fine-tuning, frozen encoder +
linear head, top-k layers unfrozen, and LoRA through the ``peft`` library.

LoRA (Hu et al. 2022, ICLR, "LoRA: Low-Rank Adaptation of Large Language Models") freezes a weight
``W₀ ∈ R^{d×k}`` and learns ``ΔW = B·A`` with ``B ∈ R^{d×r}``, ``A ∈ R^{r×k}``, ``r ≪ min(d, k)``; ``B`` starts
at 0 so the adapted model starts equal to the pre-trained one; the update is scaled by ``alpha / r``. For a
BERT layer the default targets are the ``query`` and ``value`` projections of self-attention. None of the
three lecture papers (CodeBERT, BioBERT, Clinical BERT) used LoRA: they fine-tuned every weight.

All functions work on Hugging Face ``*ForTokenClassification`` / ``*ForSequenceClassification`` models of
the BERT/RoBERTa family (anything :func:`vdlm.train.freeze_encoder` accepts) and keep the task head
(``classifier``) trainable.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .train import count_parameters, freeze_encoder

STRATEGIES = ("full", "frozen", "top_k", "lora")

#: Chinese names for tables and plots.
NAMES_ZH = {
    "full": "全参数微调",
    "frozen": "冻结编码器 + 线性头",
    "top_k": "只解冻顶部 {k} 层",
    "lora": "LoRA (r={r})",
}


@dataclass(frozen=True)
class ParamCount:
    """Trainable and total parameter counts of a model (PEFT wrappers included).

    Attributes:
        trainable, total: numbers of scalar parameters. percent: 100 × trainable / total.
    """

    trainable: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.trainable / max(1, self.total)

    def __str__(self) -> str:
        return f"{self.trainable:,} / {self.total:,} ({self.percent:.2f} %)"


def param_count(model: torch.nn.Module) -> ParamCount:
    """:class:`ParamCount` of ``model`` (``requires_grad`` parameters vs all; LoRA's frozen base counts in
    ``total``, so the percentage is relative to the whole adapted model)."""
    return ParamCount(*count_parameters(model))


def lora_config(task: str = "token-cls", r: int = 8, alpha: int = 16, dropout: float = 0.1,
                target_modules=("query", "value"), head: str = "classifier"):
    """A ``peft.LoraConfig`` for a BERT/RoBERTa encoder with a task head.

    Args:
        task: ``"token-cls"`` (NER) or ``"seq-cls"`` (sentence classification).
        r: rank of ΔW = B·A. alpha: scaling numerator (update scaled by alpha / r). dropout: on the LoRA input.
        target_modules: names of the Linear layers that get an adapter (BERT: ``query``, ``key``, ``value``,
            ``dense``…). head: the task head, trained in full (``modules_to_save``) because it is new.

    Raises:
        ValueError: unknown ``task``.
    """
    from peft import LoraConfig, TaskType

    kinds = {"token-cls": TaskType.TOKEN_CLS, "seq-cls": TaskType.SEQ_CLS}
    if task not in kinds:
        raise ValueError(f"task {task!r}: expected one of {sorted(kinds)}")
    return LoraConfig(task_type=kinds[task], r=r, lora_alpha=alpha, lora_dropout=dropout,
                      target_modules=list(target_modules), modules_to_save=[head], bias="none")


def add_lora(model, task: str = "token-cls", **kwargs):
    """Wrap ``model`` with LoRA adapters (:func:`lora_config`); the base weights are frozen in place.

    Returns:
        ``peft.PeftModel``: call it like the original model; ``.merge_and_unload()`` folds ΔW back into W₀.
    """
    import warnings

    from peft import get_peft_model

    with warnings.catch_warnings():  # peft reads transformers' deprecated ``is_gradient_checkpointing``
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
        return get_peft_model(model, lora_config(task, **kwargs))


def lora_param_formula(d: int, k: int, r: int) -> tuple[int, int]:
    """(LoRA parameters r·(d + k), full-matrix parameters d·k) for one ``d × k`` weight (biases excluded).

    Example: d = k = 768, r = 8 → (12288, 589824), about 2 %.
    """
    return r * (d + k), d * k


def apply_strategy(model, strategy: str, *, k: int = 2, task: str = "token-cls", r: int = 8, alpha: int = 16):
    """Prepare a freshly loaded model for one fine-tuning strategy.

    Args:
        model: ``*ForTokenClassification`` / ``*ForSequenceClassification`` (all parameters trainable).
        strategy: ``"full"`` (nothing frozen), ``"frozen"`` (embeddings + all encoder layers frozen, only the
            head trains: feature extraction), ``"top_k"`` (top ``k`` encoder layers + head train), ``"lora"``
            (:func:`add_lora` with rank ``r``).
        task: for LoRA's task type.

    Returns:
        The model to train (a ``PeftModel`` for ``"lora"``, else ``model`` itself).

    Raises:
        ValueError: unknown strategy, or ``k`` outside 1..number of layers for ``"top_k"``.
    """
    if strategy == "full":
        return model
    if strategy == "frozen":
        freeze_encoder(model, keep_top=0)
        return model
    if strategy == "top_k":
        n = len(model.base_model.encoder.layer)
        if not 1 <= k <= n:
            raise ValueError(f"k={k}: expected 1..{n}")
        freeze_encoder(model, keep_top=k)
        return model
    if strategy == "lora":
        return add_lora(model, task, r=r, alpha=alpha)
    raise ValueError(f"strategy {strategy!r}: expected one of {STRATEGIES}")


def strategy_name(strategy: str, k: int = 2, r: int = 8) -> str:
    """Chinese display name, e.g. ``"LoRA (r=8)"``, ``"只解冻顶部 2 层"``."""
    return NAMES_ZH[strategy].format(k=k, r=r)
