"""The spec of one field: its column, Python type, default, constant and samples.

Part of the entity specs (:mod:`.specs`); plain dictionaries the templates read.
"""

import ast
from dataclasses import asdict
from typing import Any

from . import samples
from .field_types import FIELD_TYPES
from .model import ON_DELETE_ACTIONS, Entity, Field
from .naming import (
    check_constraint,
    choices_constant,
    constant_name,
    foreign_key,
    index_name,
    snake_case,
    unique_constraint,
)
from .python_source import (
    LINE_LENGTH,
    fit,
    py_str,
    string_constant,
    width,
)


def field_spec(entity: Entity, field: Field) -> dict[str, Any]:
    """What the templates need of one field."""
    kind = FIELD_TYPES[field.type]
    python_type = kind.python + (" | None" if field.nullable else "")
    example, changed = samples.values(field.type, field.name, field.max_length, field.choices)
    sample = example
    if field.unique:
        fresh, constant = kind.unique_values or (
            samples.unique_text(field.name, field.max_length),
            changed,
        )
        sample, changed = fresh, constant
    invalid = [kind.invalid]
    if field.type == "str":
        invalid.insert(0, (f'"x" * {(field.max_length or 0) + 1}', "too long"))
    if not field.nullable:
        invalid.append(("None", "missing"))
    placeholders = {
        "max_length": field.max_length,
        "name": field.name,
        "constant": choices_constant(field.name),
        "choices": ", ".join(py_str(choice) for choice in field.choices or ()),
    }
    spec = asdict(field) | {
        "ref_table": field.ref_table,
        "ref_snake": snake_case(field.to) if field.to else None,
        "python_type": python_type,
        "python_type_name": kind.python,
        "model_type": kind.column.format(**placeholders),
        "migration_type": kind.migration.format(**placeholders),
        # The history table's column: the same type, an enum's without its CHECK constraint.
        "history_migration_type": (
            f"sa.String(length={max(map(len, field.choices))})"
            if field.choices
            else kind.migration.format(**placeholders)
        ),
        "choices_name": choices_constant(field.name) if field.choices else None,
        "choices_constant": _choices_constant(field),
        "check_constraint": check_constraint(entity.table, field.name) if field.choices else None,
        "checker": kind.checker,
        "pattern": kind.pattern,
        "unique_constraint": unique_constraint(entity.table, field.name),
        "example": example,
        "sample": sample,
        "changed": changed,
        "invalid": invalid,
        "doc": kind.doc,
        "constant": None,
        "default_value": field.default,
        "foreign_key": None,
        "ondelete": ON_DELETE_ACTIONS[field.on_delete or "restrict"],
        "index": None,
    }
    if field.to and field.ref_table:
        spec["foreign_key"] = foreign_key(entity.table, field.name, field.ref_table)
        spec["index"] = index_name(entity.table, field.name)
    if field.indexed:
        spec["index"] = index_name(entity.table, field.name)
    if _needs_constant(field, python_type):
        assert field.default is not None
        spec["constant"] = _constant(field.name, field.default)
        spec["default_value"] = constant_name(field.name)
    return spec


def _choices_constant(field: Field) -> str | None:
    """``STATUS_CHOICES = ("open", "closed")`` at module level, wrapped to fit."""
    if field.choices is None:
        return None
    name, values = choices_constant(field.name), [py_str(c) for c in field.choices]
    line = f"{name} = ({', '.join(values)})"
    if width(line) <= LINE_LENGTH:
        return line
    return "\n".join([f"{name} = (", *(f"    {value}," for value in values), ")"])


def _needs_constant(field: Field, python_type: str) -> bool:
    """A default that is a call ruff refuses, or too long for a parameter line."""
    if field.default is None or field.default == "None":
        return False
    longest = f"        {field.name}: {python_type} = {field.default},"
    return FIELD_TYPES[field.type].default_as_constant or width(longest) > LINE_LENGTH


def _constant(field_name: str, source: str) -> str:
    """``NAME_DEFAULT = <source>`` at module level, wrapped to fit."""
    name = constant_name(field_name)
    if source.startswith('"'):
        return string_constant(name, ast.literal_eval(source))
    return fit(f"{name} = {source}")
