"""Search entries of unchanged pages, kept across ``mkdocs serve`` rebuilds.

Material's search plugin parses every page's HTML and segments its Chinese text with jieba on every build
(about a third of a rebuild here). Its entries depend only on the page's HTML, URL, title, table of
contents and ``search`` front matter, so :class:`EntryCache` wraps the plugin's
``SearchIndex.add_entry_from_context`` for one build: a page with the same inputs as last time gets a copy
of last time's entries, any other page is indexed by the plugin itself.
"""
from __future__ import annotations

import copy

from ..pagecache import DiskCache


def _toc_signature(toc) -> str:
    return "|".join(f"{item.level}:{item.id}:{item.title}[{_toc_signature(item.children)}]" for item in toc)


class EntryCache:
    """Per-page search entries; :meth:`wrap` installs it on the current build's search index."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, list]] = {}
        self.disk = DiskCache(None, "search")  # the plugin gives it a folder

    def wrap(self, search_plugin, signature: str = "", before_first_miss=None) -> bool:
        """Wrap ``search_plugin.search_index.add_entry_from_context`` for this build; ``signature`` stands for
        what segments every page (the jieba user dictionary, the search settings). Returns False when the
        plugin has no index of the expected shape (another Material version: nothing is cached, nothing
        changes). ``before_first_miss`` is called once, before the plugin indexes its first page (the plugin
        uses it to load jieba's dictionaries only when some page needs segmenting)."""
        index = getattr(search_plugin, "search_index", None)
        original = getattr(index, "add_entry_from_context", None)
        if index is None or original is None or not isinstance(getattr(index, "entries", None), list):
            return False
        cache, disk = self._entries, self.disk
        pending = [before_first_miss] if before_first_miss is not None else []

        def add_entry_from_context(page) -> None:
            key = disk.key(signature, page.url, str(page.title), repr(page.meta.get("search")),
                           repr(page.meta.get("tags")), _toc_signature(page.toc), page.content or "")
            hit = cache.get(page.url)
            if hit is None or hit[0] != key:
                stored = disk.get(key)
                hit = (key, stored) if stored is not None else None
            if hit is not None and hit[0] == key:
                index.entries.extend(copy.deepcopy(hit[1]))
                cache[page.url] = hit
                return
            if pending:
                pending.pop()()
            start = len(index.entries)
            original(page)
            cache[page.url] = (key, copy.deepcopy(index.entries[start:]))
            disk.put(key, cache[page.url][1])

        index.add_entry_from_context = add_entry_from_context
        return True
