"""The page bibliography's ↩ back-links (written by :mod:`coursesite.citations.pages`) to citations that the
page hides: a slide-only block (coursesite/slides), a quiz explanation shown only once its question is
answered (coursesite/quizzes). A jump to a hidden element goes nowhere; the room that hides the citation says
what the link becomes. Needs only BeautifulSoup.
"""
from __future__ import annotations

#: The back-links, and the citation anchors they point at (``#cite-<key>-<n>``).
BACKLINK = "a.bib-backlink[href^='#']"
CITATION = "[id^=cite-]"


def retarget(soup, moves: dict) -> int:
    """Rewrite the back-links of ``soup`` (a BeautifulSoup document, changed in place) that point at a citation
    id in ``moves``: a value of None removes the link (the citation's other back-links stay); ``(href, title)``
    points it there. Returns the number of links changed."""
    changed = 0
    for a in soup.select(BACKLINK):
        key = a["href"][1:]
        if key not in moves:
            continue
        changed += 1
        if moves[key] is None:
            a.decompose()
        else:
            a["href"], a["title"] = moves[key]
    return changed
