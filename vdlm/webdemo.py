"""The two model demos of the course site (代码搜索, 实体识别) as int8 ONNX models for transformers.js.

:func:`build_demos` makes them from the same pinned stand-in pipeline as the notebooks, with the notebooks'
settings for a profile (``VDLM_DEMO_PROFILE``, default ``quick``, the profile CI runs the notebooks in, so the
stand-ins it builds are shared with ``tests/test_notebooks.py``):

* **code search** (notebook 01): the ``code`` stand-in (:mod:`vdlm.standins`) fine-tuned contrastively
  (:func:`vdlm.train.train_contrastive`) on the training pairs of :func:`vdlm.data.codesearch.split_pairs`;
  the retrieval pool is that split's test side. The pool's function vectors are computed here *with the
  int8 ONNX model* (mean pooling, L2-normalised, one function per call as in the browser), so the browser only
  encodes the query.
* **NER** (notebook 02): the ``bio`` stand-in fine-tuned for token classification
  (:func:`vdlm.train.train_token_classifier`) on :func:`vdlm.data.biomed.ner_dataset`.

Each model is exported with ``torch.onnx.export`` (opset 17, TorchScript exporter, dynamic batch/sequence axes)
and quantised with ``onnxruntime.quantization.quantize_dynamic`` (QInt8, per-channel weight scales), the
settings verified for transformers.js (4.3.x). Parity with torch is measured and printed (cosine of the
encoder's vectors, agreement of the NER tags). Quality is measured on hand-written held-out data that no
template generated (``vdlm/data/heldout_codesearch.json``, ``vdlm/data/heldout_ner.json``): MRR for code search
(BM25 beside it), entity-level F1 (seqeval) for NER.

Layout written to ``out`` (the site copies it as is)::

    manifest.json                          what was built: profile, key, files (bytes, SHA-256), figures
    codesearch/{config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx}
    codesearch/pool.json                  functions (name, path, line, code), vectors (base64 float32), eval
    ner/{config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx}
    ner/demo.json                          labels, example sentences, eval

Trained models are cached under ``$VDLM_CACHE/webdemo/<demo>-<profile>-<key>/``; the key hashes the stand-in
(its directory name carries its own content key), the training data, the settings, :data:`WEBDEMO_VERSION` and
the torch/onnx/onnxruntime versions. The held-out evaluation is recomputed on every build (< 5 s).
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

WEBDEMO_VERSION = 2
ONNX_OPSET = 17
HERE = Path(__file__).resolve().parent
HELDOUT_CODE = HERE / "data" / "heldout_codesearch.json"
HELDOUT_NER = HERE / "data" / "heldout_ner.json"
#: Token caps, the notebooks' values: a query ≤ 32 tokens, a function ≤ 128 (quick) / 256 (full) tokens.
Q_LEN = 32
#: The NER demo tags at most this many tokens (BERT's position limit); the notebook trains on 48.
NER_MAX_LEN = 512
MODEL_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx")


class DemoDataError(ValueError):
    """A held-out file is malformed (the message names the file, the entry and what to fix)."""


# ---------------------------------------------------------------- settings (the notebooks' values) -------

def code_settings(prof: str) -> dict:
    """Notebook 01's sizes for ``prof``: pool, training pairs, steps, batch, token caps, learning rate."""
    q = prof == "quick"
    return dict(n_test=200 if q else 1000, n_train=320 if q else 2400, steps=16 if q else 150,
                batch=16 if q else 32, q_len=Q_LEN, c_len_train=64 if q else 128, c_len=128 if q else 256,
                lr=3e-5, seed=0)


def ner_settings(prof: str) -> dict:
    """Notebook 02's sizes for ``prof`` (first seed only)."""
    q = prof == "quick"
    return dict(n_train=160 if q else 300, n_test=100 if q else 200, epochs=3, batch=16, lr=1e-4, seed=0,
                max_length=48)


# ---------------------------------------------------------------- word splitting / BM25 (mirrored in JS) --

def code_terms(text: str) -> list[str]:
    """BM25 terms of notebook 01: ASCII words split at camelCase/snake_case, lower-cased.

    >>> code_terms("def readLines(file_path):")
    ['def', 'read', 'lines', 'file', 'path']
    """
    out: list[str] = []
    for w in re.findall(r"[A-Za-z]+", text):
        out += [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", w)]
    return out


def ner_words(text: str) -> list[tuple[str, int, int]]:
    """Words of a sentence as the NER data splits them (:func:`vdlm.data.biomed._tokens`), with offsets.

    Returns:
        ``[(word, start, end)]``, character offsets into ``text`` (end exclusive).
    """
    return [(m.group(), m.start(), m.end())
            for m in re.finditer(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*'?s?|[^\sA-Za-z0-9]", text)]


# ---------------------------------------------------------------- held-out data --------------------------

def load_heldout_code(path: Path = HELDOUT_CODE) -> list[dict]:
    """Hand-written queries: ``[{"query": str, "answer": "module.func"}]``.

    Raises:
        DemoDataError: not a list of such objects (the message names the file and the entry).
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or not isinstance(r.get("query"), str) or not isinstance(r.get("answer"), str):
            raise DemoDataError(f"{path}: entry {i}: expected {{\"query\": text, \"answer\": function name}}")
    return rows


def load_heldout_ner(path: Path = HELDOUT_NER) -> list[dict]:
    """Hand-written sentences with gold spans: ``[{"text": str, "entities": [[surface, type], ...]}]``.

    Each surface string must occur in the text (its first occurrence after the previous entity is used) and
    start and end on word boundaries of :func:`ner_words`; types are Disease, Chemical, Gene.

    Returns:
        The rows, each with ``words`` (list of str) and ``tags`` (BIO) added.

    Raises:
        DemoDataError: a surface that is not in the text, not on word boundaries, or an unknown type.
    """
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, r in enumerate(rows):
        text = r.get("text") if isinstance(r, dict) else None
        if not isinstance(text, str) or not isinstance(r.get("entities"), list):
            raise DemoDataError(f"{path}: entry {i}: expected {{\"text\": ..., \"entities\": [[surface, type]]}}")
        words = ner_words(text)
        tags = ["O"] * len(words)
        pos = 0
        for surface, etype in r["entities"]:
            if etype not in ("Disease", "Chemical", "Gene"):
                raise DemoDataError(f"{path}: entry {i}: type {etype!r} (expected Disease, Chemical or Gene)")
            start = text.find(surface, pos)
            if start < 0:
                raise DemoDataError(f"{path}: entry {i}: {surface!r} is not in the text (after offset {pos})")
            end = start + len(surface)
            idx = [k for k, (_, s, e) in enumerate(words) if s >= start and e <= end]
            if not idx or words[idx[0]][1] != start or words[idx[-1]][2] != end:
                raise DemoDataError(f"{path}: entry {i}: {surface!r} does not start and end on word boundaries")
            tags[idx[0]] = f"B-{etype}"
            for k in idx[1:]:
                tags[k] = f"I-{etype}"
            pos = end
        out.append({**r, "words": [w for w, _, _ in words], "tags": tags})
    return out


# ---------------------------------------------------------------- export / quantise ----------------------

def export_int8(model, tokenizer, out: Path, output_name: str) -> dict:
    """Export ``model`` (BERT encoder or token classifier, CPU, eval) to ``out`` in the transformers.js layout.

    Writes ``config.json``, ``tokenizer.json``, ``tokenizer_config.json`` and ``onnx/model_quantized.onnx``
    (int8: ``quantize_dynamic``, ``QuantType.QInt8``, ``per_channel=True``); the fp32 export is deleted.

    Args:
        output_name: ``"last_hidden_state"`` (``[B, L, H]``) or ``"logits"`` (``[B, L, labels]``).

    Returns:
        ``{"export_s": …, "quantize_s": …, "bytes": …}``.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Wrap(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            o = self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return o.last_hidden_state if output_name == "last_hidden_state" else o.logits

    (out / "onnx").mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()
    model.config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    for extra in ("vocab.txt", "special_tokens_map.json"):  # transformers.js reads tokenizer.json only
        (out / extra).unlink(missing_ok=True)
    enc = tokenizer(["def f ( x ) : return x", "a b"], padding=True, return_tensors="pt")
    args = (enc["input_ids"], enc["attention_mask"], enc.get("token_type_ids", torch.zeros_like(enc["input_ids"])))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = out / "onnx" / "model.onnx"
    t0 = time.perf_counter()
    with torch.no_grad():
        # Wrap(...).eval(): torch.onnx.export restores the wrapper's own mode afterwards, recursively, and a new
        # Module is in training mode: left at that, the model came back with dropout on, and every torch
        # figure measured after the export (the parity below) was measured with dropout (cosine 0.953)
        torch.onnx.export(Wrap(model).eval(), args, str(fp32), input_names=names, output_names=[output_name],
                          dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names + [output_name]},
                          opset_version=ONNX_OPSET, dynamo=False)
    model.eval()
    t1 = time.perf_counter()
    q = out / "onnx" / "model_quantized.onnx"
    quantize_dynamic(str(fp32), str(q), weight_type=QuantType.QInt8, per_channel=True)
    t2 = time.perf_counter()
    fp32.unlink()
    return {"export_s": round(t1 - t0, 1), "quantize_s": round(t2 - t1, 1), "bytes": q.stat().st_size}


class OnnxModel:
    """onnxruntime session over an exported model directory, fed the way the browser feeds it (one text per call).

    Args:
        path: model directory (``onnx/model_quantized.onnx`` + ``tokenizer.json``).
    """

    def __init__(self, path: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # the browser runs one thread without cross-origin isolation
        self.session = ort.InferenceSession(str(Path(path) / "onnx" / "model_quantized.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")

    def run(self, ids: list[int]) -> np.ndarray:
        """Model output for one sequence of token ids (special tokens included): ``[L, H]`` or ``[L, labels]``."""
        a = np.asarray([ids], dtype=np.int64)
        return self.session.run(None, {"input_ids": a, "attention_mask": np.ones_like(a),
                                       "token_type_ids": np.zeros_like(a)})[0][0]

    def text_ids(self, text: str, max_length: int) -> list[int]:
        """``[CLS] pieces [SEP]``, cut to ``max_length`` (as ``truncation=True`` does)."""
        pieces = self.tokenizer.encode(text, add_special_tokens=False).ids[: max_length - 2]
        return [self.cls, *pieces, self.sep]

    def embed(self, text: str, max_length: int) -> np.ndarray:
        """Mean-pooled, L2-normalised vector ``[H]`` (float32) of ``text`` (the code-search encoder)."""
        v = self.run(self.text_ids(text, max_length)).mean(0)
        return (v / max(np.linalg.norm(v), 1e-12)).astype(np.float32)

    def word_ids(self, words: list[str], max_length: int) -> tuple[list[int], list[int]]:
        """Token ids of pre-split words (each word tokenised alone, as ``is_split_into_words=True``) and the
        position of each word's first piece (-1 for words cut off by ``max_length``)."""
        ids, first = [self.cls], []
        for w in words:
            p = self.tokenizer.encode(w, add_special_tokens=False).ids
            room = max_length - 1 - len(ids)  # token-level truncation, as the tokenizer's truncation=True
            first.append(len(ids) if p and room > 0 else -1)
            ids += p[: max(room, 0)]
        return ids + [self.sep], first

    def tag(self, words: list[str], labels: list[str], max_length: int = NER_MAX_LEN) -> list[str]:
        """BIO tag per word: the argmax label of its first piece; words beyond ``max_length`` get ``O``."""
        if not words:
            return []
        ids, first = self.word_ids(words, max_length)
        pred = self.run(ids).argmax(-1)
        return [labels[int(pred[f])] if f >= 0 else "O" for f in first]


# ---------------------------------------------------------------- helpers ----------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict:
    import onnx
    import onnxruntime
    import torch
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__, "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__}


def _key(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()[:10]


@contextlib.contextmanager
def _profile(prof: str):
    """Run with ``VDLM_PROFILE=prof`` (the stand-in loaders and their labels read the variable)."""
    old = os.environ.get("VDLM_PROFILE")
    os.environ["VDLM_PROFILE"] = prof
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("VDLM_PROFILE", None)
        else:
            os.environ["VDLM_PROFILE"] = old


def _slot(name: str, prof: str, key: str, verbose: bool) -> tuple[Path, bool]:
    """The cache directory of a trained demo model and whether it is complete (``done.json`` is written last)."""
    from .env import cache_dir

    out = cache_dir() / "webdemo" / f"{name}-{prof}-{key}"
    done = (out / "done.json").exists()
    if done:
        _say(verbose, f"webdemo: {name} 已缓存 ({out})")
    return out, done


def _store(tmp: Path, out: Path, meta: dict) -> Path:
    """Write ``done.json`` into ``tmp``, then move ``tmp`` to ``out`` (a killed build leaves no half entry)."""
    (tmp / "done.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def _say(verbose: bool, msg: str) -> None:
    if verbose:
        print(msg, flush=True)


# ---------------------------------------------------------------- code search -----------------------------

def _code_model(prof: str, verbose: bool) -> Path:
    """Train (or reuse) the code-search model; returns its cache directory (model files + pool vectors)."""
    from .data.codesearch import fingerprint, load_stdlib_pairs, split_pairs
    from .standins import standin_dir

    s = code_settings(prof)
    pairs = load_stdlib_pairs()
    train, test = split_pairs(pairs, n_test=s["n_test"], n_train=s["n_train"])
    standin = standin_dir("code", prof, verbose)
    key = _key(WEBDEMO_VERSION, prof, s, standin.name, fingerprint(train), fingerprint(test), _versions())
    out, done = _slot("codesearch", prof, key, verbose)
    if done:
        return out
    import torch

    from .registry import get_spec
    from .standins import load_standin
    from .train import mean_pool, set_seed, train_contrastive

    t0 = time.perf_counter()
    set_seed(s["seed"])
    lm = load_standin(get_spec("codebert"), "encoder", device="cpu")
    log = train_contrastive(lm.model, lm.tokenizer, [p.query for p in train], [p.code for p in train],
                            max_steps=s["steps"], batch_size=s["batch"], q_len=s["q_len"], c_len=s["c_len_train"],
                            lr=s["lr"], seed=s["seed"])
    _say(verbose, f"webdemo: code-search 对比微调 {s['steps']} 步 × batch {s['batch']}，{log.seconds:.0f} s，"
                  f"loss {log.loss[0]:.3f} → {log.loss[-1]:.3f}")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    lm.model.eval()
    ex = export_int8(lm.model, lm.tokenizer, tmp, "last_hidden_state")
    onnx_model = OnnxModel(tmp)
    t1 = time.perf_counter()
    vecs = np.stack([onnx_model.embed(p.code, s["c_len"]) for p in test])
    pool_s = time.perf_counter() - t1
    # parity: torch fp32 vs ONNX int8, the same one-text-per-call inputs
    sample = [p.query for p in test[:50]] + [p.code for p in test[:50]]
    cos = []
    with torch.no_grad():
        for i, t in enumerate(sample):
            ml = s["q_len"] if i < 50 else s["c_len"]
            ids = torch.tensor([onnx_model.text_ids(t, ml)])
            h = lm.model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            v = torch.nn.functional.normalize(mean_pool(h, torch.ones_like(ids)), dim=-1)[0].numpy()
            cos.append(float(v @ onnx_model.embed(t, ml)))
    np.save(tmp / "pool-vectors.npy", vecs)
    meta = {"settings": s, "standin": standin.name, "train_loss": [log.loss[0], log.loss[-1]],
            "train_s": round(log.seconds, 1), **ex, "pool_s": round(pool_s, 1),
            "parity": {"what": "cosine torch fp32 vs onnx int8", "n": len(cos), "mean": round(float(np.mean(cos)), 4),
                       "min": round(float(np.min(cos)), 4)},
            "pool": [{"name": p.name, "path": p.path, "lineno": p.lineno, "query": p.query, "code": p.code}
                     for p in test],
            "seconds": round(time.perf_counter() - t0, 1), "versions": _versions()}
    return _store(tmp, out, meta)


def bm25_scores(docs: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75,
                epsilon: float = 0.25) -> np.ndarray:
    """Okapi BM25 scores ``[N]`` of ``query`` against ``docs`` (term lists), exactly as ``rank_bm25.BM25Okapi``
    (idf = ln((N − n + 0.5)/(n + 0.5)), negative idf floored at ε × mean idf), which notebook 01 uses; the
    site's JavaScript BM25 implements the same formula."""
    from rank_bm25 import BM25Okapi

    return np.asarray(BM25Okapi(docs, k1=k1, b=b, epsilon=epsilon).get_scores(query))


def eval_code(model_dir: Path, heldout: list[dict]) -> dict:
    """MRR / R@1 / R@5 of the ONNX model and of BM25 on the hand-written queries (each ranks the whole pool).

    Raises:
        DemoDataError: an answer that is not a function of the pool.
    """
    from .metrics import mrr, recall_at_k

    meta = json.loads((model_dir / "done.json").read_text(encoding="utf-8"))
    pool = meta["pool"]
    names = [p["name"] for p in pool]
    vecs = np.load(model_dir / "pool-vectors.npy")
    m = OnnxModel(model_dir)
    docs = [code_terms(p["code"]) for p in pool]
    ranks = {"model": [], "bm25": []}
    rows = []
    for i, r in enumerate(heldout):
        if r["answer"] not in names:
            raise DemoDataError(f"{HELDOUT_CODE}: entry {i}: {r['answer']!r} is not in the pool "
                                f"({len(pool)} functions of the {meta['settings']['n_test']}-function test split)")
        j = names.index(r["answer"])
        s_model = vecs @ m.embed(r["query"], Q_LEN)
        s_bm25 = bm25_scores(docs, code_terms(r["query"]))
        rm = int((s_model >= s_model[j]).sum())  # ties count against the query (vdlm.metrics)
        rb = int((s_bm25 >= s_bm25[j]).sum())
        ranks["model"].append(rm)
        ranks["bm25"].append(rb)
        rows.append({"query": r["query"], "answer": r["answer"], "rank_model": rm, "rank_bm25": rb,
                     "top1_model": names[int(np.argmax(s_model))]})
    rep = {k: {"MRR": round(mrr(v), 3), "R@1": round(recall_at_k(v, 1), 3), "R@5": round(recall_at_k(v, 5), 3)}
           for k, v in ranks.items()}
    return {"n_queries": len(heldout), "pool": len(pool), **rep, "rows": rows}


# ---------------------------------------------------------------- NER ---------------------------------------

def _ner_model(prof: str, verbose: bool) -> Path:
    """Train (or reuse) the NER model; returns its cache directory."""
    from .data.biomed import LABELS, ner_dataset
    from .standins import standin_dir

    s = ner_settings(prof)
    (train_w, train_t), (test_w, test_t) = ner_dataset(n_train=s["n_train"], n_test=s["n_test"])
    standin = standin_dir("bio", prof, verbose)
    key = _key(WEBDEMO_VERSION, prof, s, standin.name, LABELS, train_w, train_t, _versions())
    out, done = _slot("ner", prof, key, verbose)
    if done:
        return out
    import torch

    from .metrics import ner_report
    from .registry import get_spec
    from .standins import load_standin
    from .train import predict_tags, set_seed, train_token_classifier

    t0 = time.perf_counter()
    set_seed(s["seed"])
    id2label = dict(enumerate(LABELS))
    lm = load_standin(get_spec("biobert"), "token-cls", device="cpu", num_labels=len(LABELS), id2label=id2label,
                      label2id={l: i for i, l in id2label.items()})
    log = train_token_classifier(lm.model, lm.tokenizer, train_w, train_t, LABELS, epochs=s["epochs"],
                                 batch_size=s["batch"], lr=s["lr"], seed=s["seed"], max_length=s["max_length"])
    _say(verbose, f"webdemo: ner 微调 {log.steps[-1] if log.steps else 0} 步，{log.seconds:.0f} s，"
                  f"loss {log.loss[0]:.2f} → {log.loss[-1]:.2f}")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    lm.model.eval()
    ex = export_int8(lm.model, lm.tokenizer, tmp, "logits")
    onnx_model = OnnxModel(tmp)
    torch_tags = predict_tags(lm.model, lm.tokenizer, test_w, LABELS, max_length=NER_MAX_LEN)
    onnx_tags = [onnx_model.tag(w, LABELS) for w in test_w]
    flat_t = [t for s_ in torch_tags for t in s_]
    flat_o = [t for s_ in onnx_tags for t in s_]
    agree = float(np.mean([a == b for a, b in zip(flat_t, flat_o)]))
    meta = {"settings": s, "standin": standin.name, "labels": LABELS, "train_loss": [log.loss[0], log.loss[-1]],
            "train_s": round(log.seconds, 1), **ex,
            "parity": {"what": "tag agreement torch fp32 vs onnx int8 (synthetic test words)", "n": len(flat_t),
                       "agreement": round(agree, 4)},
            "synthetic_test_f1": {"torch": round(ner_report(test_t, torch_tags)["f1"], 3),
                                  "onnx": round(ner_report(test_t, onnx_tags)["f1"], 3)},
            "seconds": round(time.perf_counter() - t0, 1), "versions": _versions()}
    return _store(tmp, out, meta)


def ner_spans(words: list[tuple[str, int, int]], tags: list[str]) -> list[dict]:
    """Entity spans from word tags (strict IOB2, as seqeval: an ``I-`` without a matching ``B-`` is dropped).

    Returns:
        ``[{"start", "end", "type", "text"}]`` with character offsets of the words.
    """
    out, cur = [], None
    for (w, s, e), t in zip(words, tags):
        if t.startswith("B-"):
            if cur:
                out.append(cur)
            cur = {"start": s, "end": e, "type": t[2:]}
        elif t.startswith("I-") and cur and cur["type"] == t[2:]:
            cur["end"] = e
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return out


def eval_ner(model_dir: Path, heldout: list[dict]) -> dict:
    """Entity-level P/R/F1 (seqeval strict IOB2, :func:`vdlm.metrics.ner_report`) on the hand-written sentences."""
    from .metrics import ner_report

    meta = json.loads((model_dir / "done.json").read_text(encoding="utf-8"))
    m = OnnxModel(model_dir)
    pred = [m.tag(r["words"], meta["labels"]) for r in heldout]
    rep = ner_report([r["tags"] for r in heldout], pred)
    return {"n_sentences": len(heldout), "n_entities": sum(len(r["entities"]) for r in heldout),
            "precision": round(rep["precision"], 3), "recall": round(rep["recall"], 3), "f1": round(rep["f1"], 3),
            "per_type": {k: round(v, 3) for k, v in rep["per_type"].items()}}


# ---------------------------------------------------------------- provenance (Chinese) ---------------------

def provenance_code(meta: dict, prof: str) -> str:
    """The Chinese provenance line of the code-search demo (what runs, how it was made; never "CodeBERT")."""
    from .standins import describe

    s = meta["settings"]
    return (f"离线替身，不是 microsoft/codebert-base：{describe('code', prof)}，再用 Python 标准库的"
            f" {s['n_train']} 对“文档字符串-函数”做 {s['steps']} 步对比微调（batch {s['batch']}，与 notebook 01"
            f" 的 {prof} 配置相同）；导出为 ONNX 并做 int8 动态量化（逐通道），"
            f"与 torch 的余弦相似度均值 {meta['parity']['mean']:.3f}。检索池是 notebook 01 的测试集："
            f"{len(meta['pool'])} 个标准库函数（训练时未见过的文件），其向量在构建网站时已算好，"
            "查询在你的浏览器里编码。")


def provenance_ner(meta: dict, prof: str) -> str:
    """The Chinese provenance line of the NER demo."""
    from .standins import describe

    s = meta["settings"]
    return (f"离线替身，不是 dmis-lab/biobert-base-cased-v1.2：{describe('bio', prof)}，再在本课程编写的"
            f" {s['n_train']} 句合成生物医学句子上做 {s['epochs']} 轮 NER 微调（Disease / Chemical / Gene，"
            f"与 notebook 02 的 {prof} 配置相同）；导出为 ONNX 并做 int8 动态量化（逐通道），"
            f"与 torch 的标签一致率 {meta['parity']['agreement']:.1%}。它只见过模板生成的句子，真实文献里的"
            "写法常常认不出来。")


# ---------------------------------------------------------------- the build ---------------------------------

def unreachable_tokens(tokenizer_json: dict) -> set[str]:
    """Vocabulary entries that a BERT (uncased) WordPiece tokenizer can never output.

    A piece (``##`` removed) can only be output if it survives the normalizer unchanged (so no upper-case or
    accented letter: the input is lower-cased and stripped of accents) and the pre-tokenizer leaves it whole (so
    no CJK character after ``##`` or inside a longer piece, since each CJK character is its own word, and no
    punctuation inside a longer piece). In the 30,522-entry uncased vocabulary these are the 994 ``[unusedN]``
    entries and 245 ``##`` continuations of a CJK character (1,239 in all). Special tokens are always kept.

    Returns:
        The unreachable token strings (a sufficient test: every token kept may still be unreachable).
    """
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(json.dumps(tokenizer_json))
    special = {a["content"] for a in tokenizer_json.get("added_tokens", [])}
    prefix = tokenizer_json["model"].get("continuing_subword_prefix") or "##"
    out = set()
    for t in tokenizer_json["model"]["vocab"]:
        if t in special:
            continue
        cont = t.startswith(prefix)
        body = t[len(prefix):] if cont else t
        norm = tok.normalizer.normalize_str(body) if body else ""
        if not cont:  # a word-initial CJK character comes back with spaces around it: still reachable
            norm = norm.strip()
        words = [w for w, _ in tok.pre_tokenizer.pre_tokenize_str(norm)] if norm else []
        if not body or norm != body or words != [body]:
            out.add(t)
    return out


def prune_vocab(src: Path, dst: Path) -> dict:
    """Copy an exported model directory, dropping the word-embedding rows of tokens the tokenizer can never output
    (:func:`unreachable_tokens`) and renumbering the vocabulary in ``tokenizer.json`` and ``config.json``.

    The int8 embedding matrix is dequantised with one scale for the whole tensor, so the kept rows and hence every
    output are bit-identical; checked here on a few texts. Saves 1,239 × 384 bytes (0.48 MB) per model.

    Returns:
        ``{"vocab": (old, new), "bytes_saved": …, "max_abs_diff": …}``.

    Raises:
        RuntimeError: the pruned model's outputs differ from the original's.
    """
    import onnx
    from onnx import numpy_helper

    shutil.rmtree(dst, ignore_errors=True)
    (dst / "onnx").mkdir(parents=True)
    tj = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = tj["model"]["vocab"]
    drop = unreachable_tokens(tj)
    keep = sorted(i for t, i in vocab.items() if t not in drop)
    new_id = {old: new for new, old in enumerate(keep)}
    tj["model"]["vocab"] = {t: new_id[i] for t, i in vocab.items() if i in new_id}
    for a in tj.get("added_tokens", []):
        a["id"] = new_id[a["id"]]
    for sp in (tj.get("post_processor") or {}).get("special_tokens", {}).values():
        sp["ids"] = [new_id[i] for i in sp["ids"]]
    if tj.get("padding"):
        tj["padding"]["pad_id"] = new_id[tj["padding"]["pad_id"]]
    (dst / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False), encoding="utf-8")
    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    cfg["vocab_size"] = len(keep)
    if cfg.get("pad_token_id") is not None:
        cfg["pad_token_id"] = new_id[cfg["pad_token_id"]]
    (dst / "config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    shutil.copy2(src / "tokenizer_config.json", dst / "tokenizer_config.json")
    model = onnx.load(str(src / "onnx" / "model_quantized.onnx"))
    rows = np.asarray(keep)
    hit = 0
    for init in model.graph.initializer:
        if "word_embeddings" in init.name and init.dims and init.dims[0] == len(vocab):
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init)[rows], init.name))
            hit += 1
    if hit != 1:
        raise RuntimeError(f"{src}: expected one word-embedding initializer, found {hit}")
    onnx.save(model, str(dst / "onnx" / "model_quantized.onnx"))
    a, b = OnnxModel(src), OnnxModel(dst)
    diff = 0.0
    for text in ["def read_json(path): return json.load(open(path))", "BRCA1 mutations cause breast cancer .",
                 "Émile naïve café 中文 😀 [unused3]"]:
        ia, ib = a.text_ids(text, 64), b.text_ids(text, 64)
        if [keep[i] for i in ib] != ia:
            raise RuntimeError(f"{dst}: pruned tokenizer gives other tokens for {text!r}")
        diff = max(diff, float(np.abs(a.run(ia) - b.run(ib)).max()))
    if diff != 0.0:
        raise RuntimeError(f"{dst}: pruned model differs from {src} (max abs diff {diff})")
    saved = (src / "onnx" / "model_quantized.onnx").stat().st_size - (dst / "onnx" / "model_quantized.onnx").stat().st_size
    return {"vocab": [len(vocab), len(keep)], "bytes_saved": saved, "max_abs_diff": diff}




def build_demos(out: Path, prof: str | None = None, verbose: bool = True) -> dict:
    """Build (or reuse from the cache) both demo models and write the site's demo files to ``out``.

    Args:
        out: output directory (replaced: ``codesearch/``, ``ner/``, ``manifest.json``).
        prof: ``"quick"`` or ``"full"`` (default ``$VDLM_DEMO_PROFILE``, else ``"quick"``: what CI builds and
            tests, and what the site shows; the notebooks' ``VDLM_PROFILE`` is not used, so a full notebook run
            does not change the demos).

    Returns:
        The manifest (also written to ``out/manifest.json``): profile, timings, parity, held-out figures,
        files with bytes and SHA-256, total bytes.

    Raises:
        DemoDataError: a held-out file is malformed or names a function outside the pool.
    """
    prof = prof or os.environ.get("VDLM_DEMO_PROFILE", "quick")
    if prof not in ("quick", "full"):
        raise ValueError(f"VDLM_DEMO_PROFILE={prof!r}: expected 'quick' or 'full'")
    t0 = time.perf_counter()
    out = Path(out)
    heldout_code = load_heldout_code()
    heldout_ner = load_heldout_ner()
    with _profile(prof):
        code_dir = _code_model(prof, verbose)
        ner_dir = _ner_model(prof, verbose)
    code_meta = json.loads((code_dir / "done.json").read_text(encoding="utf-8"))
    ner_meta = json.loads((ner_dir / "done.json").read_text(encoding="utf-8"))
    t1 = time.perf_counter()
    code_eval = eval_code(code_dir, heldout_code)
    ner_eval = eval_ner(ner_dir, heldout_ner)
    eval_s = time.perf_counter() - t1

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    prune = {"codesearch": prune_vocab(code_dir, tmp / "codesearch"), "ner": prune_vocab(ner_dir, tmp / "ner")}
    vecs = np.load(code_dir / "pool-vectors.npy").astype("<f4")
    with _profile(prof):
        prov_code, prov_ner = provenance_code(code_meta, prof), provenance_ner(ner_meta, prof)
    pool = {"dim": int(vecs.shape[1]), "q_len": Q_LEN, "vectors": base64.b64encode(vecs.tobytes()).decode(),
            "functions": [{k: p[k] for k in ("name", "path", "lineno", "code")} for p in code_meta["pool"]],
            "eval": {k: v for k, v in code_eval.items() if k != "rows"},
            "provenance_zh": prov_code}
    (tmp / "codesearch" / "pool.json").write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
    demo = {"labels": ner_meta["labels"], "max_length": NER_MAX_LEN, "eval": ner_eval,
            "provenance_zh": prov_ner}
    (tmp / "ner" / "demo.json").write_text(json.dumps(demo, ensure_ascii=False), encoding="utf-8")
    files = {}
    for f in sorted(p for p in tmp.rglob("*") if p.is_file()):
        files[f.relative_to(tmp).as_posix()] = {"bytes": f.stat().st_size, "sha256": _sha(f)}
    manifest = {
        "version": WEBDEMO_VERSION, "profile": prof, "made": time.strftime("%Y-%m-%d %H:%M:%S"),
        "code_search": {k: code_meta[k] for k in ("settings", "standin", "train_loss", "train_s", "export_s",
                                                  "quantize_s", "pool_s", "parity", "seconds")}
        | {"cache": code_dir.name, "heldout": code_eval},
        "ner": {k: ner_meta[k] for k in ("settings", "standin", "train_loss", "train_s", "export_s", "quantize_s",
                                         "parity", "synthetic_test_f1", "seconds")}
        | {"cache": ner_dir.name, "heldout": ner_eval},
        "pruned_vocab": prune, "eval_s": round(eval_s, 1), "seconds": round(time.perf_counter() - t0, 1), "versions": _versions(),
        "files": files, "total_bytes": sum(v["bytes"] for v in files.values()),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(out)
    return manifest
