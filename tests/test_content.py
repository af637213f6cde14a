"""Content checks: bibliography entries for READMEs and model cards carry a URL, no tracked file points to a
file outside the repository (the course fact sheet), and Chinese prose uses full-width quotation marks.

The bibliography is parsed with bibtexparser directly (not with the project's own citation parser), so the
test does not depend on where that parser lives.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
BIB = ROOT / "references.bib"

# ------------------------------------------------------------------ bibliography


def _bib_entries() -> list[tuple[str, str, dict[str, str]]]:
    """``[(entry type, key, {field: value}), ...]`` of references.bib (bibtexparser 1.x or 2.x)."""
    bibtexparser = pytest.importorskip("bibtexparser")
    text = BIB.read_text(encoding="utf-8")
    if hasattr(bibtexparser, "parse_string"):  # 2.x
        library = bibtexparser.parse_string(text)
        return [(e.entry_type.lower(), e.key, {k.lower(): str(getattr(v, "value", v)) for k, v in e.fields_dict.items()})
                for e in library.entries]
    db = bibtexparser.loads(text)  # 1.x
    return [(e["ENTRYTYPE"].lower(), e["ID"], {k.lower(): v for k, v in e.items()}) for e in db.entries]


def test_bibliography_parses():
    entries = _bib_entries()
    assert len(entries) >= 20
    keys = [k for _, k, _ in entries]
    assert len(keys) == len(set(keys)), "duplicate keys in references.bib"


def test_software_and_misc_entries_have_a_url():
    """A README, model card, config file or script is cited as @software/@misc: the reader needs its address."""
    missing = [key for etype, key, fields in _bib_entries()
               if etype in ("software", "misc") and not fields.get("url", "").strip().startswith("http")]
    assert not missing, f"@software/@misc entries without an http(s) url: {missing}"


def test_software_and_misc_entries_have_an_access_date():
    missing = [key for etype, key, fields in _bib_entries()
               if etype in ("software", "misc") and not (fields.get("urldate") or "accessed" in fields.get("note", ""))]
    assert not missing, f"@software/@misc entries without urldate or an access date in note: {missing}"


# ------------------------------------------------------------------ no reference to the fact sheet


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.decode("utf-8").split("\0") if p]


# The course team's fact sheet is a working file outside this repository; its name is spelled in two parts
# so that this test does not itself refer to it.
FACT_SHEET = re.compile("facts" + r"\.md", re.I)


def test_no_tracked_file_refers_to_the_fact_sheet():
    """No file refers to the fact sheet, which readers of the repository cannot open: cite the primary source
    (bib key or URL) instead."""
    hits = []
    for path in _tracked_files():
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary file
        for n, line in enumerate(text.splitlines(), 1):
            if FACT_SHEET.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, "references to the fact sheet (not in this repository); cite the primary source instead:\n" + "\n".join(hits)


# ------------------------------------------------------------------ quotation marks in Chinese prose

CJK = re.compile(r"[\u3400-\u9fff]")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$")
HTML_ATTR = re.compile(r"""[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*')""")
ATTR_LIST = re.compile(r"\{:[^}]*\}")
# Admonition and details titles must be written with straight quotes: !!! warning "常见错误", ??? notes "讲者备注"
ADMONITION = re.compile(r'^\s*(?:!!!|\?\?\?\+?)\s+[\w -]+(?:\s+"[^"]*")?\s*$')
CORNER = re.compile(r"[「」『』]")


def prose_lines(text: str, front_matter: bool = True):
    """Yield ``(line number, prose text)``: front matter, fenced code (mermaid included), inline code, math,
    HTML attributes, attribute lists and admonition titles removed."""
    lines = text.split("\n")
    start = 0
    if front_matter and lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
    fence = None
    for n in range(start, len(lines)):
        line = lines[n]
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if ADMONITION.match(line):
            continue
        for pattern in (INLINE_CODE, MATH, HTML_ATTR, ATTR_LIST):
            line = pattern.sub(" ", line)
        yield n + 1, line


def straight_quote_problems(text: str, front_matter: bool = True) -> list[tuple[int, str]]:
    """Lines of Chinese prose that use straight double quotes or corner brackets as quotation marks."""
    problems = []
    for n, line in prose_lines(text, front_matter):
        if CORNER.search(line):
            problems.append((n, line.strip()))
        elif '"' in line and CJK.search(line):
            problems.append((n, line.strip()))
    return problems


def test_quote_checker_on_examples():
    page = "\n".join([
        "---", 'title: "不检查前言"', "---",
        "正文用“全角引号”。",
        '这里用了"直角"引号。',
        "这里用了「直角」引号。",
        '!!! warning "常见错误"',
        '    行内代码 `print("你好")` 不算。',
        '<div class="page-only" markdown>', "```mermaid", 'A["代码块里的标签"]', "```",
        'English only: "quoted" is fine.',
        "公式 $\\text{\"a\"}$ 不算。",
    ])
    assert [n for n, _ in straight_quote_problems(page)] == [5, 6]


def _markdown_sources():
    for path in sorted(DOCS.glob("*.md")):
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8"), True
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") == "markdown":
                yield f"{path.relative_to(ROOT)} cell {i}", "".join(cell.get("source", [])), False


def test_chinese_prose_uses_full_width_quotation_marks():
    """One kind of quotation marks in Chinese prose across the site: “…” (not "…" or 「…」)."""
    bad = [f"{where}:{n}: {line[:100]}" for where, text, fm in _markdown_sources()
           for n, line in straight_quote_problems(text, fm)]
    assert not bad, "use “…” in Chinese prose:\n" + "\n".join(bad)
