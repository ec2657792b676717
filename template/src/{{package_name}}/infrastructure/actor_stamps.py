"""The actor columns (``actor_columns: true``), written at commit from the recorded changes.

:func:`write_actor_columns` runs in the outbox's commit step, on the same
changes as the outbox and the history: a created row gets its actor in
``created_by`` and ``updated_by``, a changed row in ``updated_by``; a row
changed several times in the transaction names the actor of its last change.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.engine import Connection

from ..domain.changes import ChangeKind
from .orm.actor_columns import ActorColumns
from .orm.stamps import table_of
from .row_change import OUTBOX_WORK, RowChange

# Which columns a change of each kind names its actor in.
STAMPED = {ChangeKind.CREATED: ("created_by", "updated_by"), ChangeKind.CHANGED: ("updated_by",)}


def write_actor_columns(connection: Connection, changes: Sequence[RowChange]) -> None:
    """Name each change's actor in its row's actor columns, when its entity has them.

    What each row ends with is worked out first, in the order of the changes: a
    row deleted and created again in the transaction names its new creator.
    """
    ending: dict[tuple[Table, UUID], dict[str, str | None]] = {}
    for change in changes:
        if not issubclass(change.model, ActorColumns):
            continue
        row = (table_of(change.model), change.entity_id)
        if change.kind is ChangeKind.DELETED:
            ending.pop(row, None)
        elif change.kind in STAMPED:
            ending.setdefault(row, {}).update(dict.fromkeys(STAMPED[change.kind], change.actor))
    batches: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = {}
    for (table, row_id), columns in ending.items():
        parameters = {f"new_{name}": actor for name, actor in columns.items()}
        batches.setdefault((table, tuple(sorted(columns))), []).append(
            {"row_id": row_id, **parameters}
        )
    for (table, names), rows in batches.items():
        connection.execute(actor_update(table, names), rows, execution_options=OUTBOX_WORK)


def actor_update(table: Table, names: tuple[str, ...]) -> Update:
    """The UPDATE that sets a ``table`` row's actor columns ``names`` (``:new_<name>``)."""
    columns: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
    return update(table).where(table.c.id == bindparam("row_id")).values(columns)
