"""Shared fixtures: the built site (built once per test session), a local HTTP server for it, and a
headless Debian Chromium driven by Playwright (no browser download; see README)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the site once with ``mkdocs build --strict`` into a temporary folder; return that folder."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    strict = ["--strict"] if os.environ.get("SITE_BUILD_STRICT", "1") != "0" else []  # 0: dev only
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *strict, "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    (out / "_build.log").write_text(proc.stderr, encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """Serve the built site on 127.0.0.1 (a free port) for the whole session; return its base URL."""
    from coursesite.pdf import serve

    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium (``/usr/bin/chromium`` or $CHROMIUM) launched by Playwright."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
