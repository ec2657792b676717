"""The Jinja extension that gives copier the answer validators and the template filters.

Copier loads this file by path (``_jinja_extensions`` in ``copier.yml``, through
copier-template-extensions), as a module without a package. The work is done by
the ``answers`` package next to it, which this module loads by path too, under
a name unique to this directory: several versions of the template (``copier
update`` renders the old and the new one) never share a module.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from jinja2.ext import Extension

PACKAGE = Path(__file__).resolve().with_name("answers")


def load_answers() -> ModuleType:
    """The ``answers`` package of this template version, freshly loaded."""
    name = "ddd_answers_" + hashlib.sha256(str(PACKAGE).encode()).hexdigest()[:12]
    for loaded in [key for key in sys.modules if key == name or key.startswith(f"{name}.")]:
        del sys.modules[loaded]
    spec = importlib.util.spec_from_file_location(
        name, PACKAGE / "__init__.py", submodule_search_locations=[str(PACKAGE)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class EntitiesExtension(Extension):
    """Registers the validators and layout helpers of ``answers`` as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(load_answers().filters())
