"""Unit tests of vdlm.optim (optimiser/schedule grid for Trainer), vdlm.peft_utils (fine-tuning strategies,
LoRA parameter counts) and vdlm.data.general. CPU only, offline, tiny randomly initialised BERT models saved
with save_pretrained (fast: a few seconds in all)."""
from __future__ import annotations

import math

import pytest
import torch

from tests import tiny_models
from vdlm import optim, peft_utils
from vdlm.data.general import pydoc_sentences

CORPUS = ["Aspirin inhibits COX-1 and COX-2 .", "BRCA1 mutations cause breast cancer .",
          "Imatinib is used to treat chronic myeloid leukemia .", "The patient received metformin ."] * 20


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """An uncased WordPiece BERT (2 layers, 32 wide) with an MLM head, saved with save_pretrained."""
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    d = tmp_path_factory.mktemp("tiny-bert")
    tok = BertTokenizerFast(str(tiny_models.train_wordpiece(d, CORPUS, 150)))
    tok.save_pretrained(d)
    torch.manual_seed(0)
    BertForMaskedLM(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                               intermediate_size=64)).save_pretrained(d)
    return d


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("VDLM_DEVICE", "cpu")
    monkeypatch.setenv("VDLM_CACHE", str(tmp_path / "cache"))


# ------------------------------------------------------------------ optim: schedules and optimisers
def test_lr_lambda_warmup_then_linear_decay():
    assert [optim.lr_lambda(s, 10, 2) for s in range(10)] == pytest.approx(
        [0.5, 1.0, 1.0, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8])
    assert [optim.lr_lambda(s, 4, 0) for s in range(4)] == pytest.approx([1.0, 0.75, 0.5, 0.25])
    cfg = optim.OptimConfig("adam", warmup_ratio=0.2, lr=1e-3)
    assert optim.lr_curve(cfg, 10)[:2] == pytest.approx([5e-4, 1e-3])
    with pytest.raises(ValueError):
        optim.build_schedule(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1), 10, 1.0)


def test_grid_and_labels():
    g = optim.grid(lr=2e-4)
    assert len(g) == 6 and {c.optimizer for c in g} == {"adam", "adamw", "radam"}
    assert all(c.lr == 2e-4 for c in g) and {c.warmup_ratio for c in g} == {0.0, 0.1}
    assert g[1].label == "Adam + 预热 10%" and g[4].label == "RAdam, 无预热"
    with pytest.raises(KeyError):
        optim.grid(optimizers=("sgd",))


def test_build_optimizer_classes_groups_and_decay():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
    model[0].bias.requires_grad_(False)
    for name, cls in [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW), ("radam", torch.optim.RAdam)]:
        opt = optim.build_optimizer(model, optim.OptimConfig(name, lr=1e-3, weight_decay=0.1))
        assert type(opt) is cls
        # 0.weight decayed; LayerNorm (named "1.*" here, so decayed too) – frozen bias left out
        n_params = sum(len(g["params"]) for g in opt.param_groups)
        assert n_params == 3
    # BERT-style names: biases and LayerNorm not decayed
    from transformers import BertConfig, BertModel

    bert = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32))
    groups = optim.param_groups(bert, 0.01)
    names = {id(p): n for n, p in bert.named_parameters()}
    no_decay = [names[id(p)] for p in groups[1]["params"]]
    assert groups[1]["weight_decay"] == 0.0 and no_decay
    assert all(n.endswith("bias") or "LayerNorm" in n for n in no_decay)
    assert not any(n.endswith("bias") for n in (names[id(p)] for p in groups[0]["params"]))


def test_adamw_decays_weights_adam_does_not_with_zero_grad():
    """With a zero gradient, AdamW shrinks weights by lr·λ (decoupled); Adam's L2 term is normalised away
    to a step of ~lr·sign(θ), so the two differ: the distinction of Loshchilov & Hutter."""
    outs = {}
    for name in ("adam", "adamw"):
        w = torch.nn.Parameter(torch.full((3,), 2.0))
        model = torch.nn.Module()
        model.weight = w
        opt = optim.build_optimizer(model, optim.OptimConfig(name, lr=0.1, weight_decay=0.5))
        w.grad = torch.zeros_like(w)
        opt.step()
        outs[name] = w.detach().clone()
    assert outs["adamw"] == pytest.approx(torch.full((3,), 2.0 * (1 - 0.1 * 0.5)))
    assert outs["adam"] == pytest.approx(torch.full((3,), 2.0 - 0.1), abs=1e-4)


def test_radam_rectifier():
    r = optim.radam_rectifier(400)
    assert r[:5] == [0.0] * 5 and 0 < r[5] < 0.05  # ρ_t ≤ 5 for t ≤ 5 with β₂ = 0.999
    assert all(a <= b for a, b in zip(r[5:], r[6:])) and r[-1] < 1
    assert optim.radam_rectifier(2000, beta2=0.9)[-1] == pytest.approx(1.0, abs=1e-3)


def test_radam_first_steps_are_momentum_sgd():
    """torch.optim.RAdam: while ρ_t ≤ 5 the step is lr · m̂_t (no 1/√v̂ scaling)."""
    w = torch.nn.Parameter(torch.zeros(2))
    model = torch.nn.Module()
    model.weight = w
    opt = optim.build_optimizer(model, optim.OptimConfig("radam", lr=0.1, weight_decay=0.0))
    w.grad = torch.tensor([1.0, 100.0])
    opt.step()
    assert w.detach() == pytest.approx(torch.tensor([-0.1, -10.0]))  # proportional to the gradient


# ------------------------------------------------------------------ optim: MLM runs on the same budget
def test_mlm_eval_and_compare_grid(tiny_dir, offline):
    from transformers import AutoTokenizer, BertForMaskedLM

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    base = BertForMaskedLM.from_pretrained(str(tiny_dir))
    before = optim.mlm_eval_loss(base, tok, CORPUS, seq_len=16, max_blocks=8)
    assert before == optim.mlm_eval_loss(base, tok, CORPUS, seq_len=16, max_blocks=8)  # fixed masking
    assert math.log(len(tok)) * 0.5 < before < math.log(len(tok)) * 2  # near-uniform random model
    with pytest.raises(ValueError):
        optim.mlm_eval_loss(base, tok, ["short"], seq_len=64)
    cfgs = [optim.OptimConfig("adamw", 0.0, lr=3e-3), optim.OptimConfig("radam", 0.5, lr=3e-3)]
    res = optim.compare_mlm(base, tok, CORPUS, cfgs, max_steps=4, eval_sets={"dom": CORPUS}, batch_size=4,
                            seq_len=16, freeze_embeddings=False, verbose=False)
    # AdamW learns within 4 steps; RAdam's first steps are un-adapted (rectification, rho_t <= 5: SGD with
    # momentum, Liu et al. 2020), so it may barely move: it must not diverge.
    assert len(res) == 2 and res[0].heldout["dom"] < before
    assert math.isfinite(res[1].heldout["dom"]) and res[1].heldout["dom"] < before * 1.02
    assert res[0].log.loss and res[0].lrs[0] == 3e-3 and res[1].lrs[0] == pytest.approx(1.5e-3)
    # the base model is untouched
    assert optim.mlm_eval_loss(base, tok, CORPUS, seq_len=16, max_blocks=8) == before


# ------------------------------------------------------------------ peft_utils: strategies and counts
def _token_model(tiny_dir, n_labels=5):
    from transformers import BertForTokenClassification

    torch.manual_seed(0)
    return BertForTokenClassification.from_pretrained(str(tiny_dir), num_labels=n_labels)


def test_strategies_trainable_counts(tiny_dir):
    full = peft_utils.param_count(peft_utils.apply_strategy(_token_model(tiny_dir), "full"))
    assert full.trainable == full.total and full.percent == 100.0
    head = 32 * 5 + 5
    frozen = peft_utils.param_count(peft_utils.apply_strategy(_token_model(tiny_dir), "frozen"))
    assert frozen.trainable == head and frozen.total == full.total
    top1 = peft_utils.param_count(peft_utils.apply_strategy(_token_model(tiny_dir), "top_k", k=1))
    layer = sum(p.numel() for p in _token_model(tiny_dir).bert.encoder.layer[1].parameters())
    assert top1.trainable == head + layer
    with pytest.raises(ValueError):
        peft_utils.apply_strategy(_token_model(tiny_dir), "top_k", k=3)
    with pytest.raises(ValueError):
        peft_utils.apply_strategy(_token_model(tiny_dir), "adapter")


def test_lora_counts_and_identity_at_init(tiny_dir):
    base = _token_model(tiny_dir)
    x = torch.tensor([[2, 10, 11, 12, 3]])
    base.eval()
    with torch.no_grad():
        ref = base(input_ids=x).logits
    model = peft_utils.apply_strategy(_token_model(tiny_dir), "lora", r=4)
    pc = peft_utils.param_count(model)
    # 2 layers × (query + value) × r·(d + k), plus the head trained in full (modules_to_save copy)
    lora = 2 * 2 * peft_utils.lora_param_formula(32, 32, 4)[0]
    assert pc.trainable == lora + 32 * 5 + 5
    assert pc.total > sum(p.numel() for p in base.parameters())  # adapters + head copy added
    model.eval()
    with torch.no_grad():
        out = model(input_ids=x).logits
    assert torch.allclose(out, ref, atol=1e-6)  # B = 0 at init: the adapted model equals the base
    assert peft_utils.lora_param_formula(768, 768, 8) == (12288, 589824)
    assert peft_utils.strategy_name("lora", r=8) == "LoRA (r=8)"
    with pytest.raises(ValueError):
        peft_utils.lora_config("qa")


def test_lora_trains_with_vdlm_train(tiny_dir, offline):
    from transformers import AutoTokenizer

    from vdlm.train import predict_tags, train_token_classifier

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    labels = ["O", "B-X", "I-X"]
    words = [s.split() for s in CORPUS[:8]]
    tags = [["B-X"] + ["O"] * (len(w) - 1) for w in words]
    model = peft_utils.apply_strategy(_token_model(tiny_dir, 3), "lora", r=2)
    before = [p.detach().clone() for n, p in model.named_parameters() if "lora_B" in n]
    log = train_token_classifier(model, tok, words, tags, labels, epochs=1, batch_size=4, lr=1e-2)
    after = [p.detach() for n, p in model.named_parameters() if "lora_B" in n]
    assert log.trainable < log.total and any(not torch.equal(a, b) for a, b in zip(after, before))
    pred = predict_tags(model, tok, words[:2], labels)
    assert [len(p) for p in pred] == [len(w) for w in words[:2]]


# ------------------------------------------------------------------ data.general
def test_pydoc_sentences():
    s = pydoc_sentences()
    assert len(s) > 300 and s == pydoc_sentences()
    assert all(x[0].isupper() and x.endswith(".") and "(" not in x and "http" not in x for x in s)
    assert pydoc_sentences(10, seed=1) != pydoc_sentences(10, seed=2) and len(pydoc_sentences(10)) == 10


# ------------------------------------------------------------------ train.mlm_train: Trainer's optimiser
def test_mlm_train_adamw_decays_weights_but_not_layernorm(tiny_dir, offline):
    """``optimizer="adamw"`` must apply its decoupled decay λ = 0.01 through Trainer's parameter groups
    (a λ given to the optimizer class alone is overridden by the groups' 0.0). After one step from the same
    weights and batch, Adam and AdamW have taken the same Adam update, so they differ exactly where decay
    applies: by lr·λ·w on weight matrices, not at all on biases or LayerNorm."""
    from transformers import AutoTokenizer, BertForMaskedLM

    from vdlm.train import mlm_train

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    final = {}
    for name in ("adam", "adamw"):
        model = BertForMaskedLM.from_pretrained(str(tiny_dir))
        mlm_train(model, tok, CORPUS, max_steps=1, batch_size=4, seq_len=16, lr=0.05, optimizer=name,
                  warmup_ratio=0.0, n_evals=1, seed=0)
        final[name] = {n: p.detach().clone() for n, p in model.named_parameters()}
    weight = "bert.encoder.layer.1.intermediate.dense.weight"
    ln = "bert.encoder.layer.1.output.LayerNorm.weight"
    w0 = dict(BertForMaskedLM.from_pretrained(str(tiny_dir)).named_parameters())[weight].detach()
    # AdamW: w ← w − lr·λ·w − lr·u, Adam: w ← w − lr·u (Loshchilov & Hutter 2019, Algorithm 2), same u
    assert torch.allclose(final["adam"][weight] - final["adamw"][weight], 0.05 * 0.01 * w0, atol=1e-7), \
        "AdamW did not decay the weights by lr·λ·w"
    assert torch.allclose(final["adam"][ln], final["adamw"][ln]), "LayerNorm weights must not be decayed"
