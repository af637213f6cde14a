"""Check of the links between the lecture pages, in the Markdown sources (no MkDocs).

:func:`check_links` finds each Markdown link ``[text](other.md#anchor)`` (and each link definition
``[ref]: other.md#anchor``) to a page (``.md``) or notebook (``.ipynb``) of the site and reports, at the
link's line: a target page that does not exist, and an anchor that is not the id of a heading on the target
page (a link ``#anchor`` on the same page included). The ids are those the site generator gave the headings,
passed in by the caller. Links in code (fenced blocks and code spans), HTML comments and front matter are
not links; links to other sites and to assets are not checked here.
"""

from __future__ import annotations

import bisect
import difflib
import posixpath
import re
from urllib.parse import unquote

from coursesite.checks.captions import masked_regions
from coursesite.citations.parse import Problem

__all__ = ["check_links", "find_links"]

_INLINE = re.compile(
    r"(?<![!\\])\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\(\s*(?:<(?P<angle>[^>\n]*)>|(?P<url>[^\s()]*(?:\([^\s()]*\)[^\s()]*)*))(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_DEFINITION = re.compile(r"^[ ]{0,3}\[(?P<text>[^\]\n]+)\]:[ \t]*<?(?P<url>[^\s>]+)>?", re.M)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
PAGE_SUFFIXES = (".md", ".ipynb")


def find_links(text: str) -> list[tuple[int, int, str, str]]:
    """The links of Markdown ``text`` outside code, comments and front matter, as
    ``(line, col, link text, target as written)``; lines and columns are 1-based."""
    masked = masked_regions(text)
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    out = []
    for regex in (_INLINE, _DEFINITION):
        for m in regex.finditer(text):
            pos = m.start()
            i = bisect.bisect_right(masked, (pos, float("inf"))) - 1
            if i >= 0 and masked[i][0] <= pos < masked[i][1]:
                continue
            target = m.groupdict().get("angle") or m.group("url") or ""
            line = bisect.bisect_right(starts, pos)
            out.append((line, pos - starts[line - 1] + 1, m.group("text"), target))
    out.sort()
    return out


def _closest(word: str, choices: set[str], n: int = 5) -> list[str]:
    return difflib.get_close_matches(word, sorted(choices), n=n, cutoff=0.0)


def check_links(pages: dict[str, str], anchors: dict[str, set[str]]) -> list[Problem]:
    """Check the links between ``pages`` (``{"docs/01-introduction.md": markdown}``).

    ``anchors`` maps a page (or notebook, ``"docs/notebooks/02-biobert-ner.ipynb"``) to the ids of its
    headings; a page or notebook counts as existing if it is a key of either dict. Links are resolved
    relative to the linking page, as MkDocs does. An anchor on a page missing from ``anchors`` is not checked.
    Returns errors, sorted by page and line.
    """
    known = set(pages) | set(anchors)
    problems: list[Problem] = []
    for path in sorted(pages):
        for line, col, _text, target in find_links(pages[path]):
            if not target or _SCHEME.match(target):
                continue
            file_part, _, anchor = target.partition("#")
            file_part = unquote(file_part.split("?")[0])
            anchor = unquote(anchor)
            if file_part:
                if not file_part.endswith(PAGE_SUFFIXES):
                    continue
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file_part))
            else:
                resolved = path
            if resolved not in known:
                same_kind = sorted(k for k in known if posixpath.splitext(k)[1] == posixpath.splitext(resolved)[1])
                guess = difflib.get_close_matches(resolved, same_kind, n=1, cutoff=0.6)
                hint = f" (did you mean {posixpath.relpath(guess[0], posixpath.dirname(path))}?)" if guess else ""
                problems.append(Problem(path, line, col, (
                    f"link to '{target}': no page {resolved}{hint}; fix the link or create the page")))
                continue
            if not anchor or resolved not in anchors:
                continue
            ids = anchors[resolved]
            if anchor in ids:
                continue
            page = "this page" if resolved == path else resolved
            near = _closest(anchor, ids)
            there = (f"the ids there closest to it are {', '.join(repr(i) for i in near)}" if near
                     else f"{page} has no headings with ids")
            problems.append(Problem(path, line, col, (
                f"link to '{target}': {page} has no heading with id '{anchor}' (linked from {path}:{line}); "
                f"{there}; fix the anchor or the heading")))
    return problems
