#!/usr/bin/env python3
"""Rewrite the setup cell (first code cell) of every notebook from mkdocs.yml's repo_url and site_url:
run it after changing repo_url for a fork. See :mod:`coursesite.notebooks.setup_cell`.

    python scripts/sync_setup_cells.py           # rewrite the cells that differ
    python scripts/sync_setup_cells.py --check   # exit 1 if one differs
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves this folder off sys.path
from _site_import import require  # noqa: E402

if __name__ == "__main__":
    sys.exit(require("coursesite.notebooks.setup_cell").main())
