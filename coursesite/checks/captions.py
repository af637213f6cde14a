"""Check of the figure and table numbers in the captions of the lecture pages (no MkDocs).

A caption is a pymdownx ``/// caption`` block (also ``/// figure-caption`` and ``/// table-caption``) right
after the figure or table; its text starts with the number: ``图6：…`` or ``表6：…`` (a full-width colon;
``:`` is accepted). The deck numbers its figures 图1–图21 and its tables 表1–表21, and each of these numbers is
the caption of exactly one figure or table on the site. A figure or table that the deck does not have is
numbered in a series of its own, ``图A1：``, ``图A2：`` … and ``表A1：`` … (A for 补充, "added"), so that
the deck's numbers never move.

:func:`check_captions` reports, each at the caption as typed: a number out of the deck's range (``图99``,
``表22``), a number used twice (at both captions), a number with no caption (saying between which captions
it belongs), a gap in the A series, and a number written so that the site does not read it as one
(``图 6：``, ``图6 文字``). Captions in fenced code blocks are not captions.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from typing import Iterable

from coursesite.citations.parse import _FENCE_RE, Problem, _masked_regions

__all__ = ["Caption", "Fence", "check_captions", "fenced_blocks", "find_captions"]

EXTRA_SERIES = "A"  # 图A1, 表A1: figures and tables that the deck does not have

_CAPTION_START = re.compile(r"^[ \t]*///[ \t]*(?:caption|figure-caption|table-caption)\b")
_CAPTION_END = re.compile(r"^[ \t]*///[ \t]*$")
_OPTION = re.compile(r"^[ \t]{4,}[A-Za-z_-]+:")
_LABEL = re.compile(r"^(?P<kind>图|表)(?P<space>\s*)(?P<series>[A-Za-z]?)(?P<num>\d+)(?P<colon>\s*[：:])?")


@dataclasses.dataclass(frozen=True)
class Fence:
    """A fenced code block: 1-based lines of its opening and closing fence, its info string and body."""

    line: int
    end_line: int
    info: str
    body: str


@dataclasses.dataclass(frozen=True)
class Caption:
    """A caption block: its 1-based ``line`` (of the ``/// caption`` header) and ``text``.

    ``label`` is the number as the site reads it (``图6``, ``表A1``), or ``None`` when the caption does not
    start with one; ``typed`` is the start of the caption as written (``图 6``, ``图99：``).
    """

    path: str
    line: int
    text: str
    kind: str | None = None  # "图" or "表"
    series: str = ""  # "" for the deck's numbers, "A" for the extra series
    number: int | None = None
    problem: str | None = None  # how the number is miswritten, if it is

    @property
    def label(self) -> str | None:
        return f"{self.kind}{self.series}{self.number}" if self.kind and self.number is not None else None

    @property
    def typed(self) -> str:
        return self.text if len(self.text) <= 24 else self.text[:24] + "…"


@functools.lru_cache(maxsize=256)
def masked_regions(text: str) -> tuple[tuple[int, int], ...]:
    """:func:`coursesite.citations.parse._masked_regions` (front matter, fenced code, code spans, HTML
    comments), memoised on the text: the caption, diagram and link checks share one scan of each page, and an
    unchanged page is not scanned again under ``mkdocs serve``."""
    return tuple(_masked_regions(text))


def fenced_blocks(text: str) -> list[Fence]:
    """The fenced code blocks of Markdown ``text`` (```` ``` ```` or ``~~~``, also indented or quoted),
    found by :func:`coursesite.citations.parse._masked_regions`."""
    out = []
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    for a, b in masked_regions(text):
        head = text[a : text.find("\n", a) if "\n" in text[a:b] else b]
        m = _FENCE_RE.match(head)
        if not m or (a and text[a - 1] != "\n"):
            continue  # front matter, a code span or a comment
        first = bisect.bisect_right(starts, a)  # 1-based line of the opening fence
        body_lines = text[a:b].splitlines()
        closed = len(body_lines) > 1 and re.match(rf"^[ \t>]*{re.escape(m.group('fence')[0])}{{3,}}\s*$", body_lines[-1])
        inner = body_lines[1:-1] if closed else body_lines[1:]
        indent = len(m.group("indent"))
        body = "\n".join(line[indent:] if line[:indent].strip(" \t>") == "" else line.lstrip() for line in inner)
        out.append(Fence(first, first + len(body_lines) - 1, head[m.end():].strip(), body))
    return out


def find_captions(text: str, path: str = "") -> list[Caption]:
    """The caption blocks of Markdown ``text`` outside fenced code, in order, with their numbers parsed."""
    fenced = [(f.line, f.end_line) for f in fenced_blocks(text)]
    lines = text.splitlines()
    out: list[Caption] = []
    i = 0
    while i < len(lines):
        if not _CAPTION_START.match(lines[i]) or any(a <= i + 1 <= b for a, b in fenced):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and _OPTION.match(lines[j]):
            j += 1
        start = j + 1  # the line of the caption's text
        body = []
        while j < len(lines) and not _CAPTION_END.match(lines[j]):
            body.append(lines[j].strip())
            j += 1
        caption_text = " ".join(s for s in body if s)
        out.append(_parse_caption(path, start, caption_text))
        i = j + 1
    return out


def _parse_caption(path: str, line: int, text: str) -> Caption:
    m = _LABEL.match(text)
    if not m:
        return Caption(path, line, text)
    kind, series, number = m.group("kind"), m.group("series"), int(m.group("num"))
    fixed = f"{kind}{series.upper()}{number}："
    problem = None
    if series and series.upper() != EXTRA_SERIES:
        problem = (f"the series {kind}{series}… is not one the site knows; number a figure or table that the deck "
                   f"does not have {kind}{EXTRA_SERIES}1, {kind}{EXTRA_SERIES}2, …")
    elif series and series != EXTRA_SERIES:
        problem = f"write the series letter in upper case: '{fixed}'"
    elif m.group("space"):
        problem = f"write the number without a space after {kind}: '{fixed}'"
    elif not m.group("colon"):
        problem = f"put a full-width colon after the number: '{fixed}'"
    return Caption(path, line, text, kind, series.upper(), number, problem)


def _where(c: Caption) -> str:
    return f"{c.label} ({c.path}:{c.line})"


def check_captions(pages: dict[str, str], figures: int = 21, tables: int = 21) -> list[Problem]:
    """Check the figure and table numbers of ``pages`` (``{"docs/02-codebert.md": markdown}``).

    The deck has 图1…图``figures`` and 表1…表``tables``; each must be the caption of exactly one figure or
    table. Extra ones are 图A1, 图A2, … and 表A1, …, numbered without gaps. Returns the problems sorted by
    page and line; a missing number is reported at the caption it should follow (or precede).
    """
    captions = [c for path in sorted(pages) for c in find_captions(pages[path], path)]
    problems: list[Problem] = []
    limit = {"图": figures, "表": tables}
    name = {"图": "figure", "表": "table"}

    for c in captions:
        if c.label is None:
            problems.append(Problem(c.path, c.line, 1, (
                f"caption '{c.typed}' has no number; start it with 图N： or 表N： (the deck's numbers) or "
                f"图{EXTRA_SERIES}1： / 表{EXTRA_SERIES}1： for one the deck does not have"), "warning"))
        elif c.problem:
            problems.append(Problem(c.path, c.line, 1, f"caption '{c.typed}': the site does not read {c.label} here; {c.problem}"))

    # A miswritten number (图 6：) is reported above and still counts as its number here, so that it is not
    # also reported as missing.
    numbered = [c for c in captions if c.label is not None and c.series in ("", EXTRA_SERIES)]
    by_label: dict[str, list[Caption]] = {}
    for c in numbered:
        by_label.setdefault(c.label, []).append(c)

    for kind in ("图", "表"):
        n = limit[kind]
        deck = [c for c in numbered if c.kind == kind and not c.series]
        have = {c.number for c in deck if 1 <= c.number <= n}
        missing = [k for k in range(1, n + 1) if k not in have]
        for c in deck:
            if not 1 <= c.number <= n:
                hint = ""
                if len(missing) == 1:
                    hint = f" ({kind}{missing[0]} has no caption: is this it?)"
                elif 1 < len(missing) <= 3:
                    hint = f" ({' and '.join(f'{kind}{k}' for k in missing)} have no caption: is this one of them?)"
                problems.append(Problem(c.path, c.line, 1, (
                    f"caption '{c.typed}': {kind}{c.number} is not in the deck, which has {kind}1–{kind}{n}{hint}; "
                    f"use the deck's number, or number a {name[kind]} the deck does not have "
                    f"{kind}{EXTRA_SERIES}1, {kind}{EXTRA_SERIES}2, … (see CONTRIBUTING.md)")))
        in_range = sorted((c for c in deck if 1 <= c.number <= n), key=lambda c: c.number)
        # One mistyped number (图5 typed as 图99) is one mistake: the out-of-range caption's message names the
        # missing number, so it is not reported again at another page's caption.
        named = set(missing) if len(missing) == 1 and any(not 1 <= c.number <= n for c in deck) else set()
        for k in missing:
            if k in named:
                continue
            before = [c for c in in_range if c.number < k]
            after = [c for c in in_range if c.number > k]
            prev, nxt = (before[-1] if before else None), (after[0] if after else None)
            if prev and nxt:
                between = f"between {_where(prev)} and {_where(nxt)}"
            elif prev or nxt:
                between = f"{'after' if prev else 'before'} {_where(prev or nxt)}"
            else:
                between = f"on its page (the deck has {kind}1–{kind}{n})"
            anchor = prev or nxt
            path, line = (anchor.path, anchor.line) if anchor else (min(pages) if pages else "docs", 1)
            problems.append(Problem(path, line, 1, (
                f"{kind}{k} has no caption; it belongs {between}: add a '/// caption' block starting '{kind}{k}：' "
                f"after the {name[kind]}, or fix the number of the caption that should be {kind}{k}")))
        extra = sorted((c for c in numbered if c.kind == kind and c.series), key=lambda c: c.number)
        top = max((c.number for c in extra), default=0)
        for k in range(1, top + 1):
            if not any(c.number == k for c in extra):
                nxt = next(c for c in extra if c.number > k)
                problems.append(Problem(nxt.path, nxt.line, 1, (
                    f"caption '{nxt.typed}': {kind}{EXTRA_SERIES}{k} has no caption; number the extra "
                    f"{name[kind]}s {kind}{EXTRA_SERIES}1, {kind}{EXTRA_SERIES}2, … without gaps")))

    for label, cs in by_label.items():
        if len(cs) > 1:
            for c in cs:
                others = ", ".join(f"{o.path}:{o.line}" for o in cs if o is not c)
                problems.append(Problem(c.path, c.line, 1, (
                    f"caption '{c.typed}': {label} is also the caption at {others}; each number is used once, "
                    "so renumber one of them")))
    problems.sort(key=lambda p: (p.path, p.line, p.message))
    return problems


def caption_near(captions: Iterable[Caption], line: int, end_line: int, window: int = 3) -> Caption | None:
    """The caption that labels a block spanning ``line``–``end_line``: the first one starting at most
    ``window`` lines after it, else the last one ending at most ``window`` lines before it."""
    captions = list(captions)
    after = [c for c in captions if end_line < c.line <= end_line + window]
    if after:
        return after[0]
    before = [c for c in captions if line - window - 2 <= c.line < line]
    return before[-1] if before else None
