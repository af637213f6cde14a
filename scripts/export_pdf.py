#!/usr/bin/env python3
"""Print the lecture's decks to PDF (``make pdf``): see :mod:`coursesite.pdf`.

    python scripts/export_pdf.py [--notes] [--only 02-codebert lecture] [--site site] [--out build/pdf]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves this folder off sys.path
from _site_import import require  # noqa: E402

if __name__ == "__main__":
    sys.exit(require("coursesite.pdf").main())
