#!/usr/bin/env python3
"""Check the citations of the course pages and notebooks against references.bib.

Usage: python scripts/check_citations.py [--docs DIR] [--bib FILE] [--no-warnings]

Prints one line per problem, ``file:line:col: message`` (warnings say ``warning:``), then a summary.
Exit status: 0 when there is no error (warnings allowed), 1 when there is at least one error,
2 on a usage error (or when this Python lacks the site's packages: run ``make install``).
Reads files only; never rewrites them. The work is done by :mod:`coursesite.citations.cli`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves this folder off sys.path
from _site_import import require  # noqa: E402

if __name__ == "__main__":
    sys.exit(require("coursesite.citations.cli").main())
