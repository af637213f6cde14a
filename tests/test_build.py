"""Build tests: strict build, pages mirror the deck outline, 图/表 numbering, no external assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "outline" / "deck.md"
SECTION_FILES = [
    "01-introduction.md", "02-codebert.md", "03-biobert.md", "04-clinicalbert.md",
    "05-training-optimization.md", "06-pretraining-tasks-data.md", "07-downstream-finetuning.md",
    "08-case-studies.md", "09-strengths-limitations.md", "10-future-challenges.md",
]
EXTRA_PAGES = {"总结与讨论": "summary.md", "参考文献": "references.md", "讨论与答疑": "qa.md"}


def deck_outline() -> list[tuple[str, list[str], list[str]]]:
    """Return ``[(section title, [subsection titles], [图/表 labels]), ...]`` for the ten deck sections."""
    text = DECK.read_text(encoding="utf-8")
    body = text.split("## 目录页", 1)[1]
    sections = []
    for block in re.split(r"^## ", body, flags=re.M)[1:]:
        title, _, rest = block.partition("\n")
        title = title.strip()
        if title in EXTRA_PAGES:
            continue
        subs = re.findall(r"^### (.+)$", rest, flags=re.M)
        if not subs:
            continue  # the 目录 list itself
        labels = re.findall(r"^\s*- ((?:图|表)\d+):", rest, flags=re.M)
        sections.append((title, [s.strip() for s in subs], labels))
    return sections


def headings(md: str) -> tuple[list[str], list[str]]:
    """H1s and H2s of a Markdown file, outside fenced code blocks (attribute lists stripped)."""
    h1, h2, fenced = [], [], False
    for line in md.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
        if fenced:
            continue
        m = re.match(r"^(#{1,2}) (.+?)\s*(\{.*\})?\s*$", line)
        if m:
            (h1 if m.group(1) == "#" else h2).append(m.group(2).strip())
    return h1, h2


def test_deck_outline_is_the_ten_sections():
    outline = deck_outline()
    assert len(outline) == 10
    assert sum(len(labels) for *_, labels in outline) == 42  # 图1-21 + 表1-21


def test_nav_lists_the_sections_in_deck_order():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    positions = [config.index(f"- {name}") for name in SECTION_FILES]
    assert positions == sorted(positions)
    for title, name in EXTRA_PAGES.items():
        assert f"{title}: {name}" in config


@pytest.mark.parametrize("index", range(10))
def test_page_mirrors_deck_section(index):
    title, subsections, _ = deck_outline()[index]
    path = ROOT / "docs" / SECTION_FILES[index]
    assert path.is_file(), f"{path} is missing: it holds the deck section {title!r}"
    h1, h2 = headings(path.read_text(encoding="utf-8"))
    assert h1 == [title], f"{path.name}: H1 must be the deck title {title!r}, found {h1}"
    assert h2 == subsections, f"{path.name}: H2s must be the deck subsections in order"


def test_extra_pages_have_their_titles():
    for title, name in EXTRA_PAGES.items():
        h1, _ = headings((ROOT / "docs" / name).read_text(encoding="utf-8"))
        assert h1 == [title], name


def test_every_page_declares_minutes():
    for name in ["index.md", *SECTION_FILES, *EXTRA_PAGES.values()]:
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        assert isinstance(meta.get("minutes"), int), f"docs/{name}: front matter needs 'minutes: N'"


def test_strict_build_passes(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "02-codebert" / "index.html").is_file()


def _captions(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [fc.get_text(" ", strip=True) for fc in soup.find_all("figcaption")]


def test_every_figure_and_table_number_is_captioned_once_on_its_page(built_site):
    seen: dict[str, list[str]] = {}
    for page in built_site.rglob("index.html"):
        if "slides" in page.parts:
            continue
        for caption in _captions(page.read_text(encoding="utf-8")):
            m = re.match(r"^((?:图|表)\d+)\s*[：:]", caption)
            if m:
                seen.setdefault(m.group(1), []).append(page.parent.name)
    for index, (title, _, labels) in enumerate(deck_outline()):
        stem = SECTION_FILES[index][:-3]
        for label in labels:
            assert label in seen, f"{label} ({title}) has no caption '{label}：…' on the site"
            assert seen[label] == [stem], f"{label} must be captioned exactly once, on {stem}; found on {seen[label]}"
    assert len(seen) == 42, sorted(set(seen) - {l for *_, ls in deck_outline() for l in ls})


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""")


def test_built_html_and_css_load_no_external_asset(built_site):
    offenders = []
    for page in built_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "img", "iframe", "source", "video", "audio", "embed"]):
            src = tag.get("src", "")
            if re.match(r"^(https?:)?//", src):
                offenders.append(f"{page.relative_to(built_site)}: <{tag.name} src={src}>")
        for tag in soup.find_all("link"):
            rel = " ".join(tag.get("rel", []))
            href = tag.get("href", "")
            if re.search(r"stylesheet|preload|preconnect|icon|modulepreload|manifest", rel) and re.match(r"^(https?:)?//", href):
                offenders.append(f"{page.relative_to(built_site)}: <link rel={rel} href={href}>")
        for style in soup.find_all("style"):
            if re.search(r"@import|url\(\s*['\"]?(https?:)?//", style.get_text()):
                offenders.append(f"{page.relative_to(built_site)}: <style> loads an external URL")
    for css in built_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"(@import\s+(url\()?\s*['\"]?(https?:)?//[^\s'\")]+|url\(\s*['\"]?(https?:)?//[^\s'\")]+)", text):
            offenders.append(f"{css.relative_to(built_site)}: {m.group(0)[:80]}")
    for js in (built_site / "assets" / "js").rglob("*.js"):
        text = js.read_text(encoding="utf-8", errors="replace")
        for host in ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            if host in text:
                offenders.append(f"{js.relative_to(built_site)}: mentions {host}")
    assert offenders == []


def test_vendored_scripts_exist(built_site):
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "#"))
    for path in config["extra_javascript"]:
        assert (built_site / path).is_file(), f"mkdocs.yml extra_javascript: {path} is not in the built site"


def test_citations_render_as_links_to_the_page_bibliography(built_site):
    soup = BeautifulSoup((built_site / "02-codebert" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = soup.select("span.citation a.citation-link")
    assert links, "no rendered citation on the CodeBERT page"
    ids = {el.get("id") for el in soup.find_all(id=True)}
    for a in links:
        assert a["href"].startswith("#ref-") and a["href"][1:] in ids, a
    entry = soup.find(id="ref-feng-etal-2020-codebert")
    assert entry is not None and "https://doi.org/10.18653/v1/2020.findings-emnlp.139" in str(entry)
    assert "[@" not in soup.get_text()


def test_references_page_lists_every_entry_with_backlinks(built_site):
    from coursesite.citations.parse import load_bibliography

    soup = BeautifulSoup((built_site / "references" / "index.html").read_text(encoding="utf-8"), "html.parser")
    bib = load_bibliography(ROOT / "references.bib")
    for key in bib.entries:
        anchor = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
        assert soup.find(id=f"ref-{anchor}") is not None, f"{key} missing from the references page"
    feng = soup.find(id="ref-feng-etal-2020-codebert")
    assert feng.select("a.bib-backlink"), "the CodeBERT paper should link back to where it is cited"


def test_search_dictionary_holds_course_terms(built_site):
    words = (ROOT / "build" / "jieba_user_dict.txt").read_text(encoding="utf-8").split()
    for term in ("预训练", "微调", "命名实体识别"):
        assert term in words


def test_notebook_pages_link_download_colab_and_the_real_source(built_site):
    """Each notebook page offers its .ipynb (the file is in the site), an "Open in Colab" link to the
    notebook in the repository, and edit/view buttons on notebooks/NAME.ipynb (not docs/notebooks/)."""
    import re

    repo = re.search(r"^repo_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)
    owner_repo = repo.split("github.com/", 1)[1].rstrip("/")
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert names
    for name in names:
        page = built_site / "notebooks" / name.removesuffix(".ipynb") / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        bar = soup.select_one("p.notebook-links")
        assert bar is not None, f"{page}: no download/Colab bar"
        download = bar.find("a", download=True)
        assert download and (page.parent / download["href"]).is_file(), f"{page}: the .ipynb is not downloadable"
        colab = [a["href"] for a in bar.find_all("a") if "colab.research.google.com" in a["href"]]
        assert colab == [f"https://colab.research.google.com/github/{owner_repo}/blob/main/notebooks/{name}"]
        edit = soup.select_one('a[rel="edit"]')
        assert edit is not None and edit["href"].endswith(f"/edit/main/notebooks/{name}"), edit
        assert "/docs/notebooks/" not in str(soup.select_one(".md-content__button") or "")
        assert all(h.get("id") for h in soup.select("article h1, article h2, article h3")), \
            f"{page}: a heading without id (dead TOC link)"
