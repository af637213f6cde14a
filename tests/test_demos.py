"""The live tokenizer demos (coursesite/demos/): the block parser's errors, and the widgets in Chromium on a page,
on its slide and from file:// — exact tokens for fixed inputs, the same pieces as Python's ``tokenizers``, the
Web Worker used, nothing fetched before first use, no request to another host, no console error, keyboard
use, axe, and each kind of bad input answered in the widget.

One built site (the session's), one browser; each test opens the few tabs it needs.
"""
from __future__ import annotations

import json

import pytest

from coursesite.demos.blocks import find_blocks, render_blocks, site_root
from coursesite.demos.site import DemoRoom
from coursesite.demos.specs import DEMOS, TOKENIZER_IDS
from tests.browser_helpers import ROOT, SLIDE_FIT_JS, open_page, run_axe

TOKENIZERS = ROOT / "demos" / "tokenizers"
BERT_EXPECTED = ["[CLS]", "im", "##mun", "##og", "##lo", "##bu", "##lin", "br", "##ca", "##1", "mutations", "[SEP]"]
# inputs for the browser-vs-Python comparison: terms, a de-identification placeholder, code, casing, accents,
# emoji, Chinese, odd whitespace
COMPARE = ["Immunoglobulin BRCA1 mutations", "[**Patient Name**] was seen on [**2151-7-14**].",
           "def read_json(path): return json.load(open(path))", "Acetaminophen-induced hepatotoxicity",
           "The QUICK brown fox's naïve café", "emoji 😀 and 中文 text", "  tabs\tand\nnewlines  "]


# ---------------------------------------------------------------------------------------------------------
# The block syntax (pure)
# ---------------------------------------------------------------------------------------------------------

def test_block_is_parsed_with_defaults_and_options():
    text = "# T\n\n/// demo | window\n    stride: 64\n///\n\n/// demo | tokenizer\n    tokenizers: bert-uncased, biomed-wp\n///\n"
    blocks, problems = find_blocks(text, "docs/x.md")
    assert problems == []
    assert [(b.name, b.line, b.end_line) for b in blocks] == [("window", 3, 5), ("tokenizer", 7, 9)]
    assert blocks[0].options["stride"] == 64 and blocks[0].options["max_length"] == 512
    assert blocks[1].options["tokenizers"] == ("bert-uncased", "biomed-wp")


@pytest.mark.parametrize("block, line, message", [
    ("/// demo | tokeniser\n///", 3, "unknown demo `tokeniser`"),
    ("/// demo\n///", 3, "demo block without a name"),
    ("/// demo | window\n    strides: 3\n///", 4, "unknown option `strides` of demo `window`"),
    ("/// demo | window\n    stride: many\n///", 4, "is a whole number"),
    ("/// demo | window\n    max_length: 9999\n///", 4, "outside 16..4096"),
    ("/// demo | window\n    stride: 600\n///", 3, "stride 600 must be smaller than max_length - 2"),
    ("/// demo | tokenizer\n    tokenizers: bert-uncased, gpt2\n///", 4, "`gpt2` is not one of"),
    ("/// demo | masking\nsome prose inside\n///", 4, "only `key: value` option lines"),
    ("/// demo | masking\n    rate: 15\n", 3, "not closed"),
])
def test_bad_block_is_reported_with_file_and_line(block, line, message):
    text = "# T\n\n" + block + "\n\nafter\n"
    blocks, problems = find_blocks(text, "docs/x.md")
    assert len(problems) == 1, problems
    assert problems[0].line == line and message in problems[0].message, str(problems[0])
    assert str(problems[0]).startswith(f"docs/x.md:{line}:")
    # the wrong block becomes a red box in place (what `mkdocs serve` shows), the rest of the page stays
    html = render_blocks(text, blocks, "", lambda spec: True)
    assert "演示块有误" in html and "after" in html and "\n/// demo" not in html


def test_block_in_fenced_code_is_left_alone_and_room_reports_every_page():
    text = "```markdown\n/// demo | nope\n///\n```\n"
    assert find_blocks(text, "docs/a.md") == ([], [])
    problems = DemoRoom().check({"docs/a.md": text, "docs/b.md": "x\n\n/// demo | nope\n///\n"})
    assert [str(p).split(": ")[0] for p in problems] == ["docs/b.md:3:1"]


def test_widget_skeleton_and_missing_files_note():
    blocks, _ = find_blocks("/// demo | tokenizer\n    text: BRCA1\n///\n", "docs/x.md")
    html = render_blocks("/// demo | tokenizer\n    text: BRCA1\n///\n", blocks, site_root("03-biobert/"), lambda s: True)
    assert 'href="../assets/demos/demos.js"' in html and ">BRCA1</textarea>" in html
    assert "data-search-exclude" in html and 'data-script="tokenizer-demos.js"' in html
    note = render_blocks("/// demo | tokenizer\n///\n", find_blocks("/// demo | tokenizer\n///\n", "x")[0], "",
                         lambda s: False)
    assert "暂不可用" in note and "<code>make demos DEMOS_ARGS=&quot;--only tokenizers&quot;</code>" in note and "<textarea" not in note
    assert site_root("index.html") == "" and site_root("a/b/") == "../../"


def test_offline_bundle_without_the_files_says_so_for_its_reader():
    """In the offline bundle a reader has no repository: a demo whose files were not built says that the
    bundle was made without them and what whoever made it should run."""
    from types import SimpleNamespace

    room = DemoRoom()
    room.set_offline(True)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="08-case-studies.md", url="08-case-studies.html"))
    note = room.render("/// demo | ner\n///\n", page)
    assert "这个离线包打包时还没有生成" in note and "<code>make offline</code>" in note and "make build" not in note


def test_a_build_with_a_bad_block_fails_naming_file_and_line_and_missing_files_give_a_note(tmp_path):
    """Through the plugin: the error lists file and line, no traceback; in a project without the demos/ folder
    (a fresh checkout before `make demos`) a good block renders as the note saying how to get the files."""
    from tests.test_engine import _build, _mini

    project = _mini(tmp_path, {"index.md": "# 首页\n\n/// demo | tokeniser\n///\n",
                               "ok.md": "# 好\n\n/// demo | tokenizer\n///\n"})
    run = _build(project)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "docs/index.md:3:1: unknown demo `tokeniser`" in run.stderr, run.stderr[-2000:]
    (project / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    run = _build(project)
    assert run.returncode == 0, run.stderr[-2000:]
    page = (project / "site" / "ok" / "index.html").read_text(encoding="utf-8")
    assert "暂不可用" in page and "make demos" in page and "<textarea" not in page


def test_the_block_parser_does_not_import_mkdocs():
    for module in ("blocks.py", "specs.py", "model_specs.py", "catalog.py", "packs.py", "model_files.py"):
        text = (ROOT / "coursesite" / "demos" / module).read_text(encoding="utf-8")
        assert "import mkdocs" not in text and "from mkdocs" not in text, module


def test_committed_tokenizers_match_the_manifest():
    manifest = json.loads((TOKENIZERS / "manifest.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in manifest["tokenizers"]] == list(TOKENIZER_IDS)
    real = [t["id"] for t in manifest["tokenizers"] if t["real"]]
    assert real == ["bert-uncased"], "only BERT's uncased vocabulary is real; the others are trained here"
    for t in manifest["tokenizers"]:
        assert ("真实词表" in t["provenance"]) == t["real"] and (t["real"] or "本站训练" in t["provenance"])
    for spec in DEMOS.values():
        assert all((ROOT / "demos" / r).is_file() for r in spec.requires), spec.name


# ---------------------------------------------------------------------------------------------------------
# In Chromium
# ---------------------------------------------------------------------------------------------------------

def _demo(tab, index: int = 0, selector: str = ".vdlm-demo"):
    return tab.locator(selector).nth(index)


def _wait_done(el, timeout: int = 30000):
    """Until the widget shows the result for the text now in its box (el.vdlmDoneText: demos.js)."""
    el.page.wait_for_function("el => el.dataset.demoReady && el.vdlmDoneText === el.querySelector('textarea').value",
                              arg=el.element_handle(), timeout=timeout)


def _row(el, tokenizer: str) -> list[str]:
    return el.locator(f'tr[data-tokenizer="{tokenizer}"] td .vdlm-piece').all_inner_texts()


def _type(el, text: str) -> None:
    """Click into the widget's box (its first use) and put ``text`` there as typing does (an input event)."""
    box = el.locator("textarea")
    box.click()
    box.fill(text)


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    yield ctx
    ctx.close()


def test_page_loads_no_demo_file_then_the_tokenizer_demo_answers_in_a_worker_as_python_does(context, site_url):
    tab, visit = open_page(context, site_url + "03-biobert/", "03-biobert/")
    workers = []
    tab.on("worker", lambda w: workers.append(w.url))
    loaded = tab.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if "/assets/demos/" in u or "/assets/vendor/tokenizers" in u], loaded
    el = _demo(tab)
    _type(el, "Immunoglobulin BRCA1 mutations")
    _wait_done(el)
    assert _row(el, "bert-uncased") == BERT_EXPECTED
    assert any(u.startswith("blob:") for u in workers), f"no blob: Web Worker started: {workers}"
    status = el.locator(".vdlm-demo-status").inner_text()
    assert "Web Worker" in status and "完成" in status, status
    prov = el.locator(".vdlm-demo-provenance").inner_text()
    assert "真实词表" in prov and "本站" in prov and "不是 BioBERT" in prov, prov
    # the de-identification example, by keyboard: focus the button and press Enter
    el.locator(".vdlm-demo-example", has_text="去标识化").focus()
    tab.keyboard.press("Enter")
    tab.wait_for_function("el => el.querySelector('textarea').value.startsWith('[**')", arg=el.element_handle())
    _wait_done(el)
    assert _row(el, "bert-uncased")[:6] == ["[CLS]", "[", "*", "*", "patient", "name"]
    assert run_axe(tab) == []
    # the same pieces as Python's tokenizers, for every tokenizer on fixed inputs
    from tokenizers import Tokenizer

    browser_tokens = tab.evaluate("""async ([ids, texts]) => {
      const out = {};
      for (const id of ids) { out[id] = []; for (const t of texts) out[id].push((await VDLMDemos.tokenize(id, t)).tokens); }
      return out;
    }""", [list(TOKENIZER_IDS), COMPARE])
    for tid in TOKENIZER_IDS:
        tok = Tokenizer.from_file(str(TOKENIZERS / tid / "tokenizer.json"))
        for text, got in zip(COMPARE, browser_tokens[tid]):
            assert got == tok.encode(text).tokens, (tid, text)
    assert visit.console_errors == [] and visit.external == [] and visit.failed == []
    tab.close()


def test_a_page_without_demo_has_no_demo_code(built_site):
    html = (built_site / "01-introduction" / "index.html").read_text(encoding="utf-8")
    assert "vdlm-demo" not in html and "VDLMBoot" not in html and "assets/demos/" not in html


def test_demo_on_the_slide_keeps_the_deck_still_while_typing(context, site_url):
    tab, visit = open_page(context, site_url + "03-biobert/slides/", "03-biobert/slides/")
    tab.wait_for_function("() => window.deckReady === true", timeout=30000)
    tab.evaluate("() => { const s = document.querySelector('.reveal .vdlm-demo').closest('section');"
                 " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }")
    before = tab.evaluate("() => JSON.stringify(Reveal.getIndices())")
    el = _demo(tab, selector=".reveal .vdlm-demo")
    box = el.locator("textarea")
    box.click()
    box.fill("")
    # real key presses in the box, the deck's keys among them (space, n, arrows, page down)
    tab.keyboard.type("Immunoglobulin BRCA1 mutations n")
    for key in ("ArrowRight", "ArrowLeft", "PageDown", "Backspace", "Backspace"):
        tab.keyboard.press(key)
    assert box.input_value() == "Immunoglobulin BRCA1 mutations"
    _wait_done(el)
    assert tab.evaluate("() => JSON.stringify(Reveal.getIndices())") == before, "typing in the demo moved the deck"
    assert _row(el, "bert-uncased") == BERT_EXPECTED
    assert visit.console_errors == [] and visit.external == []
    tab.close()


def test_tab_on_a_slide_reaches_its_demo_without_visiting_other_slides(context, site_url):
    """Keyboard only: from the demo's slide, Tab reaches the demo's box and never a link on another slide
    (reveal.js keeps the neighbouring slides in the page, off screen; deck.js makes them inert)."""
    tab, visit = open_page(context, site_url + "03-biobert/slides/", "03-biobert/slides/")
    tab.wait_for_function("() => window.deckReady === true", timeout=30000)
    tab.evaluate("() => { const s = document.querySelector('.reveal .vdlm-demo').closest('section');"
                 " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }")
    tab.evaluate("() => document.activeElement && document.activeElement.blur()")
    where = []
    for _ in range(40):
        tab.keyboard.press("Tab")
        where.append(tab.evaluate("""() => { const a = document.activeElement, s = a.closest('.reveal .slides section');
            return { inSlides: !!s, current: !!s && (s === Reveal.getCurrentSlide() || s.contains(Reveal.getCurrentSlide())),
                     box: a.matches('.vdlm-demo textarea') }; }"""))
        if where[-1]["box"]:
            break
    assert where[-1]["box"], where
    assert all(w["current"] for w in where if w["inSlides"]), where
    tab.close()


def test_a_used_demo_stays_inside_its_slide(context, site_url):
    """The window demo on the ClinicalBERT deck, after the long note: the slide stays 720 px tall at most (its
    output box scrolls; the 讲义 ↗ link and the progress bar stay clear) and no text in it is under 12 px."""
    tab, visit = open_page(context, site_url + "04-clinicalbert/slides/", "04-clinicalbert/slides/")
    tab.wait_for_function("() => window.deckReady === true", timeout=30000)
    tab.evaluate("() => { const s = document.querySelector('.reveal .vdlm-demo[data-demo=\"window\"]').closest('section');"
                 " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }")
    el = _demo(tab, selector='.reveal .vdlm-demo[data-demo="window"]')
    el.locator("textarea").click()
    el.locator(".vdlm-demo-example").first.click()
    tab.wait_for_function("el => el.querySelectorAll('.vdlm-window').length >= 3", arg=el.element_handle(), timeout=30000)
    _wait_done(el)
    fit = tab.evaluate(SLIDE_FIT_JS, el.element_handle())
    assert fit["height"] <= 720 and fit["bottom"] <= 720 - 30, fit
    assert fit["outputScrolls"], fit
    assert fit["minFont"] >= 12, fit
    assert visit.console_errors == [] and visit.external == []
    tab.close()


def test_masking_and_window_demos(context, site_url):
    from tokenizers import Tokenizer

    bert = Tokenizer.from_file(str(TOKENIZERS / "bert-uncased" / "tokenizer.json"))
    tab, visit = open_page(context, site_url + "06-pretraining-tasks-data/", "06-pretraining-tasks-data/")
    el = _demo(tab, selector='.vdlm-demo[data-demo="masking"]')
    sentence = "BRCA1 mutations increase the risk of breast cancer in young women."
    _type(el, sentence)
    _wait_done(el)
    n = len(bert.encode(sentence).tokens) - 2
    k = max(1, round(0.15 * n))
    out = el.locator(".vdlm-demo-output")
    assert f"{n} 个词元中随机选出 {k} 个（15%）" in out.inner_text()
    mlm_labels = out.locator("div").nth(0).locator(".vdlm-label").all_inner_texts()
    assert sum(lbl.startswith("→") for lbl in mlm_labels) == k and mlm_labels.count("−100") == n + 2 - k
    rtd_labels = out.locator("div").nth(1).locator(".vdlm-label").all_inner_texts()
    assert len([x for x in rtd_labels if x in ("原词", "替换")]) == n, "RTD labels every position"
    first = out.inner_html()
    el.locator(".vdlm-reroll").click()
    assert out.inner_html() != first, "re-roll drew the same positions"
    tab.close()

    note = json.loads((TOKENIZERS / "examples.json").read_text(encoding="utf-8"))["long-note"]
    total = len(bert.encode(note, add_special_tokens=False).tokens)
    tab, visit2 = open_page(context, site_url + "04-clinicalbert/", "04-clinicalbert/")
    el = _demo(tab, selector='.vdlm-demo[data-demo="window"]')
    el.locator("textarea").focus()
    _wait_done(el)
    text = el.locator(".vdlm-demo-output").inner_text()
    windows = 1 + max(0, -(-(total - 510) // (510 - 128)))
    assert f"共 {total:,} 个词元" in text and f"需要 {windows} 个窗口" in text, text[:300]
    assert f"丢掉 {total - 510:,} 个" in text
    el.locator("select.vdlm-stride").select_option("0")
    assert f"需要 {-(-total // 510)} 个窗口" in el.locator(".vdlm-demo-output").inner_text()
    assert visit.console_errors == [] and visit2.console_errors == [] and visit2.external == []
    tab.close()


def test_bad_input_gets_a_message_in_the_widget(context, site_url):
    tab, visit = open_page(context, site_url + "03-biobert/", "03-biobert/")
    el = _demo(tab)
    status = el.locator(".vdlm-demo-status")
    _type(el, "x")
    _wait_done(el)
    box = el.locator("textarea")
    box.fill("")
    _wait_done(el)
    assert "不能为空" in status.inner_text()
    assert "vdlm-demo-error" in status.get_attribute("class")
    box.fill("emoji 😀 中文")
    _wait_done(el)
    assert "[UNK]" in _row(el, "bert-uncased") and "中文" in el.locator(".vdlm-demo-output").inner_text()
    box.fill("Immunoglobulin " * 667)  # 10,005 characters
    _wait_done(el)
    assert status.inner_text().startswith("完成")
    assert "另有" in el.locator('tr[data-tokenizer="bert-uncased"]').inner_text()
    box.fill("a" * 100001)
    _wait_done(el)
    assert "文本太长" in status.inner_text()
    assert visit.console_errors == []
    tab.close()


def test_missing_or_corrupt_file_and_no_webassembly(browser, site_url):
    ctx = browser.new_context()
    ctx.route("**/assets/demos/data/tok-cased-wp.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body='VDLMDemos.provide("tok-cased-wp", {"json": "{not json", "config": {}});'))
    ctx.route("**/assets/demos/data/tok-biomed-wp.js", lambda route: route.fulfill(status=404, body="missing"))
    ctx.add_init_script("delete window.WebAssembly;")
    tab, visit = open_page(ctx, site_url + "03-biobert/", "03-biobert/")
    el = _demo(tab)
    el.locator("textarea").focus()
    tab.wait_for_function("el => el.querySelector('.vdlm-demo-status').classList.contains('vdlm-demo-error')",
                          arg=el.element_handle(), timeout=20000)
    msg = el.locator(".vdlm-demo-status").inner_text()
    assert ("损坏" in msg or "无法加载" in msg) and "make demos" in msg, msg
    # the page keeps working: another demo-free widget, the search box, the deck button
    assert tab.locator(".md-search__input").count() == 1
    # tokenizers.js needs no WebAssembly: with it gone, a demo whose files are fine still answers
    ok = tab.evaluate("async () => (await VDLMDemos.tokenize('bert-uncased', 'BRCA1')).tokens")
    assert ok == ["[CLS]", "br", "##ca", "##1", "[SEP]"]
    # the browser itself logs the deliberate 404; nothing else may reach the console
    assert [m for m in visit.console_errors if "404" not in m] == [], visit.console_errors
    ctx.close()


def test_tokenizer_demo_from_file_url(browser, built_site):
    """file:// (the offline zip): classic-script data packs, a blob: worker and a blob: module import, with the
    iframe-worker shim that the offline bundle loads (it replaces window.Worker on file://)."""
    ctx = browser.new_context()
    ctx.add_init_script(path=str(ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"))
    tab, visit = open_page(ctx, (built_site / "03-biobert" / "index.html").as_uri(), "03-biobert/index.html")
    el = _demo(tab)
    _type(el, "Immunoglobulin BRCA1 mutations")
    _wait_done(el)
    assert _row(el, "bert-uncased") == BERT_EXPECTED
    assert tab.evaluate("() => window.Worker === window.IFrameWorker"), "the shim was not in place"
    assert not [m for m in visit.console_errors if "/demos/" in m or "VDLM" in m or "blob:" in m]
    ctx.close()
