"""One field of an entity: its keys, name, type and options, checked."""

from __future__ import annotations

import re
from typing import Any

from . import reserved
from .errors import AnswerError
from .field_types import FIELD_TYPES
from .model import DEFAULT_ON_DELETE, FIELD_KEYS, ON_DELETE_ACTIONS, Field
from .naming import NAME_LIMIT, PASCAL_CASE, SNAKE_CASE, check_identifier

DEFAULT_MAX_LENGTH = 255
# MariaDB keeps a row's VARCHAR columns within 65,535 bytes, at 4 bytes a
# character (utf8mb4): one str field, and all str fields of an entity together,
# hold at most this many characters.
MAX_LENGTH_LIMIT = 15_000
# MariaDB indexes at most 3,072 bytes of a key: a unique str holds at most 768 characters.
UNIQUE_MAX_LENGTH_LIMIT = 768
# An enum choice: letters, digits, spaces, "_", "." and "-", starting with a letter or
# digit and not ending in a space; such text needs no escaping in Python, SQL, YAML,
# TOML or Markdown.
CHOICE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9 _.-]*[A-Za-z0-9_.-])?")
CHOICE_LIMIT = 64
# Names that hold secrets: such a field is sensitive whatever its answer says.
SECRET_NAME = re.compile(
    r"(^|_)(password|passwd|passphrase|secret|token|api_key|private_key|credentials?)(_|$)"
)


def check_keys(where: str, item: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise AnswerError(
            f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys are {', '.join(sorted(allowed))}"
        )


def check_bool(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise AnswerError(f"{where}: {key} {value!r} must be true or false")
    return value


def parse_field(entity_name: str, index: int, raw: Any) -> Field:
    """The field ``raw`` (the ``index``-th of ``entity_name``), or AnswerError."""
    where = f"entity {entity_name!r}, field #{index}"
    if not isinstance(raw, dict):
        raise AnswerError(f"{where} must be a mapping with name and type, got {raw!r}")
    check_keys(where, raw, FIELD_KEYS)
    if "name" not in raw:
        raise AnswerError(f"{where} has no name")
    name = check_identifier(
        f"field name in entity {entity_name!r}", raw["name"], SNAKE_CASE, "snake_case"
    )
    where = f"entity {entity_name!r}, field {name!r}"
    _check_name(where, name)
    if "type" not in raw:
        raise AnswerError(f"{where} has no type; choose one of {', '.join(FIELD_TYPES)}")
    type_name = raw["type"]
    if not isinstance(type_name, str) or type_name not in FIELD_TYPES:
        raise AnswerError(
            f"{where}: unknown type {type_name!r}; choose one of {', '.join(FIELD_TYPES)}"
        )
    field = Field(
        name=name,
        type=type_name,
        nullable=check_bool(where, "nullable", raw.get("nullable", False)),
        unique=check_bool(where, "unique", raw.get("unique", False)),
        indexed=check_bool(where, "index", raw.get("index", False)),
        max_length=_max_length(where, type_name, raw),
        sensitive=_sensitive(where, name, raw),
    )
    _parse_reference(where, field, raw)
    _parse_choices(where, field, raw)
    refusal = FIELD_TYPES[type_name].unique_refusal
    if field.unique and refusal:
        raise AnswerError(
            f"{where}: unique is not supported on {type_name} fields ({refusal}); drop unique"
        )
    if field.unique and field.max_length and field.max_length > UNIQUE_MAX_LENGTH_LIMIT:
        raise AnswerError(
            f"{where}: max_length {field.max_length} is too long for a unique field: MariaDB "
            f"indexes at most {UNIQUE_MAX_LENGTH_LIMIT} characters"
        )
    _check_index(where, field)
    _parse_default(where, field, raw)
    return field


def _sensitive(where: str, name: str, raw: dict[str, Any]) -> bool:
    """Whether audit logs must never show the field's values."""
    secret = bool(SECRET_NAME.search(name))
    if "sensitive" not in raw:
        return secret
    value = check_bool(where, "sensitive", raw["sensitive"])
    if secret and not value:
        raise AnswerError(
            f"{where}: sensitive false is refused: a field named like a password, secret or "
            "token is always sensitive"
        )
    return value


def _check_index(where: str, field: Field) -> None:
    """``index: true`` where every backend can index the column."""
    if not field.indexed:
        return
    refusal = FIELD_TYPES[field.type].index_refusal
    if refusal:
        raise AnswerError(f"{where}: index is not supported on {field.type} fields ({refusal})")
    if field.unique:
        raise AnswerError(f"{where}: a unique field is already indexed; drop index")
    if field.max_length and field.max_length > UNIQUE_MAX_LENGTH_LIMIT:
        raise AnswerError(
            f"{where}: max_length {field.max_length} is too long for an indexed field: MariaDB "
            f"indexes at most {UNIQUE_MAX_LENGTH_LIMIT} characters"
        )


def _check_name(where: str, name: str) -> None:
    if name in reserved.FIELD_NAMES:
        raise AnswerError(
            f"{where}: the name {name!r} is reserved: every entity already has "
            "it (id, created_at, updated_at, version, the timestamp methods, and the "
            "attributes of the generated model classes)"
        )
    if name in reserved.shadowing_names():
        raise AnswerError(
            f"{where}: the name {name!r} would shadow a type or helper the generated "
            "code uses; choose a more specific name"
        )
    if len(name) > NAME_LIMIT:
        raise AnswerError(f"{where}: the name is longer than {NAME_LIMIT} characters")


def _max_length(where: str, type_name: str, raw: dict[str, Any]) -> int | None:
    if "max_length" not in raw:
        return DEFAULT_MAX_LENGTH if type_name == "str" else None
    if type_name != "str":
        raise AnswerError(f"{where}: max_length is only allowed on str fields, not {type_name}")
    value = raw["max_length"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AnswerError(f"{where}: max_length {value!r} must be a positive integer")
    if value > MAX_LENGTH_LIMIT:
        raise AnswerError(
            f"{where}: max_length {value} is over {MAX_LENGTH_LIMIT:,}, the most MariaDB "
            "stores in a VARCHAR row; use a text field"
        )
    return value


def _parse_reference(where: str, field: Field, raw: dict[str, Any]) -> None:
    """The entity a ref field references, whether saving touches it, and its on_delete."""
    if field.type != "ref":
        for key in ("to", "touch", "on_delete"):
            if key in raw:
                raise AnswerError(f"{where}: {key} is only allowed on ref fields, not {field.type}")
        return
    if not field.name.endswith("_id"):
        raise AnswerError(
            f"{where}: a ref field holds the id of another entity, so its name must end "
            f"in _id (e.g. {field.name}_id)"
        )
    if "to" not in raw:
        raise AnswerError(f"{where}: a ref field needs to: the name of the entity it references")
    target = raw["to"]
    if not isinstance(target, str) or not PASCAL_CASE.fullmatch(target):
        raise AnswerError(f"{where}: to {target!r} must name a declared entity (PascalCase)")
    field.to = target
    field.touch = check_bool(where, "touch", raw.get("touch", False))
    field.on_delete = _on_delete(where, field, raw.get("on_delete", DEFAULT_ON_DELETE))


def _on_delete(where: str, field: Field, value: Any) -> str:
    """What deleting the referenced row does to this one: restrict, cascade or set_null."""
    if not isinstance(value, str) or value not in ON_DELETE_ACTIONS:
        raise AnswerError(
            f"{where}: on_delete {value!r} must be one of {', '.join(ON_DELETE_ACTIONS)}"
        )
    if value == "set_null" and not field.nullable:
        raise AnswerError(
            f"{where}: on_delete 'set_null' needs nullable: true (the database sets the "
            "reference to NULL when the referenced row is deleted)"
        )
    return value


def _parse_choices(where: str, field: Field, raw: dict[str, Any]) -> None:
    """The values an enum field accepts."""
    if field.type != "enum":
        if "choices" in raw:
            raise AnswerError(f"{where}: choices is only allowed on enum fields, not {field.type}")
        return
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise AnswerError(
            f"{where}: an enum field needs choices: a list of at least two values, got {choices!r}"
        )
    for choice in choices:
        valid = isinstance(choice, str) and bool(CHOICE.fullmatch(choice))
        if not valid or len(choice) > CHOICE_LIMIT:
            raise AnswerError(
                f"{where}: choice {choice!r} must be 1 to {CHOICE_LIMIT} letters, digits, "
                "spaces, '_', '.' or '-', starting with a letter or digit and not ending in "
                "a space"
            )
    duplicates = sorted({choice for choice in choices if choices.count(choice) > 1})
    if duplicates:
        raise AnswerError(f"{where}: choices lists {', '.join(map(repr, duplicates))} twice")
    field.choices = list(choices)


def _parse_default(where: str, field: Field, raw: dict[str, Any]) -> None:
    if "default" not in raw:
        field.default = "None" if field.nullable else None
        return
    value = raw["default"]
    if value is None:
        if not field.nullable:
            raise AnswerError(f"{where}: default null needs nullable: true")
        field.default = "None"
        return
    try:
        field.default = FIELD_TYPES[field.type].parse_default(value, field.max_length)
    except ValueError as error:
        raise AnswerError(f"{where}: default {value!r} {error}") from error
    pattern = FIELD_TYPES[field.type].pattern
    if pattern is not None and re.fullmatch(pattern, str(value)) is None:
        raise AnswerError(f"{where}: default {value!r} does not match the {field.type} pattern")
    if field.choices is not None and value not in field.choices:
        raise AnswerError(
            f"{where}: default {value!r} is not one of the choices "
            f"{', '.join(map(repr, field.choices))}"
        )
    if field.unique:
        raise AnswerError(f"{where}: a unique field cannot have a default")
