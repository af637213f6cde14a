#!/usr/bin/env python3
"""Build the offline classroom bundle (``make offline``): see :mod:`coursesite.offline`.

    python scripts/build_offline.py            # -> build/offline/<name>.zip
    python scripts/build_offline.py --out DIR --no-strict
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves this folder off sys.path
from _site_import import require  # noqa: E402

if __name__ == "__main__":
    sys.exit(require("coursesite.offline").main())
