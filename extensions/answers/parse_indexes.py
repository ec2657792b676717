"""An entity's ``indexes``: indexes and unique constraints over several of its fields."""

from __future__ import annotations

from typing import Any

from .errors import AnswerError
from .field_types import FIELD_TYPES
from .model import INDEX_KEYS, CompositeIndex, Entity
from .naming import composite_index_name, constraint_name
from .parse_fields import UNIQUE_MAX_LENGTH_LIMIT, check_bool, check_keys


def parse_indexes(entity: Entity, raw: Any) -> list[CompositeIndex]:
    """The composite indexes ``raw`` declares for ``entity``, or AnswerError."""
    where = f"entity {entity.name!r}"
    if not isinstance(raw, list):
        raise AnswerError(f"{where}: indexes {raw!r} must be a list of {{fields, unique}}")
    fields = {field.name: field for field in entity.fields}
    indexes: list[CompositeIndex] = []
    for number, item in enumerate(raw, 1):
        at = f"{where}, index #{number}"
        if not isinstance(item, dict):
            raise AnswerError(f"{at} must be a mapping with fields, got {item!r}")
        check_keys(at, item, INDEX_KEYS)
        names = item.get("fields")
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(name, str) for name in names)
        ):
            raise AnswerError(
                f"{at}: fields {names!r} must list at least two fields (one field: use its "
                "index or unique option)"
            )
        for name in names:
            if name not in fields:
                raise AnswerError(
                    f"{at}: {name!r} is not a field of {entity.name}; declared are "
                    + ", ".join(fields)
                )
            refusal = FIELD_TYPES[fields[name].type].index_refusal
            if fields[name].type == "text" and refusal:
                raise AnswerError(f"{at}: field {name!r} is text ({refusal})")
        if len(set(names)) != len(names):
            raise AnswerError(f"{at}: fields {names!r} lists a field twice")
        if sum(fields[name].max_length or 0 for name in names) > UNIQUE_MAX_LENGTH_LIMIT:
            raise AnswerError(
                f"{at}: its str fields hold more than {UNIQUE_MAX_LENGTH_LIMIT} characters "
                "together, more than MariaDB indexes"
            )
        index = CompositeIndex(list(names), check_bool(at, "unique", item.get("unique", False)))
        if any(other.fields == index.fields for other in indexes):
            raise AnswerError(f"{at}: the fields {names!r} are indexed twice")
        constraint_name(at, "index", composite_index_name(entity.table, index.fields, index.unique))
        indexes.append(index)
    return indexes
