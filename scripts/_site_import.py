"""Shared by the thin CLIs in scripts/: import the site tooling, or say how to install it (exit 2)."""
from __future__ import annotations

import importlib
import sys


def require(module: str):
    """Import ``module`` (a part of the ``coursesite`` package); on a missing package print one line saying
    what is missing and how to install it, and exit with status 2 (a usage error, not a failed check)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        missing = e.name or "?"
        print(
            f"{sys.argv[0]}: this Python ({sys.executable}) lacks the site's packages (no module named "
            f"'{missing}'). Run `make install` once, then use .venv/bin/python {' '.join(sys.argv)} "
            "(or `make check-citations`).",
            file=sys.stderr,
        )
        raise SystemExit(2)
