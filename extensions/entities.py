"""The Jinja extension that gives copier the answer validators and the template filters.

Copier loads this file by path (``_jinja_extensions`` in ``copier.yml``, through
copier-template-extensions), as a module without a package. The work is done by
the ``answers`` package next to it, which this module loads by path too
(``packages.py``), under a name unique to this directory: several versions of
the template (``copier update`` renders the old and the new one) never share a
module.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2.ext import Extension

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "answers"


def load_answers() -> ModuleType:
    """The ``answers`` package of this template version, freshly loaded."""
    packages = runpy.run_path(str(HERE / "packages.py"))
    load_package: Callable[[Path], ModuleType] = packages["load_package"]
    return load_package(PACKAGE)


class EntitiesExtension(Extension):
    """Registers the validators and layout helpers of ``answers`` as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(load_answers().filters())
