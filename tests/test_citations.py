"""Unit tests of the citation module on tricky inputs: exact keys found, exact errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursesite.citations.parse import check_project, find_citations, parse_bibliography, suggest_keys

ROOT = Path(__file__).resolve().parent.parent

GOOD_BIB = """@article{lee2020biobert,
  title   = {BioBERT},
  author  = {Lee, Jinhyuk and Yoon, Wonjin},
  journal = {Bioinformatics},
  year    = {2020},
  doi     = {10.1093/bioinformatics/btz682}
}

@inproceedings{feng-etal-2020-codebert,
  title     = {CodeBERT},
  author    = {Feng, Zhangyin and Guo, Daya},
  booktitle = {Findings of EMNLP},
  year      = {2020},
  url       = {https://aclanthology.org/2020.findings-emnlp.139}
}
"""


def keys(text: str) -> list[list[str]]:
    return [c.keys for c in find_citations(text)]


def test_single_and_multiple_keys_with_locators():
    text = "A [@lee2020biobert] and [@a; @b, p. 3] and [see @c, 表 2; -@d]."
    cits = find_citations(text)
    assert [c.keys for c in cits] == [["lee2020biobert"], ["a", "b"], ["c", "d"]]
    assert cits[1].items[1].locator == "p. 3"
    assert cits[2].items[0].prefix == "see" and cits[2].items[0].locator == "表 2"
    assert cits[2].items[1].suppress_author is True


def test_keys_with_colon_dot_slash_dash():
    assert keys("x [@doi:10.1000/xyz.123] y [@feng-etal-2020-codebert] z [@a.b:c/d_e].") == [
        ["doi:10.1000/xyz.123"], ["feng-etal-2020-codebert"], ["a.b:c/d_e"]]


def test_trailing_punctuation_is_not_part_of_the_key():
    assert keys("[@lee2020biobert.]") == [["lee2020biobert"]]


def test_code_spans_and_fenced_blocks_are_never_citations():
    text = (
        "Inline `[@code]` and ``x [@code2] ` y`` here.\n"
        "```python\n@decorator\ndef f(): return '[@incode]'\n```\n"
        "    ~~~~\n    [@indented_fence]\n    ~~~~\n"
        "> ```\n> [@quoted_fence]\n> ```\n"
        "real [@real]\n"
    )
    assert keys(text) == [["real"]]


def test_emails_urls_links_comments_and_escapes_are_not_citations():
    text = (
        "Mail a@b.org or [a@b.org] or <mailto:x@y.cn>.\n\n"
        "URL https://medium.com/@user and [see https://x.org/@u].\n\n"
        "[@linktext](https://example.org) and [@ref]: https://example.org\n\n"
        "<!-- [@commented] -->\n\n"
        "\\[@escaped]\n\n"
        "---\n"
    )
    assert keys(text) == []


def test_front_matter_is_skipped():
    assert keys("---\ntitle: '[@nope]'\n---\n\nText [@yes].\n") == [["yes"]]


def test_positions_are_one_based_line_and_column_of_the_key():
    cits = find_citations("第一行\n中文 [@a; @bb]\n")
    assert (cits[0].line, cits[0].col) == (2, 4)
    assert [(i.line, i.col) for i in cits[0].items] == [(2, 6), (2, 10)]


@pytest.mark.parametrize("bad", ["[@]", "[@ key]", "[@a; ]"])
def test_malformed_citations_are_reported(bad):
    (cit,) = find_citations(f"x {bad} y")
    assert cit.problem and cit.problem.startswith(f"malformed citation '{bad}'")
    assert cit.items == ()


def test_good_bibliography_has_no_problem():
    bib = parse_bibliography(GOOD_BIB, "refs.bib")
    assert list(bib.entries) == ["lee2020biobert", "feng-etal-2020-codebert"]
    assert bib.entries["feng-etal-2020-codebert"].line == 9
    assert bib.problems == []


def test_broken_block_is_an_error_with_its_line():
    bib = parse_bibliography(GOOD_BIB + "\n@article{broken,\n  title = {no closing brace\n\n@misc{ok, title={t}, url={https://x.org}, year={2000}}\n", "refs.bib")
    errors = [str(p) for p in bib.problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("refs.bib:17:1: cannot parse this block ('@article{broken,'")


def test_duplicate_key_names_both_lines():
    bib = parse_bibliography(GOOD_BIB + "\n@article{lee2020biobert,\n title={x}, author={A, B}, journal={J}, year={2020}, doi={1}}\n", "refs.bib")
    assert [str(p) for p in bib.problems] == [
        "refs.bib:17:1: duplicate key 'lee2020biobert' (first defined at line 1); rename or delete one"]


def test_duplicate_field_is_an_error():
    bib = parse_bibliography("@misc{x,\n title={a},\n title={b},\n url={https://x.org},\n year={2000}\n}\n", "r.bib")
    assert [str(p) for p in bib.problems] == ["r.bib:1:1: entry 'x' has duplicate field(s): title; keep one of each"]


def test_missing_required_fields_are_named():
    bib = parse_bibliography("@article{x,\n title={a},\n author={A, B},\n doi={10.1/x}\n}\n", "r.bib")
    assert [str(p) for p in bib.problems] == [
        "r.bib:1:1: entry 'x' (@article) is missing required field(s): journal, year; add them, or change the entry type"]


def test_suggestions_find_the_intended_key():
    known = ["feng-etal-2020-codebert", "lee2020biobert", "alsentzer-etal-2019-publicly"]
    assert suggest_keys("feng2020", known)[0] == "feng-etal-2020-codebert"
    assert suggest_keys("lee2020biobret", known)[0] == "lee2020biobert"
    assert suggest_keys("alsentzer-etal-2019-publically", known)[0] == "alsentzer-etal-2019-publicly"


def test_no_suggestion_when_only_the_year_matches():
    """An invented key shares nothing but a year with the real ones: suggesting three unrelated 2020 papers
    would send the contributor the wrong way."""
    real = list(parse_bibliography((ROOT / "references.bib").read_text(encoding="utf-8"), "references.bib").entries)
    assert suggest_keys("doesnotexist2020", real) == []
    assert suggest_keys("lee2020", real)[0] == "lee2020biobert"


def _project(tmp_path: Path, page: str, bib: str = GOOD_BIB) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(page, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    return docs, tmp_path / "refs.bib"


def test_project_check_reports_unknown_keys_with_suggestion_and_unused_entries(tmp_path):
    docs, bib = _project(tmp_path, "# T\n\nText [@feng2020] and [@lee2020biobert].\n")
    problems, _, _ = check_project(docs, bib, root=tmp_path)
    assert [str(p) for p in problems] == [
        "docs/page.md:3:8: unknown key 'feng2020' (did you mean 'feng-etal-2020-codebert'?); "
        "fix the key or add the entry to refs.bib",
        "refs.bib:9:1: warning: entry 'feng-etal-2020-codebert' is never cited",
    ]


def test_cli_exit_codes_and_messages_and_never_rewrites(tmp_path):
    docs, bib = _project(tmp_path, "Text [@nokey].\n")
    before = (docs / "page.md").read_bytes(), bib.read_bytes()
    cli = [sys.executable, str(ROOT / "scripts" / "check_citations.py"), "--docs", str(docs), "--bib", str(bib)]
    proc = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "docs/page.md:1:8: unknown key 'nokey'" in proc.stderr
    assert "1 error(s)" in proc.stdout
    assert ((docs / "page.md").read_bytes(), bib.read_bytes()) == before
    (docs / "page.md").write_text("Text [@lee2020biobert; @feng-etal-2020-codebert].\n", encoding="utf-8")
    proc = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "0 error(s), 0 warning(s)" in proc.stdout


def test_the_real_project_has_no_citation_error():
    problems, bib, by_file = check_project(ROOT / "docs", ROOT / "references.bib", root=ROOT)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert len(bib.entries) >= 15


def test_unclosed_citation_is_reported_at_its_bracket():
    cits = find_citations("第一段 [@feng-etal-2020-codebert 后面没有括号。\n\n第二段 [@ok].\n")
    assert [(c.line, c.col, c.problem) for c in cits] == [
        (1, 5, "unclosed citation '[@feng-etal-2020-codebert': the ']' is missing in this paragraph"),
        (3, 5, None),
    ]
    assert keys("`[@incode` and \\[@escaped and [a@b.org and ![@img](x.png)") == []


def test_space_after_at_is_named():
    (cit,) = find_citations("x [@ feng-etal-2020-codebert] y")
    assert cit.problem == "malformed citation '[@ feng-etal-2020-codebert]': space between '@' and the key"


def test_broken_bib_block_reports_once_not_at_every_citation(tmp_path):
    broken = GOOD_BIB.replace("  doi     = {10.1093/bioinformatics/btz682}\n}", "  doi     = {10.1093/bioinformatics/btz682}\n")
    docs, bib = _project(tmp_path, "A [@lee2020biobert] B [@lee2020biobert] C [@feng-etal-2020-codebert] D [@nokey]\n", broken)
    problems, _, _ = check_project(docs, bib, root=tmp_path)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert len(errors) == 2
    assert errors[0].startswith("refs.bib:1:1: cannot parse this block ('@article{lee2020biobert,'")
    assert errors[1].startswith("docs/page.md:1:74: unknown key 'nokey'")


# ---------------------------------------------------------------------------------------------------
# The site plugin: `mkdocs build` fails, `mkdocs serve` keeps serving and shows the errors on the page
# ---------------------------------------------------------------------------------------------------

def _mini_site(tmp_path: Path, page: str) -> Path:
    """A one-page MkDocs project using the real course plugin and GOOD_BIB."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(GOOD_BIB, encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - course:\n      bibliography: refs.bib\n", encoding="utf-8")
    return tmp_path / "mkdocs.yml"


def test_mkdocs_build_fails_on_an_unknown_key_naming_file_and_line(tmp_path):
    cfg = _mini_site(tmp_path, "# 标题\n\n正文 [@nosuchkey2020]。\n")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "-d", str(tmp_path / "site")],
                         capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode != 0
    assert "docs/index.md:3:6: unknown key 'nosuchkey2020'" in run.stderr + run.stdout
    assert "Traceback" not in run.stderr


def test_mkdocs_serve_shows_errors_on_the_page_instead_of_stopping(tmp_path):
    from mkdocs.config import load_config
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    from coursesite.citations import pages as citation_pages

    cfg = _mini_site(tmp_path, "# 标题\n\n正文 [@nosuchkey2020] 与 [@lee2020biobert]。\n")
    config = load_config(str(cfg))
    plugin = config.plugins["course"]
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)  # logs the error, does not raise
    f = File("index.md", config["docs_dir"], config["site_dir"], config["use_directory_urls"])
    page = Page(None, f, config)
    md = config.plugins.on_page_markdown((tmp_path / "docs" / "index.md").read_text(encoding="utf-8"), page=page,
                                         config=config, files=None)
    # the box comes after the H1, so the page keeps its title in the nav and the header
    assert md.startswith('# 标题\n\n!!! failure "检查：本页有 1 个错误"')
    assert "docs/index.md:3:6: unknown key 'nosuchkey2020'" in md
    assert '<mark class="citation-error"' in md and "@nosuchkey2020？" in md
    assert 'href="#ref-lee2020biobert"' in md  # the good citation still renders

    # a renamed key cited 14 times: the box lists BOX_LIMIT of them and says how many more
    plugin.citations.errors = plugin.citations.errors * 14
    md = config.plugins.on_page_markdown("# 标题\n\n正文。\n", page=page, config=config, files=None)
    assert md.count("    - `docs/index.md") == citation_pages.BOX_LIMIT and "另有 4 个" in md

    plugin.on_startup(command="build", dirty=False)
    plugin.on_config(load_config(str(cfg)))  # a build goes on to the other checks, then stops (on_env)
    with pytest.raises(Exception, match=r"the build stops on citation check: 1 error\(s\)"):
        plugin._fail_if_any()


# ---------------------------------------------------------------------------------------------------
# Notebooks: the same [@key] syntax in Markdown cells, the same check, labels and a bibliography on the page
# ---------------------------------------------------------------------------------------------------

def _notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


NB_CELLS = [
    ("markdown", "# 演示\n\n导语。"),
    ("markdown", "第一行。\n见 [@lee2020biobert, 表 2] 与 [@nokey2020]。"),
    ("code", "note = '[@feng-etal-2020-codebert] is a string, not a citation'\nprint(note)"),
]


def test_unknown_key_in_a_notebook_names_notebook_cell_and_line(tmp_path):
    docs, bib = _project(tmp_path, "Text [@lee2020biobert].\n")
    nb = _notebook(tmp_path / "notebooks" / "demo.ipynb", NB_CELLS)
    problems, _, by_file = check_project(docs, bib, root=tmp_path, notebooks=[nb])
    errors = [str(p) for p in problems if p.severity == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("notebooks/demo.ipynb:cell 2, line 2:30: unknown key 'nokey2020'")
    # the key in the code cell is not a citation: feng-etal-2020-codebert stays "never cited"
    assert [c.keys for c in by_file["notebooks/demo.ipynb"]] == [["lee2020biobert"], ["nokey2020"]]
    assert any("feng-etal-2020-codebert' is never cited" in str(p) for p in problems)


def test_notebook_page_renders_citations_and_its_bibliography(tmp_path):
    cfg = _mini_site(tmp_path, "# 首页\n\n正文 [@feng-etal-2020-codebert]。\n")
    cells = [NB_CELLS[0], ("markdown", "见 [@lee2020biobert, 表 2]，`[@feng-etal-2020-codebert]` 是代码。"), NB_CELLS[2]]
    _notebook(tmp_path / "notebooks" / "demo.ipynb", cells)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "plugins:\n", "plugins:\n  - mkdocs-jupyter:\n      include: ['notebooks/*.ipynb']\n      ignore: ['*.md']\n"),
        encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "-d", str(tmp_path / "site")],
                         capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "site" / "notebooks" / "demo" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="citation-link"') == 1
    assert 'href="#ref-lee2020biobert" id="cite-lee2020biobert-1"' in page and "Lee &amp; Yoon, 2020, 表 2" in page
    assert '<h2 id="page-bibliography" class="bibliography-heading">本页参考文献</h2>' in page
    assert 'id="ref-lee2020biobert"' in page and 'id="ref-feng-etal-2020-codebert"' not in page
    assert "[@feng-etal-2020-codebert]" in page  # inline code and the code cell keep their text
