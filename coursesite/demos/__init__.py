"""The demo room: live demos placed in a lecture page (and its slide) by one Markdown block.

- :mod:`coursesite.demos.specs` — the demos there are (name, Chinese title, options, script, files needed).
- :mod:`coursesite.demos.blocks` — pure: finds ``/// demo | name`` blocks in a page's Markdown, checks them
  (file:line errors) and renders each as the HTML skeleton that the browser code enhances. No MkDocs import.
- :mod:`coursesite.demos.site` — the MkDocs side: the demo scripts, the data packs (tokenizer.json files as
  classic scripts, so they also load from ``file://``) and the wrapped libraries added to the site.
- :mod:`coursesite.demos.tokenizers` — the build step (``make demos``) that trains the tokenizers made here.
- ``assets/`` — the browser code (``demos.js`` documents its API at the top).
"""
