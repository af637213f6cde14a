"""Checks of the sources that contributors get wrong: caption numbers, notebooks, mermaid diagrams, links and
anchors between pages, commas in references.bib. Each message names the file and line and says what to do."""

from __future__ import annotations

import copy
import json
import shutil
import time
from pathlib import Path

import pytest

from coursesite.checks.captions import check_captions, find_captions
from coursesite.checks.links import check_links
from coursesite.checks.mermaid import check_mermaid
from coursesite.checks.notebooks import check_notebook, check_notebook_text, sanitize_widgets
from coursesite.citations.parse import parse_bibliography

ROOT = Path(__file__).resolve().parent.parent


def real_pages() -> dict[str, str]:
    return {f"docs/{p.name}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}


def caption(label_text: str) -> str:
    return f"| a |\n|---|\n| b |\n/// caption\n{label_text}\n///\n\n"


def deck_pages(figures: int = 3, tables: int = 3) -> dict[str, str]:
    """Two pages carrying 图1–图N and 表1–表N, the figures on the first page, the tables on the second."""
    return {
        "docs/01-a.md": "# A\n\n" + "".join(caption(f"图{k}：图的说明") for k in range(1, figures + 1)),
        "docs/02-b.md": "# B\n\n" + "".join(caption(f"表{k}：表的说明") for k in range(1, tables + 1)),
    }


def strs(problems) -> list[str]:
    return [str(p) for p in problems]


# ---------------------------------------------------------------------------------------------------------
# Captions
# ---------------------------------------------------------------------------------------------------------


def test_the_real_pages_number_every_figure_and_table_once():
    pages = real_pages()
    assert check_captions(pages) == []
    labels = [c.label for text in pages.values() for c in find_captions(text)]
    assert len(labels) == 42 and len(set(labels)) == 42


def test_a_good_deck_has_no_problem_and_captions_are_read_at_their_text_line():
    pages = deck_pages()
    assert check_captions(pages, figures=3, tables=3) == []
    assert [(c.line, c.label) for c in find_captions(pages["docs/01-a.md"])] == [(7, "图1"), (14, "图2"), (21, "图3")]


def test_a_number_out_of_the_deck_names_the_caption_as_typed_and_the_missing_one():
    pages = deck_pages()
    pages["docs/01-a.md"] = pages["docs/01-a.md"].replace("图2：", "图99：")
    # one mistake, one message: the missing 图2 is named there, not again at another caption
    assert strs(check_captions(pages, figures=3, tables=3)) == [
        "docs/01-a.md:14:1: caption '图99：图的说明': 图99 is not in the deck, which has 图1–图3 (图2 has no caption: "
        "is this it?); use the deck's number, or number a figure the deck does not have 图A1, 图A2, … "
        "(see CONTRIBUTING.md)",
    ]


def test_a_new_table_past_the_deck_is_out_of_range():
    pages = deck_pages()
    pages["docs/02-b.md"] += caption("表4：新加的表")
    assert strs(check_captions(pages, figures=3, tables=3)) == [
        "docs/02-b.md:28:1: caption '表4：新加的表': 表4 is not in the deck, which has 表1–表3; use the deck's number, "
        "or number a table the deck does not have 表A1, 表A2, … (see CONTRIBUTING.md)",
    ]


def test_extra_figures_and_tables_use_the_a_series_without_gaps():
    pages = deck_pages()
    pages["docs/02-b.md"] += caption("表A1：补充的表") + caption("图A1：补充的图")
    assert check_captions(pages, figures=3, tables=3) == []
    pages["docs/02-b.md"] += caption("图A3：又一张图")
    assert strs(check_captions(pages, figures=3, tables=3)) == [
        "docs/02-b.md:42:1: caption '图A3：又一张图': 图A2 has no caption; number the extra figures 图A1, 图A2, … "
        "without gaps",
    ]


def test_a_duplicated_number_is_reported_at_both_captions():
    pages = deck_pages()
    pages["docs/02-b.md"] = pages["docs/02-b.md"].replace("表3：", "表1：")
    assert strs(check_captions(pages, figures=3, tables=3)) == [
        "docs/02-b.md:7:1: caption '表1：表的说明': 表1 is also the caption at docs/02-b.md:21; each number is used "
        "once, so renumber one of them",
        "docs/02-b.md:14:1: 表3 has no caption; it belongs after 表2 (docs/02-b.md:14): add a '/// caption' block "
        "starting '表3：' after the table, or fix the number of the caption that should be 表3",
        "docs/02-b.md:21:1: caption '表1：表的说明': 表1 is also the caption at docs/02-b.md:7; each number is used "
        "once, so renumber one of them",
    ]


def test_a_number_the_site_cannot_read_says_how_to_write_it():
    pages = deck_pages(figures=1, tables=2)
    pages["docs/02-b.md"] = pages["docs/02-b.md"].replace("表1：", "表 1：").replace("表2：", "表2 ")
    problems = strs(check_captions(pages, figures=1, tables=2))
    assert problems[:1] == [
        "docs/02-b.md:7:1: caption '表 1：表的说明': the site does not read 表1 here; write the number without a "
        "space after 表: '表1：'",
    ]
    assert "docs/02-b.md:14:1: caption '表2 表的说明': the site does not read 表2 here; put a full-width colon " \
           "after the number: '表2：'" in problems


def test_captions_in_code_blocks_are_not_captions():
    pages = deck_pages()
    pages["docs/01-a.md"] += "````markdown\n" + caption("图1：例子") + "````\n"
    assert check_captions(pages, figures=3, tables=3) == []


# ---------------------------------------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------------------------------------

WIDGET_NB = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {
        "a1b2": {"model_module": "@jupyter-widgets/controls", "model_name": "HBoxModel", "state": {}}}}},
    "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1, "source": "for _ in tqdm(x): pass",
               "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
                   "text/plain": "100%|##########| 10/10",
                   "application/vnd.jupyter.widget-view+json": {"model_id": "a1b2", "version_major": 2,
                                                                "version_minor": 0}}}]}],
}


def test_the_real_notebooks_have_no_problem():
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert check_notebook(nb, ROOT) == [], nb.name


def test_invalid_json_is_reported_at_its_line_and_column(tmp_path):
    path = tmp_path / "notebooks" / "x.ipynb"
    path.parent.mkdir()
    path.write_text('{\n "cells": [\n  {"cell_type": "code",}\n ]\n}\n', encoding="utf-8")
    assert strs(check_notebook(path, tmp_path)) == [
        "notebooks/x.ipynb:3:24: not valid JSON (Expecting property name enclosed in double quotes); fix it in "
        "Jupyter or an editor, or restore it with 'git checkout -- notebooks/x.ipynb'",
    ]


@pytest.mark.parametrize("version, found, line", [(3, "is nbformat 3", 4), (None, "has no 'nbformat' key", 1)])
def test_a_notebook_that_is_not_nbformat_4_is_reported(version, found, line):
    nb = {"cells": [], "metadata": {}}
    if version is not None:
        nb["nbformat"] = version
    assert strs(check_notebook_text(json.dumps(nb, indent=1), "notebooks/x.ipynb")) == [
        f"notebooks/x.ipynb:{line}:1: not an nbformat 4 notebook (it {found}); open it in Jupyter and save it "
        "again, or convert it with 'jupyter nbconvert --to notebook --nbformat 4 notebooks/x.ipynb'",
    ]


def test_widget_metadata_without_state_is_named_and_sanitized_so_nbconvert_converts_it():
    assert strs(check_notebook_text(json.dumps(WIDGET_NB, indent=1), "notebooks/x.ipynb")) == [
        "notebooks/x.ipynb:5:1: warning: its widget metadata ('application/vnd.jupyter.widget-state+json') has "
        "no 'state' (saved from Colab or with tqdm progress bars), which nbconvert cannot convert; the site shows "
        "the widgets' text form instead. To fix the file: in Jupyter, Settings → 'Save Widget State "
        "Automatically' off, then save; or delete metadata.widgets",
    ]
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    with pytest.raises(KeyError, match="state"):
        nbconvert.HTMLExporter().from_notebook_node(nbformat.from_dict(copy.deepcopy(WIDGET_NB)))
    nb = copy.deepcopy(WIDGET_NB)
    assert sanitize_widgets(nb) is True
    assert sanitize_widgets(nb) is False
    assert "widgets" not in nb["metadata"] and WIDGET_NB["metadata"]["widgets"]
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.from_dict(nb))
    assert "100%|##########| 10/10" in html


# ---------------------------------------------------------------------------------------------------------
# Mermaid
# ---------------------------------------------------------------------------------------------------------

needs_mermaid = pytest.mark.skipif(
    not shutil.which("node") or not (ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.core.mjs").is_file(),
    reason="needs Node.js and node_modules/mermaid (make install)",
)

DIAGRAM_PAGE = """# A

```mermaid
flowchart LR
  A["标签（中文）"] --> B{"判断"}
  B -->|是| C
```
/// caption
图1：一张好图
///

```mermaid
flowchart LR
  A --> B
  B -> C
```
/// caption
图2：一张坏图
///
"""


@needs_mermaid
def test_the_real_diagrams_parse_within_five_seconds():
    start = time.perf_counter()
    assert check_mermaid(real_pages(), root=ROOT) == []
    assert time.perf_counter() - start < 5


@needs_mermaid
def test_a_broken_diagram_is_named_by_its_caption_and_line():
    assert strs(check_mermaid({"docs/01-a.md": DIAGRAM_PAGE}, root=ROOT)) == [
        "docs/01-a.md:12:1: the mermaid diagram '图2：一张坏图' does not parse at page line 15 'B -> C': parse error "
        "on line 3 of the diagram: expecting 'SEMI', 'NEWLINE', 'EOF', 'AMP', 'START_LINK', 'LINK', …, got 'MINUS'; "
        "fix the diagram (the page would show its source text; try it at https://mermaid.live)",
    ]


@needs_mermaid
def test_an_unknown_diagram_type_is_named():
    page = DIAGRAM_PAGE.replace("flowchart LR\n  A -->", "flowchar LR\n  A -->")
    assert strs(check_mermaid({"docs/01-a.md": page}, root=ROOT)) == [
        "docs/01-a.md:12:1: the mermaid diagram '图2：一张坏图' does not parse at page line 13 'flowchar LR': its "
        "first line 'flowchar LR' names no diagram type that mermaid knows (flowchart LR, sequenceDiagram, "
        "classDiagram, …); fix the diagram (the page would show its source text; try it at https://mermaid.live)",
    ]


def test_without_node_modules_the_diagrams_are_not_checked_and_it_says_so(tmp_path):
    assert strs(check_mermaid({"docs/01-a.md": DIAGRAM_PAGE}, root=tmp_path, node=shutil.which("node") or "node")) == [
        "docs/01-a.md:3:1: warning: the mermaid diagrams were not checked: node_modules/mermaid is missing; install "
        "Node.js 18+ and run 'make install' (npm ci), or check each diagram at https://mermaid.live",
    ]


# ---------------------------------------------------------------------------------------------------------
# Links and anchors
# ---------------------------------------------------------------------------------------------------------

LINK_PAGES = {
    "docs/01-introduction.md": (
        "# 简介\n\n见 [CodeBERT](02-codebert.md#输入格式) 和 [笔记本](notebooks/02-biobert-ner.ipynb)。\n"
        "错的：[锚点](02-codebert.md#不存在的锚点)，[页面](02-codebrt.md)，[本页](#nope)。\n"
        "代码里不算：`[x](nothere.md)`\n\n```\n[y](nothere.md#a)\n```\n<!-- [z](nothere.md) -->\n"
        "外部的不查：[网站](https://example.org/x.md#y)\n"
    ),
    "docs/02-codebert.md": "# CodeBERT\n\n## 输入格式\n\n## 模型架构\n",
}
LINK_ANCHORS = {
    "docs/01-introduction.md": {"简介"},
    "docs/02-codebert.md": {"codebert", "输入格式", "模型架构"},
    "docs/notebooks/02-biobert-ner.ipynb": set(),
}


def test_links_to_missing_pages_and_anchors_name_both_pages_and_the_line():
    assert strs(check_links(LINK_PAGES, LINK_ANCHORS)) == [
        "docs/01-introduction.md:4:4: link to '02-codebert.md#不存在的锚点': docs/02-codebert.md has no heading with "
        "id '不存在的锚点' (linked from docs/01-introduction.md:4); the ids there closest to it are '输入格式', "
        "'模型架构', 'codebert'; fix the anchor or the heading",
        "docs/01-introduction.md:4:32: link to '02-codebrt.md': no page docs/02-codebrt.md (did you mean "
        "02-codebert.md?); fix the link or create the page",
        "docs/01-introduction.md:4:52: link to '#nope': this page has no heading with id 'nope' (linked from "
        "docs/01-introduction.md:4); the ids there closest to it are '简介'; fix the anchor or the heading",
    ]


def test_percent_encoded_anchors_and_relative_paths_resolve():
    pages = {"docs/a.md": "[x](b.md#%E8%BE%93%E5%85%A5) [y](./sub/../b.md) [z][r]\n\n[r]: b.md#输入\n", "docs/b.md": ""}
    assert check_links(pages, {"docs/b.md": {"输入"}}) == []


# ---------------------------------------------------------------------------------------------------------
# references.bib: a missing comma between fields
# ---------------------------------------------------------------------------------------------------------


def test_a_comma_missing_before_the_last_field_is_reported_at_its_line():
    bib = parse_bibliography(
        "@article{a2021,\n  author = {A, B},\n  title = {T},\n  journal = {J},\n  year = {2021},\n"
        "  doi = {10.1145/3458754}\n  note = {accessed 2024}\n}\n", "references.bib")
    assert strs(bib.problems) == [
        "references.bib:6:26: entry 'a2021': missing comma after the field 'doi' (line 6); add a comma at the end "
        "of that line",
    ]
    assert bib.entries["a2021"].fields["doi"] == "10.1145/3458754"  # read as if the comma were there
    assert bib.entries["a2021"].fields["note"] == "accessed 2024"


def test_a_comma_missing_between_two_fields_is_reported_there_not_as_a_missing_field():
    bib = parse_bibliography(
        '@article{b2021,\n  author = "A, B",\n  title = {T},\n  journal = "J"\n  year = 2021,\n'
        "  doi = {10.1/x}\n}\n", "references.bib")
    assert strs(bib.problems) == [
        "references.bib:4:16: entry 'b2021': missing comma after the field 'journal' (line 4); add a comma at the "
        "end of that line",
    ]


def test_every_comma_removed_from_the_real_bibliography_is_found():
    lines = (ROOT / "references.bib").read_text(encoding="utf-8").split("\n")
    import re

    tried = 0
    for i, line in enumerate(lines):
        if line.rstrip().endswith(",") and "=" in line and i + 1 < len(lines) and re.match(r"\s*\w+\s*=", lines[i + 1]):
            cut = lines[:i] + [line.rstrip()[:-1]] + lines[i + 1:]
            errors = [p for p in parse_bibliography("\n".join(cut)).problems if p.severity == "error"]
            assert [(p.line, "missing comma" in p.message) for p in errors] == [(i + 1, True)], line
            tried += 1
            if tried >= 60:
                break
    assert tried >= 20
