#!/usr/bin/env python3
"""Build the offline classroom bundle (``make offline``): see :mod:`coursesite.offline`.

    python scripts/build_offline.py            # -> build/offline/<name>.zip
    python scripts/build_offline.py --out DIR --no-strict
"""
import sys

from _site_import import require

if __name__ == "__main__":
    sys.exit(require("coursesite.offline").main())
