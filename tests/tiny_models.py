"""Tiny randomly initialised checkpoints of the real architectures, written with ``save_pretrained``.

They exercise the architecture-specific code paths that the offline stand-ins (uncased MiniLM BERT) never
reach: RoBERTa + byte-level BPE with ``<mask>`` (CodeBERT, roberta-base) and cased BERT WordPiece whose
tokenizer config omits ``do_lower_case`` and carries a huge ``model_max_length`` (BioBERT, Bio_ClinicalBERT
as shipped on the hub; EmilyAlsentzer/clinicalBERT#26, dmis-lab/biobert-pytorch#24). 2 layers, 32 wide: a few seconds on CPU. They learn nothing: tests use
them for plumbing, never for a result.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

#: A little of every domain, so each tokenizer has pieces for code, biomedical and clinical text.
CORPUS = ["Aspirin inhibits COX-1 and COX-2 .", "BRCA1 mutations cause breast cancer .",
          "def add(a, b):\n    return a + b", "The patient received Metformin for T2DM .",
          "Return the sum of two numbers.", "Pt with HTN, DM2 c/o SOB. Plan: f/u in clinic."] * 20

#: hub id → architecture of the six registry checkpoints.
REAL_ARCH = {
    "microsoft/codebert-base": "roberta",
    "microsoft/codebert-base-mlm": "roberta",
    "roberta-base": "roberta",
    "dmis-lab/biobert-base-cased-v1.2": "cased-bert",
    "emilyalsentzer/Bio_ClinicalBERT": "cased-bert",
    "bert-base-cased": "cased-bert",
}

_SIZE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)


def train_wordpiece(d: Path, corpus: list[str], vocab_size: int, lowercase: bool = True) -> Path:
    """Train a BERT WordPiece vocabulary on ``corpus`` and write ``d/vocab.txt`` (returned). Cased
    (``lowercase=False``) keeps accents too, as BERT-Base cased does."""
    from tokenizers import BertWordPieceTokenizer

    d.mkdir(parents=True, exist_ok=True)
    wp = (BertWordPieceTokenizer(lowercase=True) if lowercase
          else BertWordPieceTokenizer(lowercase=False, strip_accents=False))
    wp.train_from_iterator(corpus, vocab_size=vocab_size, min_frequency=1)
    wp.save_model(str(d))
    return d / "vocab.txt"


def cased_bert(d: Path, corpus: list[str] = CORPUS, vocab_size: int = 200) -> Path:
    """Cased WordPiece ``BertForMaskedLM`` saved like the hub's BioBERT: the tokenizer config has no
    ``do_lower_case`` (so ``BertTokenizer`` would lowercase by default) and ``model_max_length`` = 1e30."""
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    tok = BertTokenizer(str(train_wordpiece(d, corpus, vocab_size, lowercase=False)), do_lower_case=False)
    tok.save_pretrained(d)
    cfg = json.loads((d / "tokenizer_config.json").read_text())
    cfg.pop("do_lower_case", None)
    cfg["model_max_length"] = int(1e30)
    (d / "tokenizer_config.json").write_text(json.dumps(cfg))
    torch.manual_seed(0)
    BertForMaskedLM(BertConfig(vocab_size=len(tok), **_SIZE)).save_pretrained(d)
    return d


def roberta(d: Path, corpus: list[str] = CORPUS, vocab_size: int = 300) -> Path:
    """``RobertaForMaskedLM`` with a byte-level BPE tokenizer (mask token ``<mask>``), like CodeBERT."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForMaskedLM, RobertaTokenizer

    d.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(corpus, vocab_size=vocab_size, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(d))
    tok = RobertaTokenizer(str(d / "vocab.json"), str(d / "merges.txt"))
    tok.save_pretrained(d)
    torch.manual_seed(0)
    RobertaForMaskedLM(RobertaConfig(vocab_size=len(tok), max_position_embeddings=514,
                                     pad_token_id=tok.pad_token_id, **_SIZE)).save_pretrained(d)
    return d


def models_dir(root: Path) -> Path:
    """A ``VDLM_MODELS_DIR`` holding a tiny checkpoint for each of the six registry models at
    ``<root>/<hub id>``, the layout :func:`vdlm.loading.load` reads."""
    build = {"roberta": roberta, "cased-bert": cased_bert}
    for hub_id, arch in REAL_ARCH.items():
        build[arch](root / hub_id)
    return root
