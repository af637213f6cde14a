"""Search entries of unchanged pages, kept across ``mkdocs serve`` rebuilds.

Material's search plugin parses every page's HTML and segments its Chinese text with jieba on every build
(about a third of a rebuild here). Its entries depend only on the page's HTML, URL, title, table of
contents and ``search`` front matter, so :class:`EntryCache` wraps the plugin's
``SearchIndex.add_entry_from_context`` for one build: a page with the same inputs as last time gets a copy
of last time's entries, any other page is indexed by the plugin itself.
"""
from __future__ import annotations

import copy
import hashlib


def _toc_signature(toc) -> str:
    return "|".join(f"{item.level}:{item.id}:{item.title}[{_toc_signature(item.children)}]" for item in toc)


class EntryCache:
    """Per-page search entries; :meth:`wrap` installs it on the current build's search index."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, list]] = {}

    def wrap(self, search_plugin, signature: str = "") -> bool:
        """Wrap ``search_plugin.search_index.add_entry_from_context`` for this build; ``signature`` stands for
        what segments every page (the jieba user dictionary, the search settings). Returns False when the
        plugin has no index of the expected shape (another Material version: nothing is cached, nothing
        changes)."""
        index = getattr(search_plugin, "search_index", None)
        original = getattr(index, "add_entry_from_context", None)
        if index is None or original is None or not isinstance(getattr(index, "entries", None), list):
            return False
        cache = self._entries

        def add_entry_from_context(page) -> None:
            key = hashlib.sha256("\0".join([
                signature, page.url, str(page.title), repr(page.meta.get("search")), repr(page.meta.get("tags")),
                _toc_signature(page.toc), page.content or "",
            ]).encode()).hexdigest()
            hit = cache.get(page.url)
            if hit is not None and hit[0] == key:
                index.entries.extend(copy.deepcopy(hit[1]))
                return
            start = len(index.entries)
            original(page)
            cache[page.url] = (key, copy.deepcopy(index.entries[start:]))

        index.add_entry_from_context = add_entry_from_context
        return True
