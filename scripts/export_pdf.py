#!/usr/bin/env python3
"""Print the lecture's decks to PDF (``make pdf``): see :mod:`coursesite.pdf`.

    python scripts/export_pdf.py [--notes] [--only 02-codebert lecture] [--site site] [--out build/pdf]
"""
import sys

from _site_import import require

if __name__ == "__main__":
    sys.exit(require("coursesite.pdf").main())
