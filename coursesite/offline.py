"""Build the offline classroom bundle: the whole site (pages, notebooks, decks, search) as plain files that
work opened straight from disk (file://, no server, no network), zipped to one file.

    python scripts/build_offline.py            # -> build/offline/<name>.zip   (make offline)
    python scripts/build_offline.py --out DIR --no-strict

It builds with mkdocs.offline.yml (INHERIT: mkdocs.yml + Material's offline plugin: no directory URLs, the
search index inlined as search/search_index.js, the iframe-worker shim served locally), checks that no page
loads anything from another host, and zips the site under one top folder <name>/ (open <name>/index.html).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from .paths import project_root

ROOT = project_root()
CONFIG = ROOT / "mkdocs.offline.yml"

README = """离线版课程网站 / Offline copy of the course site
================================================

解压后用浏览器打开 {name}/index.html 即可，无需网络和服务器：讲义、演示笔记本、幻灯片和搜索都可用。
Unzip, then open {name}/index.html in a browser: no network or server needed. Pages, notebooks, slides and
search all work from disk.
"""


def bundle_name() -> str:
    """The zip's name: the repository name from mkdocs.yml's repo_name (owner/name), else the folder name."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    m = re.search(r"^repo_name:\s*['\"]?([^'\"\n]+)", text, re.M)
    name = m.group(1).strip().rsplit("/", 1)[-1] if m else ROOT.name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "site"


def external_assets(site: Path) -> list[str]:
    """Scripts, style sheets, images... loaded from another host (a page that would need the network)."""
    from .checks.site import StaticSite

    return [p for p in StaticSite(site).check_assets() if "another host" in p]


_HREF = re.compile(r'(href=")([^"#?:]*)([^"]*)"')


def point_folder_links_at_index(site: Path) -> int:
    """Rewrite relative links to folders (``slides/``, ``../``, ``./#目录``) into links to the folder's
    ``index.html``: a browser opening files from disk (file://) shows a folder listing, not the page.
    Only links whose target folder holds an ``index.html`` change. Returns the number of links rewritten."""
    count = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def fix(m: re.Match) -> str:
            nonlocal count
            path = m.group(2)
            if path not in ("", ".", "..") and not path.endswith("/"):
                return m.group(0)
            if path == "" and m.group(3).startswith("#"):
                return m.group(0)  # same-page anchor
            folder = (page.parent / (path or ".")).resolve()
            if not (folder / "index.html").is_file():
                return m.group(0)
            count += 1
            new = (path.rstrip("/") + "/" if path not in ("",) else "") + "index.html"
            return f'{m.group(1)}{new}{m.group(3)}"'

        new_text = _HREF.sub(fix, text)
        if new_text != text:
            page.write_text(new_text, encoding="utf-8")
    return count


def build(out: Path, strict: bool = True) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    name = bundle_name()
    site = out / "site"
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(CONFIG), "-d", str(site), "--clean"]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(cmd, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build -f {CONFIG.name} failed (exit {proc.returncode})")
    if not (site / "search" / "search_index.js").is_file():
        raise SystemExit(f"{site}: search/search_index.js missing: is the offline plugin in {CONFIG.name}?")
    point_folder_links_at_index(site)
    bad = external_assets(site)
    if bad:
        raise SystemExit("the offline bundle loads files from another host:\n" + "\n".join(bad))
    target = out / f"{name}.zip"
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr(f"{name}/README.txt", README.format(name=name))
        for path in sorted(site.rglob("*")):
            if path.is_file():
                z.write(path, f"{name}/{path.relative_to(site).as_posix()}")
    tmp.replace(target)
    size = target.stat().st_size / 1e6
    print(f"offline bundle: {target} ({size:.1f} MB); unzip and open {name}/index.html")
    if not list((site / "assets" / "demos" / "bin").glob("model-*.js")):
        print("offline bundle: warning: made without the model demos' files (demos/models/ is missing), so its "
              "代码搜索 and 实体识别 pages show a note in their place. To include them: `make demos`, then "
              "`make offline` again.", file=sys.stderr)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "offline",
                    help="folder for site/ and the zip (default build/offline)")
    ap.add_argument("--no-strict", action="store_true", help="build without --strict (drafts)")
    args = ap.parse_args(argv)
    build(args.out.resolve(), strict=not args.no_strict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
