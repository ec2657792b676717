"""The shape of a field type's registry entry (``field_types.py`` holds the entries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldType:
    """How one answer ``type`` maps onto Python, SQLAlchemy, Alembic and the tests."""

    name: str
    # The Python annotation, and the (module, name) it needs imported.
    python: str
    python_import: tuple[str, str] | None
    # The column type in models and its sqlalchemy import; ``{max_length}``, ``{name}``
    # (the field's), ``{constant}`` (its choices constant) and ``{choices}`` are filled in.
    column: str
    column_import: str | None
    # The column type in migrations (the same placeholders).
    migration: str
    # The check in ``domain/validation.py``, and a value it refuses, with the rule.
    checker: str
    invalid: tuple[str, str]
    # Checks an answer's default; returns its Python source, or raises ValueError.
    parse_default: Callable[[Any, int | None], str]
    # Python source of unique test values: a fresh one per factory call (``n``) and
    # a constant one that differs from all of those; None: the samples module's.
    unique_values: tuple[str, str] | None
    # Why the type cannot be unique; None: it can.
    unique_refusal: str | None
    # What the column is on each database, for the docs.
    doc: str
    # Why the type cannot have ``index: true``; None: it can.
    index_refusal: str | None = None
    # True: a default is written as a module constant (ruff refuses calls such as
    # UUID(...) as argument and dataclass defaults).
    default_as_constant: bool = False
    # (example, changed) Python source of the values the generated tests and docs
    # use; None: the field's name picks them (str, text) or its choices (enum).
    # ``samples.py`` has realistic values by field name for some types.
    samples: tuple[str, str] | None = None
    # A unique field's value in the docs' examples, Python source that makes a new
    # value each time it runs (the examples run twice on one database), within
    # the type's limits; None: the type cannot be unique, or is str (samples.py).
    doc_unique: str | None = None
    # A str type whose values are the full matches of a regular expression (within
    # the column's length, of characters every database stores): the domain's
    # ``require_match`` refuses the rest, the HTTP document states it and the
    # generated value tests draw from it. None: the checker says what is valid.
    pattern: str | None = None
