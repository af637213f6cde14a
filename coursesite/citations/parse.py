"""Citation check and rendering for the course pages.

One module, used three ways: by the CLI ``scripts/check_citations.py``, by the site plugin
(:mod:`coursesite.citations.pages`; the build fails on any error) and by the tests. It does not import MkDocs.

Citation syntax is pandoc's bracketed form: ``[@key]``, ``[@a; @b]``, ``[@key, p. 3]``,
``[see @key, 表 2]``. Keys may contain letters, digits and ``_ : . / - # $ % & + ? < > ~``, and end on a
letter, digit or ``_`` (pandoc's rule: trailing punctuation belongs to the sentence). Never taken as a
citation: text in fenced code blocks and inline code spans, HTML comments, YAML front matter, e-mail
addresses and URLs (an ``@`` that follows a letter, digit, ``/`` or ``.``), ``\\[@`` (escaped bracket)
and a bracket followed by ``(`` or ``:`` (a Markdown link or link definition).

The bibliography is parsed with bibtexparser 2.x. Its failed blocks (syntax errors, duplicate keys,
duplicate fields) are reported here as errors with file and line, since bibtexparser only logs them.

Nothing in this module writes to the files it checks.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import logging
import re
from pathlib import Path
from typing import Iterable, Iterator

__all__ = [
    "REQUIRED_FIELDS",
    "BibEntry",
    "Bibliography",
    "Citation",
    "CitationItem",
    "Problem",
    "check_project",
    "notebook_markdown_cells",
    "find_citations",
    "load_bibliography",
    "parse_bibliography",
    "suggest_keys",
]

# Required fields per entry type. An alternative is written "a|b": one of them must be present.
# Source: the BibTeX manual (Patashnik, "BibTeXing", 1988), §B "The Entries", restricted to the types
# a course bibliography uses.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "conference": ("author", "title", "booktitle", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "mastersthesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": ("title", "author|howpublished|url", "year"),
    "online": ("title", "url", "year"),
    "software": ("title", "author|url", "year"),
}

KEY_CHARS = r"[A-Za-z0-9_:.#$%&+?<>~/\-]"
_KEY_RE = re.compile(rf"[A-Za-z0-9_]{KEY_CHARS}*")
_FENCE_RE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})")
_SPECIAL_RE = re.compile(r"<!--|`")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One finding of the check.

    ``line`` and ``col`` are 1-based; ``col`` counts Unicode characters. ``severity`` is
    ``"error"`` (fails the build) or ``"warning"`` (reported only).
    """

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"
    cell: int | None = None  # 1-based cell number in a notebook (``line`` then counts inside that cell)

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        where = f"cell {self.cell}, line {self.line}" if self.cell else str(self.line)
        return f"{self.path}:{where}:{self.col}: {prefix}{self.message}"


@dataclasses.dataclass(frozen=True)
class CitationItem:
    """One key inside a citation bracket, with its optional prefix and locator text."""

    key: str
    line: int
    col: int
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False


@dataclasses.dataclass(frozen=True)
class Citation:
    """A bracketed citation ``[...]`` and its items.

    ``start``/``end`` are character offsets of the whole bracket in the source text, so that a
    renderer can replace exactly that span. ``problem`` is set for a bracket that looks like a
    citation but is malformed (e.g. ``[@]``); such a citation has no items.
    """

    start: int
    end: int
    line: int
    col: int
    items: tuple[CitationItem, ...]
    problem: str | None = None

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


@dataclasses.dataclass
class BibEntry:
    """A parsed BibTeX entry: ``key``, lower-case ``entry_type``, field dict and 1-based ``line``."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int


@dataclasses.dataclass
class Bibliography:
    """Entries by key, in file order, plus the problems found while parsing the file."""

    path: str
    entries: dict[str, BibEntry]
    problems: list[Problem]
    broken_keys: set[str] = dataclasses.field(default_factory=set)  # keys of blocks that failed to parse


# ---------------------------------------------------------------------------------------------------
# Markdown scanning
# ---------------------------------------------------------------------------------------------------


def _masked_regions(text: str) -> list[tuple[int, int]]:
    """Return sorted ``(start, end)`` offsets of text that can never hold a citation.

    These are YAML front matter, fenced code blocks (```` ``` ```` or ``~~~``, possibly indented or
    inside block quotes; an unclosed fence runs to the end of the file, as in CommonMark), inline
    code spans (a run of n backticks up to the next run of exactly n) and HTML comments.
    """
    regions: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)

    i = 0
    if lines and lines[0].strip() == "---":
        for j in range(1, len(lines)):
            if lines[j].strip() in ("---", "..."):
                regions.append((0, offsets[j + 1]))
                i = j + 1
                break
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if m:
            fence = m.group("fence")
            start = offsets[i]
            j = i + 1
            closing = re.compile(rf"^[ \t>]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
            while j < len(lines) and not closing.match(lines[j]):
                j += 1
            end = offsets[min(j + 1, len(lines))]
            regions.append((start, end))
            i = j + 1
            continue
        i += 1

    # Inline code spans and HTML comments, outside the block regions found so far. Jumps from one "`" or
    # "<!--" to the next (a page is scanned in one pass, not character by character).
    regions.sort()
    extra: list[tuple[int, int]] = []
    n = len(text)
    p = 0
    r = 0  # the first block region that ends after p
    while p < n:
        while r < len(regions) and regions[r][1] <= p:
            r += 1
        if r < len(regions) and regions[r][0] <= p:
            p = regions[r][1]
            continue
        m = _SPECIAL_RE.search(text, p)
        if not m:
            break
        if r < len(regions) and regions[r][0] <= m.start():
            p = regions[r][1]
            continue
        p = m.start()
        if text.startswith("<!--", p):
            end = text.find("-->", p + 4)
            end = n if end < 0 else end + 3
            extra.append((p, end))
            p = end
            continue
        if p == 0 or text[p - 1] != "\\":
            q = p
            while q < n and text[q] == "`":
                q += 1
            run = q - p
            m = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, q)
            if m:
                extra.append((p, m.end()))
                p = m.end()
                continue
            p = q
            continue
        p += 1
    return sorted(regions + extra)


def _line_col(text: str, offset: int, line_starts: list[int]) -> tuple[int, int]:
    import bisect

    idx = bisect.bisect_right(line_starts, offset) - 1
    return idx + 1, offset - line_starts[idx] + 1


def _bracket_spans(text: str, masked: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of innermost ``[...]`` pairs outside masked regions, on one paragraph."""
    mask_iter = iter(masked)
    current = next(mask_iter, None)
    stack: list[int] = []
    p = 0
    n = len(text)
    while p < n:
        while current is not None and current[1] <= p:
            current = next(mask_iter, None)
        if current is not None and current[0] <= p < current[1]:
            p = current[1]
            stack.clear()
            continue
        ch = text[p]
        if ch == "\\":
            p += 2
            continue
        if ch == "[":
            stack.append(p)
        elif ch == "]" and stack:
            start = stack.pop()
            yield start, p + 1
        elif ch == "\n" and p + 1 < n and text[p + 1] == "\n":
            stack.clear()  # brackets never span paragraphs
        p += 1


_OPEN_CITATION_RE = re.compile(rf"\[(?:[^\[\]\n]*?\s)?-?@{KEY_CHARS}*")

_ITEM_RE = re.compile(
    rf"^(?P<prefix>.*?)(?:(?<=\s)|^)(?P<suppress>-?)@(?P<key>[A-Za-z0-9_]{KEY_CHARS}*)(?P<rest>.*)$",
    re.S,
)


def _strip_key(key: str) -> tuple[str, str]:
    """Split trailing punctuation off a key (pandoc: a key ends on a letter, digit or ``_``)."""
    stripped = key.rstrip(":.#$%&+?<>~/-")
    return stripped, key[len(stripped):]


def find_citations(text: str) -> list[Citation]:
    """Find the pandoc-style citations in Markdown ``text``.

    Memoised on the text (see :func:`_find_citations`): an unchanged page is scanned once per process,
    which under ``mkdocs serve`` means once per session, not once per rebuild.
    """
    return list(_find_citations(text))


@functools.lru_cache(maxsize=256)
def _find_citations(text: str) -> tuple[Citation, ...]:
    """Find the pandoc-style citations in Markdown ``text`` (the work behind :func:`find_citations`).

    Returns citations in source order. A bracket is a citation when one of its ``;``-separated parts
    contains ``@`` at the start of the part or after white space (``-@key`` suppresses the author).
    Malformed brackets (``[@]``, ``[@ key]``, ``[@key; ]``) are returned with ``problem`` set.
    Brackets inside code, comments and front matter, links ``[text](url)`` / ``[ref]: url``,
    e-mail addresses and URLs are ignored. Line and column numbers are 1-based.
    """
    masked = _masked_regions(text)
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    found: list[Citation] = []
    spans = list(_bracket_spans(text, masked))
    opened = {start for start, _ in spans}
    for m in _OPEN_CITATION_RE.finditer(text):
        start = m.start()
        if start in opened or any(a <= start < b for a, b in masked):
            continue
        if start > 0 and text[start - 1] in "\\!^":
            continue
        line, col = _line_col(text, start, line_starts)
        snippet = m.group(0).rstrip()
        found.append(Citation(start, start + len(snippet), line, col, (),
                              f"unclosed citation '{snippet}': the ']' is missing in this paragraph"))
    for start, end in spans:
        body = text[start + 1 : end - 1]
        if "@" not in body:
            continue
        after = text[end : end + 1]
        if after in ("(", ":", "["):
            continue  # a link, a link definition or a reference-style link
        if start > 0 and text[start - 1] in "!^":
            continue  # image or footnote
        line, col = _line_col(text, start, line_starts)
        parts = body.split(";")
        items: list[CitationItem] = []
        problem = None
        offset = start + 1
        looks_like_citation = False
        for part in parts:
            m = _ITEM_RE.match(part)
            at = re.search(r"(?:(?<=\s)|^)-?@", part)
            if at:
                looks_like_citation = True
            if m is None:
                if at or (looks_like_citation and not part.strip()):
                    if at and re.search(r"@\s+\S", part):
                        reason = "space between '@' and the key"
                    else:
                        reason = "empty citation key" if at else "empty item in citation"
                    problem = problem or reason
                offset += len(part) + 1
                continue
            key, trailing = _strip_key(m.group("key"))
            rest = trailing + m.group("rest")
            key_offset = offset + m.start("key")
            kline, kcol = _line_col(text, key_offset, line_starts)
            locator = rest.strip()
            if locator.startswith(","):
                locator = locator[1:].strip()
            items.append(
                CitationItem(
                    key=key,
                    line=kline,
                    col=kcol,
                    prefix=m.group("prefix").strip(),
                    locator=locator,
                    suppress_author=bool(m.group("suppress")),
                )
            )
            offset += len(part) + 1
        if not looks_like_citation:
            continue
        if problem:
            found.append(Citation(start, end, line, col, (), f"malformed citation '{text[start:end]}': {problem}"))
        else:
            found.append(Citation(start, end, line, col, tuple(items)))
    found.sort(key=lambda c: c.start)
    return tuple(found)


# ---------------------------------------------------------------------------------------------------
# Bibliography
# ---------------------------------------------------------------------------------------------------


def _failed_block_message(block) -> str:
    name = type(block).__name__
    if name == "DuplicateBlockKeyBlock":
        return f"duplicate key '{block.key}'"
    if name == "DuplicateFieldKeyBlock":
        dups = ", ".join(sorted(getattr(block, "duplicate_keys", []) or [])) or "?"
        key = getattr(block.ignore_error_block, "key", "?")
        return f"entry '{key}' has duplicate field(s): {dups}; keep one of each"
    raw = (block.raw or "").strip().splitlines()
    head = raw[0][:60] if raw else ""
    return (
        f"cannot parse this block ('{head}'): check for an unbalanced brace or quote, "
        "a missing comma between fields, or a missing '=' "
    ).rstrip()


_ENTRY_HEAD_RE = re.compile(r"^[ \t]*@(?P<type>\w+)[ \t]*(?P<open>[{(])[ \t]*(?P<key>[^,\s]*)[ \t]*,", re.M)
_FIELD_NAME_RE = re.compile(r"(?P<name>[A-Za-z_][\w:.+/-]*)\s*=")
_BARE_VALUE_RE = re.compile(r"[^\s,#{}\"()=]+")


def _missing_commas(text: str) -> list[tuple[str, str, int, int]]:
    """Find the commas missing between two fields of an entry, which bibtexparser does not report.

    Without the comma, bibtexparser takes the next field into the value of the previous one
    (``doi = {10.1/x}\n  note = {…}`` becomes one doi), so the next field vanishes: silently when it was the
    last one, as a "missing required field" when it was required. Each entry is scanned here field by field,
    the way BibTeX reads it (a value is ``{…}`` with nested braces, ``"…"`` or a bare word, parts joined by
    ``#``); a value followed by ``name =`` instead of a comma or the closing brace is a missing comma.
    Returns ``(entry key, previous field, 1-based line where its value ends, offset where the comma goes)``;
    an entry that does not scan (a syntax error bibtexparser reports itself) is left alone.
    """
    out = []
    n = len(text)

    def skip_ws(p: int) -> int:
        while p < n and text[p].isspace():
            p += 1
        return p

    def value_end(p: int) -> int | None:
        """Offset just after the value starting at ``p`` (at its first non-blank character), or None."""
        while True:
            p = skip_ws(p)
            if p >= n:
                return None
            if text[p] in "{\"":
                depth, q = 0, p
                quote = text[p] == '"'
                if quote:
                    q += 1
                while q < n:
                    ch = text[q]
                    if ch == "{":
                        depth += 1
                    elif ch == "}":
                        depth -= 1
                        if not quote and depth == 0:
                            break
                        if depth < 0:
                            return None
                    elif ch == '"' and quote and depth == 0:
                        break
                    q += 1
                if q >= n:
                    return None
                p = q + 1
            else:
                m = _BARE_VALUE_RE.match(text, p)
                if not m:
                    return None
                p = m.end()
            after = skip_ws(p)
            if after < n and text[after] == "#":
                p = after + 1
                continue
            return p

    for head in _ENTRY_HEAD_RE.finditer(text):
        if head.group("type").lower() in ("comment", "string", "preamble"):
            continue
        close = "}" if head.group("open") == "{" else ")"
        p = head.end()
        while True:
            p = skip_ws(p)
            if p >= n or text[p] == close:
                break
            field = _FIELD_NAME_RE.match(text, p)
            if not field:
                break
            end = value_end(field.end())
            if end is None:
                break
            p = skip_ws(end)
            if p < n and text[p] == ",":
                p += 1
                continue
            if p < n and text[p] == close:
                break
            if _FIELD_NAME_RE.match(text, p):
                out.append((head.group("key"), field.group("name").lower(), text.count("\n", 0, end) + 1, end))
                continue
            break
    return out


def parse_bibliography(text: str, path: str = "references.bib") -> Bibliography:
    """Parse BibTeX ``text`` (named ``path`` in messages) with bibtexparser 2.x.

    Returns a :class:`Bibliography` whose ``problems`` lists, as errors: blocks that do not parse, a comma
    missing between two fields (at its line; the entry is read as if it were there), duplicate keys (naming the line of the first definition), duplicate fields, and entries missing a
    field that :data:`REQUIRED_FIELDS` requires for their type. Unknown entry types are warnings.
    Raises nothing for bad input; raises ``ImportError`` if bibtexparser 2.x is not installed.
    """
    import bibtexparser

    logger = logging.getLogger("bibtexparser")
    old_level = logger.level
    logger.setLevel(logging.CRITICAL)  # bibtexparser logs failures itself; we report them below
    # A missing comma between fields is reported at its line, and the entry is read as if it were there, so
    # that the fields after it are neither lost nor reported missing.
    commas = _missing_commas(text)
    fixed = text
    for *_, offset in reversed(commas):
        fixed = fixed[:offset] + "," + fixed[offset:]
    try:
        library = bibtexparser.parse_string(fixed)
    finally:
        logger.setLevel(old_level)

    problems: list[Problem] = []
    for key, field, line, offset in commas:
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        problems.append(Problem(path, line, col, (
            f"entry '{key}': missing comma after the field '{field}' (line {line}); "
            "add a comma at the end of that line")))
    entries: dict[str, BibEntry] = {}
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        be = BibEntry(entry.key, entry.entry_type.lower(), fields, entry.start_line + 1)
        entries[entry.key] = be
    broken: set[str] = set()
    for block in library.failed_blocks:
        head = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", block.raw or "")
        if head and type(block).__name__ != "DuplicateBlockKeyBlock":
            broken.add(head.group(1))
        line = block.start_line + 1
        message = _failed_block_message(block)
        if type(block).__name__ == "DuplicateBlockKeyBlock" and block.key in entries:
            message += f" (first defined at line {entries[block.key].line}); rename or delete one"
        problems.append(Problem(path, line, 1, message))
    for be in entries.values():
        required = REQUIRED_FIELDS.get(be.entry_type)
        if required is None:
            problems.append(
                Problem(
                    path,
                    be.line,
                    1,
                    f"entry '{be.key}' has type @{be.entry_type}, which the check does not know; "
                    f"use one of {', '.join('@' + t for t in sorted(REQUIRED_FIELDS))}",
                    "warning",
                )
            )
            continue
        missing = [
            alt for alt in required
            if not any(be.fields.get(name, "").strip() for name in alt.split("|"))
        ]
        if missing:
            problems.append(
                Problem(
                    path,
                    be.line,
                    1,
                    f"entry '{be.key}' (@{be.entry_type}) is missing required field(s): "
                    f"{', '.join(m.replace('|', ' or ') for m in missing)}; add them, or change the entry type",
                )
            )
        if not (be.fields.get("doi") or be.fields.get("url")):
            problems.append(
                Problem(path, be.line, 1, f"entry '{be.key}' has neither doi nor url; add one so readers can find it", "warning")
            )
    problems.sort(key=lambda p: (p.line, p.col))
    return Bibliography(path, entries, problems, broken - set(entries))


def load_bibliography(path: str | Path) -> Bibliography:
    """Read and parse the BibTeX file at ``path``. Raises ``FileNotFoundError`` if it is missing."""
    p = Path(path)
    return parse_bibliography(p.read_text(encoding="utf-8"), str(path))


def suggest_keys(key: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` known keys closest to ``key``, best first.

    Similarity is the mean of difflib's ratio on the whole key and the share of the key's alphanumeric
    tokens (``feng``, ``2020``, ``codebert``) found in the candidate, so ``feng2020`` finds
    ``feng-etal-2020-codebert`` although the strings differ in length. A candidate that shares only
    numbers (a year) gets no token credit: ``nosuchpaper2020`` suggests nothing rather than every 2020 paper;
    a close typo of the whole key (difflib ratio ≥ 0.75 alone) still counts.
    """
    known = list(known)
    tokens = [t for t in re.split(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", key.lower()) if t]

    def score(candidate: str) -> float:
        c = candidate.lower()
        ratio = difflib.SequenceMatcher(None, key.lower(), c).ratio()
        found = [t for t in tokens if t in c]
        share = len(found) / len(tokens) if any(not t.isdigit() for t in found) else 0.0
        return max((ratio + share) / 2, ratio if ratio >= 0.75 else 0.0)

    ranked = sorted(known, key=lambda c: (-score(c), c))
    if not ranked:
        return []
    best = score(ranked[0])
    return [c for c in ranked[:n] if score(c) >= max(0.35, best - 0.15)]


# ---------------------------------------------------------------------------------------------------
# Whole-project check
# ---------------------------------------------------------------------------------------------------


def check_markdown(text: str, path: str, bibliography: Bibliography) -> tuple[list[Problem], list[Citation]]:
    """Check the citations of one Markdown file against ``bibliography``.

    Returns the problems (unknown keys with suggestions, malformed citations) and the citations found.
    """
    problems: list[Problem] = []
    citations = find_citations(text)
    for citation in citations:
        if citation.problem:
            problems.append(
                Problem(path, citation.line, citation.col, f"{citation.problem}; write [@key] or escape the bracket as \\[")
            )
            continue
        for item in citation.items:
            if item.key not in bibliography.entries:
                hint = suggest_keys(item.key, bibliography.entries)
                did_you_mean = f" (did you mean {' or '.join(repr(h) for h in hint)}?)" if hint else ""
                problems.append(
                    Problem(
                        path,
                        item.line,
                        item.col,
                        f"unknown key '{item.key}'{did_you_mean}; fix the key or add the entry to {bibliography.path}",
                    )
                )
    return problems, citations


def notebook_markdown_cells(path: str | Path) -> list[tuple[int, str]]:
    """The Markdown cells of the notebook at ``path`` as ``(1-based cell number, source text)``.

    Code and raw cells are not citations. Raises ``ValueError`` (or ``OSError``) for a file that is not
    notebook JSON: :func:`check_project` reports that at the file.
    """
    import json

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = nb.get("cells") if isinstance(nb, dict) else None
    out = []
    for n, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            src = cell.get("source", "")
            out.append((n, "".join(src) if isinstance(src, list) else str(src)))
    return out


def check_project(docs_dir: str | Path, bib_path: str | Path, root: str | Path | None = None,
                  notebooks: Iterable[str | Path] = ()) -> tuple[list[Problem], Bibliography, dict[str, list[Citation]]]:
    """Check every ``*.md`` under ``docs_dir`` and the Markdown cells of ``notebooks`` (``.ipynb`` paths)
    against the BibTeX file ``bib_path``.

    A notebook's problems carry the cell number (``notebooks/02-biobert-ner.ipynb:cell 4, line 2:17: …``).

    Paths in messages are relative to ``root`` (default: the current directory). Returns
    ``(problems, bibliography, citations_by_file)``; problems are sorted by file and position, and
    include a warning for each bibliography entry that no page cites. A missing ``bib_path`` is
    reported as an error, not raised.
    """
    root = Path(root) if root else Path.cwd()

    def rel(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(p)

    bib_file = Path(bib_path)
    if not bib_file.is_file():
        bibliography = Bibliography(rel(bib_file), {}, [Problem(rel(bib_file), 1, 1, "bibliography file not found; create it or fix the course plugin's bibliography option in mkdocs.yml")])
    else:
        bibliography = load_bibliography(bib_file)
        bibliography.path = rel(bib_file)
        bibliography.problems = [dataclasses.replace(p, path=bibliography.path) for p in bibliography.problems]
    problems = list(bibliography.problems)
    by_file: dict[str, list[Citation]] = {}
    for md in sorted(Path(docs_dir).rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        file_problems, citations = check_markdown(text, rel(md), bibliography)
        # A key whose entry failed to parse is reported once, at the broken block, not at every citation.
        file_problems = [
            p for p in file_problems
            if not any(p.message.startswith(f"unknown key '{k}'") for k in bibliography.broken_keys)
        ]
        problems.extend(file_problems)
        by_file[rel(md)] = citations
    for nb in sorted(Path(p) for p in notebooks):
        nb_citations: list[Citation] = []
        try:
            cells = notebook_markdown_cells(nb)
        except (OSError, ValueError) as e:
            line, col = getattr(e, "lineno", 1), getattr(e, "colno", 1)
            problems.append(Problem(rel(nb), line, col, (
                f"cannot read the notebook ({getattr(e, 'msg', e)}), so its citations are not checked; fix the file "
                f"(or restore it with 'git checkout -- {rel(nb)}')")))
            cells = []
        for cell, text in cells:
            cell_problems, citations = check_markdown(text, rel(nb), bibliography)
            problems.extend(
                dataclasses.replace(p, cell=cell) for p in cell_problems
                if not any(p.message.startswith(f"unknown key '{k}'") for k in bibliography.broken_keys)
            )
            nb_citations.extend(citations)
        by_file[rel(nb)] = nb_citations
    cited = {key for cits in by_file.values() for c in cits for key in c.keys}
    for key, entry in bibliography.entries.items():
        if key not in cited:
            problems.append(Problem(bibliography.path, entry.line, 1, f"entry '{key}' is never cited", "warning"))
    # Bibliography problems first: a broken .bib explains the page errors that follow it.
    problems.sort(key=lambda p: (not (p.path == bibliography.path and p.severity == "error"), p.path, p.cell or 0,
                                 p.line, p.col))
    return problems, bibliography, by_file
