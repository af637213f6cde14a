"""Unit tests of the fast encoding path (vdlm.encode): batching plan, float equivalence with the naive loop,
int8 per-channel quantisation (accuracy, which layers, cache invalidation after weight updates).
CPU only, tiny randomly initialised BERT models built in memory."""
from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertModel, BertTokenizerFast

from tests import tiny_models
from vdlm import encode as E

TEXTS = ["def add(a, b):\n    return a + b", "Return the sum of two numbers.", "x",
         "for i in range(len(items)):\n    print(items[i])\n" * 3, "Open a file and read it."] * 3


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return BertTokenizerFast(str(tiny_models.train_wordpiece(tmp_path_factory.mktemp("wp"), TEXTS, 120)))


def tiny_bert(tokenizer, hidden: int) -> BertModel:
    torch.manual_seed(0)
    return BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=2,
                                num_attention_heads=4, intermediate_size=2 * hidden)).eval()


def test_plan_batches_covers_all_and_respects_budget():
    lengths = [5, 120, 7, 300, 64, 64, 3, 33]
    plan = E.plan_batches(lengths, token_budget=128, max_batch=3)
    assert sorted(i for b in plan for i in b) == list(range(len(lengths)))
    for b in plan:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 128
    flat = [lengths[i] for b in plan for i in b]
    assert flat == sorted(flat)
    assert E.plan_batches(lengths, token_budget=10**6, sort_by_length=False, max_batch=100) == [list(range(8))]
    assert E.plan_batches([], token_budget=64) == []


def test_float_path_equals_naive(tokenizer):
    model = tiny_bert(tokenizer, 32)
    a = E.encode(model, tokenizer, TEXTS, quantize=False, token_budget=64)
    b = E.encode_naive(model, tokenizer, TEXTS)
    assert a.shape == (len(TEXTS), 32) and a.dtype == torch.float32
    assert torch.allclose(a, b, atol=1e-5)
    assert torch.allclose(a.norm(dim=-1), torch.ones(len(TEXTS)), atol=1e-5)
    assert E.encode(model, tokenizer, [], quantize=False).numel() == 0


def test_auto_skips_narrow_models(tokenizer):
    model = tiny_bert(tokenizer, 32)
    assert E.fast_model(model, torch.device("cpu")) is model  # < MIN_QUANT_WIDTH: float32


@pytest.mark.skipif("fbgemm" not in torch.backends.quantized.supported_engines, reason="no fbgemm")
def test_int8_close_to_float_and_cached(tokenizer):
    model = tiny_bert(tokenizer, E.MIN_QUANT_WIDTH)
    q1 = E.fast_model(model, torch.device("cpu"))
    assert q1 is not model and E.fast_model(model, torch.device("cpu")) is q1  # cached
    a = E.encode(model, tokenizer, TEXTS)
    b = E.encode_naive(model, tokenizer, TEXTS)
    cos = (a * b).sum(-1)
    assert cos.min() > 0.99, cos
    with torch.no_grad():  # an optimizer step changes weights in place -> the int8 copy is rebuilt
        model.encoder.layer[0].intermediate.dense.weight.mul_(0.5)
    assert E.fast_model(model, torch.device("cpu")) is not q1


@pytest.mark.skipif("fbgemm" not in torch.backends.quantized.supported_engines, reason="no fbgemm")
def test_quantize_layers_selection(tokenizer):
    model = tiny_bert(tokenizer, E.MIN_QUANT_WIDTH)
    dyn = torch.ao.nn.quantized.dynamic.Linear

    def quantized_names(m):
        return {n for n, mod in m.named_modules() if isinstance(mod, dyn)}

    all_q = quantized_names(E.quantize_for_cpu(model))
    ffn_q = quantized_names(E.quantize_for_cpu(model, layers="ffn"))
    assert len(all_q) == 2 * 6 + 1  # q, k, v, attn out, intermediate, output per layer + pooler
    assert ffn_q == {n for n in all_q if n.endswith("intermediate.dense")
                     or (n.endswith("output.dense") and ".attention." not in n)}
    assert len(ffn_q) == 4
    assert not any(isinstance(p, dyn) for p in model.modules())  # original untouched
    with pytest.raises(ValueError):
        E.quantize_for_cpu(model, layers="attention")
