"""Values and parents of the docs' examples.

The docs' examples are run by the generated ``tests/docs/test_doc_examples.py``.
Every field value they show comes from ``sample()`` (the realistic values of
``samples.py``), and every row they store first, so that references hold, comes
from ``doc_parents()``.
"""

from __future__ import annotations

from typing import Any

from . import samples
from .field_types import FIELD_TYPES
from .imports import names_used_by
from .python_source import py_str, python_imports

# How many values sample() has per field: created with, changed to, a second entity.
DOC_SAMPLE_COUNT = 3
# Hex digits of the uuid suffix of a unique string.
UNIQUE_SUFFIX = 8
# A unique string shorter than that: one CJK ideograph (U+4E00 to U+9FFF, each a
# character of its own in every database's collation).
SHORT_UNIQUE_TEXT = "chr(0x4E00 + uuid4().int % 20_992)"


def unique_text(name: str, max_length: int, index: int) -> str:
    """Source of a new string per evaluation: a realistic prefix and a uuid suffix."""
    if max_length < UNIQUE_SUFFIX:
        return SHORT_UNIQUE_TEXT
    suffix = f"uuid4().hex[:{UNIQUE_SUFFIX}]"
    room = max_length - UNIQUE_SUFFIX - 1
    prefix = samples.text_values(name, max_length)[index == 1][:room].rstrip()
    if not prefix or room < 1:
        return suffix
    return "f" + py_str(f"{prefix} {{{suffix}}}")


def sample(field: dict[str, Any], index: int = 0) -> str:
    """Python source of a value of ``field`` for the docs' examples.

    ``index`` 0 is the value an example creates an entity with, 1 the value it
    changes the field to, 2 the value of a second entity in the same example. A
    unique field's source makes a new value each time it runs (a uuid4 suffix or
    range), so an example stores again next to what it stored before; an example
    that uses such a value twice keeps it in a variable. A reference's value is
    the id of the row the example stored before (see doc_parents):
    ``parent_<entity>.id``, and ``other_parent_<entity>.id`` for index 1.
    """
    if not 0 <= index < DOC_SAMPLE_COUNT:
        raise ValueError(f"sample index {index!r} must be 0, 1 or 2")
    if field["type"] == "ref":
        return f"{'other_parent' if index == 1 else 'parent'}_{field['ref_snake']}.id"
    if not field["unique"]:
        return field["changed"] if index == 1 else field["example"]
    if field["type"] == "str":
        return unique_text(field["name"], field["max_length"], index)
    fresh = FIELD_TYPES[field["type"]].doc_unique
    if fresh is None:
        raise ValueError(f"the field type {field['type']!r} has no doc_unique (field_types.py)")
    return fresh


def sample_imports(fields: list[dict[str, Any]], *also: str) -> list[str]:
    """Import lines for the samples of ``fields`` and for ``also`` (``"module.name"``)."""
    sources = [sample(field, index) for field in fields for index in range(DOC_SAMPLE_COUNT)]
    pairs = {*names_used_by(sources)}
    pairs |= {(module, name) for module, _, name in (item.rpartition(".") for item in also)}
    return python_imports(pairs)


def doc_parents(entity: dict[str, Any], entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows an example of ``entity`` stores first, each before the rows referencing it.

    One per entity that ``entity`` references, and, recursively, per entity those
    rows need: ``{"entity": spec, "fields": the fields the example passes}``, the
    fields without a default (a nullable field defaults to None).
    """
    by_name = {spec["name"]: spec for spec in entities}
    parents: list[dict[str, Any]] = []

    def store(name: str) -> None:
        if any(parent["entity"]["name"] == name for parent in parents):
            return
        spec = by_name[name]
        fields = [field for field in spec["fields"] if field["default"] is None]
        for field in fields:
            if field["type"] == "ref":
                store(field["to"])
        parents.append({"entity": spec, "fields": fields})

    for field in entity["references"]:
        store(field["to"])
    return parents
