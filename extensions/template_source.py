"""The template source a service records, usable by `copier update` from the service.

Copier records the template source (``_src_path`` in ``.copier-answers.yml``)
exactly as it was typed. A relative path such as ``.`` or ``../copier-ddd-service``
meant something in the directory where ``copier copy`` ran; read again by
``copier update`` in the service, it names another directory (``.`` is the
service itself, and the update fails with "Unknown revision"). The answers file
therefore records a relative path as the absolute path it meant. Copier resolves
a local template path against its working directory, which this module reads
while the answers file renders, in the same process: the path recorded is the
one Copier used. Git URLs (``https://``, ``git@``, ``git+...``, ``gh:``,
``gl:``), absolute paths and paths from the home directory (``~/...``) are
recorded as they are: they mean the same from any directory.

Copier loads this module as a Jinja extension.
"""

from __future__ import annotations

import os
from typing import Any

from jinja2.ext import Extension

# Sources that are not paths on this machine (Copier's own shortcuts included).
REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+")


def usable_source(source: str) -> str:
    """``source`` as a template source that means the same from any directory."""
    if "://" in source or source.startswith(REMOTE_PREFIXES) or source.startswith("~"):
        return source
    return os.path.abspath(source)


def with_usable_source(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to record, with ``_src_path`` made usable from any directory."""
    source = answers.get("_src_path")
    if not isinstance(source, str):
        return answers
    return {**answers, "_src_path": usable_source(source)}


class TemplateSourceExtension(Extension):
    """Registers ``with_usable_source`` as a Jinja filter for the answers file."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters["with_usable_source"] = with_usable_source
