"""The model registry: the real checkpoints the lecture talks about, with their published facts.

Sources (keys of ``references.bib``): CodeBERT = RoBERTa-base architecture [feng-etal-2020-codebert] with
the RoBERTa byte-level BPE vocabulary, 50,265 tokens in the released config.json [hf-microsoft-codebert-base,
https://huggingface.co/microsoft/codebert-base]; BioBERT = BERT-Base cased with the original cased WordPiece
vocabulary [lee2020biobert], 28,996 tokens in the released config.json [hf-dmis-biobert-v1-1,
https://huggingface.co/dmis-lab/biobert-base-cased-v1.1]; Bio+Clinical BERT = BioBERT v1.0 continued on
MIMIC-III, same vocabulary [alsentzer-etal-2019-publicly; hf-bio-clinicalbert,
https://huggingface.co/emilyalsentzer/Bio_ClinicalBERT]. All are 12-layer, 768-wide encoders; the maximum
input is 512 tokens [devlin-etal-2019-bert; feng-etal-2020-codebert].

Revisions: ``revision=None`` means the hub's default branch; the commit actually loaded is read back from
the downloaded files and written into every provenance line, so results stay traceable. Pin a commit by
setting ``VDLM_REVISION_<SLUG>`` (see :func:`ModelSpec.env_slug`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ModelSpec:
    """A real checkpoint and the facts the demo code relies on.

    Attributes:
        model_id: Hugging Face hub id.
        name_zh: short Chinese name for outputs.
        arch: ``"roberta"`` or ``"bert"`` (model_type in config.json).
        tokenizer: ``"byte-level BPE"`` or ``"WordPiece"``.
        vocab_size: vocabulary size of the released tokenizer.
        cased: True when the model was trained on cased text (the tokenizer must not lower-case).
        max_length: longest input in tokens (position embeddings; RoBERTa stores 514 = 512 + 2 offset).
        params_m: parameters in millions (published figure).
        init_from: the checkpoint it was continued from.
        domain: ``"code"``, ``"biomedical"``, ``"clinical"`` or ``"general"``.
        standin: the offline stand-in recipe (see :mod:`vdlm.standins`).
        mlm_ok: whether the released checkpoint has a usable masked-LM head.
        note_zh: one-line Chinese note shown with results.
        source: where the facts come from.
    """

    model_id: str
    name_zh: str
    arch: str
    tokenizer: str
    vocab_size: int
    cased: bool
    max_length: int
    params_m: int
    init_from: str
    domain: str
    standin: str
    mlm_ok: bool = True
    revision: str | None = None
    note_zh: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def mask_token(self) -> str:
        """The released tokenizer's mask token (``<mask>`` for RoBERTa BPE, ``[MASK]`` for WordPiece).

        Code should use ``tokenizer.mask_token`` instead; this is for documentation and tests.
        """
        return "<mask>" if self.arch == "roberta" else "[MASK]"

    @property
    def env_slug(self) -> str:
        """``MICROSOFT_CODEBERT_BASE`` etc.: suffix of the ``VDLM_LOCAL_*`` / ``VDLM_REVISION_*`` variables."""
        return re.sub(r"[^A-Za-z0-9]+", "_", self.model_id).upper().strip("_")

    def pinned_revision(self) -> str | None:
        """Revision to request from the hub: ``VDLM_REVISION_<SLUG>`` if set, else :attr:`revision`."""
        return os.environ.get(f"VDLM_REVISION_{self.env_slug}") or self.revision


REGISTRY: dict[str, ModelSpec] = {
    s.model_id: s
    for s in [
        ModelSpec(
            "microsoft/codebert-base", "CodeBERT (MLM+RTD)", "roberta", "byte-level BPE", 50265, True, 512, 125,
            "roberta-base", "code", "code", mlm_ok=False,
            note_zh="双模态预训练 (MLM+RTD)；官方 README 说明它不适合做掩码预测，填空请用 codebert-base-mlm",
            source="Feng et al. 2020, Findings of EMNLP; microsoft/CodeBERT README",
        ),
        ModelSpec(
            "microsoft/codebert-base-mlm", "CodeBERT (MLM)", "roberta", "byte-level BPE", 50265, True, 512, 125,
            "roberta-base", "code", "code",
            note_zh="只用 MLM 目标在 CodeSearchNet 代码上继续训练 RoBERTa-base，可做掩码预测",
            source="HF model card microsoft/codebert-base-mlm",
        ),
        ModelSpec(
            "dmis-lab/biobert-base-cased-v1.2", "BioBERT v1.2", "bert", "WordPiece", 28996, True, 512, 110,
            "bert-base-cased", "biomedical", "bio",
            note_zh="BERT-Base cased 在 PubMed 上继续预训练 1M 步，沿用 BERT 的大小写敏感词表 (28,996)",
            source="Lee et al. 2020, Bioinformatics 36(4); dmis-lab/biobert README",
        ),
        ModelSpec(
            "emilyalsentzer/Bio_ClinicalBERT", "Bio+Clinical BERT", "bert", "WordPiece", 28996, True, 512, 110,
            "BioBERT v1.0 (+PubMed+PMC)", "clinical", "clinical",
            note_zh="从 BioBERT v1.0 出发，在 MIMIC-III 约 200 万份临床记录上继续预训练；tokenizer 的 model_max_length 未设置，需显式截断到 512",
            source="Alsentzer et al. 2019, Clinical NLP Workshop; HF model card",
        ),
        ModelSpec(
            "bert-base-cased", "BERT-Base (cased)", "bert", "WordPiece", 28996, True, 512, 110,
            "-", "general", "general",
            note_zh="通用领域基线 (Wikipedia + BooksCorpus)",
            source="Devlin et al. 2019, NAACL",
        ),
        ModelSpec(
            "roberta-base", "RoBERTa-base", "roberta", "byte-level BPE", 50265, True, 512, 125,
            "-", "general", "general",
            note_zh="通用领域基线，CodeBERT 的初始化起点",
            source="Liu et al. 2019, arXiv:1907.11692",
        ),
    ]
}

ALIASES = {
    "codebert": "microsoft/codebert-base",
    "codebert-mlm": "microsoft/codebert-base-mlm",
    "biobert": "dmis-lab/biobert-base-cased-v1.2",
    "clinicalbert": "emilyalsentzer/Bio_ClinicalBERT",
    "bert": "bert-base-cased",
    "roberta": "roberta-base",
}


def get_spec(name: str) -> ModelSpec:
    """Look up a registry entry by hub id or short alias (``"biobert"``).

    Raises:
        KeyError: unknown name; the message lists the known ids.
    """
    key = ALIASES.get(name, name)
    if key not in REGISTRY:
        raise KeyError(f"unknown model {name!r}; known: {sorted(REGISTRY)} or aliases {sorted(ALIASES)}")
    return REGISTRY[key]
