"""How well each lecture deck carries its page: slide counts, density, figures and tables, steps, pacing.

Reads a built site (``mkdocs build``), not the sources, so it reports what an instructor gets. Used by
``tests/test_decks.py`` (the checks) and as a benchmark-like report::

    python -m coursesite.slides.report [SITE]          # default: site/
    python -m coursesite.slides.report SITE --json     # one JSON object per deck

Per page deck it gives: the page's ``minutes`` (from the deck's pacing data, the front matter's value),
content slides and the target ``ceil(minutes / MINUTES_PER_SLIDE)``, the deck's numbered figures and
tables (``图N``/``表N``, not the A-series of figures the deck does not have) on the page and on slides,
reveal steps (fragments), content slides without notes, and the planned minutes (``data-timing``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup

#: The density target of issue 14: at least one content slide per this many minutes of a page.
MINUTES_PER_SLIDE = 2.5
_CAPTION = re.compile(r"^\s*([图表])(\d+)\s*[：:]")
_DECK_JSON = re.compile(r"window\.DECK\s*=\s*(\{.*?\});", re.S)


@dataclass
class DeckStats:
    """One page's deck. ``figures_missing``: the page's 图N/表N that are on no slide of the deck."""

    name: str  # page folder, "02-codebert"
    minutes: float
    content_slides: int
    target: int
    slides: int  # all slides (title, content, bibliography)
    fragments: int
    planned_minutes: float
    no_notes: list[str] = field(default_factory=list)
    figures_on_page: list[str] = field(default_factory=list)
    figures_on_slides: list[str] = field(default_factory=list)
    figures_missing: list[str] = field(default_factory=list)

    @property
    def dense_enough(self) -> bool:
        return self.content_slides >= self.target


def captions(soup) -> list[str]:
    """The numbered captions (``图6``, ``表4``) of figures and tables in ``soup``, in order; A-series
    (``图A1``) are not the deck's and are left out."""
    out = []
    for cap in soup.select("figcaption"):
        m = _CAPTION.match(cap.get_text(" ", strip=True))
        if m:
            out.append(m.group(1) + m.group(2))
    return out


def target_slides(minutes: float) -> int:
    """The fewest content slides a page of ``minutes`` may have (issue 14: one per 2.5 minutes)."""
    return math.ceil(minutes / MINUTES_PER_SLIDE - 1e-9)


def deck_stats(site: Path, name: str) -> DeckStats:
    """The statistics of the deck of page folder ``name`` in the built ``site``.

    Raises:
        FileNotFoundError: the page or its deck is not in ``site`` (build the site first).
    """
    deck_html = (site / name / "slides" / "index.html").read_text(encoding="utf-8")
    page = BeautifulSoup((site / name / "index.html").read_text(encoding="utf-8"), "html.parser")
    deck = BeautifulSoup(deck_html, "html.parser")
    info = json.loads(m.group(1)) if (m := _DECK_JSON.search(deck_html)) else {}
    minutes = (info.get("totalSeconds") or 0) / 60
    sections = deck.select(".slides > section")
    content = [s for s in sections if "slide-content" in (s.get("class") or [])]
    article = page.select_one("article") or page
    on_page = captions(article)
    on_slides = captions(deck)
    return DeckStats(
        name=name, minutes=minutes, content_slides=len(content), target=target_slides(minutes),
        slides=len(sections), fragments=len(deck.select(".slides .fragment")),
        planned_minutes=sum(int(s.get("data-timing") or 0) for s in content) / 60,
        no_notes=[s.get("id", "") for s in content if not (s.select_one("aside.notes") and
                                                            s.select_one("aside.notes").get_text(strip=True))],
        figures_on_page=on_page, figures_on_slides=on_slides,
        figures_missing=[c for c in on_page if c not in on_slides],
    )


def page_decks(site: Path) -> list[str]:
    """The page folders of ``site`` that have a deck, in name order (the whole-lecture deck left out)."""
    return sorted(p.parent.parent.name for p in site.glob("*/slides/index.html") if p.parent.parent.name != "assets")


def lecture_stats(site: Path) -> dict:
    """The whole-lecture deck (``site/slides/``): slides, content slides, part dividers, closing slide."""
    soup = BeautifulSoup((site / "slides" / "index.html").read_text(encoding="utf-8"), "html.parser")
    sections = soup.select(".slides > section")
    kinds = [next((c[len("slide-"):] for c in s.get("class") or [] if c.startswith("slide-")), "") for s in sections]
    return {"slides": len(sections), "content": kinds.count("content"), "dividers": kinds.count("divider"),
            "closing": kinds.count("closing")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", nargs="?", type=Path, default=Path("site"), help="built site folder (default: site/)")
    ap.add_argument("--json", action="store_true", help="one JSON object per deck instead of the table")
    args = ap.parse_args(argv)
    if not (args.site / "slides" / "index.html").is_file():
        print(f"{args.site}: no decks (build the site first: mkdocs build -d {args.site})", file=sys.stderr)
        return 1
    stats = [deck_stats(args.site, n) for n in page_decks(args.site)]
    if args.json:
        for s in stats:
            print(json.dumps(dict(asdict(s), dense_enough=s.dense_enough), ensure_ascii=False))
        return 0
    print(f"{'page':<28} {'min':>4} {'content':>7} {'target':>6} {'steps':>5} {'planned':>7} {'图/表 on slides':>15}  missing")
    for s in stats:
        flag = "" if s.dense_enough else "  < target"
        print(f"{s.name:<28} {s.minutes:>4g} {s.content_slides:>7} {s.target:>6} {s.fragments:>5} "
              f"{s.planned_minutes:>7g} {len(s.figures_on_page) - len(s.figures_missing):>7}/{len(s.figures_on_page):<7}"
              f"  {' '.join(s.figures_missing) or '-'}{flag}")
    sections = [s for s in stats if s.minutes]
    lecture = lecture_stats(args.site)
    print(f"{'all pages':<28} {sum(s.minutes for s in sections):>4g} {sum(s.content_slides for s in sections):>7} "
          f"{sum(s.target for s in sections):>6} {sum(s.fragments for s in sections):>5}")
    print(f"whole-lecture deck: {lecture['slides']} slides ({lecture['content']} content, "
          f"{lecture['dividers']} part dividers, {lecture['closing']} closing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
