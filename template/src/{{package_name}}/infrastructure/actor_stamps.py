"""The actor columns (``actor_columns: true``), written at commit from the recorded changes.

:func:`write_actor_columns` runs in the outbox's commit step, on the same
changes as the outbox and the history: a created row gets its actor in
``created_by`` and ``updated_by``, a changed row in ``updated_by``, in the
order the changes were made (the last change of a row names its actor last).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.engine import Connection

from ..domain.changes import ChangeKind
from .orm.actor_columns import ActorColumns
from .orm.stamps import table_of
from .row_change import OUTBOX_WORK, RowChange

# Which columns a change of each kind names its actor in.
STAMPED = {ChangeKind.CREATED: ("created_by", "updated_by"), ChangeKind.CHANGED: ("updated_by",)}


def write_actor_columns(connection: Connection, changes: Sequence[RowChange]) -> None:
    """Name each change's actor in its row's actor columns, when its entity has them."""
    batches: dict[tuple[Table, ChangeKind], list[dict[str, Any]]] = {}
    for change in changes:
        if issubclass(change.model, ActorColumns) and change.kind in STAMPED:
            key = (table_of(change.model), change.kind)
            batches.setdefault(key, []).append({"row_id": change.entity_id, "actor": change.actor})
    # Created rows first: a row created and changed in one transaction ends with its changer.
    for (table, kind), rows in sorted(
        batches.items(), key=lambda item: item[0][1] != ChangeKind.CREATED
    ):
        connection.execute(actor_update(table, kind), rows, execution_options=OUTBOX_WORK)


def actor_update(table: Table, kind: ChangeKind) -> Update:
    """The UPDATE that names the actor of a ``kind`` change of a ``table`` row."""
    columns: dict[str, Any] = dict.fromkeys(STAMPED[kind], bindparam("actor"))
    return update(table).where(table.c.id == bindparam("row_id")).values(columns)
