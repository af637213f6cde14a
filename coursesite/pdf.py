"""Print the lecture's reveal.js decks to PDF with headless Chromium (``make pdf``).

Writes one PDF per lecture page (``build/pdf/<page>.pdf``) and one for the whole lecture
(``build/pdf/lecture.pdf``), one page per slide. ``--notes`` also writes handouts
(``<name>-handout.pdf``): each slide followed by a page with its speaker notes (reveal's
``showNotes: "separate-page"``), headed 讲者备注, each note line (重点 / 提问 / 常见混淆) on its own line. Reveal
steps are printed built (``pdfSeparateFragments: false``: one page per slide); drawings are not printed (a fresh
tab has none in its storage).

The site is built first when ``site/`` is missing or older than the sources (``--no-build`` to skip),
then served on 127.0.0.1 and each deck is opened as ``slides/?print-pdf``. Nothing is fetched from
the internet: reveal.js, MathJax and mermaid are served by the site, fonts come from the system
(install ``fonts-noto-cjk`` for the Chinese glyphs).

Chromium: ``$CHROMIUM`` or ``/usr/bin/chromium``, driven by Playwright (the Python package
``playwright``; it uses that Chromium, no browser download). Playwright waits until the deck has
rendered its diagrams and math and reveal has laid out the print view, which Chromium's own
``--print-to-pdf`` cannot do reliably.

Usage::

    python scripts/export_pdf.py [--notes] [--only 02-codebert lecture] [--site site] [--out build/pdf]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .paths import project_root

ROOT = project_root()
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SOURCES = ["docs", "mkdocs.yml", "references.bib", "coursesite", "notebooks", "overrides"]


@dataclass
class Deck:
    name: str  # "lecture" or the page folder ("02-codebert")
    path: str  # site-relative URL of the deck ("slides/", "02-codebert/slides/")


def find_decks(site: Path) -> list[Deck]:
    """The decks of a built site: the whole lecture first, then the pages in folder order."""
    decks = []
    if (site / "slides" / "index.html").is_file():
        decks.append(Deck("lecture", "slides/"))
    for index in sorted(site.glob("*/slides/index.html")):
        folder = index.parent.parent.relative_to(site).as_posix()
        if folder != "assets":
            decks.append(Deck(folder, f"{folder}/slides/"))
    return decks


def _newest(paths) -> float:
    newest = 0.0
    for p in paths:
        p = ROOT / p
        if p.is_file():
            newest = max(newest, p.stat().st_mtime)
        elif p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts:
                    newest = max(newest, f.stat().st_mtime)
    return newest


def build_if_needed(site: Path, force: bool = False) -> None:
    """Run ``mkdocs build`` into ``site`` when it has no decks or is older than the sources."""
    marker = site / "slides" / "index.html"
    if not force and marker.is_file() and marker.stat().st_mtime >= _newest(SOURCES):
        return
    print(f"building the site into {site} …", flush=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT, env=env, check=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_url(deck_url: str, notes: bool = False) -> str:
    return deck_url + ("?print-pdf&showNotes=separate-page" if notes else "?print-pdf")


def print_deck(browser, deck_url: str, out: Path, notes: bool = False, timeout_ms: int = 120_000) -> None:
    """Print one deck with a Playwright ``browser`` (Chromium) to ``out``."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(print_url(deck_url, notes), wait_until="load", timeout=timeout_ms)
        page.wait_for_function("document.documentElement.dataset.pdfReady === '1'", timeout=timeout_ms)
        page.wait_for_timeout(200)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()


def pdf_pages(path: Path) -> int | None:
    """Number of pages of a PDF (``pdfinfo`` from poppler-utils), None if pdfinfo is missing."""
    if not shutil.which("pdfinfo"):
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=ROOT / "site", help="built site folder (default: site/)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "pdf", help="output folder (default: build/pdf/)")
    ap.add_argument("--notes", action="store_true", help="also write handouts with the speaker notes")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these decks: 'lecture' or page folders")
    ap.add_argument("--no-build", action="store_true", help="use the site as it is")
    ap.add_argument("--rebuild", action="store_true", help="always rebuild the site first")
    args = ap.parse_args(argv)

    site = args.site.resolve()
    if not args.no_build:
        build_if_needed(site, force=args.rebuild)
    decks = find_decks(site)
    if args.only:
        unknown = set(args.only) - {d.name for d in decks}
        if unknown:
            ap.error(f"no deck named {', '.join(sorted(unknown))}; decks: {', '.join(d.name for d in decks)}")
        decks = [d for d in decks if d.name in args.only]
    if not decks:
        print(f"{site}: no decks found (is the slides hook in mkdocs.yml?)", file=sys.stderr)
        return 1
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists() and not shutil.which(chromium):
        print(f"{chromium}: not found; install Chromium (apt-get install chromium fonts-noto-cjk) or set $CHROMIUM",
              file=sys.stderr)
        return 1
    jobs = [(d, False) for d in decks] + ([(d, True) for d in decks] if args.notes else [])

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("the Python package playwright is missing: run `.venv/bin/pip install playwright` "
              "(it drives the system Chromium; no browser download)", file=sys.stderr)
        return 1
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for deck, notes in jobs:
                _run(browser, base, deck, notes, args.out)
        finally:
            browser.close()
    return 0


def _run(browser, base: str, deck: Deck, notes: bool, out_dir: Path) -> None:
    out = out_dir / (f"{deck.name}-handout.pdf" if notes else f"{deck.name}.pdf")
    start = time.monotonic()
    print_deck(browser, base + deck.path, out, notes)
    pages = pdf_pages(out)
    try:
        shown = out.relative_to(ROOT)
    except ValueError:
        shown = out
    print(f"{shown}: {pages if pages is not None else '?'} pages ({time.monotonic() - start:.1f}s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
