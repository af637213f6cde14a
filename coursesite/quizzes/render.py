"""Quizzes into the page: Markdown scaffolding first, form controls after Python-Markdown (pure; no MkDocs).

Two steps, so that the question, choice and explanation texts are rendered by the page's own Markdown (links
rewritten by MkDocs, citations, code, math, exactly as in the prose):

1. :func:`page_markdown` (``on_page_markdown``) replaces the ``::: quiz`` block with a ``## 自测`` heading and
   ``<div markdown="1">`` scaffolding that carries the answers in ``data-`` attributes.
2. :func:`page_html` (``on_page_content``) turns the rendered scaffolding into real form controls: one
   ``<form>`` per question with a ``<fieldset>``/``<legend>``, radio buttons or checkboxes with ``<label>``
   (or a labelled text field), a 检查答案 button and an ``aria-live`` feedback line. ``quiz.js`` (served by the
   site) does the rest in the browser and keeps progress in ``localStorage`` only.

:func:`catalog` is the list of every quiz for the home page's 目录 and the 自测汇总 page.
"""

from __future__ import annotations

import html as _html
import json

from bs4 import BeautifulSoup, Tag

from ..citations import backlinks
from .parse import Question, Quiz, parse_quizzes

__all__ = ["page_markdown", "page_html", "catalog", "catalog_script", "summary_html", "QUIZ_HEADING",
           "QUIZ_ANCHOR", "SUMMARY_MARKER", "KIND_LABELS"]

QUIZ_HEADING = "自测"
QUIZ_ANCHOR = "self-check"
#: The 自测汇总 page puts this comment where the table of all quizzes goes.
SUMMARY_MARKER = "<!-- quiz-summary -->"
KIND_LABELS = {"single": "单选", "multiple": "多选（选出所有正确项）", "number": "填数字", "term": "填术语"}
LETTERS = "ABCDEFGHIJ"

#: The number in the typed-answer hint: no question's answer (tests/test_quizzes.py checks; 28,996 once
#: gave away 03's BioBERT vocabulary question).
NUMBER_EXAMPLE = "12,345"


def _attr(value) -> str:
    return _html.escape(str(value), quote=True)


def _question_markdown(q: Question, number: int) -> str:
    data = {"qid": q.id, "kind": q.kind, "minutes": f"{q.minutes:g}"}
    if q.misconception:
        data["misconception"] = q.misconception
    if q.kind == "number" and q.value is not None:
        data.update(value=repr(q.value), tolerance=repr(q.tolerance))
    if q.kind == "term":
        data["terms"] = json.dumps(q.terms, ensure_ascii=False)
    attrs = " ".join(f'data-{k}="{_attr(v)}"' for k, v in data.items())
    parts = [f'<div class="quiz-src-q" data-number="{number}" {attrs} markdown="1">', "",
             '<div class="quiz-src-text" markdown="1">', "", q.text, "", "</div>", ""]
    for c in q.choices:
        parts += [f'<div class="quiz-src-choice" data-correct="{"true" if c.correct else "false"}" markdown="1">', ""]
        if not q.typed:
            parts += ['<div class="quiz-src-label" markdown="1">', "", c.text, "", "</div>", ""]
        parts += ['<div class="quiz-src-why" markdown="1">', "", c.explanation, "", "</div>", "", "</div>", ""]
    parts += ["</div>", ""]
    return "\n".join(parts)


def page_markdown(markdown: str, key: str, path: str = "") -> str:
    """``markdown`` (a page's, as MkDocs hands it to plugins) with its ``::: quiz`` block replaced by the
    heading and the scaffolding; unchanged when it has none. ``key`` names the quiz in the browser's progress
    (the page's file name without ``.md``). Problems are not reported here (the plugin checks the sources)."""
    if ":::" not in markdown:
        return markdown
    quizzes, _ = parse_quizzes(markdown, path)
    if not quizzes:
        return markdown
    lines = markdown.split("\n")
    for quiz in reversed(quizzes):
        questions = [q for q in quiz.questions if q.choices]
        block = [f"## {QUIZ_HEADING} {{: #{QUIZ_ANCHOR} .quiz-heading }}", "",
                 f'<div class="quiz-src" data-quiz="{_attr(key)}" data-count="{len(questions)}" markdown="1">', ""]
        block += [_question_markdown(q, n) for n, q in enumerate(questions, 1)]
        block += ["</div>", ""]
        lines[quiz.line - 1: quiz.end_line] = block
    return "\n".join(lines)


def _inline(tag: Tag) -> str:
    """The inner HTML of a rendered Markdown block as phrasing content (paragraphs joined by <br>)."""
    paras = tag.find_all("p", recursive=False)
    if paras and len(paras) == len([c for c in tag.children if isinstance(c, Tag)]):
        return "<br>".join(p.decode_contents().strip() for p in paras)
    return tag.decode_contents().strip()


def page_html(html: str) -> str:
    """The page's rendered HTML with each quiz's scaffolding turned into form controls (see the module
    docstring); unchanged when there is none."""
    if "quiz-src" not in html:
        return html
    soup = BeautifulSoup(html, "html.parser")
    for src in soup.select("div.quiz-src"):
        key = src["data-quiz"]
        questions = src.select("div.quiz-src-q")
        out = [f'<div class="quiz" data-quiz="{_attr(key)}" data-count="{len(questions)}">',
               f'<p class="quiz-intro">本节共 {len(questions)} 题。选好或填好后按“检查答案”，每个选项都会给出解释和出处。'
               '答题记录只保存在本机浏览器（localStorage），不会发送到任何地方。</p>',
               '<p class="quiz-score" role="status" aria-live="polite">尚未作答。</p>']
        for q in questions:
            out.append(_question_html(q, key))
        out.append('<p class="quiz-actions-all"><button type="button" class="md-button quiz-reset">重做</button></p>')
        out.append("</div>")
        src.replace_with(BeautifulSoup("\n".join(out), "html.parser"))
    _point_backlinks_at_questions(soup)
    return str(soup)


def _point_backlinks_at_questions(soup: BeautifulSoup) -> None:
    """The page bibliography's ↩ links to a citation inside an explanation (hidden until the question is
    answered: the jump went nowhere) lead to the question instead."""
    moves = {}
    for form in soup.select("form.quiz-q[id]"):
        number = form.select_one(".quiz-number")
        title = f"回到自测{number.get_text(strip=True) if number else ''}（这处引用在答题后显示的解释里）"
        for el in form.select(".quiz-why " + backlinks.CITATION):
            moves[el["id"]] = ("#" + form["id"], title)
    backlinks.retarget(soup, moves)


def _question_html(q: Tag, key: str) -> str:
    qid, kind, number = q["data-qid"], q["data-kind"], q["data-number"]
    fid = f"quiz-{qid}"
    data = " ".join(f'{k}="{_attr(v)}"' for k, v in q.attrs.items()
                    if k.startswith("data-") and k not in ("data-number",))
    text = _inline(q.select_one("div.quiz-src-text"))
    head = (f'<legend><span class="quiz-number">第 {number} 题</span> <span class="quiz-kind">{KIND_LABELS[kind]}</span> '
            f'<span class="quiz-text" id="{fid}-text">{text}</span></legend>')
    body = []
    choices = q.select("div.quiz-src-choice")
    if kind in ("single", "multiple"):
        typ = "radio" if kind == "single" else "checkbox"
        body.append('<ul class="quiz-choices">')
        for i, c in enumerate(choices):
            cid = f"{fid}-{i + 1}"
            label = _inline(c.select_one("div.quiz-src-label"))
            why = _inline(c.select_one("div.quiz-src-why"))
            body.append(
                f'<li class="quiz-choice" data-correct="{c["data-correct"]}">'
                f'<input type="{typ}" name="{fid}" id="{cid}" value="{i + 1}" aria-describedby="{cid}-why">'
                f'<label for="{cid}"><span class="quiz-letter">{LETTERS[i]}.</span> {label}</label>'
                f'<div class="quiz-why" id="{cid}-why" hidden>{why}</div></li>')
        body.append("</ul>")
    else:
        why = _inline(choices[0].select_one("div.quiz-src-why")) if choices else ""
        mode = "decimal" if kind == "number" else "text"
        hint = f"填一个数（可以写千位分隔符，如 {NUMBER_EXAMPLE}）" if kind == "number" else "填一个术语（不区分大小写）"
        body.append(
            f'<p class="quiz-typed"><label for="{fid}-input">你的答案（{hint}）</label> '
            f'<input type="text" id="{fid}-input" name="{fid}" inputmode="{mode}" autocomplete="off" '
            f'spellcheck="false" aria-describedby="{fid}-why"></p>'
            f'<div class="quiz-why" id="{fid}-why" hidden>{why}</div>')
    actions = ('<p class="quiz-actions"><button type="submit" class="md-button md-button--primary">检查答案</button></p>'
               f'<p class="quiz-feedback" id="{fid}-feedback" role="status" aria-live="polite"></p>')
    return (f'<form class="quiz-q" id="{fid}" {data} novalidate><fieldset>{head}'
            + "".join(body) + actions + "</fieldset></form>")


# -- the list of all quizzes (home page 目录, 自测汇总) ------------------------------------------------------

def catalog(entries: list[tuple[str, str, str, Quiz]]) -> list[dict]:
    """``entries``: ``(key, page title, page URL relative to the site root, quiz)`` in nav order →
    ``[{"key", "title", "url", "questions": [ids], "misconceptions": n}]`` (what quiz.js reads)."""
    out = []
    for key, title, url, quiz in entries:
        questions = [q for q in quiz.questions if q.choices]
        out.append({"key": key, "title": title, "url": url, "questions": [q.id for q in questions],
                    "misconceptions": sum(bool(q.misconception) for q in questions)})
    return out


def catalog_script(items: list[dict]) -> str:
    """The catalog as an inline JSON script (read by quiz.js; no request, so it also works from file://)."""
    text = json.dumps(items, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="quiz-catalog">{text}</script>'


def summary_html(items: list[dict], page_url: str) -> str:
    """The 自测汇总 table: one row per quiz, with the link to it; quiz.js fills in the 进度 column."""
    from posixpath import relpath

    base = page_url.rsplit("/", 1)[0] if "/" in page_url else ""
    rows = []
    for it in items:
        href = relpath(it["url"] or ".", base or ".") if it["url"] else relpath(".", base or ".")
        if it["url"].endswith("/") and not href.endswith("/"):
            href += "/"
        rows.append(f'<tr data-quiz="{_attr(it["key"])}"><td><a href="{_attr(href)}#{QUIZ_ANCHOR}">'
                    f'{_html.escape(it["title"])}</a></td><td>{len(it["questions"])}</td>'
                    f'<td>{it["misconceptions"]}</td><td class="quiz-summary-progress">未作答</td></tr>')
    total = sum(len(it["questions"]) for it in items)
    return ('<div class="quiz-summary">'
            '<p class="quiz-summary-total" role="status" aria-live="polite">'
            f'全部 {len(items)} 节共 {total} 题。</p>'
            '<table><thead><tr><th scope="col">节</th><th scope="col">题数</th><th scope="col">误区题</th>'
            '<th scope="col">你的进度</th></tr></thead><tbody>' + "".join(rows) + '</tbody></table>'
            '<p><button type="button" class="md-button quiz-reset-all">清除全部自测记录</button></p></div>')

