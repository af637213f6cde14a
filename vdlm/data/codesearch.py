"""Docstring → function pairs from the Python standard library, built like CodeSearchNet.

CodeSearchNet (Husain et al., 2019, arXiv:1909.09436) and CodeBERT (Feng et al., 2020, §3.2) pair each
function with the first paragraph of its documentation and drop short documentation (< 3 tokens), short
functions (< 3 lines) and functions whose name contains "test". We apply the same rules to the standard
library of the running interpreter (real, licensed code that is on every machine, so no download):

* query = first sentence of the docstring's first paragraph, ≥ 3 words;
* code = the function's source with the docstring removed, body ≥ 3 lines;
* files under test folders (``test``, ``tests``, ``idle_test``…) and functions named ``*test*`` are skipped;
* duplicate (query, code) pairs are dropped; the order is deterministic (sorted by file path, line).

Extraction parses the ~730 non-test files of CPython 3.11 (about 5 s of CPU time; measured 9 s wall on a
loaded 2-core machine, notebook 01 from an empty cache), so the result is cached as JSON under
``vdlm.cache_dir() / "codesearch"`` keyed on the Python version and the extractor version.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import re
import sys
import sysconfig
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from ..env import cache_dir

EXTRACTOR_VERSION = 2
_TEST_DIRS = {"test", "tests", "idle_test", "testing", "unittest_test"}
_SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__"}
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class CodePair:
    """One docstring/function pair.

    Attributes:
        query: first sentence of the docstring (natural language, the search query).
        code: function source without its docstring (what is searched).
        name: qualified name ``module.Class.func``.
        path: file path relative to the standard-library root.
        lineno: 1-based line of the ``def``.
    """

    query: str
    code: str
    name: str
    path: str
    lineno: int


def first_sentence(docstring: str) -> str:
    """First sentence of the first paragraph of ``docstring``, whitespace collapsed.

    >>> first_sentence("Return the sum.  More text.\\n\\nDetails.")
    'Return the sum.'
    """
    para = docstring.strip().split("\n\n", 1)[0]
    para = " ".join(para.split())
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z(`'\"])", para)
    return para[: m.start()] if m else para


def _is_test_path(rel: str) -> bool:
    parts = Path(rel).parts
    return any(p in _TEST_DIRS or p.startswith("test_") for p in parts[:-1]) or Path(rel).name.startswith("test_")


def _strip_docstring(src_lines: list[str], fn: ast.AST) -> str | None:
    body = fn.body  # type: ignore[attr-defined]
    doc = body[0]
    start = fn.lineno  # type: ignore[attr-defined]
    if getattr(fn, "decorator_list", None):
        start = min(d.lineno for d in fn.decorator_list)  # type: ignore[attr-defined]
    lines = src_lines[start - 1 : fn.end_lineno]  # type: ignore[attr-defined]
    # remove the docstring lines
    d0, d1 = doc.lineno - start, doc.end_lineno - start  # type: ignore[attr-defined]
    kept = lines[:d0] + lines[d1 + 1 :]
    body_lines = [ln for ln in lines[d1 + 1 :] if ln.strip() and not ln.strip().startswith("#")]
    if len(body_lines) < 3:
        return None
    indent = min(len(ln) - len(ln.lstrip()) for ln in kept if ln.strip())
    return "\n".join(ln[indent:].rstrip() for ln in kept).strip("\n")


def _pairs_from_file(args: tuple[str, str]) -> list[dict]:
    root, rel = args
    try:
        text = Path(root, rel).read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return []
    src_lines = text.splitlines()
    module = rel[:-3].replace(os.sep, ".").removesuffix(".__init__")
    out: list[dict] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}.{child.name}")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(child)
                if doc and "test" not in child.name.lower():
                    query = first_sentence(doc)
                    if len(_WORD.findall(query)) >= 3:
                        code = _strip_docstring(src_lines, child)
                        if code:
                            out.append(asdict(CodePair(query, code, f"{prefix}.{child.name}", rel, child.lineno)))
                visit(child, f"{prefix}.{child.name}")

    visit(tree, module)
    return out


def stdlib_root() -> Path:
    """Directory of the running interpreter's pure-Python standard library."""
    return Path(sysconfig.get_paths()["stdlib"])


def _stdlib_files(root: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for f in sorted(filenames):
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(dirpath, f), root)
                if not _is_test_path(rel):
                    files.append(rel)
    return files


def extract_stdlib_pairs(root: Path | None = None, workers: int | None = None) -> list[CodePair]:
    """Parse the standard library and return every pair that passes the CodeSearchNet-style filters.

    Args:
        root: standard-library directory (default: the running interpreter's, :func:`stdlib_root`).
        workers: processes for parsing (default: ``os.cpu_count()``).

    Returns:
        Pairs sorted by (path, line), duplicates removed; 3,999 on CPython 3.11.7.
    """
    root = Path(root or stdlib_root())
    files = _stdlib_files(root)
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            chunks = list(ex.map(_pairs_from_file, [(str(root), f) for f in files], chunksize=32))
    else:
        chunks = [_pairs_from_file((str(root), f)) for f in files]
    seen: set[tuple[str, str]] = set()
    pairs = []
    for chunk in chunks:
        for d in chunk:
            key = (d["query"], d["code"])
            if key not in seen:
                seen.add(key)
                pairs.append(CodePair(**d))
    return pairs


def load_stdlib_pairs(refresh: bool = False) -> list[CodePair]:
    """:func:`extract_stdlib_pairs`, cached on disk (JSON) per Python version; first call ~5–10 s, then < 1 s."""
    tag = f"py{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}-v{EXTRACTOR_VERSION}"
    path = cache_dir() / "codesearch" / f"stdlib-pairs-{tag}.json"
    if path.exists() and not refresh:
        return [CodePair(**d) for d in json.loads(path.read_text(encoding="utf-8"))]
    pairs = extract_stdlib_pairs()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(p) for p in pairs], ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return pairs


def is_heldout(path: str) -> bool:
    """True for about a third of the stdlib files whose pairs form the test pool (SHA-1 of the relative path mod 3 = 0).

    The split is by file and independent of the profile, so the code stand-in's MLM corpus
    (:func:`train_pairs`) never contains a test function."""
    return int(hashlib.sha1(path.encode()).hexdigest(), 16) % 3 == 0


def train_pairs(pairs: list[CodePair]) -> list[CodePair]:
    """Pairs from files that are not held out (MLM corpus and contrastive training data)."""
    return [p for p in pairs if not is_heldout(p.path)]


def split_pairs(pairs: list[CodePair], n_test: int, n_train: int, seed: int = 0) -> tuple[list[CodePair], list[CodePair]]:
    """Deterministic (train, test) split by file (:func:`is_heldout`), each side shuffled and cut.

    Args:
        pairs: all pairs.
        n_test: test pairs (the retrieval pool: each query ranks all ``n_test`` functions, like CodeSearchNet's
            1 correct + 999 distractors when ``n_test`` = 1000).
        n_train: training pairs (for contrastive fine-tuning).
        seed: shuffle seed.

    Raises:
        ValueError: fewer held-out pairs than ``n_test``.
    """
    test = [p for p in pairs if is_heldout(p.path)]
    train = train_pairs(pairs)
    if len(test) < n_test:
        raise ValueError(f"only {len(test)} held-out pairs, {n_test} asked")
    rng = random.Random(seed)
    rng.shuffle(test)
    rng.shuffle(train)
    return train[:n_train], test[:n_test]


def fingerprint(pairs: list[CodePair]) -> str:
    """Short SHA-256 of the pairs (for provenance lines and caches)."""
    h = hashlib.sha256()
    for p in pairs:
        h.update(p.query.encode())
        h.update(b"\0")
        h.update(p.code.encode())
    return h.hexdigest()[:12]
