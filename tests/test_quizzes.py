"""Self-checks (自测, coursesite/quizzes/): the syntax and each bad input (exact messages), the rendered form
controls and class-poll slides, the counts over the ten sections, and the quizzes in Chromium (answer wrongly
then rightly: feedback, score, the explanation's link target, progress kept after a reload, on the home page
and on 自测汇总, 重做; axe light, and dark on a phone; the deck reaches the quiz slides and the reveal works).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import markdown
import pytest

from coursesite.checks.links import check_links
from coursesite.quizzes import render
from coursesite.quizzes.pages import Quizzes
from coursesite.quizzes.parse import check_ids, normalise_term, parse_number, parse_quizzes
from coursesite.quizzes.slides import one_line
from coursesite.slides import cut as S

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SECTIONS = sorted(p for p in DOCS.glob("[01][0-9]-*.md"))

GOOD = textwrap.dedent("""\
    # 页

    ## 甲

    ::: quiz

    ? single a-who
    misconception: 把单位写成 KAIST
    minutes: 1.5

    谁做的？

    - [x] 高丽大学 [@lee2020biobert]
      对。见[甲](#甲)。
    - [ ] KAIST
      错。见[甲](#甲)。

    ? multiple a-many

    选出所有正确项。

    - [x] 一
      对，[甲](#甲)。
    - [x] 二
      对，[甲](#甲)。
    - [ ] 三
      错，[甲](other.md#乙)。

    ? number a-steps

    多少步？

    = 1,000,000
      1M 是步数，[甲](#甲)。

    ? number a-mrr

    MRR？

    = 0.583 ± 0.005
      见[甲](#甲)。

    ? term a-term

    叫什么？

    = WordPiece | 词片
      见[甲](#甲)。

    :::
    """)


def _quiz(body: str) -> str:
    return "# 页\n\n## 甲\n\n::: quiz\n\n" + textwrap.dedent(body) + "\n:::\n"


def _messages(text: str) -> list[str]:
    return [str(p) for p in parse_quizzes(text, "docs/x.md")[1]]


# -- the parser ---------------------------------------------------------------------------------------------

def test_a_good_quiz_parses_into_its_questions():
    quizzes, problems = parse_quizzes(GOOD, "docs/x.md")
    assert problems == []
    [quiz] = quizzes
    assert (quiz.line, quiz.end_line) == (5, 50)
    kinds = [(q.kind, q.id, len(q.choices)) for q in quiz.questions]
    assert kinds == [("single", "a-who", 2), ("multiple", "a-many", 3), ("number", "a-steps", 1),
                     ("number", "a-mrr", 1), ("term", "a-term", 1)]
    who = quiz.questions[0]
    assert (who.misconception, who.minutes, who.text, who.line) == ("把单位写成 KAIST", 1.5, "谁做的？", 7)
    assert who.choices[0].text == "高丽大学 [@lee2020biobert]" and who.choices[0].explanation == "对。见[甲](#甲)。"
    assert [c.correct for c in quiz.questions[1].choices] == [True, True, False]
    assert (quiz.questions[2].value, quiz.questions[3].value, quiz.questions[3].tolerance) == (1e6, 0.583, 0.005)
    assert quiz.questions[4].terms == ["WordPiece", "词片"]


def test_numbers_and_terms_compare_as_the_browser_does():
    assert [parse_number(t) for t in ("28,996", "０.５", "1e-5", " 12 ", "1M", "12%", "")] == \
        [28996.0, 0.5, 1e-5, 12.0, None, None, None]
    assert normalise_term(" Word-Piece ") == normalise_term("wordpiece") == "wordpiece"
    js = (ROOT / "coursesite/quizzes/assets/quiz.js").read_text(encoding="utf-8")
    assert "normalize(\"NFKC\")" in js and "[,_ ]" in js  # the same rules as parse.py


def test_a_quiz_inside_a_code_block_is_not_a_quiz():
    assert parse_quizzes("# 页\n\n```text\n::: quiz\n? single x\n:::\n```\n", "docs/x.md") == ([], [])


@pytest.mark.parametrize("body, message", [
    ("? single no-right\n\n问？\n\n- [ ] 甲\n  错，[甲](#甲)。\n- [ ] 乙\n  错，[甲](#甲)。\n",
     "docs/x.md:7:1: question 'no-right' has no correct choice: mark the right one `- [x]`"),
    ("? single two-right\n\n问？\n\n- [x] 甲\n  对，[甲](#甲)。\n- [x] 乙\n  对，[甲](#甲)。\n",
     "docs/x.md:7:1: single-choice question 'two-right' has 2 correct choices (lines 11, 13): keep one `[x]`, "
     "or make it `? multiple two-right`"),
    ("? single no-why\n\n问？\n\n- [x] 甲\n  对，[甲](#甲)。\n- [ ] 乙\n",
     "docs/x.md:13:1: choice '乙' of question 'no-why' has no explanation: indent one under it (why it is right or "
     "wrong, with a link to the heading that teaches it)"),
    ("? single no-link\n\n问？\n\n- [x] 甲\n  对，[甲](#甲)。\n- [ ] 乙\n  错，没有链接。\n",
     "docs/x.md:13:1: the explanation of choice '乙' of question 'no-link' links to no heading: add a link to the "
     "section that teaches it, `[…](#heading-id)` or `[…](other-page.md#heading-id)`"),
    ("? number bad-number\n\n多少步？\n\n= 1M\n  见[甲](#甲)。\n",
     "docs/x.md:11:1: the answer '1M' of number question 'bad-number' does not parse as a number: write digits, "
     "e.g. `= 28996`, `= 0.53` or `= 0.5 ± 0.01` (no units or words such as 1M)"),
    ("", "docs/x.md:5:1: empty quiz: add questions (`? single <id>` …) or remove the `::: quiz` block"),
    ("? choice x\n\n问？\n",
     "docs/x.md:7:1: unknown question kind 'choice': write `? single <id>`, `? multiple <id>`, `? number <id>` or "
     "`? term <id>`"),
])
def test_each_bad_input_is_an_error_with_file_line_and_what_to_do(body, message):
    assert message in _messages(_quiz(body))


def test_an_unclosed_quiz_and_a_second_quiz_are_errors():
    assert "docs/x.md:1:1: `::: quiz` is not closed: end the quiz with a line `:::`" in \
        _messages("::: quiz\n? term t\n\n问？\n\n= a\n  [甲](#甲)\n")
    two = GOOD + "\n::: quiz\n\n? term other\n\n问？\n\n= a\n  [甲](#甲)\n\n:::\n"
    assert "docs/x.md:52:1: a second `::: quiz` on the page (the first is at line 5): a page has one self-check; " \
        "put all its questions in one block" in _messages(two)


def test_duplicate_question_ids_across_pages():
    a, _ = parse_quizzes(GOOD, "docs/a.md")
    b, _ = parse_quizzes(GOOD.replace("a-many", "b-many"), "docs/b.md")
    messages = [str(p) for p in check_ids(a + b)]
    assert "docs/b.md:7:1: duplicate question id 'a-who' (also at docs/a.md:7): give each question its own id" \
        in messages
    assert not any("b-many" in m for m in messages)


def test_an_explanation_link_to_a_missing_heading_fails_the_link_check():
    """Quiz explanations are page text: the engine's link check (coursesite/checks/links.py) covers them."""
    text = GOOD.replace("错。见[甲](#甲)。", "错。见[甲](#乙)。")
    problems = check_links({"docs/x.md": text, "docs/other.md": "# 乙\n"},
                           {"docs/x.md": {"甲", "self-check"}, "docs/other.md": {"乙"}})
    assert [str(p) for p in problems] == [
        "docs/x.md:16:6: link to '#乙': this page has no heading with id '乙' (linked from docs/x.md:16); the ids "
        "there closest to it are '甲', 'self-check'; fix the anchor or the heading"]


def test_the_plugin_room_reports_problems_with_the_page_path():
    class P:  # a nav page, as MkDocs gives it
        def __init__(self, src):
            self.file = type("F", (), {"src_uri": src, "url": src[:-3] + "/"})()

    room = Quizzes()
    problems = room.check({"docs/a.md": GOOD, "docs/b.md": _quiz("")}, [P("a.md"), P("b.md")], "docs/")
    assert [str(p) for p in problems] == [
        "docs/b.md:5:1: empty quiz: add questions (`? single <id>` …) or remove the `::: quiz` block"]
    assert room.items == [{"key": "a", "title": "页", "url": "a/", "misconceptions": 1,
                           "questions": ["a-who", "a-many", "a-steps", "a-mrr", "a-term"]},
                          {"key": "b", "title": "页", "url": "b/", "misconceptions": 0, "questions": []}]


# -- rendering and slides ------------------------------------------------------------------------------------

def _page_html(text: str = GOOD) -> str:
    md = render.page_markdown(text, "x", "x.md")
    html = markdown.markdown(md, extensions=["attr_list", "md_in_html", "toc"])
    return render.page_html(html)


def test_the_page_gets_real_form_controls_and_a_live_region():
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_page_html(), "html.parser")
    assert soup.select_one("h2#self-check").get_text(strip=True) == "自测"
    quiz = soup.select_one("div.quiz[data-quiz=x]")
    forms = quiz.select("form.quiz-q")
    assert [f["data-kind"] for f in forms] == ["single", "multiple", "number", "number", "term"]
    who = forms[0]
    assert who.select_one("fieldset > legend .quiz-text").get_text() == "谁做的？"
    radios = who.select("input[type=radio]")
    assert len(radios) == 2 and all(who.select_one(f"label[for={r['id']}]") for r in radios)
    assert who.select_one(f"#{radios[1]['aria-describedby']}").has_attr("hidden")
    assert who["data-misconception"] == "把单位写成 KAIST" and who["data-minutes"] == "1.5"
    assert len(forms[1].select("input[type=checkbox]")) == 3
    typed = forms[2].select_one("input[type=text]")
    assert forms[2].select_one(f"label[for={typed['id']}]") and forms[2]["data-value"] == "1000000.0"
    assert json.loads(forms[4]["data-terms"]) == ["WordPiece", "词片"]
    for f in forms:
        live = f.select_one(".quiz-feedback")
        assert live["role"] == "status" and live["aria-live"] == "polite"
    assert quiz.select_one(".quiz-score")["aria-live"] == "polite"
    assert quiz.select_one("button.quiz-reset").get_text() == "重做"


def test_the_quiz_becomes_question_and_answer_slides():
    result = S.cut_slides(_page_html())
    quiz = [s for s in result.slides if s.kind == "quiz"]
    assert [s.slide_id for s in quiz[:4]] == ["quiz-a-who", "quiz-a-who-feedback", "quiz-a-many", "quiz-a-many-feedback"]
    assert [s.title for s in quiz[:2]] == ["自测 1/5", "自测 1/5 · 答案"]
    assert len(quiz) == 10 and not any("自测" in str(p) for p in result.problems)  # no notes or pacing needed
    question, answer = quiz[0], quiz[1]
    assert question.body_html.count('class="fragment"') == 2 and "高丽大学" in question.body_html
    assert "KAIST" not in answer.body_html and "高丽大学" in answer.body_html  # the answer only on its own slide
    assert "针对的误区：把单位写成 KAIST" in question.notes_html and "约 1.5 分钟" in question.notes_html
    assert "KAIST" in answer.notes_html  # every choice's explanation in the answer's notes
    assert 'id="' not in question.body_html + answer.body_html  # the page's ids stay unique in the deck


def test_the_one_line_explanation_is_the_first_sentence_with_its_link():
    assert one_line('对。BioBERT 由<a class="citation-link" href="#r">(Lee, 2020)</a>高丽大学做。见 <a href="#w">谁</a>。') \
        == '对。BioBERT 由<a class="citation-link" href="#r">(Lee, 2020)</a>高丽大学做。 <a href="#w">谁</a>'
    assert one_line('只有一句 <a href="#w">谁</a>') == '只有一句 <a href="#w">谁</a>'


# -- the content ---------------------------------------------------------------------------------------------

def _site_quizzes():
    out = {}
    for page in SECTIONS:
        quizzes, problems = parse_quizzes(page.read_text(encoding="utf-8"), f"docs/{page.name}")
        assert problems == [], "\n".join(map(str, problems))
        out[page.name] = quizzes
    return out


def test_every_section_ends_with_a_quiz_of_five_questions_of_every_kind():
    quizzes = _site_quizzes()
    assert len(quizzes) == 10
    problems = []
    for name, found in quizzes.items():
        text = (DOCS / name).read_text(encoding="utf-8")
        if len(found) != 1:
            problems.append(f"{name}: {len(found)} quizzes")
            continue
        q = found[0]
        kinds = {x.kind for x in q.questions}
        if len(q.questions) < 5 or not {"single", "multiple"} <= kinds or not kinds & {"number", "term"}:
            problems.append(f"{name}: {len(q.questions)} questions of kinds {sorted(kinds)}")
        if text.rstrip().split("\n")[-1].strip() != ":::":
            problems.append(f"{name}: the quiz is not at the end of the page")
        for x in q.questions:
            for c in x.choices:
                if re.search(r"\d", c.explanation) and "[@" not in c.explanation:
                    problems.append(f"{name}:{c.line}: an explanation with a number and no citation")
    assert not problems, "\n".join(problems)
    assert not check_ids([q for found in quizzes.values() for q in found])


def test_the_typed_answer_hint_gives_no_answer_away():
    """The hint under a number question shows how to write a number; its example is no question's answer
    (nor a number in any question's text)."""
    from coursesite.quizzes.parse import parse_number
    from coursesite.quizzes.render import NUMBER_EXAMPLE

    example = parse_number(NUMBER_EXAMPLE)
    questions = [x for found in _site_quizzes().values() for q in found for x in q.questions]
    assert any(x.kind == "number" for x in questions)
    for x in questions:
        assert x.value != example, x.id
        assert NUMBER_EXAMPLE not in x.text and NUMBER_EXAMPLE.replace(",", "") not in x.text, x.id


def test_at_least_fifteen_misconception_questions():
    questions = [x for found in _site_quizzes().values() for q in found for x in q.questions]
    assert sum(bool(x.misconception) for x in questions) >= 15


# -- in Chromium ---------------------------------------------------------------------------------------------

PAGE = "03-biobert/"


@pytest.fixture(scope="module")
def context(browser, site_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    foreign, errors = [], []
    host = site_url.split("//", 1)[1].split("/", 1)[0]
    ctx.on("request", lambda r: r.url.split("//", 1)[-1].split("/", 1)[0] != host
           and not r.url.startswith(("data:", "blob:")) and foreign.append(r.url))
    ctx.on("page", lambda p: p.on("pageerror", lambda e: errors.append(str(e))))
    ctx.foreign, ctx.errors = foreign, errors
    yield ctx
    ctx.close()


def _stored(tab) -> dict:
    return json.loads(tab.evaluate("localStorage.getItem('coursesite-quiz-v1')") or "{}").get("answers", {})


def test_bibliography_backlinks_never_jump_into_a_hidden_explanation(built_site):
    """A citation in an explanation is hidden until the question is answered: the page bibliography's ↩ link
    to it leads to its question instead (on every lecture page)."""
    from bs4 import BeautifulSoup

    moved = 0
    for name in sorted(_site_quizzes()):
        soup = BeautifulSoup((built_site / name[:-3] / "index.html").read_text(encoding="utf-8"), "html.parser")
        hidden = {el["id"] for why in soup.select(".quiz-why") for el in why.select("[id^=cite-]")}
        forms = {f["id"] for f in soup.select("form.quiz-q[id]")}
        links = [a["href"][1:] for a in soup.select("a.bib-backlink[href^='#']")]
        assert not [h for h in links if h in hidden], name
        assert all(h in forms for h in links if h.startswith("quiz-")), name
        moved += sum(h in forms for h in links)
    assert moved > 0


def test_answer_wrongly_then_rightly_keep_progress_and_redo(context, site_url):
    tab = context.new_page()
    tab.goto(site_url + PAGE)
    tab.evaluate("localStorage.clear()")
    tab.reload()
    form = tab.locator("#quiz-biobert-who")
    score = tab.locator(".quiz .quiz-score")
    assert score.inner_text() == "尚未作答（共 6 题）。"
    # keyboard only: focus the first choice, arrow to the second (KAIST, wrong), Tab to the button, Enter
    tab.focus("#quiz-biobert-who-1")
    tab.keyboard.press("ArrowDown")
    assert tab.evaluate("document.activeElement.id") == "quiz-biobert-who-2"
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    assert form.locator(".quiz-feedback").inner_text() == "回答错误。正确答案是 A。看看每个选项下的解释，可以改选后再检查。"
    assert score.inner_text() == "已答 1/6 题，一次答对 0 题。"
    why = form.locator("#quiz-biobert-who-2-why")
    assert why.is_visible() and why.inner_text().startswith("✗ 错误选项（你选了）：错。")
    assert form.locator("#quiz-biobert-who-1-why").inner_text().startswith("✓ 正确选项：")
    assert _stored(tab)["biobert-who"]["ok"] is False
    # rightly
    form.locator("label[for=quiz-biobert-who-1]").click()
    form.locator("button[type=submit]").click()
    assert form.locator(".quiz-feedback").inner_text() == "回答正确！下面是每个选项的解释。"
    # a retry after reading the explanations is a correction: the score keeps the first answer
    assert score.inner_text() == "已答 1/6 题，一次答对 0 题（另有 1 题改对）。"
    # a number that does not parse is not judged; a right one with a thousands separator is
    steps = tab.locator("#quiz-biobert-steps")
    steps.locator("input").fill("1M")
    steps.locator("input").press("Enter")
    assert steps.locator(".quiz-feedback").inner_text().startswith("“1M”不是一个数")
    steps.locator("input").fill("1,000,000")
    steps.locator("input").press("Enter")
    assert steps.locator(".quiz-feedback").inner_text() == "回答正确！"
    assert score.inner_text() == "已答 2/6 题，一次答对 1 题（另有 1 题改对）。"
    # the explanation's link goes to the heading that teaches it
    link = form.locator("#quiz-biobert-who-2-why a:not(.citation-link)").first
    assert link.get_attribute("href") == "#谁做的何时发表"
    link.click()
    tab.wait_for_function("decodeURIComponent(location.hash) === '#谁做的何时发表'")
    assert tab.evaluate("!!document.getElementById('谁做的何时发表')")
    # after a reload: the answers, feedback and score are back
    tab.reload()
    assert tab.locator("#quiz-biobert-who-1").is_checked()
    assert tab.locator("#quiz-biobert-who .quiz-feedback").inner_text().startswith("回答正确")
    assert tab.locator(".quiz .quiz-score").inner_text() == "已答 2/6 题，一次答对 1 题（另有 1 题改对）。"
    problems = _axe(tab, ".quiz")  # answered: the explanations and state colours show (the page: test_browser.py)
    assert not problems, "\n".join(problems)
    assert {k: (v["ok"], v["first"]) for k, v in _stored(tab).items()} == {"biobert-who": (True, False),
                                                                          "biobert-steps": (True, True)}
    # the home page's 目录 and the 自测汇总 page show it
    tab.goto(site_url)
    badge = tab.locator(".quiz-badge[data-quiz='03-biobert']")
    assert badge.inner_text() == "自测：已答 2/6，一次答对 1"
    assert tab.locator(".quiz-badge").count() == 10
    tab.goto(site_url + "quizzes/")
    assert tab.locator("tr[data-quiz='03-biobert'] .quiz-summary-progress").inner_text() == "已答 2/6，一次答对 1"
    assert re.match(r"全部 10 节共 \d+ 题：已答 2 题，一次答对 1 题（另有 1 题改对）。",
                    tab.locator(".quiz-summary-total").inner_text())
    tab.locator("tr[data-quiz='03-biobert'] a").click()
    tab.wait_for_url(re.compile(r"/03-biobert/#self-check$"))
    # 重做 clears this quiz
    tab.locator(".quiz button.quiz-reset").click()
    assert _stored(tab) == {}
    assert not tab.locator("#quiz-biobert-who-1").is_checked()
    assert tab.locator(".quiz .quiz-score").inner_text().endswith("尚未作答（共 6 题）。")
    assert not tab.locator("#quiz-biobert-who-2-why").is_visible()
    tab.close()
    assert context.foreign == [] and context.errors == []


def test_an_answered_quiz_is_axe_clean_in_dark_mode_on_a_phone(browser, site_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 667}, color_scheme="dark")
    tab = ctx.new_page()
    tab.goto(site_url + PAGE)
    for form in tab.locator("form.quiz-q").all():  # answer all (the first choice), so every explanation shows
        first = form.locator("input").first
        if first.get_attribute("type") == "text":
            first.fill("0.5")
        else:
            first.check()
        form.locator("button[type=submit]").click()
    assert tab.locator(".quiz-why:visible").count() == tab.locator(".quiz-why").count() >= 14
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    problems = _axe(tab, ".quiz")  # the page's own dark-mode colours are test_browser.py's
    ctx.close()
    assert not problems, "\n".join(problems)


def _axe(tab, selector: str) -> list[str]:
    """Serious or critical axe-core violations (wcag2a, wcag2aa) inside ``selector``."""
    from tests.browser_helpers import AXE_JS

    tab.add_script_tag(path=str(AXE_JS))
    return tab.evaluate("""async (sel) => {
      const r = await axe.run(document.querySelector(sel), {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
                                                           resultTypes: ['violations']});
      return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 120)).join('; '));
    }""", selector)


def test_the_deck_reaches_the_quiz_slides_and_reveals_the_answer(browser, site_url):
    tab = browser.new_page(viewport={"width": 1280, "height": 720})
    tab.goto(site_url + PAGE + "slides/")
    tab.wait_for_function("document.documentElement.dataset.deckReady === '1'", timeout=90_000)
    ids = tab.evaluate("Array.from(document.querySelectorAll('.reveal .slides > section')).map(s => s.id)")
    first = ids.index("quiz-biobert-who")
    assert not ids[first - 1].startswith("quiz-")  # right after the page's last content slide
    tab.evaluate(f"Reveal.slide({first - 1})")
    tab.locator("body").focus()
    seen = []
    for _ in range(6):  # the arrow key alone: onto the question, its three choices one by one, the answer
        tab.keyboard.press("ArrowRight")
        seen.append(tab.evaluate("[Reveal.getCurrentSlide().id, "
                                 "Reveal.getCurrentSlide().querySelectorAll('.fragment.visible').length]"))
    assert seen == [["quiz-biobert-who", 0], ["quiz-biobert-who", 1], ["quiz-biobert-who", 2],
                    ["quiz-biobert-who", 3], ["quiz-biobert-who-feedback", 0], ["quiz-biobert-steps", 0]]
    assert ids.index("quiz-biobert-vocab-feedback") + 1 == ids.index("page-bibliography")  # then the bibliography
    tab.evaluate("Reveal.slide(Reveal.getIndices(document.getElementById('quiz-biobert-who-feedback')).h)")
    answer = tab.locator("#quiz-biobert-who-feedback")
    assert "高丽大学" in answer.locator(".slide-body").inner_text()
    assert "KAIST" not in answer.locator(".slide-body").inner_text()
    notes = tab.evaluate("document.querySelector('#quiz-biobert-who aside.notes').textContent")
    assert "针对的误区" in notes and "建议用时约 1 分钟" in notes
    assert tab.evaluate("document.getElementById('quiz-biobert-who').classList.contains('slide-quiz')")
    tab.close()
