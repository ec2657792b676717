"""Plan a service's Alembic migrations from its entities and its schema history.

The schema history is the list of migrations the template has already written
for a service, recorded under ``schema_history`` in the service's answers file.
Modules, by job: ``records`` (what the history keeps of a migration),
``entries`` (the history's format, checked before anything is planned),
``revisions`` (the service's revision files, read with :mod:`ast`, and their
head), ``plan`` (the migration steps) and ``errors``. Revision ids reach the
migrations only as escaped string literals (``python_string``).

The planner works on the entity specs of the ``answers`` package. Its errors are
Copier user messages: raised while Copier computes the answers, before any file
is written, they stop ``copier copy`` and ``copier update`` with the message and
no traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .errors import SchemaChangeError
from .plan import plan_migrations
from .records import schema_history
from .revisions import service_revisions, single_head

__all__ = [
    "SchemaChangeError",
    "filters",
    "plan_migrations",
    "python_string",
    "schema_errors",
    "schema_history",
    "service_revisions",
    "single_head",
]


def schema_errors(specs: Any, history: Any, destination: Any = None) -> str:
    """Validator message for ``entities`` against the history and the service's revisions.

    "" when the answers can be migrated.
    """
    try:
        plan_migrations(specs, history, destination)
    except SchemaChangeError as error:
        return str(error)
    return ""


def python_string(value: str) -> str:
    """``value`` as a double-quoted Python string literal, every special character escaped."""
    return json.dumps(value, ensure_ascii=False)


def filters() -> dict[str, Callable[..., Any]]:
    """The Jinja filters ``copier.yml`` and the migration templates use, by name."""
    return {
        "migration_steps": plan_migrations,
        "schema_errors": schema_errors,
        "schema_history": schema_history,
        "python_string": python_string,
    }
