"""Training with ``transformers.Trainer``: masked-LM (domain-adaptive pre-training), token and sequence
classification, and contrastive (in-batch negatives) fine-tuning for code search.

All functions return a :class:`RunLog` with the loss history, wall time and trainable-parameter count, so
notebooks can plot curves and compare strategies on the same budget. Precision follows
:func:`vdlm.env.autocast_dtype` (float32 on CPU, bf16/fp16 mixed precision on CUDA).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from transformers import (
    DataCollatorForTokenClassification,
    PrinterCallback,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)

from .env import autocast_dtype, cache_dir, get_device

#: ``optimizer`` name → (class, weight decay λ). λ goes through ``TrainingArguments.weight_decay``: Trainer
#: builds two parameter groups (decay / no decay for biases and LayerNorm) whose ``weight_decay`` overrides any
#: constructor default, so a λ passed to the optimizer class itself would be silently dropped. Adam and RAdam
#: get λ = 0 (their ``weight_decay`` is an L2 gradient term, not the decoupled decay of AdamW).
OPTIMIZERS = {
    "adam": (torch.optim.Adam, 0.0),
    "adamw": (torch.optim.AdamW, 0.01),
    "radam": (torch.optim.RAdam, 0.0),
}


@dataclass
class RunLog:
    """What a training run did.

    Attributes:
        steps, loss: training-loss curve (optimizer step, mean loss over the logging window).
        eval_steps, eval_loss: held-out loss curve (for MLM: perplexity = exp(eval_loss)).
        seconds: wall time of ``trainer.train()`` in s.
        trainable, total: parameter counts.
        metrics: final task metrics (filled by the caller).
    """

    steps: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    eval_steps: list = field(default_factory=list)
    eval_loss: list = field(default_factory=list)
    seconds: float = 0.0
    trainable: int = 0
    total: int = 0
    metrics: dict = field(default_factory=dict)

    @property
    def perplexity(self) -> list:
        """exp(eval_loss) per evaluation (MLM pseudo-perplexity over the masked positions)."""
        return [math.exp(min(x, 50)) for x in self.eval_loss]


def freeze_encoder(model, keep_top: int = 0) -> None:
    """Freeze the embeddings and all but the top ``keep_top`` encoder layers of a BERT/RoBERTa model
    (heads stay trainable). ``keep_top=0`` = frozen encoder + trainable head ("feature extraction")."""
    base = model.base_model
    for p in base.embeddings.parameters():
        p.requires_grad_(False)
    layers = base.encoder.layer
    for layer in layers[: len(layers) - keep_top]:
        for p in layer.parameters():
            p.requires_grad_(False)
    if keep_top == 0 and getattr(base, "pooler", None) is not None:
        for p in base.pooler.parameters():
            p.requires_grad_(False)


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, total


def training_args(*, max_steps: int, batch_size: int, lr: float, warmup_ratio: float = 0.0, seed: int = 0,
                  logging_steps: int = 10, eval_steps: int | None = None, scheduler: str = "linear",
                  weight_decay: float = 0.0) -> TrainingArguments:
    """``TrainingArguments`` for short demo runs: no checkpoints, no reporting, device/precision from vdlm.env."""
    device = get_device()
    dt = autocast_dtype(device)
    return TrainingArguments(
        output_dir=str(cache_dir() / "trainer-tmp"),
        max_steps=max_steps,
        per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=max(batch_size, 16),
        learning_rate=lr,
        warmup_steps=int(round(warmup_ratio * max_steps)),
        lr_scheduler_type=scheduler,
        weight_decay=weight_decay,
        logging_steps=logging_steps,
        eval_strategy="steps" if eval_steps else "no",
        eval_steps=eval_steps,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        seed=seed,
        data_seed=seed,
        use_cpu=device.type == "cpu",
        bf16=dt == torch.bfloat16 and device.type == "cuda",
        fp16=dt == torch.float16 and device.type == "cuda",
        dataloader_num_workers=0,
        remove_unused_columns=False,
    )


def _run(trainer: Trainer, model: torch.nn.Module) -> RunLog:
    trainer.remove_callback(PrinterCallback)  # the notebooks plot the log instead of printing dicts
    log = RunLog()
    log.trainable, log.total = count_parameters(model)
    t0 = time.perf_counter()
    trainer.train()
    log.seconds = time.perf_counter() - t0
    for h in trainer.state.log_history:
        if "loss" in h:
            log.steps.append(h["step"])
            log.loss.append(h["loss"])
        if "eval_loss" in h:
            log.eval_steps.append(h["step"])
            log.eval_loss.append(h["eval_loss"])
    model.eval()
    return log


# ---------------------------------------------------------------- masked LM ----------------------------

class _ListDataset(torch.utils.data.Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def mlm_blocks(tokenizer, texts: list[str], seq_len: int) -> list[list[int]]:
    """Tokenize ``texts``, join them with the separator token and cut into blocks of ``seq_len`` ids
    (``[CLS] … [SEP]`` / ``<s> … </s>`` around each block), like run_mlm.py's ``group_texts``."""
    ids: list[int] = []
    sep = tokenizer.sep_token_id
    for enc in tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]:
        ids.extend(enc + [sep])
    n = seq_len - 2
    return [[tokenizer.cls_token_id] + ids[i:i + n] + [sep] for i in range(0, len(ids) - n + 1, n)]


def mask_tokens(tokenizer, block: torch.Tensor, generator: torch.Generator, prob: float = 0.15):
    """BERT masking (Devlin et al. 2019, §3.1) of a ``[B, L]`` id tensor: choose ``prob`` of the non-special
    positions; of those 80 % → ``tokenizer.mask_token_id``, 10 % → random id, 10 % unchanged.

    Returns:
        (input_ids, labels): labels are -100 except at chosen positions (the original ids).
    """
    inputs = block.clone()
    labels = block.clone()
    special = torch.zeros_like(block, dtype=torch.bool)
    for sid in tokenizer.all_special_ids:
        special |= block == sid
    chosen = (torch.rand(block.shape, generator=generator) < prob) & ~special
    labels[~chosen] = -100
    r = torch.rand(block.shape, generator=generator)
    inputs[chosen & (r < 0.8)] = tokenizer.mask_token_id
    rand_pos = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rand_pos] = torch.randint(len(tokenizer), block.shape, generator=generator)[rand_pos]
    return inputs, labels


class _MLMCollator:
    def __init__(self, tokenizer, seed: int):
        self.tokenizer = tokenizer
        self.gen = torch.Generator().manual_seed(seed)

    def __call__(self, items):
        if isinstance(items[0], dict):  # pre-masked evaluation items
            return {k: torch.stack([torch.as_tensor(x[k]) for x in items]) for k in items[0]}
        block = torch.tensor(items)
        inputs, labels = mask_tokens(self.tokenizer, block, self.gen)
        return {"input_ids": inputs, "attention_mask": torch.ones_like(inputs), "labels": labels}


class MaskedOnlyMLMTrainer(Trainer):
    """Trainer whose MLM loss runs the vocabulary projection only at masked positions.

    Same loss as ``BertForMaskedLM``/``RobertaForMaskedLM`` (mean cross-entropy over labelled positions) but
    the ``[N_masked, V]`` logits replace ``[B, L, V]``: ~20 % faster per step on CPU.
    """

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        base = model.base_model
        hidden = base(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).last_hidden_state
        head = model.cls if hasattr(model, "cls") else model.lm_head
        sel = labels != -100
        logits = head(hidden[sel])
        loss = torch.nn.functional.cross_entropy(logits.float(), labels[sel])
        return (loss, {"logits": logits}) if return_outputs else loss

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        with torch.no_grad():
            loss = self.compute_loss(model, dict(inputs))
        return loss.detach(), None, None


def mlm_train(model, tokenizer, texts: list[str], *, max_steps: int, batch_size: int = 16, seq_len: int = 64,
              lr: float = 1e-4, optimizer: str = "adamw", warmup_ratio: float = 0.06, eval_texts=None,
              n_evals: int = 8, logging_steps: int | None = None, freeze_embeddings: bool = True,
              train_layers: int | None = None, max_eval_blocks: int = 128, seed: int = 0,
              optimizers=None) -> RunLog:
    """Continue masked-LM pre-training (domain-adaptive pre-training, Gururangan et al. 2020) with Trainer.

    Args:
        model: ``*ForMaskedLM`` model (its MLM head may be freshly initialised).
        tokenizer: its tokenizer (uses ``mask_token_id``, ``cls``/``sep`` ids).
        texts: domain corpus; cut into blocks of ``seq_len`` tokens (:func:`mlm_blocks`).
        max_steps, batch_size, seq_len: run budget (tokens seen = steps × batch × seq_len).
        lr: peak learning rate; linear decay after ``warmup_ratio`` × ``max_steps`` warm-up steps.
        optimizer: ``"adam"``, ``"adamw"`` or ``"radam"`` (``torch.optim.RAdam``, Liu et al. 2020).
        eval_texts: held-out corpus; masked once with a fixed seed so every run sees the same positions.
        n_evals: evaluations over the run (eval loss → perplexity curve).
        freeze_embeddings: keep the (tied) word embeddings fixed: the vocabulary is unchanged, as in
            BioBERT, and each CPU step is ~20 % cheaper.
        train_layers: update only the top ``train_layers`` encoder layers (+ the MLM head); None = all.
            Back-propagation then stops early: on 2 CPU cores top-2 of 6 layers costs ~1/3 of a full step.
        max_eval_blocks: cap on held-out blocks evaluated each time.
        seed: data order, masking and head initialisation.
        optimizers: optional ``(optimizer, scheduler)`` for ``Trainer(optimizers=…)``, e.g. from
            :func:`vdlm.optim.make_optimizers`; then ``optimizer``/``warmup_ratio`` are not used to build
            them. Build it after freezing (see ``freeze_embeddings``/``train_layers``).

    Returns:
        :class:`RunLog` (loss curve per ``logging_steps``, eval loss curve, seconds, parameter counts).
    """
    torch.manual_seed(seed)
    if freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    if train_layers is not None:
        freeze_encoder(model, keep_top=train_layers)
    train = _ListDataset(mlm_blocks(tokenizer, texts, seq_len))
    evalset = None
    if eval_texts:
        blocks = torch.tensor(mlm_blocks(tokenizer, eval_texts, seq_len)[:max_eval_blocks])
        inp, lab = mask_tokens(tokenizer, blocks, torch.Generator().manual_seed(1234))
        evalset = _ListDataset([{"input_ids": i, "attention_mask": torch.ones_like(i), "labels": l}
                                for i, l in zip(inp, lab)])
    opt_cls, decay = OPTIMIZERS[optimizer]
    args = training_args(max_steps=max_steps, batch_size=batch_size, lr=lr, warmup_ratio=warmup_ratio, seed=seed,
                         weight_decay=decay if optimizers is None else 0.0,
                         logging_steps=logging_steps or max(1, max_steps // 40),
                         eval_steps=max(1, max_steps // n_evals) if evalset else None)
    model.train()
    trainer = MaskedOnlyMLMTrainer(model=model, args=args, train_dataset=train, eval_dataset=evalset,
                                   data_collator=_MLMCollator(tokenizer, seed),
                                   **({"optimizers": optimizers} if optimizers is not None else
                                      {"optimizer_cls_and_kwargs": (opt_cls, {"lr": lr})}))
    trainer.remove_callback(PrinterCallback)
    log = RunLog()
    if evalset is not None:  # the starting point of the perplexity curve
        log.eval_steps.append(0)
        log.eval_loss.append(trainer.evaluate()["eval_loss"])
    run = _run(trainer, model)
    run.eval_steps = log.eval_steps + run.eval_steps
    run.eval_loss = log.eval_loss + run.eval_loss
    return run


class _HeadOnFeatures(torch.nn.Module):
    """Wraps an MLM head so Trainer can fit it on cached encoder outputs: ``(features, labels) → loss``."""

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, features, labels):
        return {"loss": torch.nn.functional.cross_entropy(self.head(features).float(), labels)}


@torch.no_grad()
def _masked_features(model, tokenizer, texts, seq_len, max_blocks, seed):
    blocks = torch.tensor(mlm_blocks(tokenizer, texts, seq_len)[:max_blocks])
    gen = torch.Generator().manual_seed(seed)
    feats, labs = [], []
    base = model.base_model.eval()
    dev = next(base.parameters()).device
    for rep in range(2):  # two different maskings of each block
        inp, lab = mask_tokens(tokenizer, blocks, gen)
        for i in range(0, len(inp), 32):
            x, y = inp[i:i + 32].to(dev), lab[i:i + 32]
            h = base(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state.float().cpu()
            sel = y != -100
            feats.append(h[sel])
            labs.append(y[sel])
    return torch.cat(feats), torch.cat(labs)


def fit_mlm_head(model, tokenizer, texts: list[str], *, seq_len: int = 64, max_blocks: int = 400,
                 max_steps: int = 300, batch_size: int = 256, lr: float = 2e-3, seed: int = 0) -> RunLog:
    """Fit a fresh MLM head on a *frozen* encoder: encode masked blocks once, then train only the head on the
    cached hidden states of the masked positions (Trainer, AdamW, linear decay).

    Why: all-MiniLM-L6-v2 ships without an MLM head; training head and encoder together from a random head
    first spends hundreds of (expensive) steps teaching the head what the encoder already knows. Fitting the
    head on cached features costs one forward pass over ``max_blocks`` blocks plus cheap ``[B, H] × [H, V]``
    steps (the decoder stays tied to the word embeddings; its weights are not updated).

    Returns:
        :class:`RunLog` of the head fit (train loss = MLM cross-entropy at the masked positions).
    """
    torch.manual_seed(seed)
    feats, labs = _masked_features(model, tokenizer, texts, seq_len, max_blocks, seed)
    head = model.cls if hasattr(model, "cls") else model.lm_head
    module = _HeadOnFeatures(head)
    for n, p in module.named_parameters():
        p.requires_grad_(not n.endswith("decoder.weight"))
    data = _ListDataset([{"features": f, "labels": l} for f, l in zip(feats, labs)])
    args = training_args(max_steps=max_steps, batch_size=batch_size, lr=lr, warmup_ratio=0.05, seed=seed,
                         logging_steps=max(1, max_steps // 20))
    trainer = Trainer(model=module, args=args, train_dataset=data,
                      data_collator=lambda items: {k: torch.stack([x[k] for x in items]) for k in items[0]})
    log = _run(trainer, module)
    for p in module.parameters():
        p.requires_grad_(True)
    return log


# ---------------------------------------------------------------- token classification (NER) ---------

def align_labels(tokenizer, words: list[list[str]], tags: list[list[str]], label2id: dict, max_length: int = 128):
    """Tokenize pre-split sentences and align BIO tags to sub-words: the first piece of a word gets its tag,
    later pieces and special tokens get -100 (ignored by the loss), as in BioBERT's NER fine-tuning.

    Returns:
        list of dicts with ``input_ids``, ``attention_mask``, ``labels`` (lists of equal length ≤ max_length).
    """
    enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    out = []
    for i, sent_tags in enumerate(tags):
        prev = None
        labels = []
        for w in enc.word_ids(i):
            labels.append(-100 if w is None or w == prev else label2id[sent_tags[w]])
            prev = w
        out.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i], "labels": labels})
    return out


def train_token_classifier(model, tokenizer, words, tags, label_list: list[str], *, epochs: float = 3,
                           batch_size: int = 16, lr: float = 5e-5, seed: int = 0, max_length: int = 128) -> RunLog:
    """Fine-tune a ``*ForTokenClassification`` model on BIO-tagged sentences with Trainer (linear warm-up 10 %).

    Args:
        words: sentences as word lists. tags: BIO tags per word (strings in ``label_list``).
        epochs: passes over the data (converted to optimizer steps).
    """
    torch.manual_seed(seed)
    label2id = {l: i for i, l in enumerate(label_list)}
    data = _ListDataset(align_labels(tokenizer, words, tags, label2id, max_length))
    steps = max(1, math.ceil(len(data) / batch_size * epochs))
    args = training_args(max_steps=steps, batch_size=batch_size, lr=lr, warmup_ratio=0.1, seed=seed,
                         logging_steps=max(1, steps // 20))
    model.train()
    trainer = Trainer(model=model, args=args, train_dataset=data,
                      data_collator=DataCollatorForTokenClassification(tokenizer))
    return _run(trainer, model)


@torch.no_grad()
def predict_tags(model, tokenizer, words: list[list[str]], label_list: list[str], batch_size: int = 32,
                 max_length: int = 128) -> list[list[str]]:
    """Predict one BIO tag per *word* (the tag of its first sub-word). Words cut off by truncation get "O"."""
    from .env import autocast, to_device

    model.eval()
    out: list[list[str]] = []
    for i in range(0, len(words), batch_size):
        chunk = words[i:i + batch_size]
        enc = tokenizer(chunk, is_split_into_words=True, truncation=True, max_length=max_length,
                        padding=True, return_tensors="pt")
        with autocast(model.device):
            logits = model(**to_device(dict(enc), model.device)).logits
        pred = logits.argmax(-1).cpu().numpy()
        for j, sent in enumerate(chunk):
            tags = ["O"] * len(sent)
            seen = set()
            for pos, w in enumerate(enc.word_ids(j)):
                if w is not None and w not in seen:
                    seen.add(w)
                    tags[w] = label_list[pred[j, pos]]
            out.append(tags)
    return out


# ---------------------------------------------------------------- sequence classification -------------

def train_sequence_classifier(model, tokenizer, texts: list[str], labels: list[int], *, epochs: float = 3,
                              batch_size: int = 16, lr: float = 5e-5, max_length: int = 256, seed: int = 0,
                              warmup_ratio: float = 0.1) -> RunLog:
    """Fine-tune a ``*ForSequenceClassification`` model (or a PEFT-wrapped one) with Trainer.

    Texts longer than ``max_length`` tokens are truncated (see :func:`vdlm.longdoc.predict_long` for
    sliding-window inference on long notes).
    """
    torch.manual_seed(seed)
    enc = tokenizer(texts, truncation=True, max_length=max_length)
    data = _ListDataset([{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                          "labels": int(labels[i])} for i in range(len(texts))])
    steps = max(1, math.ceil(len(data) / batch_size * epochs))
    args = training_args(max_steps=steps, batch_size=batch_size, lr=lr, warmup_ratio=warmup_ratio, seed=seed,
                         logging_steps=max(1, steps // 20))
    model.train()
    trainer = Trainer(model=model, args=args, train_dataset=data, data_collator=DataCollatorWithPadding(tokenizer))
    return _run(trainer, model)


# ---------------------------------------------------------------- contrastive (code search) -----------

def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of token vectors over the attention mask: ``[B, L, H]``, ``[B, L]`` → ``[B, H]``."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-6)


class _PairCollator:
    def __init__(self, tokenizer, q_len: int, c_len: int):
        self.tok, self.q_len, self.c_len = tokenizer, q_len, c_len

    def __call__(self, items):
        q = self.tok([x[0] for x in items], truncation=True, max_length=self.q_len, padding=True, return_tensors="pt")
        c = self.tok([x[1] for x in items], truncation=True, max_length=self.c_len, padding=True, return_tensors="pt")
        return {"q_input_ids": q["input_ids"], "q_attention_mask": q["attention_mask"],
                "c_input_ids": c["input_ids"], "c_attention_mask": c["attention_mask"]}


class ContrastiveTrainer(Trainer):
    """Bi-encoder InfoNCE loss with in-batch negatives: each query's positive is its own function, the other
    functions in the batch are negatives; ``loss = CE(q·cᵀ / τ, diag)`` on L2-normalised mean-pooled vectors."""

    temperature = 0.05

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        q = mean_pool(model(input_ids=inputs["q_input_ids"], attention_mask=inputs["q_attention_mask"]).last_hidden_state,
                      inputs["q_attention_mask"])
        c = mean_pool(model(input_ids=inputs["c_input_ids"], attention_mask=inputs["c_attention_mask"]).last_hidden_state,
                      inputs["c_attention_mask"])
        q = torch.nn.functional.normalize(q.float(), dim=-1)
        c = torch.nn.functional.normalize(c.float(), dim=-1)
        logits = q @ c.T / self.temperature
        target = torch.arange(len(q), device=q.device)
        loss = (torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)) / 2
        return (loss, {"logits": logits}) if return_outputs else loss


def train_contrastive(model, tokenizer, queries: list[str], codes: list[str], *, max_steps: int,
                      batch_size: int = 16, lr: float = 2e-5, q_len: int = 32, c_len: int = 128,
                      seed: int = 0) -> RunLog:
    """Fine-tune an encoder (``AutoModel``) for docstring→code retrieval with :class:`ContrastiveTrainer`.

    Args:
        queries, codes: aligned training pairs. max_steps: optimizer steps (batches of ``batch_size`` pairs).
        q_len, c_len: token caps for queries and functions.
    """
    torch.manual_seed(seed)
    data = _ListDataset(list(zip(queries, codes)))
    args = training_args(max_steps=max_steps, batch_size=batch_size, lr=lr, warmup_ratio=0.1, seed=seed,
                         logging_steps=max(1, max_steps // 20))
    model.train()
    trainer = ContrastiveTrainer(model=model, args=args, train_dataset=data,
                                 data_collator=_PairCollator(tokenizer, q_len, c_len))
    return _run(trainer, model)


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and torch."""
    import random

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
