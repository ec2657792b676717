"""The ``entities`` answer: each entity's name, description and fields, and the whole list."""

from __future__ import annotations

import keyword
from typing import Any

from . import reserved
from .errors import AnswerError
from .model import ENTITY_KEYS, Entity
from .naming import (
    NAME_LIMIT,
    PASCAL_CASE,
    check_constraint,
    check_identifier,
    constraint_name,
    foreign_key,
    index_name,
    snake_case,
    unique_constraint,
)
from .parse_fields import MAX_LENGTH_LIMIT, check_keys, parse_field
from .parse_indexes import parse_indexes
from .questions import text_error
from .references import check_references


def parse_entities(value: Any) -> list[Entity]:
    """Validate the ``entities`` answer; the parsed entities, or AnswerError."""
    if not isinstance(value, list) or not value:
        raise AnswerError(f"entities {value!r} must be a non-empty YAML list of entities")
    entities = [parse_entity(number, item) for number, item in enumerate(value, 1)]
    _check_against_each_other(entities)
    check_references(entities)
    for entity in entities:
        for field in entity.references:
            assert field.ref_table
            constraint_name(
                f"entity {entity.name!r}",
                "foreign key",
                foreign_key(entity.snake, field.name, field.ref_table),
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
    _check_fields(entity)
    entity.indexes = parse_indexes(entity, raw.get("indexes", []))
    return entity


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
    fixed = reserved.fixed_paths()
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
    for field in entity.fields:
        if field.unique:
            constraint_name(
                f"entity {name!r}", "constraint", unique_constraint(entity.snake, field.name)
            )
        if field.indexed:
            constraint_name(f"entity {name!r}", "index", index_name(entity.snake, field.name))
        if field.choices:
            constraint_name(
                f"entity {name!r}", "constraint", check_constraint(entity.snake, field.name)
            )
    total = sum(field.max_length or 0 for field in entity.fields if field.type == "str")
    if total > MAX_LENGTH_LIMIT:
        raise AnswerError(
            f"entity {name!r}: its str fields hold {total:,} characters together, over "
            f"{MAX_LENGTH_LIMIT:,}, the most MariaDB stores in one row; use text fields "
            "or shorter max_length"
        )


def _check_against_each_other(entities: list[Entity]) -> None:
    module_owner: dict[str, str] = {}
    class_owner: dict[str, str] = {}
    path_owner: dict[str, str] = {}
    for entity in entities:
        if entity.name in module_owner.values():
            raise AnswerError(f"entity {entity.name!r} is declared twice")
        if entity.snake in module_owner:
            raise AnswerError(
                f"entities {module_owner[entity.snake]!r} and {entity.name!r} both map "
                f"to the module and table {entity.snake!r}"
            )
        module_owner[entity.snake] = entity.name
        for class_name in reserved.entity_classes(entity.name):
            if class_name in class_owner:
                raise AnswerError(
                    f"entity {entity.name!r} generates the class {class_name!r}, which "
                    f"entity {class_owner[class_name]!r} also generates"
                )
            class_owner[class_name] = entity.name
        for path in reserved.entity_paths(entity.snake):
            if path in path_owner:
                raise AnswerError(
                    f"entity {entity.name!r} generates the file {path}, which entity "
                    f"{path_owner[path]!r} also generates"
                )
            path_owner[path] = entity.name
