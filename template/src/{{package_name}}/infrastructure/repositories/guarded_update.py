"""The guarded UPDATE a repository writes a held row with.

A repository that read a row in the current transaction writes a changed
entity with one UPDATE instead of reading the row again. The UPDATE matches
the row only at the version it was read at and, when it moves ``updated_at``,
only while the stored ``updated_at`` is earlier than the new one: a concurrent
writer that moved the row on makes it match nothing, and the repository then
reads the row again. Every value is a bound parameter, so a repository builds
the two statements of a model once.
"""

from typing import Any

from sqlalchemy import Update, bindparam, update
from sqlalchemy.sql.elements import BindParameter

from ...domain.base_entity import BaseTimestampEntity
from ..orm.entity_model import EntityModel
from ..orm.stamps import table_of


def guarded_update(
    entity_type: type[BaseTimestampEntity], model_type: type[EntityModel], *, touching: bool
) -> Update:
    """The UPDATE of one held row of ``model_type`` with every field of ``entity_type``.

    Parameters: ``row_id``, ``read_version``, ``new_version``, ``new_<field>`` per
    field and, with ``touching``, ``stamp`` (the new ``updated_at``).
    """
    table = table_of(model_type)
    guard = [table.c.id == bindparam("row_id"), table.c.version == bindparam("read_version")]
    if touching:
        guard.append(table.c.updated_at < bindparam("stamp"))
    values: dict[str, BindParameter[Any]] = {
        name: bindparam(f"new_{name}") for name in entity_type.field_names() if name != "version"
    }
    values["version"] = bindparam("new_version")
    return update(table).where(*guard).values(values)
