"""Non-biomedical English text available offline: sentences of the Python reference documentation.

Python ships the text of its language reference and built-in type docs as ``pydoc_data.topics`` (the help()
pages). Its prose sentences are real, human-written English outside the biomedical domain; notebook 04
uses them as the "general-domain" held-out text, to see what continued pre-training on biomedical text does
to a model's fit of other text (domain shift). It is technical English, not Wikipedia/BooksCorpus: say so
wherever results on it are shown.
"""
from __future__ import annotations

import random
import re

_BAD = re.compile(r"[(){}\[\]=_*>`|\\#@$%^~<]|\.\.\.|::|--|http|Changed in version|New in version|Deprecated")


def pydoc_sentences(n: int | None = None, seed: int = 0, min_words: int = 8, max_words: int = 40) -> list[str]:
    """Prose sentences from ``pydoc_data.topics`` (the running interpreter's copy), shuffled deterministically.

    Sentences with code-like characters (brackets, ``=``, backticks, ``::``…), URLs or version notes are
    dropped; whitespace is collapsed.

    Args:
        n: how many to return (None = all that pass the filter, ~800 on CPython 3.11).
        seed: shuffle seed. min_words, max_words: sentence length bounds in whitespace words.

    Returns:
        list of strings (fewer than ``n`` if the filter keeps fewer).

    Raises:
        ImportError: the interpreter has no ``pydoc_data`` (some minimal builds strip it).
    """
    from pydoc_data.topics import topics

    text = re.sub(r"\s+", " ", " ".join(topics[k] for k in sorted(topics)))
    seen, out = set(), []
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
        s = s.strip()
        if not (min_words <= len(s.split()) <= max_words) or _BAD.search(s) or s in seen:
            continue
        if not s[0].isupper() or not s.endswith("."):
            continue
        seen.add(s)
        out.append(s)
    random.Random(seed).shuffle(out)
    return out if n is None else out[:n]
