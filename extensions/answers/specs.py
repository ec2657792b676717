"""The entity specs: the parsed answers with every name, type and sample the templates need.

Specs are plain dictionaries (copier records them as JSON). The templates write
the code themselves; the specs only hold the values that go into it.
"""

from __future__ import annotations

import re
from typing import Any

from .field_specs import field_spec
from .field_types import FIELD_TYPES
from .imports import (
    ANY,
    CLASS_VAR,
    COUNT,
    DATACLASS,
    DATACLASS_FIELD,
    ENTITY_MODEL,
    FOREIGN_KEY,
    MODEL_BASE,
    PAGE_SIZE,
    TABLE_OPTIONS,
    UTC_DATETIME,
    names_used_by,
)
from .model import ACTOR_COLUMNS, ACTOR_LIMIT, Entity, Field
from .naming import (
    composite_index_name,
    http_path,
    snake_case,
)
from .python_source import (
    LINE_LENGTH,
    isort_key,
    py_str,
    python_imports,
    width,
)
from .references import referenced_tables, repositories_tested_with


def entity_specs(entities: list[Entity]) -> list[dict[str, Any]]:
    """The specs of ``entities``, in declaration order."""
    return [entity_spec(entity) for entity in entities]


def entity_spec(entity: Entity) -> dict[str, Any]:
    """What the templates need of one entity."""
    fields = [field_spec(entity, field) for field in entity.fields]
    indexes = [
        {
            "fields": index.fields,
            "unique": index.unique,
            "name": composite_index_name(entity.table, index.fields, index.unique),
        }
        for index in entity.indexes
    ]
    types = {field.type for field in entity.fields}
    touched = [spec for spec in fields if spec["touch"]]
    defaults = [spec["default"] or "" for spec in fields]
    type_imports = {FIELD_TYPES[t].python_import for t in types} - {None}
    value_imports = {*type_imports, *names_used_by(defaults)}
    return {
        "name": entity.name,
        "snake": entity.snake,
        "table": entity.table,
        "existing_table": entity.existing_table,
        "legacy_created_at": entity.legacy_created_at,
        "legacy_triggers": entity.legacy_triggers,
        "history": entity.history,
        "history_table": entity.history_table if entity.history else None,
        "actor_columns": entity.actor_columns,
        "require_actor": entity.require_actor,
        # The columns actor_columns adds, as fields of the migrations (never of the domain).
        "actor_fields": [
            {
                **field_spec(entity, Field(name, "str", nullable=True, max_length=ACTOR_LIMIT)),
                "actor": True,
            }
            for name in (ACTOR_COLUMNS if entity.actor_columns else ())
        ],
        "sensitive_fields": [field.name for field in entity.fields if field.sensitive],
        # Where the HTTP interface (interface: fastapi) serves the entity.
        "http_path": http_path(entity.snake),
        "description": entity.description or f"A {entity.name} of this service.",
        "fields": fields,
        "references": [spec for spec in fields if spec["to"]],
        "touched_parents": touched,
        "referenced": [
            {"snake": snake_case(n), "table": t, "name": n} for t, n in referenced_tables(entity)
        ],
        "repositories_tested_with": repositories_tested_with(entity),
        "on_delete_actions": sorted({f.on_delete for f in entity.references if f.on_delete}),
        "constants": [spec for spec in fields if spec["constant"]],
        "indexes": indexes,
        # ruff format keeps one index on one line when it fits (no magic trailing comma).
        "table_args_one_line": len(indexes) == 1
        and width(f"    __table_args__ = ({_table_arg(indexes[0])}, TABLE_OPTIONS)") <= LINE_LENGTH,
        "choices_constants": [spec for spec in fields if spec["choices_constant"]],
        # The model imports them from the domain, in the order isort wants.
        "choices_names": sorted(
            (spec["choices_name"] for spec in fields if spec["choices_name"]), key=isort_key
        ),
        "checkers": sorted({spec["checker"] for spec in fields}),
        "domain_imports": python_imports(
            {DATACLASS, CLASS_VAR, *value_imports}
            | ({DATACLASS_FIELD} if any(field.sensitive for field in entity.fields) else set())
        ),
        # The service's signature needs the types, and the defaults it does not import.
        "value_imports": python_imports(
            {*type_imports, *names_used_by([s["default_value"] or "" for s in fields])}
        ),
        # The service's imports from the domain, in the order isort wants.
        "service_domain_imports": python_imports(
            {
                (f"..domain.{entity.snake}", entity.name),
                *(
                    (f"..domain.{entity.snake}_fields", s["default_value"])
                    for s in fields
                    if s["constant"]
                ),
                *([PAGE_SIZE] if entity.references else []),
            }
        ),
        "model_value_imports": python_imports(
            {
                *type_imports,
                *([CLASS_VAR] if touched or entity.history or entity.require_actor else []),
            }
        ),
        "model_imports": sorted(
            {FIELD_TYPES[t].column_import or "" for t in types} - {""}
            | ({FOREIGN_KEY[1]} if entity.references else set())
            | ({"Index"} if any(not i.unique for i in entity.indexes) else set())
            | ({"UniqueConstraint"} if any(i.unique for i in entity.indexes) else set())
        ),
        "orm_imports": _orm_imports(entity, types),
        "factory_imports": _factory_imports(fields),
        "has_datetime": "datetime" in types,
        "has_unique": any(field.unique for field in entity.fields),
        # The test factory counts its calls (``n``) when a unique sample needs it.
        "uses_counter": _uses_counter(fields),
        # A field that can hold a short SQL-looking string, for the injection test.
        "text_field": next(
            (
                f.name
                for f in entity.fields
                if f.type == "text" or (f.type == "str" and (f.max_length or 0) >= 32)
            ),
            None,
        ),
    }


def _table_arg(index: dict[str, Any]) -> str:
    """What the model's ``__table_args__`` holds for ``index`` (as its template writes it)."""
    columns = ", ".join(py_str(name) for name in index["fields"])
    if index["unique"]:
        return f'UniqueConstraint({columns}, name="{index["name"]}")'
    return f'Index("{index["name"]}", {columns})'


def _orm_imports(entity: Entity, types: set[str]) -> list[str]:
    pairs = {ENTITY_MODEL, TABLE_OPTIONS}
    if "datetime" in types:
        pairs.add(UTC_DATETIME)
    if entity.actor_columns:
        pairs.add((".actor_columns", "ActorColumns"))
    for field in entity.references:
        if field.touch:
            pairs.add((f".{snake_case(field.to)}_model", f"{field.to}Model"))
    return python_imports(pairs)


def _factory_imports(fields: list[dict[str, Any]]) -> list[str]:
    """Imports the sample values in the test factory use."""
    sources = [
        source
        for spec in fields
        for source in (spec["sample"], spec["changed"], *(value for value, _ in spec["invalid"]))
    ]
    needed = {*names_used_by(sources), ANY}
    if _uses_counter(fields):
        needed.add(COUNT)
    return python_imports(needed)


def _uses_counter(fields: list[dict[str, Any]]) -> bool:
    return any(re.search(r"(?<![\w.])n(?![\w(])", spec["sample"]) for spec in fields)


def backfill_imports(fields: list[dict[str, Any]]) -> list[str]:
    """Imports a migration needs to write the defaults of ``fields``."""
    return python_imports(set(names_used_by([f["default"] or "" for f in fields])))


def model_imports(entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(module, name) pairs for ``orm/models.py``, in the order ruff's isort wants."""
    pairs = [MODEL_BASE, ("history_tables", "history_tables")]
    pairs += [(f"{e['snake']}_model", f"{e['name']}Model") for e in entities]
    return sorted(pairs)
