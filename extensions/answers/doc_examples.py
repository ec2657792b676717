"""Values and parents of the docs' examples.

The docs' examples are run by the generated ``tests/docs/test_doc_examples.py``.
Every field value they show comes from ``sample()`` (the realistic values of
``samples.py``), and every row they store first, so that references hold, comes
from ``doc_parents()``.
"""

from __future__ import annotations

from typing import Any

from . import samples
from .imports import names_used_by
from .python_source import py_str, python_imports

# How many different values sample() has for a unique field.
DOC_SAMPLE_COUNT = 3
DOC_UNIQUE_VALUES = {
    "int": ["7", "8", "9"],
    "float": ["7.5", "8.5", "9.5"],
    "decimal": ['Decimal("7.25")', 'Decimal("8.25")', 'Decimal("9.25")'],
    "date": ["date(2024, 1, 1)", "date(2024, 1, 2)", "date(2024, 1, 3)"],
    "datetime": [
        "datetime(2024, 1, 1, 9, 0, tzinfo=UTC)",
        "datetime(2024, 1, 2, 9, 0, tzinfo=UTC)",
        "datetime(2024, 1, 3, 9, 0, tzinfo=UTC)",
    ],
    "uuid": [
        'UUID("12345678-1234-4678-9234-567812345678")',
        'UUID("22345678-1234-4678-9234-567812345678")',
        'UUID("32345678-1234-4678-9234-567812345678")',
    ],
}


def _distinct_strings(name: str, max_length: int) -> list[str]:
    """DOC_SAMPLE_COUNT different realistic strings of at most ``max_length`` characters."""
    example, changed = samples.text_values(name, max_length)
    values: list[str] = []
    for candidate in (example, changed, f"{example} 2", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        if candidate[:max_length] not in values:
            values.append(candidate[:max_length])
    return values[:DOC_SAMPLE_COUNT]


def sample(field: dict[str, Any], index: int = 0) -> str:
    """Python source of a value of ``field`` for the docs' examples.

    ``index`` 0 is the value an example creates an entity with, 1 the value it
    changes the field to, 2 the value of a second entity in the same example; a
    unique field has a different value for each. A reference's value is the id of
    the row the example stored before (see doc_parents): ``parent_<entity>.id``,
    and ``other_parent_<entity>.id`` for index 1.
    """
    if not 0 <= index < DOC_SAMPLE_COUNT:
        raise ValueError(f"sample index {index!r} must be 0, 1 or 2")
    if field["type"] == "ref":
        return f"{'other_parent' if index == 1 else 'parent'}_{field['ref_snake']}.id"
    if not field["unique"]:
        return field["changed"] if index == 1 else field["example"]
    if field["type"] == "str":
        return py_str(_distinct_strings(field["name"], field["max_length"])[index])
    return DOC_UNIQUE_VALUES[field["type"]][index]


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
