"""The request and response bodies of an entity, derived from the entity class itself.

The declared fields, their types and their defaults are read from the entity's
dataclass, so the schemas follow the answers without a second copy; what the
annotations do not say (a str field's ``max_length``, an enum field's choices, a
field type's pattern) comes from the entity's :class:`FieldRules`. Request values
state the domain's limits (see :mod:`.values`); a value the domain still refuses
(a text over TEXT_MAX_BYTES bytes) is answered 422 naming the field.
"""

import operator
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, fields
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import reduce
from types import GenericAlias, UnionType
from typing import Any, NamedTuple, get_args, get_type_hints
from uuid import UUID

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as SchemaField

from ...domain.base_entity import BaseTimestampEntity
from .values import REQUEST_TYPES, choice, matching, string

# The fields every entity has, which the entity and its repository manage.
MANAGED_FIELDS: dict[str, type] = {
    "id": UUID,
    "created_at": datetime,
    "updated_at": datetime,
    "version": int,
}
# Request bodies refuse unknown keys.
REQUEST_BODY = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class FieldRules:
    """What an entity's annotations do not say, by field: str lengths, enum choices and
    the patterns of the types that have one."""

    max_length: Mapping[str, int] = dataclass_field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    patterns: Mapping[str, str] = dataclass_field(default_factory=dict)


class EntitySchemas(NamedTuple):
    """The bodies of one entity's routes."""

    create: type[BaseModel]
    changes: type[BaseModel]
    read: type[BaseModel]
    page: type[BaseModel]


class ErrorBody(BaseModel):
    """What went wrong, in a sentence naming the entity and the rule."""

    detail: str


SCHEMAS: dict[type[BaseTimestampEntity], EntitySchemas] = {}


def entity_schemas(
    entity_type: type[BaseTimestampEntity], rules: FieldRules | None = None
) -> EntitySchemas:
    """The schemas of ``entity_type``, made once: ``<Name>Create``, ``<Name>Changes``, ...

    ``Create`` has the declared fields, with the entity's defaults; ``Changes``
    has each of them optional (the fields a PATCH sets), nullable only when the
    field is; ``<Name>`` adds the managed fields (id, timestamps, version) to the
    declared ones; ``<Name>Page`` is one page of a listing with the total count.
    """
    known = SCHEMAS.get(entity_type)
    if known is None:
        name = entity_type.__name__
        declared = _declared_fields(entity_type)
        request = {
            field.name: _request_type(field.name, kind, rules or FieldRules())
            for field, kind in declared
        }
        create = _model(
            f"{name}Create",
            REQUEST_BODY,
            {field.name: (request[field.name], _default(field)) for field, _ in declared},
        )
        # Absent from a PATCH means unchanged: no default in the document.
        unchanged = SchemaField(default=None, json_schema_extra=_without_default)
        changes = _model(
            f"{name}Changes",
            REQUEST_BODY,
            {field.name: (request[field.name], unchanged) for field, _ in declared},
        )
        managed = {field: (kind, ...) for field, kind in MANAGED_FIELDS.items()}
        read = _model(name, None, managed | {field.name: (kind, ...) for field, kind in declared})
        page = _model(
            f"{name}Page",
            None,
            {
                "items": (GenericAlias(list, (read,)), ...),
                "total": (int, ...),
                "limit": (int, ...),
                "offset": (int, ...),
            },
        )
        known = SCHEMAS[entity_type] = EntitySchemas(create, changes, read, page)
    return known


def to_body(schema: type[BaseModel], entity: BaseTimestampEntity) -> BaseModel:
    """``entity`` as the response body ``schema``."""
    return schema.model_validate({name: getattr(entity, name) for name in schema.model_fields})


def _declared_fields(entity_type: type[BaseTimestampEntity]) -> list[tuple[Field[Any], Any]]:
    hints = get_type_hints(entity_type)
    return [
        (field, hints[field.name])
        for field in fields(entity_type)
        if field.init and field.name not in MANAGED_FIELDS
    ]


def _request_type(name: str, kind: Any, rules: FieldRules) -> Any:
    """``kind`` as a request body takes it, within the limits (see :mod:`.values`)."""
    if isinstance(kind, UnionType):
        return reduce(
            operator.or_, [_request_type(name, member, rules) for member in get_args(kind)]
        )
    if name in rules.choices and kind is str:
        return choice(rules.choices[name])
    if name in rules.patterns and kind is str:
        return matching(rules.patterns[name])
    if kind is str:
        return string(rules.max_length.get(name))
    return REQUEST_TYPES.get(kind, kind)


def _default(field: Field[Any]) -> Any:
    """The field's default, or ``...`` (required) when it has none."""
    return ... if field.default is MISSING else field.default


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _model(name: str, config: ConfigDict | None, definitions: dict[str, Any]) -> type[BaseModel]:
    return create_model(name, __config__=config, **definitions)
