#!/usr/bin/env python3
"""Check the citations of the course pages against references.bib.

Usage: python scripts/check_citations.py [--docs DIR] [--bib FILE] [--no-warnings]

Prints one line per problem, ``file:line:col: message`` (warnings say ``warning:``), then a summary.
Exit status: 0 when there is no error (warnings allowed), 1 when there is at least one error,
2 on a usage error. Reads files only; never rewrites them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.citations import check_project  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check [@key] citations in Markdown against a BibTeX file.")
    parser.add_argument("--docs", default=str(ROOT / "docs"), help="folder of Markdown pages (default: docs/)")
    parser.add_argument("--bib", default=str(ROOT / "references.bib"), help="BibTeX file (default: references.bib)")
    parser.add_argument("--no-warnings", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    if not Path(args.docs).is_dir():
        print(f"{args.docs}: not a folder; pass --docs with the folder of Markdown pages", file=sys.stderr)
        return 2
    problems, bibliography, by_file = check_project(args.docs, args.bib, root=Path.cwd())
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in problems:
        if p.severity == "warning" and args.no_warnings:
            continue
        print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
    n_cites = sum(len(c.items) for cits in by_file.values() for c in cits)
    print(
        f"{len(by_file)} pages, {n_cites} citations, {len(bibliography.entries)} entries: "
        f"{len(errors)} error(s), {len(warnings)} warning(s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
