"""Load a package of the template's extensions by path, fresh, under a name of its own.

Copier loads the extension files by path (through copier-template-extensions),
as modules without a package, so they cannot import each other or the packages
next to them. Each extension loads this module with :func:`runpy.run_path` and
its package with :func:`load_package`, under a name unique to the package's
directory: several versions of the template (``copier update`` renders the old
and the new one) never share a module.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_package(directory: Path) -> ModuleType:
    """The package in ``directory``, freshly loaded."""
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    name = f"ddd_{directory.name}_{digest}"
    for loaded in [key for key in sys.modules if key == name or key.startswith(f"{name}.")]:
        del sys.modules[loaded]
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
