"""History tables: every change of the rows of an entity declared with ``history: true``.

An entity's history table (``<entity>_history``) has the entity's columns (but
``created_by`` and ``updated_by``: ``history_actor`` says who), all but ``id``,
``version`` and ``updated_at`` nullable and none constrained, and four of its own:

- ``history_id``: numbers the changes in the order they were committed;
- ``history_change``: what happened (a :class:`...domain.changes.ChangeKind`);
- ``history_actor``: who was acting (``acting_as()``), if anyone;
- ``history_fields``: the declared fields the change wrote, comma-separated.

Each row holds the row's values after the change; a sensitive field's column
stays NULL, and a delete's row (the last) holds no values. The template's
migrations create the table and add a column to it with every field added to
the entity; the tables here are built from the models, so the two agree (the
migration tests compare them).
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Column, Enum, Index, Integer, String, Table, Text
from sqlalchemy.types import TypeEngine

from .base import Base
from .entity_model import TABLE_OPTIONS, EntityModel
from .stamps import table_of

# BIGINT on the servers; on SQLite only INTEGER PRIMARY KEY numbers rows by itself.
HISTORY_ID = BigInteger().with_variant(Integer(), "sqlite")
# The history table's own columns.
HISTORY_OWN = frozenset({"history_id", "history_change", "history_actor", "history_fields"})
# The entity's columns that every history row has a value for.
ALWAYS_SET = frozenset({"id", "version", "updated_at"})


def history_table(model: type[EntityModel]) -> Table:
    """The history table of ``model``'s rows, in ``Base.metadata``."""
    name = model.history_table_name
    if name is None:
        raise ValueError(f"{model.entity_name()} keeps no history (history: true is not set)")
    copied = [
        Column(column.key, _unconstrained(column.type), nullable=column.key not in ALWAYS_SET)
        for column in table_of(model).columns
        if not column.info.get("actor_column")
    ]
    return Table(
        name,
        Base.metadata,
        Column("history_id", HISTORY_ID, primary_key=True, autoincrement=True),
        Column("history_change", String(20), nullable=False),
        Column("history_actor", String(200)),
        Column("history_fields", Text(), nullable=False),
        *copied,
        # Within the identifier limit for every entity name (at most 40 characters).
        Index(f"ix_{name}_id", "id", "history_id"),
        Index(f"ix_{name}_updated_at", "updated_at"),
        # SQLite would hand out a deleted (pruned) last id again without AUTOINCREMENT.
        sqlite_autoincrement=True,
        **TABLE_OPTIONS,
    )


def history_tables(models: Iterable[type[EntityModel]]) -> dict[type[EntityModel], Table]:
    """The history table of each of ``models`` that keeps one."""
    return {model: history_table(model) for model in models if model.history_table_name}


def _unconstrained(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    """``column_type`` without a constraint: an enum's column is a plain VARCHAR."""
    if isinstance(column_type, Enum):
        return String(column_type.length)
    return column_type
