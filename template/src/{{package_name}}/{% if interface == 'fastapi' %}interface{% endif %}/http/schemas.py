"""The request and response bodies of an entity, derived from the entity class itself.

The declared fields, their types and their defaults are read from the entity's
dataclass, so the schemas follow the answers without a second copy. The rules
of the values (lengths, choices, required fields) are the domain's: a value
that breaks one is refused by the entity, and answered 422 naming the field.
"""

import operator
from dataclasses import MISSING, Field, fields
from datetime import datetime
from functools import reduce
from types import GenericAlias, UnionType
from typing import Annotated, Any, NamedTuple, get_args, get_type_hints
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Strict, create_model

from ...domain.base_entity import BaseTimestampEntity

# The fields every entity has, which the entity and its repository manage.
MANAGED_FIELDS: dict[str, type] = {
    "id": UUID,
    "created_at": datetime,
    "updated_at": datetime,
    "version": int,
}
# Request bodies refuse unknown keys.
REQUEST_BODY = ConfigDict(extra="forbid")
# Types whose values are taken only as JSON numbers and booleans: "1" is no int,
# "yes" no bool. (Dates, UUIDs and decimals come as JSON strings.)
STRICT_TYPES = (int, float, bool)


class EntitySchemas(NamedTuple):
    """The bodies of one entity's routes."""

    create: type[BaseModel]
    changes: type[BaseModel]
    read: type[BaseModel]
    page: type[BaseModel]


SCHEMAS: dict[type[BaseTimestampEntity], EntitySchemas] = {}


def entity_schemas(entity_type: type[BaseTimestampEntity]) -> EntitySchemas:
    """The schemas of ``entity_type``, made once: ``<Name>Create``, ``<Name>Changes``, ...

    ``Create`` has the declared fields, with the entity's defaults; ``Changes``
    has each of them optional (the fields a PATCH sets); ``<Name>`` adds the
    managed fields (id, timestamps, version) to the declared ones; ``<Name>Page``
    is one page of a listing with the total count.
    """
    known = SCHEMAS.get(entity_type)
    if known is None:
        name = entity_type.__name__
        declared = _declared_fields(entity_type)
        create = _model(
            f"{name}Create",
            REQUEST_BODY,
            {field.name: (_request_type(kind), _default(field)) for field, kind in declared},
        )
        changes = _model(
            f"{name}Changes",
            REQUEST_BODY,
            {field.name: (_request_type(kind) | None, None) for field, kind in declared},
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


def _request_type(kind: Any) -> Any:
    """``kind`` as a request body takes it: numbers and booleans strictly."""
    if kind in STRICT_TYPES:
        return Annotated[kind, Strict()]
    if isinstance(kind, UnionType):
        return reduce(operator.or_, [_request_type(member) for member in get_args(kind)])
    return kind


def _default(field: Field[Any]) -> Any:
    """The field's default, or ``...`` (required) when it has none."""
    return ... if field.default is MISSING else field.default


def _model(name: str, config: ConfigDict | None, definitions: dict[str, Any]) -> type[BaseModel]:
    return create_model(name, __config__=config, **definitions)
