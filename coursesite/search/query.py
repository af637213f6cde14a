"""The browser side of Chinese search (the search room): the query dictionary and readable index text.

Material's search plugin segments the *index* with jieba at build time (jieba's main dictionary plus our user
dictionary, see :mod:`coursesite.search.dictionary`), but the *query* typed in the browser is cut by
Material's worker with a greedy split that never keeps a whole word (``多模态`` is searched as ``多``).
``docs/assets/js/search-segment.js`` segments the query before it reaches the worker, with the same
dictionary as the index. This module writes that dictionary for the site:

* :func:`write_query_dictionary` -> ``assets/js/search-dict.js``, a classic script that assigns
  ``window.__searchSegmentDict`` (no fetch of a JSON file: it must load from ``file://`` too). It holds the
  all-Chinese words of jieba's main dictionary with a frequency of at least :data:`MIN_FREQ` (single
  characters included: the max-probability cut needs their frequencies) and every word of the user
  dictionary, grouped by quantised log frequency so that no word carries its own number.
* :func:`clean_search_index` rewrites ``search/search_index.json`` after the search plugin wrote it: the TeX
  of arithmatex (``\\(...\\)``, ``\\[...\\]``) and of notebook cells (``$...$``) becomes readable text
  (``\\mathcal{L}_{\\mathrm{MLM}}`` -> ``L_MLM``, ``\\sqrt{d_k}`` -> ``√dₖ``), so search snippets read as
  text and a query such as ``MRR`` finds the formula.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

MIN_FREQ = 5          # jieba main-dictionary words below this frequency are left out (size: see tests)
LOG_STEP = 4          # log-frequency buckets per nat: frequencies are rounded to within ±12.5 %
MAX_BYTES = 2_000_000  # the shipped dictionary must stay below this (tests/test_search.py)
DICT_NAME = "assets/js/search-dict.js"
GLOBAL = "__searchSegmentDict"

_NO_MAIN = Path("/nonexistent/jieba-dict.txt")  # query_dictionary(main_dict=_NO_MAIN): user words only
_HAN_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def jieba_main_dict() -> Path | None:
    """The main dictionary of the installed jieba (``jieba/dict.txt``), or None when jieba is missing."""
    try:
        import jieba  # noqa: PLC0415  (optional: the site builds without it, unsegmented)
    except ImportError:
        return None
    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    return path if path.is_file() else None


def _read_freqs(path: Path) -> list[tuple[str, int]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            continue
        word = parts[0]
        try:
            freq = int(parts[1]) if len(parts) > 1 else 1
        except ValueError:
            freq = 1
        out.append((word, freq))
    return out


@lru_cache(maxsize=4)
def _main_words(path: str, mtime: float, min_freq: int) -> tuple[tuple[tuple[str, int], ...], int]:
    """(kept words with their frequency, total frequency of the whole dictionary), memoised per file state."""
    words = _read_freqs(Path(path))
    total = sum(f for _, f in words)
    kept = tuple((w, f) for w, f in words if f >= min_freq and _HAN_WORD.match(w))
    return kept, total


def query_dictionary(user_dict: Path, main_dict: Path | None = None, *, min_freq: int = MIN_FREQ) -> dict:
    """The dictionary the browser segments queries with, as the JSON-able object the script assigns.

    ``{"version": 1, "total": N, "step": LOG_STEP, "buckets": [[k, "word word ..."], ...]}``: a word in
    bucket ``k`` has frequency ``exp(k / step)``; ``total`` is the sum of all frequencies as jieba counts it
    (main dictionary plus user words), so ``log(freq) - log(total)`` is the word's log probability in jieba's
    max-probability cut. A user-dictionary word overrides the main dictionary's frequency, as in jieba.
    """
    main_dict = main_dict if main_dict is not None else jieba_main_dict()
    freqs: dict[str, int] = {}
    total = 0
    if main_dict is not None and Path(main_dict).is_file():
        kept, total = _main_words(str(main_dict), Path(main_dict).stat().st_mtime, min_freq)
        freqs.update(kept)
    if user_dict.is_file():
        for word, freq in _read_freqs(user_dict):
            word = word.replace(" ", "")
            if _HAN_WORD.match(word):
                freqs[word] = freq
                total += freq
    buckets: dict[int, list[str]] = {}
    for word, freq in freqs.items():
        buckets.setdefault(round(math.log(max(freq, 1)) * LOG_STEP), []).append(word)
    return {
        "version": 1,
        "total": max(total, 1),
        "step": LOG_STEP,
        "buckets": [[k, " ".join(sorted(ws))] for k, ws in sorted(buckets.items(), reverse=True)],
    }


def query_dictionary_js(user_dict: Path, main_dict: Path | None = None, *, min_freq: int = MIN_FREQ) -> str:
    """The text of ``assets/js/search-dict.js``: a classic script assigning ``window.__searchSegmentDict``.
    Memoised on the user dictionary's text and the main dictionary's path and mtime (``mkdocs serve``)."""
    main_dict = main_dict if main_dict is not None else jieba_main_dict()
    main_key = (str(main_dict), Path(main_dict).stat().st_mtime) if main_dict and Path(main_dict).is_file() else None
    user_text = user_dict.read_text(encoding="utf-8") if user_dict.is_file() else None
    return _dictionary_js(str(user_dict), user_text, main_key, min_freq)


@lru_cache(maxsize=4)
def _dictionary_js(user_dict: str, user_text: str | None, main_key: tuple | None, min_freq: int) -> str:
    del user_text  # part of the cache key only
    data = query_dictionary(Path(user_dict), Path(main_key[0]) if main_key else _NO_MAIN, min_freq=min_freq)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return ("/* Generated by coursesite/search/query.py: the words of jieba's dictionary (frequency >= "
            f"{min_freq}) and of the course's user dictionary, for docs/assets/js/search-segment.js. */\n"
            f"window.{GLOBAL}={body};\n")


def write_query_dictionary(user_dict: Path, out_js: Path, main_dict: Path | None = None) -> int:
    """Write the query dictionary script to ``out_js`` (e.g. ``site_dir / DICT_NAME``), unless the file
    already holds that text. Returns its size in bytes."""
    text = query_dictionary_js(user_dict, main_dict)
    data = text.encode("utf-8")
    out_js.parent.mkdir(parents=True, exist_ok=True)
    if not out_js.is_file() or out_js.read_bytes() != data:
        out_js.write_bytes(data)
    return len(data)


# --------------------------------------------------------------------------------------------------------
# TeX in the search index -> readable text
# --------------------------------------------------------------------------------------------------------

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω",
    "sum": "∑", "prod": "∏", "int": "∫", "infty": "∞", "partial": "∂", "nabla": "∇", "times": "×",
    "cdot": "·", "cdots": "⋯", "dots": "…", "ldots": "…", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "propto": "∝", "ll": "≪", "gg": "≫", "in": "∈",
    "notin": "∉", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦",
    "pm": "±", "mid": "|", "lvert": "|", "rvert": "|", "vert": "|", "|": "‖", "lVert": "‖", "rVert": "‖",
    "top": "ᵀ", "forall": "∀", "exists": "∃", "langle": "⟨", "rangle": "⟩", "circ": "∘", "odot": "⊙",
    "oplus": "⊕", "otimes": "⊗", "cup": "∪", "cap": "∩", "subset": "⊂", "emptyset": "∅",
    "{": "{", "}": "}", "%": "%", "_": "_", "#": "#", "$": "$",
}
_FUNCTIONS = {"log", "ln", "exp", "min", "max", "arg", "argmax", "argmin", "sin", "cos", "tan", "lim", "det",
              "dim", "sup", "inf", "Pr", "softmax"}
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ", "!": "", "\\": " ",
           "enspace": " ", "thinspace": " "}
_UNWRAP = {"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb", "mathfrak", "boldsymbol",
           "bm", "text", "textrm", "textbf", "textit", "texttt", "textsf", "operatorname", "hat", "widehat",
           "tilde", "widetilde", "bar", "overline", "vec", "dot", "ddot", "underline", "mbox", "hbox"}
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
         "displaystyle", "textstyle", "limits", "nolimits", "middle"}
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()inT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀ"))
_SUP["ᵀ"] = "ᵀ"
_SUP["−"] = "⁻"
_TOKEN = re.compile(r"&[A-Za-z]+;|&#\d+;|\\[A-Za-z]+|\\.|[{}]|\s+|.", re.S)


def _tex_tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)


def _parse(tokens: list[str], i: int = 0, closer: str | None = None) -> tuple[list, int]:
    """Tokens -> nested lists (a list per ``{...}`` group); returns (nodes, index after the group)."""
    nodes: list = []
    while i < len(tokens):
        t = tokens[i]
        if t == "{":
            group, i = _parse(tokens, i + 1, "}")
            nodes.append(group)
            continue
        if t == "}" and closer == "}":
            return nodes, i + 1
        nodes.append(t)
        i += 1
    return nodes, i


def _next_arg(nodes: list, i: int) -> tuple[object, int]:
    """The argument starting at ``nodes[i]`` (a group or one token, spaces skipped)."""
    while i < len(nodes) and isinstance(nodes[i], str) and nodes[i].isspace():
        i += 1
    if i >= len(nodes):
        return [], i
    return nodes[i], i + 1


def _wrap(text: str) -> str:
    return text if re.fullmatch(r"[\w.·ᵀ′]+|√\w+", text) else f"({text})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return mark + (_wrap(text) if len(text) > 1 else text)


def _render(nodes) -> str:
    if isinstance(nodes, str):
        nodes = [nodes]
    out: list[str] = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        i += 1
        if isinstance(node, list):
            out.append(_render(node))
            continue
        if node in ("_", "^"):
            arg, i = _next_arg(nodes, i)
            text = _render(arg).strip()
            if out and out[-1].endswith(" "):  # "\\min_\\theta": the function's space goes
                out[-1] = out[-1].rstrip()
            out.append(_script(text, _SUB if node == "_" else _SUP, node))
            continue
        if node == "&":
            out.append(" ")
            continue
        if node == "~":
            out.append(" ")
            continue
        if not node.startswith("\\") or len(node) == 1:
            out.append(node)
            continue
        name = node[1:]
        if name in ("frac", "dfrac", "tfrac"):
            num, i = _next_arg(nodes, i)
            den, i = _next_arg(nodes, i)
            out.append(f"{_wrap(_render(num).strip())}/{_wrap(_render(den).strip())}")
        elif name == "sqrt":
            arg, i = _next_arg(nodes, i)
            if arg == "[":  # \sqrt[n]{x}: the index is dropped
                while i < len(nodes) and nodes[i] != "]":
                    i += 1
                arg, i = _next_arg(nodes, i + 1)
            out.append("√" + _wrap(_render(arg).strip()))
        elif name in ("begin", "end"):
            _, i = _next_arg(nodes, i)
            out.append(" ")
        elif name in _UNWRAP:
            arg, i = _next_arg(nodes, i)
            out.append(_render(arg))
        elif name in _DROP:
            if i < len(nodes) and nodes[i] == ".":
                i += 1
        elif name in _SPACES:
            out.append(_SPACES[name])
        elif name in _SYMBOLS:
            out.append(_SYMBOLS[name])
        elif name in _FUNCTIONS:
            out.append(name + " ")
        else:
            out.append(name)
    return "".join(out)


def tex_to_text(tex: str) -> str:
    """Readable text for a TeX formula: symbols as Unicode, fonts and sizes dropped, fractions as ``a/b``.

    >>> tex_to_text(r"\\mathcal{L}_{\\mathrm{MLM}} = -\\sum_{i} \\log p(x_i)")
    'L_MLM = -∑ᵢ log p(xᵢ)'
    """
    nodes, _ = _parse(_tex_tokens(tex))
    text = _render(nodes)
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = re.sub(r"\s+([,.;:)\]}，。；：、）])", r"\1", text)
    text = re.sub(r"([(\[{（])\s+", r"\1", text)
    return text.strip()


_ARITHMATEX = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.S)
# $...$ of notebook cells: no Han, no markup, no newline inside; not `@GENE$` or a price
_DOLLAR = re.compile(r"(?<![\\$\w])\$(?![\s$])([^$<>\n\u3400-\u9fff]{1,300}?)(?<![\s\\])\$(?![\w$])")


def strip_tex(text: str) -> str:
    """``text`` with every arithmatex span (``\\(...\\)``, ``\\[...\\]``) and notebook ``$...$`` formula
    replaced by :func:`tex_to_text` of it. Text without math is returned unchanged."""
    if "\\(" not in text and "\\[" not in text and "$" not in text:
        return text
    text = _ARITHMATEX.sub(lambda m: tex_to_text(m.group(1) if m.group(1) is not None else m.group(2)), text)
    if "$" in text:
        def dollar(m: re.Match) -> str:
            inner = m.group(1)
            # text between two formulas ("$a$，$b$") or a code literal is not math: keep it
            if not re.search(r"[\\_^=+{}]|^\w$|^[A-Za-z]\w*$", inner):
                return m.group(0)
            return tex_to_text(inner)
        text = _DOLLAR.sub(dollar, text)
    return text


def clean_search_index(site_dir: Path) -> int:
    """Rewrite ``site_dir/search/search_index.json`` with :func:`strip_tex` applied to every title and text
    (run after Material's search plugin wrote it and before the offline plugin inlines it: the course plugin's
    ``on_post_build``). Returns the number of entries changed; a missing index is left alone (0)."""
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for doc in data.get("docs", []):
        for key in ("title", "text"):
            value = doc.get(key)
            if isinstance(value, str):
                new = strip_tex(value)
                if new != value:
                    doc[key] = new
                    changed += 1
    if changed:
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return changed
