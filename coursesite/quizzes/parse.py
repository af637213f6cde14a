"""The quiz syntax: a ``::: quiz`` block in a page's Markdown, parsed into questions (pure; no MkDocs).

A page's self-check (自测) is one fenced block at the end of the page (CONTRIBUTING.md, "自测题")::

    ::: quiz

    ? single biobert-who
    misconception: 讲稿把 BioBERT 的单位写成“韩国科学技术院”
    minutes: 1

    BioBERT 是哪家机构推出的？

    - [x] 高丽大学与 Naver 的 Clova AI Research
        对。…… [谁做的、何时发表](#谁做的何时发表) [@lee2020biobert]
    - [ ] 韩国科学技术院（KAIST）
        错。……

    ? number biobert-steps

    “PubMed 1M” 中的 1M 是多少步？

    = 1000000
        1M 指预训练步数……

    :::

- ``? <kind> <id>`` starts a question: ``single`` (one correct choice, radio buttons), ``multiple`` (one or
  more, checkboxes), ``number`` (typed number; ``= 0.5 ± 0.01`` allows a tolerance) or ``term`` (typed term;
  ``= WordPiece | 词片`` lists the accepted spellings). ``<id>``: lower-case letters, digits and hyphens,
  unique in the whole site (the browser keeps progress under it).
- Optional lines right after it: ``misconception: <the error it targets>`` marks a misconception question
  (the slide's speaker notes name it) and ``minutes: <n>`` the class time for it (default 1).
- Then the question text, then the choices ``- [x]`` / ``- [ ]`` (or the answer line ``= …``), each followed
  by its explanation, indented (two spaces or more): why it is right or wrong, with a link to the heading
  that teaches it. All text is ordinary Markdown (links, ``[@key]`` citations, code, math).

:func:`parse_quizzes` returns the quizzes and the problems (errors with file and line, as the other checks).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from coursesite.checks.captions import masked_regions
from coursesite.checks.links import find_links
from coursesite.citations.parse import Problem

__all__ = ["Choice", "Question", "Quiz", "parse_quizzes", "check_ids", "parse_number", "normalise_term",
           "KINDS", "OPEN", "CLOSE"]

KINDS = ("single", "multiple", "number", "term")
OPEN = re.compile(r"^:::\s*quiz\s*$")
CLOSE = re.compile(r"^:::\s*$")
_HEADER = re.compile(r"^\?\s+(?P<kind>\S+)(?:\s+(?P<id>\S+))?\s*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CHOICE = re.compile(r"^[-*]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*)$")
_LOOSE_CHOICE = re.compile(r"^[-*]\s+\[[^\]]*\]")
_ANSWER = re.compile(r"^=\s*(?P<text>.*)$")
_ATTR = re.compile(r"^(?P<name>misconception|minutes)\s*:\s*(?P<value>.*)$")
_TOLERANCE = re.compile(r"^(?P<value>.+?)\s*(?:±|\+/-|\+-)\s*(?P<tol>.+)$")


@dataclass
class Choice:
    """One choice (``- [x]``/``- [ ]``) or, for ``number``/``term`` questions, the answer line (``= …``).

    ``text`` and ``explanation`` are Markdown; ``line`` is the 1-based line of the choice in the page."""

    text: str
    correct: bool
    explanation: str
    line: int


@dataclass
class Question:
    """One question. ``kind`` is one of :data:`KINDS`; for ``number`` questions ``value`` and ``tolerance``
    (absolute, same unit as the answer) hold the parsed answer, for ``term`` questions ``terms`` the accepted
    spellings (as written; the browser compares them with :func:`normalise_term`)."""

    kind: str
    id: str
    line: int
    text: str = ""
    misconception: str = ""
    minutes: float = 1.0
    choices: list[Choice] = field(default_factory=list)
    value: float | None = None
    tolerance: float = 0.0
    terms: list[str] = field(default_factory=list)

    @property
    def typed(self) -> bool:
        return self.kind in ("number", "term")

    @property
    def answer(self) -> Choice | None:
        """The answer line of a typed question."""
        return self.choices[0] if self.typed and self.choices else None


@dataclass
class Quiz:
    """The ``::: quiz`` block of a page: ``line``/``end_line`` are its fence lines (1-based)."""

    path: str
    line: int
    end_line: int
    questions: list[Question] = field(default_factory=list)


def parse_number(text: str) -> float | None:
    """The number in an answer (``28996``, ``28,996``, ``0.5``, ``1e6``, full-width digits too), or None.

    Thousands separators (``,``), spaces and underscores are ignored; a unit or a word (``1M``) does not parse."""
    t = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("_", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", t):
        return None
    return float(t)


def normalise_term(text: str) -> str:
    """A typed term as compared with the accepted spellings: NFKC, lower case, without spaces, hyphens,
    underscores and the usual punctuation (``Word-Piece`` = ``wordpiece``). quiz.js does the same."""
    t = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\-_·.,;:!?'\"()（）“”‘’、，。；：！？]+", "", t)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def _heading_links(markdown: str) -> list[str]:
    """Links in ``markdown`` that point at a heading: ``#id`` or ``page.md#id``."""
    return [t for _, _, _, t in find_links(markdown) if "#" in t and (t.startswith("#") or ".md#" in t)]


def parse_quizzes(text: str, path: str) -> tuple[list[Quiz], list[Problem]]:
    """Find and parse the ``::: quiz`` blocks of the Markdown ``text`` of the page ``path`` (``docs/x.md``).

    Fences inside code blocks and HTML comments are ignored. Returns the quizzes (also those with
    problems, as far as they parse) and the problems: errors naming ``path``, the line and what to do.
    Site-wide duplicate ids are :func:`check_ids`'s job.
    """
    masked = masked_regions(text)
    starts = _line_starts(text)
    lines = text.split("\n")
    quizzes: list[Quiz] = []
    problems: list[Problem] = []

    def err(line: int, message: str) -> None:
        problems.append(Problem(path, line, 1, message))

    def is_masked(lineno: int) -> bool:
        pos = starts[lineno - 1]
        i = bisect.bisect_right(masked, (pos, float("inf"))) - 1
        return i >= 0 and masked[i][0] <= pos < masked[i][1]

    i = 0
    while i < len(lines):
        if OPEN.match(lines[i].strip()) and not lines[i].startswith((" ", "\t")) and not is_masked(i + 1):
            start = i + 1
            j = i + 1
            while j < len(lines) and not (CLOSE.match(lines[j].strip()) and not lines[j].startswith((" ", "\t"))):
                j += 1
            if j >= len(lines):
                err(start, "`::: quiz` is not closed: end the quiz with a line `:::`")
            quiz = Quiz(path, start, min(j + 1, len(lines)))
            _parse_body(lines, i + 1, j, quiz, err)
            if quizzes:
                err(start, f"a second `::: quiz` on the page (the first is at line {quizzes[0].line}): "
                    "a page has one self-check; put all its questions in one block")
            quizzes.append(quiz)
            i = j + 1
            continue
        i += 1
    return quizzes, problems


def _parse_body(lines: list[str], first: int, end: int, quiz: Quiz, err) -> None:
    """Parse lines ``first``…``end - 1`` (0-based) of a quiz block into ``quiz.questions``."""
    q: Question | None = None
    state = "start"  # "start" (before any question) | "attrs" | "text" | "choices"
    text_lines: list[str] = []
    expl: list[str] | None = None  # the explanation being collected (of q.choices[-1])

    def close_choice() -> None:
        nonlocal expl
        if q is not None and q.choices and expl is not None:
            q.choices[-1].explanation = _dedent(expl).strip()
        expl = None

    def close_question() -> None:
        close_choice()
        if q is not None:
            if state in ("attrs", "text"):
                q.text = _dedent(text_lines).strip()
            _check_question(q, quiz.path, err)
            quiz.questions.append(q)

    for k in range(first, end):
        raw = lines[k]
        lineno = k + 1
        stripped = raw.strip()
        indented = raw[:1] in (" ", "\t") and stripped != ""
        m = _HEADER.match(raw)
        if m:
            close_question()
            kind, qid = m.group("kind"), m.group("id") or ""
            if kind not in KINDS:
                err(lineno, f"unknown question kind '{kind}': write `? single <id>`, `? multiple <id>`, "
                    "`? number <id>` or `? term <id>`")
                kind = "single"
            if not qid:
                err(lineno, f"question without an id: write `? {kind} <id>` (lower-case letters, digits, hyphens)")
            elif not _ID.match(qid):
                err(lineno, f"question id '{qid}' is not lower-case letters, digits and hyphens "
                    "(it names the question in the browser's progress and on the slides)")
            q = Question(kind=kind, id=qid, line=lineno)
            state, text_lines = "attrs", []
            continue
        if q is None:
            if stripped:
                err(lineno, "text before the first question: start each question with `? single <id>` "
                    "(or multiple, number, term)")
            continue
        if state == "attrs":
            a = _ATTR.match(stripped)
            if a and not indented:
                if a.group("name") == "misconception":
                    q.misconception = a.group("value").strip()
                    if not q.misconception:
                        err(lineno, "`misconception:` without text: say which error the question targets")
                else:
                    minutes = parse_number(a.group("value"))
                    if minutes is None or minutes <= 0:
                        err(lineno, f"`minutes: {a.group('value').strip()}` is not a positive number of minutes")
                    else:
                        q.minutes = minutes
                continue
            if not stripped:
                continue
            state = "text"
        choice = _CHOICE.match(raw)
        answer = _ANSWER.match(raw)
        if not indented and (choice or answer or _LOOSE_CHOICE.match(raw)):
            if state == "text":
                q.text = _dedent(text_lines).strip()
            close_choice()
            state = "choices"
            if answer:
                if not q.typed:
                    err(lineno, f"`= …` answer line in the {q.kind}-choice question '{q.id}': choices are "
                        "`- [x]` / `- [ ]`; a typed answer needs `? number <id>` or `? term <id>`")
                    continue
                if q.choices:
                    err(lineno, f"a second answer line in question '{q.id}' (the first is at line "
                        f"{q.choices[0].line}): list accepted spellings in one line, `= a | b`")
                    continue
                q.choices.append(Choice(answer.group("text").strip(), True, "", lineno))
                _parse_answer(q, answer.group("text").strip(), lineno, quiz.path, err)
            elif choice:
                if q.typed:
                    err(lineno, f"a choice in the {q.kind} question '{q.id}': a typed question has one answer "
                        "line `= …`; for choices write `? single <id>` or `? multiple <id>`")
                    continue
                q.choices.append(Choice(choice.group("text").strip(), choice.group("mark") in "xX", "", lineno))
            else:
                err(lineno, f"a choice's box must be `[x]` (correct) or `[ ]` (wrong): {stripped[:40]}")
                continue
            expl = []
            continue
        if state == "text":
            text_lines.append(raw)
        elif state == "choices":
            if expl is not None and (indented or not stripped):
                expl.append(raw)
            elif stripped:
                err(lineno, f"text after the choices of question '{q.id}' is not indented: indent a choice's "
                    "explanation under it (two spaces or more), or start a new question with `? …`")
    close_question()
    if not quiz.questions:
        err(quiz.line, "empty quiz: add questions (`? single <id>` …) or remove the `::: quiz` block")


def _parse_answer(q: Question, text: str, lineno: int, path: str, err) -> None:
    if q.kind == "term":
        q.terms = [t.strip() for t in text.split("|") if t.strip()]
        if not q.terms:
            err(lineno, f"term question '{q.id}' has an empty answer: write `= <term> | <other spelling>`")
        return
    m = _TOLERANCE.match(text)
    value_text, tol_text = (m.group("value"), m.group("tol")) if m else (text, "0")
    value, tol = parse_number(value_text), parse_number(tol_text)
    if value is None:
        err(lineno, f"the answer '{value_text.strip()}' of number question '{q.id}' does not parse as a number: "
            "write digits, e.g. `= 28996`, `= 0.53` or `= 0.5 ± 0.01` (no units or words such as 1M)")
    elif tol is None or tol < 0:
        err(lineno, f"the tolerance '{tol_text.strip()}' of number question '{q.id}' does not parse as a "
            "number ≥ 0: write e.g. `= 0.5 ± 0.01`")
    else:
        q.value, q.tolerance = value, tol


def _check_question(q: Question, path: str, err) -> None:
    if not q.text:
        err(q.line, f"question '{q.id}' has no text: write the question on the lines after `? {q.kind} {q.id}`")
    if not q.choices:
        if q.typed:
            err(q.line, f"{q.kind} question '{q.id}' has no answer line: add `= <answer>` with its explanation")
        else:
            err(q.line, f"question '{q.id}' has no choices: add `- [x] …` and `- [ ] …` lines")
        return
    if not q.typed:
        correct = [c for c in q.choices if c.correct]
        if not correct:
            err(q.line, f"question '{q.id}' has no correct choice: mark the right one `- [x]`")
        elif q.kind == "single" and len(correct) > 1:
            err(q.line, f"single-choice question '{q.id}' has {len(correct)} correct choices (lines "
                f"{', '.join(str(c.line) for c in correct)}): keep one `[x]`, or make it `? multiple {q.id}`")
        if len(q.choices) < 2:
            err(q.line, f"question '{q.id}' has one choice: give at least two")
    for c in q.choices:
        what = f"the answer line of question '{q.id}'" if q.typed else f"choice '{_short(c.text)}' of question '{q.id}'"
        if not c.explanation:
            err(c.line, f"{what} has no explanation: indent one under it (why it is right or wrong, with a "
                "link to the heading that teaches it)")
        elif not _heading_links(c.explanation):
            err(c.line, f"the explanation of {what} links to no heading: add a link to the section that "
                "teaches it, `[…](#heading-id)` or `[…](other-page.md#heading-id)`")


def check_ids(quizzes: list[Quiz]) -> list[Problem]:
    """Errors for question ids used more than once in the site (``quizzes`` of every page)."""
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    for quiz in quizzes:
        for q in quiz.questions:
            if not q.id:
                continue
            if q.id in seen:
                where = f"{seen[q.id][0]}:{seen[q.id][1]}"
                problems.append(Problem(quiz.path, q.line, 1, f"duplicate question id '{q.id}' (also at {where}): "
                                        "give each question its own id"))
            else:
                seen[q.id] = (quiz.path, q.line)
    return problems


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _dedent(lines: list[str]) -> str:
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return ""
    cut = min(len(ln) - len(ln.lstrip()) for ln in body)
    return "\n".join(ln[cut:] if ln.strip() else "" for ln in lines)
