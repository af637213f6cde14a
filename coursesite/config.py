"""The plugin's settings: the ``course`` entry of ``plugins:`` in mkdocs.yml, validated by MkDocs."""
from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from .search.dictionary import EXTRA_TERMS


class SlidesConfig(base.Config):
    """``slides:`` settings of the reveal.js decks."""

    # reveal.js theme: only these two load no web fonts
    theme = c.Choice(("white", "black"), default="white")
    # build warning when a slide's estimated height exceeds 720 px by this factor
    overflow_factor = c.Type(float, default=1.45)


class CourseConfig(base.Config):
    """All settings of the course plugin, grouped by concern."""

    # Citations
    bibliography = c.Type(str, default="references.bib")  # relative to mkdocs.yml
    citation_style = c.Choice(("apa", "gb7714"), default="apa")  # APA 7 (as the deck) or GB/T 7714-2015

    # Slides
    slides = c.SubConfig(SlidesConfig)

    # Notebooks (top-level folder, published as pages through mkdocs-jupyter)
    notebooks_dir = c.Type(str, default="notebooks")
    repo_branch = c.Type(str, default="main")  # branch of repo_url that Colab and edit links point at

    # Search: jieba user dictionary = glossary's first column + these terms
    glossary = c.Type(str, default="glossary.md")  # inside docs_dir
    search_terms = c.ListOfItems(c.Type(str), default=list(EXTRA_TERMS))

    # Source checks: the deck's figure and table numbers (图1–图N, 表1–表N, each captioned once);
    # 0 and 0: captions are not checked against a deck
    figures = c.Type(int, default=0)
    tables = c.Type(int, default=0)

    # Live demos (coursesite/demos/): the folder of their generated files (tokenizers/, models/), relative
    # to mkdocs.yml; `make demos` writes it
    demos_dir = c.Type(str, default="demos")

    # Caches that survive a process (content-hash keyed), relative to mkdocs.yml; disk_cache: false keeps
    # them in memory only (each build then starts cold; `mkdocs serve` still reuses them across rebuilds)
    cache_dir = c.Type(str, default=".cache/plugin/course")
    disk_cache = c.Type(bool, default=True)
