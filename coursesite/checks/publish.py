"""The repository setting behind the Colab links, the install URLs and the edit links (``repo_url``).

One setting, ``repo_url`` in mkdocs.yml, makes every address a student follows away from the site: "在 Colab
中打开" (``colab.research.google.com/github/OWNER/REPO/…``), the notebooks' setup cell (the site's wheel on
the repository's GitHub Pages unless ``site_url`` is set, then ``git+REPO``), the edit buttons and the header
link. :func:`check_repo_url` reports a value that cannot be right: missing, not a repository URL, or an
obvious placeholder (``your-name``, ``example``, ``OWNER``…); a warning in a local build, an error in a build
for publishing.

A build is for publishing when the environment has ``COURSE_PUBLISH=1`` (the deploy job sets it; ``mkdocs
serve``, ``make build``, ``make check`` and the tests do not). Then :func:`check_repository_answers` also asks
the repository itself (``git ls-remote``, 30 s at most): the value shipped with this project is an example
until a repository answers at that address, so a fork that forgot to set ``repo_url`` fails before it
publishes Colab links to somebody else's, or nobody's, repository.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from coursesite.citations.parse import Problem

__all__ = ["PUBLISH_ENV", "check_repo_url", "check_repository_answers", "for_publishing"]

PUBLISH_ENV = "COURSE_PUBLISH"
_REPO = re.compile(r"^https://(?P<host>[^/\s]+)/(?P<owner>[^/\s]+)/(?P<name>[^/\s#?]+?)(?:\.git)?/?$")
_PLACEHOLDER = re.compile(
    r"^(?:example|examples?-?\w*|your[-_]?\w*|my[-_]?(?:name|user|org|account|repo)|owner|user|username|org|"
    r"organi[sz]ation|account|repo|repository|name|todo|tbd|xxx+|placeholder|change[-_]?me|foo|bar|test|"
    r"<[^>]*>|\{[^}]*\}|\$\w+)$", re.I)
_PLACEHOLDER_HOSTS = re.compile(r"(^|\.)(example\.(com|org|net)|localhost|127\.0\.0\.1|invalid)$", re.I)
_HELP = ("set repo_url (and repo_name) in mkdocs.yml to your repository, then run "
         "`python scripts/sync_setup_cells.py` (README: \"Your own copy\")")


def for_publishing(env: dict | None = None) -> bool:
    """True when this build is for publishing (``COURSE_PUBLISH=1``)."""
    return (env if env is not None else os.environ).get(PUBLISH_ENV, "") not in ("", "0", "false", "no")


def _line(config_file: Path, key: str) -> int:
    try:
        text = config_file.read_text(encoding="utf-8")
    except OSError:
        return 1
    m = re.search(rf"^{key}:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def check_repo_url(repo_url: str | None, config_file: Path, publishing: bool) -> list[Problem]:
    """Problems with ``repo_url``: missing, not ``https://HOST/OWNER/NAME``, or a placeholder.

    Warnings in a local build, errors when ``publishing``."""
    severity = "error" if publishing else "warning"
    where = (config_file.name, _line(config_file, "repo_url"), 1)
    if not repo_url:
        return [Problem(*where, f"repo_url is not set: the notebook pages have no Colab link and the notebooks "
                                f"cannot be installed from the repository; {_HELP}", severity)]
    m = _REPO.match(repo_url.strip())
    if not m:
        return [Problem(*where, f"repo_url '{repo_url}' is not a repository address (https://HOST/OWNER/NAME); "
                                f"{_HELP}", severity)]
    bad = [part for part in (m.group("owner"), m.group("name")) if _PLACEHOLDER.match(part)]
    if _PLACEHOLDER_HOSTS.search(m.group("host")):
        bad.insert(0, m.group("host"))
    if bad:
        return [Problem(*where, f"repo_url '{repo_url}' is a placeholder ({', '.join(bad)}): the Colab and install "
                                f"links would point nowhere; {_HELP}", severity)]
    return []


def check_repository_answers(repo_url: str, config_file: Path, timeout: float = 30.0) -> list[Problem]:
    """An error unless ``git ls-remote`` finds the repository at ``repo_url`` (network needed; publishing only)."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true")
    try:
        proc = subprocess.run(["git", "ls-remote", "--exit-code", repo_url, "HEAD"], capture_output=True,
                              text=True, timeout=timeout, env=env)
        ok, why = proc.returncode == 0, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    except FileNotFoundError:
        ok, why = False, "git is not installed"
    except subprocess.TimeoutExpired:
        ok, why = False, f"no answer in {timeout:.0f} s"
    if ok:
        return []
    return [Problem(config_file.name, _line(config_file, "repo_url"), 1, (
        f"{PUBLISH_ENV}=1 (a build for publishing) but the repository at repo_url '{repo_url}' does not answer "
        f"({why}): the Colab and install links of the published site would fail; {_HELP}"))]
