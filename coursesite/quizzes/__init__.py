"""Self-checks (自测): the ``::: quiz`` block of a page, checked at build time, answered in the browser and
shown as class-poll slides. :mod:`.parse` (the syntax, pure), :mod:`.render` (page HTML, pure),
:mod:`.slides` (deck slides, pure), :mod:`.pages` (the plugin's glue) and ``assets/`` (quiz.js, quiz.css)."""
