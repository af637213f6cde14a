"""Unit tests of the demo library vdlm: registry, loading order, offline fast-fail, SHA-256 pin, tokenizer
traps, data builders and metrics. CPU only, no network, tiny randomly initialised models of the real
architectures (RoBERTa + byte-level BPE, cased BERT + WordPiece) for the architecture-specific code."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import vdlm
from vdlm import loading
from vdlm.data import biomed, codesearch
from vdlm.encode import encode, encode_naive, fill_mask
from vdlm.metrics import classification_report, mrr, ner_report, ranks_from_scores, recall_at_k, retrieval_report
from vdlm.registry import REGISTRY, get_spec

from tests import tiny_models

CORPUS = ["Aspirin inhibits COX-1 and COX-2 .", "BRCA1 mutations cause breast cancer .",
          "def add(a, b):\n    return a + b", "The patient received Metformin for T2DM ."] * 20


# ------------------------------------------------------------------ fixtures: tiny real-architecture models
@pytest.fixture(scope="module")
def cased_bert_dir(tmp_path_factory) -> Path:
    """Cased WordPiece BERT saved like the hub's BioBERT: tokenizer_config without do_lower_case, huge max length."""
    return tiny_models.cased_bert(tmp_path_factory.mktemp("cased-bert"), CORPUS)


@pytest.fixture(scope="module")
def roberta_dir(tmp_path_factory) -> Path:
    """RoBERTa with a byte-level BPE tokenizer (mask token <mask>), like CodeBERT."""
    return tiny_models.roberta(tmp_path_factory.mktemp("roberta"), CORPUS)


@pytest.fixture()
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("VDLM_DEVICE", "cpu")


# ------------------------------------------------------------------ registry
def test_registry_facts():
    assert set(REGISTRY) == {"microsoft/codebert-base", "microsoft/codebert-base-mlm",
                             "dmis-lab/biobert-base-cased-v1.2", "emilyalsentzer/Bio_ClinicalBERT",
                             "bert-base-cased", "roberta-base"}
    cb, bio, clin = get_spec("codebert"), get_spec("biobert"), get_spec("clinicalbert")
    assert (cb.arch, cb.tokenizer, cb.vocab_size, cb.params_m, cb.mask_token) == ("roberta", "byte-level BPE", 50265, 125, "<mask>")
    assert (bio.arch, bio.vocab_size, bio.cased, bio.mask_token) == ("bert", 28996, True, "[MASK]")
    assert clin.vocab_size == 28996 and clin.max_length == 512 and clin.domain == "clinical"
    assert not cb.mlm_ok and get_spec("codebert-mlm").mlm_ok
    assert cb.env_slug == "MICROSOFT_CODEBERT_BASE"
    with pytest.raises(KeyError, match="unknown model"):
        get_spec("gpt2")


# ------------------------------------------------------------------ loading order
def test_local_dir_loads_save_pretrained_checkpoint(cased_bert_dir, offline):
    lm = vdlm.load("biobert", task="mlm", local_dir=cased_bert_dir, verbose=False)
    assert lm.provenance.source == "local" and str(cased_bert_dir) in lm.provenance.weights
    assert not lm.provenance.is_standin and lm.provenance.label_zh() == ""
    assert "torch" in lm.provenance.line() and "cpu" in lm.provenance.line()
    assert lm.device.type == "cpu" and not lm.model.training


def test_local_dir_from_environment(roberta_dir, offline, monkeypatch):
    monkeypatch.setenv("VDLM_LOCAL_MICROSOFT_CODEBERT_BASE_MLM", str(roberta_dir))
    lm = vdlm.load("codebert-mlm", task="mlm", verbose=False)
    assert lm.provenance.source == "local"
    assert type(lm.model).__name__ == "RobertaForMaskedLM"


def test_local_dir_without_config_is_an_error(tmp_path, offline):
    with pytest.raises(FileNotFoundError, match="config.json"):
        vdlm.load("biobert", local_dir=tmp_path, verbose=False)


def test_hub_step_fails_fast_offline(offline):
    t = time.perf_counter()
    with pytest.raises(loading.ModelUnavailableError, match="HF"):
        vdlm.load("biobert", use_standin=False, verbose=False)
    assert time.perf_counter() - t < 10


def test_hub_step_fails_fast_without_network(monkeypatch, tmp_path):
    """No HF_HUB_OFFLINE, but the endpoint does not answer: the TCP probe gives up after ~3 s."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", "http://10.255.255.1:81")  # non-routable
    t = time.perf_counter()
    assert loading.hub_reachable(timeout=2.0) is False
    with pytest.raises(loading.ModelUnavailableError):
        vdlm.load("clinicalbert", use_standin=False, verbose=False)
    assert time.perf_counter() - t < 15


def test_standin_general_is_minilm_and_labelled(offline, monkeypatch, tmp_path):
    monkeypatch.setenv("VDLM_CACHE", str(tmp_path / "cache"))
    lm = vdlm.load("bert", verbose=False)
    p = lm.provenance
    assert p.is_standin and "all-MiniLM-L6-v2" in p.weights and "离线替身" in p.label_zh()
    assert "bert-base-cased" in p.label_zh()
    with pytest.raises(ValueError, match="no trained MLM head"):
        vdlm.load("roberta", task="mlm", verbose=False)


# ------------------------------------------------------------------ SHA-256 pin
def test_minilm_sha256_pin(tmp_path):
    good = loading.minilm_dir()
    assert loading.sha256_file(good / "model.safetensors") == loading.MINILM_SHA256
    bad = tmp_path / "minilm"
    shutil.copytree(good, bad)
    with open(bad / "model.safetensors", "r+b") as f:
        f.seek(5000)
        byte = f.read(1)
        f.seek(5000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(loading.WeightsMismatchError, match="refusing"):
        loading.minilm_dir(bad)


# ------------------------------------------------------------------ tokenizer traps
def test_cased_wordpiece_keeps_case(cased_bert_dir):
    spec = get_spec("biobert")
    tok = loading.load_tokenizer(spec, cased_bert_dir)
    assert "Aspirin" in tok.tokenize("Aspirin") or tok.tokenize("Aspirin")[0].startswith("A")
    assert not any(t.startswith("a") for t in tok.tokenize("Aspirin")[:1])


def test_model_max_length_capped_and_truncation(cased_bert_dir):
    tok = loading.load_tokenizer(get_spec("clinicalbert"), cased_bert_dir)
    assert tok.model_max_length == 512
    ids = tok(" ".join(["Aspirin"] * 2000), truncation=True)["input_ids"]
    assert len(ids) == 512


def test_fill_mask_uses_tokenizer_mask_token(roberta_dir, cased_bert_dir, offline):
    rob = vdlm.load("codebert-mlm", task="mlm", local_dir=roberta_dir, verbose=False)
    bert = vdlm.load("biobert", task="mlm", local_dir=cased_bert_dir, verbose=False)
    assert rob.tokenizer.mask_token == "<mask>" and bert.tokenizer.mask_token == "[MASK]"
    for lm in (rob, bert):
        preds = fill_mask(lm.model, lm.tokenizer, "def add(a, b): {mask} a + b", top_k=3)
        assert len(preds) == 3 and abs(sum(p for _, p in preds)) <= 1.0
    with pytest.raises(ValueError):
        fill_mask(rob.model, rob.tokenizer, "no mask here")


def test_encode_batched_equals_naive(roberta_dir, offline):
    lm = vdlm.load("codebert", local_dir=roberta_dir, verbose=False)
    texts = ["def f(x): return x", "a much longer text " * 10, "x"]
    a = encode(lm.model, lm.tokenizer, texts, batch_size=2)
    b = encode_naive(lm.model, lm.tokenizer, texts)
    assert a.shape == (3, 32)
    assert torch.allclose(a, b, atol=1e-5)


# ------------------------------------------------------------------ device and profile
def test_device_override(monkeypatch):
    monkeypatch.setenv("VDLM_DEVICE", "cpu")
    assert vdlm.get_device().type == "cpu"
    assert vdlm.env.autocast_dtype(torch.device("cpu")) == torch.float32
    if not torch.cuda.is_available():
        monkeypatch.setenv("VDLM_DEVICE", "cuda")
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            vdlm.get_device()


def test_profile(monkeypatch):
    monkeypatch.setenv("VDLM_PROFILE", "quick")
    assert vdlm.pick(1, 2) == 1
    monkeypatch.setenv("VDLM_PROFILE", "full")
    assert vdlm.pick(1, 2) == 2
    monkeypatch.setenv("VDLM_PROFILE", "fast")
    with pytest.raises(ValueError):
        vdlm.profile()


# ------------------------------------------------------------------ data builders
def test_first_sentence():
    assert codesearch.first_sentence("Return the sum.  More text.\n\nDetails.") == "Return the sum."
    assert codesearch.first_sentence("  Open a file\n  for reading. Then close.") == "Open a file for reading."


def test_stdlib_extraction_rules(tmp_path):
    pkg = tmp_path / "lib"
    (pkg / "test").mkdir(parents=True)
    (pkg / "mod.py").write_text(
        'def good(a, b):\n    """Add two numbers together. More."""\n    x = a\n    y = b\n    return x + y\n\n'
        'def short_doc(a):\n    """Add."""\n    x = a\n    y = x\n    return y\n\n'
        'def short_body(a):\n    """Return the argument unchanged."""\n    return a\n\n'
        'def test_thing(a):\n    """Check the thing works well."""\n    x = a\n    y = x\n    return y\n')
    (pkg / "test" / "t.py").write_text('def f(a):\n    """Helper for the tests here."""\n    x = a\n    y = x\n    return y\n')
    pairs = codesearch.extract_stdlib_pairs(pkg, workers=1)
    assert [(p.name, p.query) for p in pairs] == [("mod.good", "Add two numbers together.")]
    assert '"""' not in pairs[0].code and pairs[0].code.startswith("def good")


def test_split_is_by_file():
    pairs = codesearch.load_stdlib_pairs()
    assert len(pairs) > 3000
    train, test = codesearch.split_pairs(pairs, n_test=100, n_train=100)
    assert not {p.path for p in train} & {p.path for p in test}
    assert codesearch.split_pairs(pairs, 100, 100) == (train, test)


def test_biomed_ner_dataset():
    (trw, trt), (tew, tet) = biomed.ner_dataset(50, 20, seed=3)
    assert len(trw) == 50 and len(tew) == 20
    for w, t in zip(trw + tew, trt + tet):
        assert len(w) == len(t) and set(t) <= set(biomed.LABELS)
        for prev, cur in zip(["O"] + t, t):  # I- only after B-/I- of the same type
            if cur.startswith("I-"):
                assert prev[2:] == cur[2:]
    train_d, test_d = biomed._split_diseases()
    test_text = " ".join(" ".join(w) for w in tew)
    assert any(d.split()[0] in test_text for d in test_d)
    assert biomed.ner_dataset(50, 20, seed=3) == ((trw, trt), (tew, tet))
    assert len(biomed.pretraining_corpus(100)) == 100


def test_read_conll():
    words, tags = biomed.read_conll("A\tO\nbreast\tB-Disease\ncancer\tI-Disease\n\nB\tO\n")
    assert words == [["A", "breast", "cancer"], ["B"]] and tags == [["O", "B-Disease", "I-Disease"], ["O"]]


# ------------------------------------------------------------------ metrics (exact values)
def test_retrieval_metrics_exact():
    scores = np.array([[0.9, 0.1, 0.0],   # rank 1
                       [0.8, 0.5, 0.1],   # rank 2
                       [0.9, 0.9, 0.2]])  # rank 3
    ranks = ranks_from_scores(scores)
    assert ranks.tolist() == [1, 2, 3]
    assert mrr(ranks) == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert recall_at_k(ranks, 1) == pytest.approx(1 / 3) and recall_at_k(ranks, 2) == pytest.approx(2 / 3)
    rep = retrieval_report(scores, ks=(1, 3))
    assert rep["R@3"] == 1.0
    assert ranks_from_scores(np.array([[0.5, 0.5], [0.0, 1.0]])).tolist() == [2, 1]  # ties count against


def test_ner_metrics_exact():
    gold = [["B-Disease", "I-Disease", "O", "B-Chemical"], ["B-Gene", "O"]]
    pred = [["B-Disease", "I-Disease", "O", "O"], ["B-Gene", "B-Chemical"]]
    rep = ner_report(gold, pred)
    assert rep["precision"] == pytest.approx(2 / 3) and rep["recall"] == pytest.approx(2 / 3)
    assert rep["f1"] == pytest.approx(2 / 3)
    assert rep["per_type"]["Disease"] == 1.0 and rep["per_type"]["Chemical"] == 0.0


def test_classification_metrics_exact():
    rep = classification_report([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])
    assert rep["accuracy"] == pytest.approx(0.6)
    # F1: class0 = 2*1/(2+1+1) = .5, class1 = 2*2/(4+1+0) = .8, class2 = 0
    assert rep["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)


# ------------------------------------------------------------------ figure provenance footer
def test_caption_wraps_long_provenance_instead_of_widening_the_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from vdlm.provenance import Provenance, caption, wrap_to_width

    lines = wrap_to_width("aaaa bbbb cccc dddd 中文中文", 5 * 0.55 * 10 * 2, 10)
    assert lines == ["aaaa bbbb", "cccc dddd", "中文中文"]
    assert wrap_to_width("x" * 50, 10, 10) == ["x" * 50]  # one long word stays whole
    prov = Provenance("dmis-lab/biobert-base-cased-v1.2", "standin",
                      "sentence-transformers/all-MiniLM-L6-v2@1110a243 (sha256 53aa5117…) + MLM 头拟合 + "
                      "MLM[bio, 300 步 × 16×64, 上 3 层, full]", "cpu", "float32")
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("训练句子数")
    caption(fig, prov)
    fig.savefig(tmp_path / "f.png", bbox_inches="tight")
    plt.close(fig)
    assert Image.open(tmp_path / "f.png").size[0] <= 4 * 100 + 10, "the footer widened the figure"
    assert fig.subplotpars.bottom > 0.3  # several footer lines below the axis label
