"""Unit tests of the clinical teaching data (vdlm.data.clinical) and the sliding-window long-document code
(vdlm.longdoc). CPU only, no network; a tiny WordPiece tokenizer trained here and a tiny random BERT."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tests import tiny_models
from vdlm import longdoc
from vdlm.data import clinical


@pytest.fixture(scope="module")
def notes():
    return clinical.note_dataset(n_train=24, n_test=8, seed=3)


@pytest.fixture(scope="module")
def tok(tmp_path_factory, notes):
    """Fast cased WordPiece tokenizer trained on a few synthetic notes (save_pretrained round trip)."""
    from transformers import AutoTokenizer, BertTokenizerFast

    d = tmp_path_factory.mktemp("wp")
    vocab = tiny_models.train_wordpiece(d, [n.text for n in notes[0]], 400, lowercase=False)
    BertTokenizerFast(str(vocab), do_lower_case=False).save_pretrained(d)
    return AutoTokenizer.from_pretrained(str(d))


@pytest.fixture(scope="module")
def clf(tok):
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512, num_labels=3)
    return BertForSequenceClassification(cfg).eval()


# ------------------------------------------------------------------ data
def test_note_dataset_deterministic_and_labelled(notes):
    again = clinical.note_dataset(n_train=24, n_test=8, seed=3)
    assert [n.text for n in notes[0]] == [n.text for n in again[0]]
    train, test = notes
    assert len(train) == 24 and len(test) == 8
    allnotes = train + test
    assert sorted({n.department for n in allnotes}) == list(range(len(clinical.DEPARTMENTS)))
    for n in allnotes:
        assert n.sections[0] == "CHIEF COMPLAINT" and n.sections[-1] == "DISPOSITION"
        assert "HOSPITAL COURSE" not in n.sections and n.hospital_days == 0
        dispo = n.text.rsplit("DISPOSITION: ", 1)[1]
        yes = [t.split("{")[0] for t in clinical.FOLLOW_UP_YES]
        assert any(dispo.startswith(p) for p in yes) == bool(n.follow_up)


def test_long_notes_put_disposition_beyond_512_tokens():
    from transformers import AutoTokenizer
    from vdlm.loading import minilm_dir

    tok = AutoTokenizer.from_pretrained(str(minilm_dir()))
    long = clinical.long_notes(n=8)
    assert [n.follow_up for n in long].count(1) == 4
    for n in long:
        assert "HOSPITAL COURSE" in n.sections and n.hospital_days >= 6
        assert len(tok(n.text)["input_ids"]) > 512
        kept = longdoc.truncated_text(tok, n.text, 512)
        assert n.text.startswith(kept) and "DISPOSITION" not in kept


def test_pretraining_corpus_excludes_labelled_notes(notes):
    corpus = set(clinical.pretraining_corpus(n_notes=60))
    hpis = [s for n in notes[0] + notes[1] for s in n.text.split("\n\n") if s.startswith("HPI:")]
    assert hpis and not corpus.intersection(hpis)
    assert any(s.startswith("HOSPITAL COURSE:") for s in corpus)


def test_fill_mask_probes_have_one_mask():
    for template, answer in clinical.fill_mask_probes():
        assert template.count("{mask}") == 1 and answer


# ------------------------------------------------------------------ windows
@pytest.mark.parametrize("max_length,stride", [(16, 0), (16, 4), (32, 8), (64, 30)])
def test_windows_match_formula_and_cover_text(tok, notes, max_length, stride):
    texts = [n.text for n in notes[1][:3]] + ["short"]
    w = longdoc.windows(tok, texts, max_length=max_length, stride=stride)
    for d, text in enumerate(texts):
        full = tok(text, add_special_tokens=False)["input_ids"]
        wins = [w["input_ids"][i] for i in range(len(w["doc"])) if w["doc"][i] == d]
        assert len(wins) == longdoc.n_windows(len(full), max_length, stride)
        assert all(len(x) <= max_length and x[0] == tok.cls_token_id and x[-1] == tok.sep_token_id for x in wins)
        content = [x[1:-1] for x in wins]
        rebuilt = content[0] + [t for a in content[1:] for t in a[stride:]]
        assert rebuilt == full  # consecutive windows overlap by exactly `stride` tokens
        spans = [w["offsets"][i] for i in range(len(w["doc"])) if w["doc"][i] == d]
        assert spans[0][0] == 0 and spans[-1][1] == len(text.rstrip())


def test_n_windows_formula():
    assert longdoc.n_windows(0) == 1 and longdoc.n_windows(510) == 1
    assert longdoc.n_windows(511) == 2  # 510 content tokens per window, 382 new per further window
    assert longdoc.n_windows(510 + 382) == 2 and longdoc.n_windows(510 + 383) == 3
    with pytest.raises(ValueError):
        longdoc.n_windows(100, max_length=16, stride=14)


def test_pool_logits_exact():
    x = [[1.0, -1.0], [3.0, 0.0], [-2.0, 4.0]]
    np.testing.assert_allclose(longdoc.pool_logits(x, "mean"), [2 / 3, 1.0])
    np.testing.assert_allclose(longdoc.pool_logits(x, "max"), [3.0, 4.0])
    np.testing.assert_allclose(longdoc.pool_logits(x, "first"), [1.0, -1.0])
    np.testing.assert_allclose(longdoc.pool_logits(x, "last"), [-2.0, 4.0])
    with pytest.raises(ValueError):
        longdoc.pool_logits(x, "median")
    with pytest.raises(ValueError):
        longdoc.pool_logits(np.zeros((0, 2)))


def test_window_logits_first_equals_truncation(tok, clf, notes):
    texts = [n.text for n in notes[1][:4]]
    res = longdoc.window_logits(clf, tok, texts, max_length=48, stride=8, batch_size=3)
    assert res.n_windows == [longdoc.n_windows(len(tok(t, add_special_tokens=False)["input_ids"]), 48, 8) for t in texts]
    assert min(res.n_windows) > 1 and res.pooled("mean").shape == (4, 3)
    with torch.no_grad():
        enc = tok(texts, truncation=True, max_length=48, padding=True, return_tensors="pt")
        direct = clf(**enc).logits.numpy()
    np.testing.assert_allclose(res.pooled("first"), direct, atol=1e-5)
    assert (longdoc.predict_long(clf, tok, texts, max_length=48, stride=8, pool="max") == res.predict("max")).all()


def test_check_length_refuses_too_long_windows(tok, clf):
    with pytest.raises(ValueError, match="512"):
        longdoc.window_logits(clf, tok, ["x"], max_length=600, stride=0)


def test_encode_long_single_window_equals_encode(tok, clf):
    from vdlm.encode import encode

    texts = ["CHIEF COMPLAINT: SOB x 3 days.", "PMH: HTN, CHF."]
    a = longdoc.encode_long(clf, tok, texts, max_length=64, stride=8)
    b = encode(clf, tok, texts, max_length=64)
    assert a.shape == (2, 32)
    assert torch.allclose(a, b, atol=1e-5)


def test_slow_tokenizer_is_refused():
    class Slow:
        is_fast = False

    with pytest.raises(ValueError, match="fast"):
        longdoc.windows(Slow(), ["x"])
