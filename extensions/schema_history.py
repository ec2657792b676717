"""The Jinja extension that gives copier the migration planner.

Copier loads this file by path (``_jinja_extensions`` in ``copier.yml``, through
copier-template-extensions), as a module without a package. The planner is the
``history`` package next to it, which this module loads by path too
(``packages.py``), under a name unique to that directory: several versions of
the template (``copier update`` renders the old and the new one) never share a
module. The planner's public names are this module's too.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from jinja2.ext import Extension

HERE = Path(__file__).resolve().parent

history = runpy.run_path(str(HERE / "packages.py"))["load_package"](HERE / "history")

SchemaChangeError = history.SchemaChangeError
plan_migrations = history.plan_migrations
schema_errors = history.schema_errors
schema_history = history.schema_history
service_revisions = history.service_revisions
single_head = history.single_head
python_string = history.python_string


class SchemaHistoryExtension(Extension):
    """Registers the planner as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(history.filters())
