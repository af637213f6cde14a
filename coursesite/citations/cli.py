"""``python scripts/check_citations.py``: check the citations of the pages and notebooks against references.bib.

Prints one line per problem, ``file:line:col: message`` (warnings say ``warning:``), then a summary.
Exit status: 0 when there is no error (warnings allowed), 1 when there is at least one error,
2 on a usage error. Reads files only; never rewrites them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..paths import project_root
from .parse import check_project


def main(argv: list[str] | None = None) -> int:
    root = project_root()
    parser = argparse.ArgumentParser(description="Check [@key] citations in Markdown against a BibTeX file.")
    parser.add_argument("--docs", default=str(root / "docs"), help="folder of Markdown pages (default: docs/)")
    parser.add_argument("--bib", default=str(root / "references.bib"), help="BibTeX file (default: references.bib)")
    parser.add_argument("--no-warnings", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    if not Path(args.docs).is_dir():
        print(f"{args.docs}: not a folder; pass --docs with the folder of Markdown pages", file=sys.stderr)
        return 2
    notebooks = sorted((root / "notebooks").glob("*.ipynb")) if Path(args.docs).resolve() == (root / "docs").resolve() else []
    problems, bibliography, by_file = check_project(args.docs, args.bib, root=Path.cwd(), notebooks=notebooks)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in problems:
        if p.severity == "warning" and args.no_warnings:
            continue
        print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
    n_cites = sum(len(c.items) for cits in by_file.values() for c in cits)
    print(
        f"{len(by_file)} pages and notebooks, {n_cites} citations, {len(bibliography.entries)} entries: "
        f"{len(errors)} error(s), {len(warnings)} warning(s)"
    )
    return 1 if errors else 0


