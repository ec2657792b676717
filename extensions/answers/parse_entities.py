"""The ``entities`` answer: each entity's name, description and fields, and the whole list."""

from __future__ import annotations

import keyword
from typing import Any

from . import reserved
from .collisions import SERVICE_TABLES, check_against_each_other
from .errors import AnswerError
from .model import (
    ACTOR_COLUMNS,
    ACTOR_LIMIT,
    ENTITY_KEYS,
    HISTORY_COLUMNS,
    HISTORY_VARCHARS,
    Entity,
)
from .naming import (
    IDENTIFIER_LIMIT,
    NAME_LIMIT,
    PASCAL_CASE,
    SNAKE_CASE,
    check_constraint,
    check_identifier,
    constraint_name,
    foreign_key,
    index_name,
    snake_case,
    unique_constraint,
)
from .parse_fields import MAX_LENGTH_LIMIT, check_bool, check_keys, parse_field
from .parse_indexes import parse_indexes
from .questions import text_error
from .references import check_references


def parse_entities(value: Any) -> list[Entity]:
    """Validate the ``entities`` answer; the parsed entities, or AnswerError."""
    if not isinstance(value, list) or not value:
        raise AnswerError(f"entities {value!r} must be a non-empty YAML list of entities")
    entities = [parse_entity(number, item) for number, item in enumerate(value, 1)]
    check_against_each_other(entities)
    check_references(entities)
    tables = {entity.name: entity.table for entity in entities}
    for entity in entities:
        for field in entity.references:
            assert field.to
            field.ref_table = tables[field.to]
            constraint_name(
                f"entity {entity.name!r}",
                "foreign key",
                foreign_key(entity.table, field.name, field.ref_table),
            )
    return entities


def parse_entity(index: int, raw: Any) -> Entity:
    """The ``index``-th entity of the answer, or AnswerError."""
    if not isinstance(raw, dict):
        raise AnswerError(f"entity #{index} must be a mapping with name and fields, got {raw!r}")
    check_keys(f"entity #{index}", raw, ENTITY_KEYS)
    if "name" not in raw:
        raise AnswerError(f"entity #{index} has no name")
    name = check_identifier("entity name", raw["name"], PASCAL_CASE, "PascalCase")
    _check_name(name)
    description = raw.get("description") or ""
    message = text_error(description, f"entity {name!r}: description")
    if message:
        raise AnswerError(message)
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise AnswerError(f"entity {name!r} needs a non-empty list of fields")
    entity = Entity(
        name=name,
        description=description.strip(),
        fields=[parse_field(name, number, item) for number, item in enumerate(raw_fields, 1)],
    )
    _parse_adoption(entity, raw)
    where = f"entity {name!r}"
    entity.history = check_bool(where, "history", raw.get("history", False))
    entity.actor_columns = check_bool(where, "actor_columns", raw.get("actor_columns", False))
    entity.require_actor = check_bool(where, "require_actor", raw.get("require_actor", False))
    _check_fields(entity)
    entity.indexes = parse_indexes(entity, raw.get("indexes", []))
    return entity


def _parse_adoption(entity: Entity, raw: dict[str, Any]) -> None:
    """``existing_table``, ``legacy_created_at`` and ``legacy_triggers`` of ``entity``."""
    where = f"entity {entity.name!r}"
    if "existing_table" not in raw:
        for key in ("legacy_created_at", "legacy_triggers"):
            if key in raw:
                raise AnswerError(
                    f"{where}: {key} is only allowed with existing_table (the table it adopts)"
                )
        return
    table = _snake_identifier(where, "existing_table", raw["existing_table"], NAME_LIMIT)
    if table in SERVICE_TABLES or table in reserved.shadowing_names():
        raise AnswerError(
            f"{where}: existing_table {table!r} is a name the service already uses; "
            "an existing table of that name cannot be adopted"
        )
    entity.existing_table = table
    if "legacy_created_at" in raw:
        column = _snake_identifier(where, "legacy_created_at", raw["legacy_created_at"], NAME_LIMIT)
        declared = {field.name: field for field in entity.fields}
        if column not in declared or declared[column].type != "datetime":
            raise AnswerError(
                f"{where}: legacy_created_at {column!r} must name a declared datetime field "
                "(the legacy column created_at is taken from)"
            )
        entity.legacy_created_at = column
    triggers = raw.get("legacy_triggers", [])
    if not isinstance(triggers, list):
        raise AnswerError(f"{where}: legacy_triggers {triggers!r} must be a list of trigger names")
    names = [
        _snake_identifier(where, "legacy trigger", name, IDENTIFIER_LIMIT) for name in triggers
    ]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise AnswerError(f"{where}: legacy_triggers lists {', '.join(map(repr, twice))} twice")
    entity.legacy_triggers = names


def _snake_identifier(where: str, what: str, value: Any, limit: int) -> str:
    """``value`` when it is a lower-case SQL name of at most ``limit`` characters."""
    name = check_identifier(f"{where}: {what}", value, SNAKE_CASE, "snake_case")
    if len(name) > limit:
        raise AnswerError(f"{where}: {what} {name!r} is longer than {limit} characters")
    return name


def _check_name(name: str) -> None:
    snake = snake_case(name)
    if keyword.iskeyword(snake):
        raise AnswerError(
            f"entity name {name!r} maps to the module name {snake!r}, which is a Python keyword"
        )
    if len(snake) > NAME_LIMIT:
        raise AnswerError(
            f"entity name {name!r} is longer than {NAME_LIMIT} characters as {snake!r}"
        )
    taken = reserved.class_names()
    if name in taken:
        raise AnswerError(
            f"entity name {name!r} is reserved: the generated code already uses a class "
            "of that name"
        )
    for class_name in reserved.entity_classes(name):
        if class_name in taken:
            raise AnswerError(
                f"entity name {name!r} is reserved: its class {class_name!r} would take the "
                "name of a class the generated code already uses; choose another name"
            )
    fixed = reserved.FIXED_FILES
    for path in reserved.entity_paths(snake):
        if path in fixed:
            raise AnswerError(
                f"entity name {name!r} maps to the module name {snake!r}, which the generated "
                f"layers already use ({path} is a file of every service); choose a more "
                "specific name"
            )


def _check_fields(entity: Entity) -> None:
    name, names = entity.name, [field.name for field in entity.fields]
    seen: set[str] = set()
    for field_name in names:
        if field_name in seen:
            raise AnswerError(f"entity {name!r} declares the field {field_name!r} twice")
        seen.add(field_name)
    for field_name in names:
        if f"update_{field_name}" in seen:
            raise AnswerError(
                f"entity {name!r}: field 'update_{field_name}' collides with the "
                f"update method generated for field {field_name!r}"
            )
    if entity.actor_columns and entity.existing_table:
        raise AnswerError(
            f"entity {name!r}: actor_columns is not available with existing_table (an "
            "adopted table keeps the columns it has); leave one of them out"
        )
    if entity.actor_columns:
        for field_name in names:
            if field_name in ACTOR_COLUMNS:
                raise AnswerError(
                    f"entity {name!r}: the field name {field_name!r} is a column "
                    "actor_columns: true adds; choose another name"
                )
    if entity.history:
        for field_name in names:
            if field_name in HISTORY_COLUMNS:
                raise AnswerError(
                    f"entity {name!r}: the field name {field_name!r} is a column the history "
                    f"table {entity.history_table!r} keeps for itself (history: true); "
                    "choose another name"
                )
    sensitive = [field.name for field in entity.fields if field.sensitive]
    if sensitive and "field" in seen:
        raise AnswerError(
            f"entity {name!r}: the field name 'field' would shadow dataclasses.field, which "
            f"keeps the sensitive field(s) {', '.join(map(repr, sensitive))} out of the "
            "repr; choose a more specific name"
        )
    for field in entity.fields:
        if field.unique:
            constraint_name(
                f"entity {name!r}", "constraint", unique_constraint(entity.table, field.name)
            )
        if field.indexed:
            constraint_name(f"entity {name!r}", "index", index_name(entity.table, field.name))
        if field.choices:
            constraint_name(
                f"entity {name!r}", "constraint", check_constraint(entity.table, field.name)
            )
    total = sum(field.max_length or 0 for field in entity.fields if field.type == "str")
    # The history table's row has them too, and its own actor and change columns;
    # actor_columns adds two VARCHARs.
    total += len(ACTOR_COLUMNS) * ACTOR_LIMIT if entity.actor_columns else 0
    kept = HISTORY_VARCHARS if entity.history else 0
    if total + kept > MAX_LENGTH_LIMIT:
        raise AnswerError(
            f"entity {name!r}: its str fields hold {total:,} characters together"
            + (f" ({kept} more in its history table)" if kept else "")
            + f", over {MAX_LENGTH_LIMIT:,}, the most MariaDB stores in one row; use "
            "text fields or shorter max_length"
        )
