"""Where the course project is: the folder holding ``mkdocs.yml``."""
from __future__ import annotations

from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) that holds ``mkdocs.yml``;
    the checkout this package lives in when there is none (an editable install run from elsewhere)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    return Path(__file__).resolve().parent.parent
