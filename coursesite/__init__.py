"""The course site's tooling, as one MkDocs plugin (``course`` in mkdocs.yml's ``plugins:``).

One sub-package or module per concern; :mod:`coursesite.plugin` holds the MkDocs events and nothing else:

- :mod:`coursesite.citations`: ``[@key]`` parsing and the check (``parse``), bibliography formatting
  (``render``), citations on the pages (``pages``), the ``scripts/check_citations.py`` CLI (``cli``);
- :mod:`coursesite.slides`: cutting pages into slides (``cut``), writing the decks (``decks``, ``templates/``);
- :mod:`coursesite.notebooks`: the notebook pages (``pages``) and the checks of notebook files (``check``);
- :mod:`coursesite.search`: the jieba dictionary for Chinese search;
- :mod:`coursesite.checks`: checks of the sources (captions, links and anchors, diagrams) and of a built site;
- :mod:`coursesite.assets`: vendored JavaScript from npm; :mod:`coursesite.offline`, :mod:`coursesite.pdf`:
  the offline zip and the slide PDFs.

The modules that parse, check, cut and render do not import MkDocs (only ``plugin``, ``config`` and the
``pages``/``decks``/``assets`` glue do), so the work can move to another site generator. The demo library
``vdlm`` is separate: neither imports the other.
"""
