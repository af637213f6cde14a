"""A page's quiz as class-poll slides (pure; called by :func:`coursesite.slides.cut.cut_slides`).

For each question two slides, so that the printed deck (``pdfSeparateFragments: false``) has the question and
its answer on separate pages:

1. the question, then its choices one by one (reveal.js fragments: the class votes by hand);
2. on the next key press, the answer: the correct choice(s) or value and the one-line explanation (the first
   sentence of the correct choice's explanation), with the link back to the section that teaches it.

The speaker notes of the question slide name the misconception the question targets and the minutes to
spend; those of the answer slide hold every choice's full explanation. The slides carry the class
``quiz-slide`` (their kind is ``"quiz"``, the deck section ``slide-quiz``; ids ``quiz-<id>`` and ``quiz-<id>-feedback``, the page elements they link back to), so they are not content slides: they need no ``本页约 N 分钟``
and do not count towards the page's pacing.
"""

from __future__ import annotations

import copy
import json
import re

from bs4 import BeautifulSoup, Tag

from .render import LETTERS

__all__ = ["quiz_slides", "one_line"]

_SENTENCE_END = re.compile(r"[。！？；]")
MIN_SENTENCE = 8  # characters


def _plain_copy(tag: Tag | None) -> str:
    """Inner HTML of ``tag`` without ids (the page's ids stay unique in the deck)."""
    if tag is None:
        return ""
    tag = copy.copy(tag)
    for t in [tag, *tag.find_all(True)]:
        for a in ("id", "aria-describedby", "hidden"):
            if a in t.attrs:
                del t[a]
    return tag.decode_contents().strip()


def one_line(explanation_html: str) -> str:
    """The first sentence of an explanation (up to the first 。！？；), with its citations; when the rest held
    the link to the teaching heading, that link is added after it. The whole text when it is one sentence."""
    soup = BeautifulSoup(explanation_html, "html.parser")
    seen = 0  # characters of text before the node; a sentence shorter than MIN_SENTENCE ("对。") goes on
    for node in soup.find_all(string=True):
        m = next((m for m in _SENTENCE_END.finditer(str(node)) if seen + m.end() >= MIN_SENTENCE), None)
        if m:
            break
        seen += len(node)
    else:
        return explanation_html
    links = [copy.copy(a) for a in soup.find_all("a", href=True) if "citation-link" not in (a.get("class") or [])]
    head = soup.new_string(str(node)[: m.end()])
    node.replace_with(head)
    cur = head
    while cur is not None and cur is not soup:
        for sib in list(cur.next_siblings):
            sib.extract()
        cur = cur.parent
    kept = {a.get("href") for a in soup.find_all("a", href=True)}
    out = str(soup).strip()
    if links and links[0].get("href") not in kept:
        out += " " + str(links[0])
    return out


def quiz_slides(quiz: Tag) -> list[dict]:
    """The slides of a rendered quiz (``div.quiz`` from :func:`coursesite.quizzes.render.page_html`), as
    keyword arguments of :class:`coursesite.slides.cut.Slide` (``kind="quiz"``)."""
    out = []
    forms = quiz.select("form.quiz-q")
    for n, form in enumerate(forms, 1):
        qid, kind = form["data-qid"], form["data-kind"]
        minutes = form.get("data-minutes", "1")
        text = _plain_copy(form.select_one(".quiz-text"))
        kind_label = form.select_one(".quiz-kind").get_text()
        title = f"自测 {n}/{len(forms)}"
        choices = form.select("li.quiz-choice")
        body = [f'<p class="quiz-slide-kind">{kind_label}</p>', f'<p class="quiz-slide-question">{text}</p>']
        why_all = []
        answer = []
        if choices:
            body.append('<ol class="quiz-slide-choices">')
            for i, c in enumerate(choices):
                label = copy.copy(c.select_one("label"))
                for s in label.select(".quiz-letter"):
                    s.decompose()
                label_html = _plain_copy(label)
                body.append(f'<li class="fragment" data-letter="{LETTERS[i]}">{label_html}</li>')
                correct = c.get("data-correct") == "true"
                why = _plain_copy(c.select_one(".quiz-why"))
                why_all.append(f'<li><strong>{LETTERS[i]}{"（正确）" if correct else ""}</strong> {label_html}：{why}</li>')
                if correct:
                    answer.append(f'<li data-letter="{LETTERS[i]}"><strong>{LETTERS[i]}</strong> {label_html}'
                                  f'<p class="quiz-slide-why">{one_line(why)}</p></li>')
            body.append("</ol>")
            answer_html = f'<ul class="quiz-slide-answer">{"".join(answer)}</ul>'
        else:
            why = _plain_copy(form.select_one(".quiz-why"))
            if kind == "number":
                shown = form.get("data-value", "")
                value = float(shown) if shown else 0.0
                shown = f"{int(value):,}" if value.is_integer() else f"{value:g}"
                tol = float(form.get("data-tolerance") or 0)
                if tol:
                    shown += f" ± {tol:g}"
            else:
                shown = " / ".join(json.loads(form.get("data-terms") or "[]"))
            body.append('<p class="quiz-slide-blank fragment">请写下你的答案，再看下一页。</p>')
            answer_html = (f'<ul class="quiz-slide-answer"><li><strong>{shown}</strong>'
                           f'<p class="quiz-slide-why">{one_line(why)}</p></li></ul>')
            why_all.append(f"<li>{why}</li>")
        misconception = form.get("data-misconception", "")
        target = (f"<p>针对的误区：{misconception}。</p>" if misconception
                  else "<p>这题检查本节的要点（不针对讲稿中的某个错误）。</p>")
        notes_q = (target + f"<p>建议用时约 {minutes} 分钟：读题，逐个显示选项，请全班举手投票，再翻到下一页揭晓。</p>"
                   if choices else
                   target + f"<p>建议用时约 {minutes} 分钟：读题，请大家写下答案（或喊出来），再翻到下一页揭晓。</p>")
        out.append(dict(kind="quiz", title=title, title_html=title, anchor=f"quiz-{qid}",
                        body_html="\n".join(body), notes_html=notes_q, part=1))
        out.append(dict(kind="quiz", title=title + " · 答案", title_html=title + " · 答案",
                        anchor=f"quiz-{qid}-feedback",
                        body_html=f'<p class="quiz-slide-question quiz-slide-small">{text}</p>' + answer_html,
                        notes_html="<p>各选项的解释：</p><ul>" + "".join(why_all) + "</ul>", part=1))
    return out
