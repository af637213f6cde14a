"""The two model demos (代码搜索, 实体识别): the built files, the held-out figures, and the widgets in Chromium.

Needs the models that ``make demos`` builds into ``demos/models/`` (``make test`` builds them first; from the
cached stand-ins this takes about a minute, see CONTRIBUTING.md). One browser, one page (the case-study page
has both demos), one built site shared with the other browser tests.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tests.browser_helpers import SLIDE_FIT_JS, open_page

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "demos" / "models"
PAGE = "08-case-studies/"
WASM = ROOT / "node_modules" / "onnxruntime-web" / "dist" / "ort-wasm-simd-threaded.wasm"

# Fixed inputs and what the demos must answer (hand-written, not from the training templates).
QUERIES = {
    "create a zip archive of a directory": "distutils.archive_util.make_zipfile",
    "split numbers into equal probability intervals such as quartiles": "statistics.quantiles",
    "run several coroutines concurrently and collect their results": "asyncio.tasks.gather",
}
SENTENCES = {
    "Women who carry a BRCA2 mutation have a higher lifetime risk of ovarian cancer.":
        [("BRCA2", "Gene"), ("ovarian cancer", "Disease")],
    "Mutations in FBN1 weaken connective tissue in Marfan syndrome.": [("FBN1", "Gene"), ("Marfan syndrome", "Disease")],
    "Isoniazid should be stopped at once if signs of hepatotoxicity appear.":
        [("Isoniazid", "Chemical"), ("hepatotoxicity", "Disease")],
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    path = MODELS / "manifest.json"
    if not path.is_file():
        pytest.fail(f"{path} missing: run `make demos` (needs the demo extra: make install-demo)")
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the build's output --------------------

def test_heldout_sets_are_hand_written_and_big_enough():
    from vdlm import webdemo
    from vdlm.data.biomed import NER_TEMPLATES

    code = webdemo.load_heldout_code()
    ner = webdemo.load_heldout_ner()
    assert len(code) >= 20 and len(ner) >= 20
    assert len({r["query"] for r in code}) == len(code)
    # no sentence is a filled-in training template
    shapes = [t.replace(" .", ".").split("{")[0].strip() for t in NER_TEMPLATES]
    for r in ner:
        assert not any(s and r["text"].startswith(s) for s in shapes if len(s) > 12), r["text"]
    assert all(any(t != "O" for t in r["tags"]) for r in ner)


def test_heldout_ner_rejects_a_span_not_in_the_text(tmp_path):
    from vdlm import webdemo

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"text": "BRCA1 is a gene.", "entities": [["BRCA2", "Gene"]]}]), encoding="utf-8")
    with pytest.raises(webdemo.DemoDataError, match=r"bad\.json: entry 0: 'BRCA2' is not in the text"):
        webdemo.load_heldout_ner(bad)


def test_export_leaves_the_model_in_eval_mode_and_matches_torch(tmp_path):
    """torch.onnx.export restores its wrapper's mode, recursively: the model must come back in eval mode (it
    once came back with dropout on, and the parity measured after the export read 0.953 instead of 0.993)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    from tests.tiny_models import CORPUS, train_wordpiece
    from vdlm.webdemo import OnnxModel, export_int8

    tok = BertTokenizer(str(train_wordpiece(tmp_path / "tok", CORPUS, 200)))
    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2,
                                 num_attention_heads=2, intermediate_size=64)).eval()
    export_int8(model, tok, tmp_path / "m", "last_hidden_state")
    assert not model.training and not any(m.training for m in model.modules())
    onnx = OnnxModel(tmp_path / "m")
    ids = onnx.text_ids("BRCA1 mutations cause breast cancer", 32)
    assert len(set(ids)) > 4, ids   # real pieces, not [UNK]s
    with torch.no_grad():
        ref = model(input_ids=torch.tensor([ids])).last_hidden_state[0].numpy()
    got = onnx.run(ids)
    cos = (ref * got).sum(-1) / (np.linalg.norm(ref, axis=-1) * np.linalg.norm(got, axis=-1))
    assert cos.min() > 0.97, cos


def test_manifest_layout_parity_and_budget(manifest):
    for demo in ("codesearch", "ner"):
        for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"):
            assert f"{demo}/{f}" in manifest["files"], (demo, f)
    # int8 vs fp32 torch (in eval mode): the quick code-search model measured 0.993 mean cosine, min 0.985 (DESIGN
    # §9's plain MiniLM: 0.992); the browser is compared with this same ONNX model below
    assert manifest["code_search"]["parity"]["mean"] >= 0.98, manifest["code_search"]["parity"]
    assert manifest["ner"]["parity"]["agreement"] >= 0.98, manifest["ner"]["parity"]
    onnx = sum(v["bytes"] for k, v in manifest["files"].items() if k.endswith(".onnx"))
    assert onnx + WASM.stat().st_size <= 60_000_000, f"model + wasm = {(onnx + WASM.stat().st_size) / 1e6:.1f} MB"
    # the page's figures are the build's (generated, not typed)
    pool = json.loads((MODELS / "codesearch" / "pool.json").read_text(encoding="utf-8"))
    assert pool["eval"]["model"] == manifest["code_search"]["heldout"]["model"]
    assert len(pool["functions"]) * pool["dim"] * 4 == len(__import__("base64").b64decode(pool["vectors"]))
    demo = json.loads((MODELS / "ner" / "demo.json").read_text(encoding="utf-8"))
    assert demo["eval"]["f1"] == manifest["ner"]["heldout"]["f1"]
    assert "离线替身" in pool["provenance_zh"] and "离线替身" in demo["provenance_zh"]


def test_heldout_quality_is_what_the_page_says(manifest):
    """The stand-ins' quality on the hand-written held-out sets (the figures the widgets print): the code
    search beats BM25 by a clear margin, the NER stand-in finds about half the entities. A floor, not the
    figure itself: the stand-ins are retrained on each machine."""
    code, ner = manifest["code_search"]["heldout"], manifest["ner"]["heldout"]
    assert code["n_queries"] >= 20 and ner["n_sentences"] >= 20
    assert code["model"]["MRR"] >= 0.5 and code["model"]["MRR"] >= code["bm25"]["MRR"] + 0.15, code
    assert ner["f1"] >= 0.4, ner


# ---------------------------------------------------------------- the widgets in Chromium ---------------

@pytest.fixture(scope="module")
def demo_page(browser, site_url, manifest):
    context = browser.new_context()
    tab, visit = open_page(context, site_url + PAGE, PAGE)
    yield tab, visit
    context.close()


def _mount(tab, demo: str) -> None:
    el = tab.locator(f'.vdlm-demo[data-demo="{demo}"]').first
    el.scroll_into_view_if_needed()
    el.locator(".vdlm-demo-input").click()
    tab.wait_for_function(f"""() => {{ const el = document.querySelector('.vdlm-demo[data-demo="{demo}"]');
        return el && el.getAttribute('data-demo-ready'); }}""", timeout=60000)
    assert tab.locator(f'.vdlm-demo[data-demo="{demo}"]').first.get_attribute("data-demo-ready") == "1", \
        tab.locator(f'.vdlm-demo[data-demo="{demo}"] .vdlm-demo-status').first.inner_text()


def test_nothing_demo_related_loads_before_use(demo_page):
    tab, _ = demo_page
    urls = tab.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in urls if "/models/" in u or ".wasm" in u or "model-demos" in u], urls


def _pool_vectors() -> tuple[list[str], np.ndarray]:
    """The pool's function names and their build-time vectors ``[N, dim]`` (float32, L2-normalised)."""
    import base64

    pool = json.loads((MODELS / "codesearch" / "pool.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in pool["functions"]]
    vectors = np.frombuffer(base64.b64decode(pool["vectors"]), dtype=np.float32).reshape(len(names), pool["dim"])
    return names, vectors


def test_code_search_top1_in_the_browser_matches_python(demo_page):
    """The browser's query vector is Python's (onnxruntime, same ONNX file), its ranking is the ranking of the
    build-time vectors by that query vector, and the top 1 is Python's. The stand-in is trained on the machine
    that builds it, and float kernels differ between CPUs (AVX-512 or not), so the exact top 1 of a query can
    differ between machines when two functions score close: the fixed answer is required in the top 5 (the
    model's quality is the held-out MRR, tested in test_heldout_quality_is_what_the_page_says)."""
    from vdlm.webdemo import OnnxModel, Q_LEN, bm25_scores, code_terms

    tab, visit = demo_page
    _mount(tab, "codesearch")
    py = OnnxModel(MODELS / "codesearch")
    pool = json.loads((MODELS / "codesearch" / "pool.json").read_text(encoding="utf-8"))
    names, vectors = _pool_vectors()
    docs = [code_terms(f["code"]) for f in pool["functions"]]
    for query, answer in QUERIES.items():
        got = tab.evaluate("q => VDLMDemos.models.search(q)", query)
        top = [r["name"] for r in got["model"]]
        vec = np.asarray(tab.evaluate("q => VDLMDemos.models.embed(q)", query), dtype=np.float32)
        ref = py.embed(query, Q_LEN)
        assert float(vec @ ref) > 0.98, query           # the same encoder in wasm and in native onnxruntime
        mine = vectors.astype(np.float64) @ vec.astype(np.float64)   # the browser sums in doubles
        assert top == [names[i] for i in np.argsort(-mine, kind="stable")[:5]], query   # ranked as Python ranks
        assert all(math.isclose(r["score"], float(mine[names.index(r["name"])]), abs_tol=1e-4) for r in got["model"])
        theirs = vectors @ ref
        first, second = np.sort(theirs)[::-1][:2]
        if first - second > 0.01:                       # not a near tie: Python's own top 1
            assert top[0] == names[int(np.argmax(theirs))], query
        assert answer in top, (query, got["model"])
        bm = bm25_scores(docs, code_terms(query))
        want = sorted(range(len(names)), key=lambda i: (-bm[i], i))[:5]
        assert [r["name"] for r in got["bm25"]] == [names[i] for i in want], query
        assert all(math.isclose(r["score"], bm[i], rel_tol=1e-9, abs_tol=1e-9) for r, i in zip(got["bm25"], want))
    odd = tab.evaluate("q => VDLMDemos.models.search(q)", "constructor toString hasOwnProperty")
    assert all(math.isfinite(r["score"]) for r in odd["bm25"] + odd["model"]), odd
    # the widget itself: typed query → the ranked lists with the code
    box = tab.locator('.vdlm-demo[data-demo="codesearch"] .vdlm-demo-input').first
    box.fill("create a zip archive of a directory")
    out = tab.locator('.vdlm-demo[data-demo="codesearch"] .vdlm-demo-output').first
    out.locator("code", has_text="make_zipfile").first.wait_for(timeout=10000)
    assert out.locator("pre code").count() >= 10
    assert any(w.url.startswith("blob:") for w in tab.workers), "inference must run in a Web Worker"
    assert not visit.external and not visit.console_errors, (visit.external, visit.console_errors)


def test_ner_spans_in_the_browser_match_python(demo_page):
    from vdlm.webdemo import OnnxModel, ner_spans, ner_words

    tab, visit = demo_page
    _mount(tab, "ner")
    py = OnnxModel(MODELS / "ner")
    labels = json.loads((MODELS / "ner" / "demo.json").read_text(encoding="utf-8"))["labels"]
    found, expected = 0, 0
    for text, want in SENTENCES.items():
        got = tab.evaluate("t => VDLMDemos.models.tag(t)", text)
        spans = [(s["text"], s["type"]) for s in got["spans"]]
        found += sum(w in spans for w in want)
        expected += len(want)
        words = ner_words(text)
        py_tags = py.tag([w for w, _, _ in words], labels)
        assert got["tags"] == py_tags, text
        assert [(s["start"], s["end"], s["type"]) for s in got["spans"]] == \
            [(s["start"], s["end"], s["type"]) for s in ner_spans(words, py_tags)]
    # the stand-in is retrained on each machine (float kernels differ between CPUs): the hand-written spans are
    # a floor, not an exact list (measured on the build machine: 6 of 6)
    assert found >= expected - 2, f"only {found} of the {expected} hand-written spans found"
    # the widget itself: typed sentence → the spans highlighted, as Python tags them
    text = "Mutations in FBN1 weaken connective tissue in Marfan syndrome."
    words = ner_words(text)
    py_spans = ner_spans(words, py.tag([w for w, _, _ in words], labels))
    assert py_spans, "the stand-in tags nothing in the fixed sentence"
    box = tab.locator('.vdlm-demo[data-demo="ner"] .vdlm-demo-input').first
    box.fill(text)
    out = tab.locator('.vdlm-demo[data-demo="ner"] .vdlm-demo-output').first
    out.locator(f"mark.vdlm-ent-{py_spans[0]['type']}", has_text=text[py_spans[0]['start']:py_spans[0]['end']]).wait_for(timeout=10000)
    assert out.locator("mark:has(.vdlm-ent-label)").count() == len(py_spans)
    prov = tab.locator('.vdlm-demo[data-demo="ner"] .vdlm-demo-provenance').first.inner_text()
    assert "离线替身" in prov and "F1" in prov
    assert not visit.external and not visit.console_errors, (visit.external, visit.console_errors)


def test_code_search_results_stay_inside_their_slide(browser, site_url):
    """On the case-study deck the five results of both rankers, with their code, stay inside the slide (the
    output box scrolls) and no text in the widget is under 12 px."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab, visit = open_page(context, site_url + "08-case-studies/slides/", "08-case-studies/slides/")
    tab.wait_for_function("() => window.deckReady === true", timeout=30000)
    tab.evaluate("() => { const s = document.querySelector('.reveal .vdlm-demo[data-demo=\"codesearch\"]').closest('section');"
                 " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }")
    el = tab.locator('.reveal .vdlm-demo[data-demo="codesearch"]').first
    el.locator(".vdlm-demo-input").click()
    el.locator(".vdlm-demo-example").first.click()
    tab.wait_for_function("el => el.querySelectorAll('.vdlm-cs-col li').length >= 10", arg=el.element_handle(),
                          timeout=60000)
    tab.wait_for_function("el => el.vdlmDoneText === el.querySelector('textarea').value", arg=el.element_handle())
    fit = tab.evaluate(SLIDE_FIT_JS, el.element_handle())
    assert fit["height"] <= 720 and fit["bottom"] <= 720 - 30, fit
    assert fit["minFont"] >= 12, fit
    # keyboard: the arrows scroll the results, Space opens a result's code; the deck stays on this slide
    here = tab.evaluate("() => JSON.stringify(Reveal.getIndices())")
    out = el.locator(".vdlm-demo-output")
    out.focus()
    for key in ("ArrowDown", "ArrowDown", "PageDown", "ArrowRight", " "):
        tab.keyboard.press(key)
    tab.wait_for_function("o => o.scrollTop > 0", arg=out.element_handle(), timeout=5000)  # smooth scrolling
    summary = el.locator(".vdlm-cs-col summary").first
    summary.focus()
    tab.keyboard.press(" ")
    assert el.locator(".vdlm-cs-col details").first.evaluate("d => d.open")
    assert tab.evaluate("() => JSON.stringify(Reveal.getIndices())") == here, "a key in the results moved the deck"
    assert not visit.external and not visit.console_errors, (visit.external, visit.console_errors)
    context.close()


@pytest.mark.parametrize("text, message", [
    ("", "不能为空"),
    ("x" * 10001, "输入太长"),
    ("BRCA1 😀 mutations", "emoji"),
    ("这个基因突变导致乳腺癌", "中文"),
    ("BRCA1 " * 1500, "只用了前 512 个"),
])
def test_bad_input_gets_a_chinese_message(demo_page, text, message):
    tab, visit = demo_page
    _mount(tab, "ner")
    el = tab.locator('.vdlm-demo[data-demo="ner"]').first
    el.locator(".vdlm-demo-input").fill(text)
    tab.wait_for_function("""(m) => { const el = document.querySelector('.vdlm-demo[data-demo="ner"]');
        return (el.querySelector('.vdlm-demo-status').textContent + el.querySelector('.vdlm-demo-output').textContent).includes(m); }""",
                          arg=message, timeout=15000)
    assert not visit.console_errors, visit.console_errors


def test_corrupt_model_and_no_webassembly_get_a_message(browser, site_url, manifest):
    context = browser.new_context()
    context.route("**/models/ner/model_quantized.onnx", lambda r: r.fulfill(status=200, body=b"not an onnx file"))
    tab, visit = open_page(context, site_url + PAGE, PAGE)
    _status = '.vdlm-demo[data-demo="ner"] .vdlm-demo-status'
    tab.locator('.vdlm-demo[data-demo="ner"] .vdlm-demo-input').first.click()
    tab.wait_for_function(f"() => document.querySelector('{_status}').textContent.includes('损坏')", timeout=60000)
    tab.close()
    context.add_init_script("delete window.WebAssembly")
    tab, visit2 = open_page(context, site_url + PAGE, PAGE)
    tab.locator('.vdlm-demo[data-demo="codesearch"] .vdlm-demo-input').first.click()
    tab.wait_for_function("() => document.querySelector('.vdlm-demo[data-demo=\"codesearch\"] .vdlm-demo-status')"
                          ".textContent.includes('WebAssembly')", timeout=30000)
    assert not visit.console_errors and not visit2.console_errors, visit.console_errors + visit2.console_errors
    context.close()
