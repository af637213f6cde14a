#!/usr/bin/env python3
"""Rewrite the setup cell (first code cell) of every notebook from mkdocs.yml's repo_url and site_url:
run it after changing repo_url for a fork. See :mod:`coursesite.notebooks.setup_cell`.

    python scripts/sync_setup_cells.py           # rewrite the cells that differ
    python scripts/sync_setup_cells.py --check   # exit 1 if one differs
"""
import sys

from _site_import import require

if __name__ == "__main__":
    sys.exit(require("coursesite.notebooks.setup_cell").main())
