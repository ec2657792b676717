"""The history writer: at commit, each change of a row whose entity keeps its history.

:func:`write_history` runs in the outbox's commit step (:func:`.outbox.write_outbox`),
on the same changes, in the same transaction: every write path that reaches the
outbox (the repositories, ORM flushes and statements, parent touches, repairs)
reaches the history too, and a transaction that rolls back leaves none. A save
that changes nothing records no change, so it adds no history row.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from ..domain.changes import ChangeKind
from .orm.entity_model import EntityModel
from .orm.history_tables import HISTORY_OWN
from .orm.models import HISTORY_TABLES
from .row_change import OUTBOX_WORK, RowChange


def write_history(connection: Connection, changes: Sequence[RowChange]) -> None:
    """Add a history row for each of ``changes`` whose entity keeps its history."""
    rows: dict[Table, list[dict[str, Any]]] = {}
    for change in changes:
        table = HISTORY_TABLES.get(change.model)
        if table is not None:
            rows.setdefault(table, []).append(history_row(change, COLUMNS[table]))
    for table, table_rows in rows.items():
        connection.execute(insert(table), table_rows, execution_options=OUTBOX_WORK)


@dataclass(frozen=True)
class HistoryColumns:
    """The entity columns of a history table: those that keep values, and the hidden."""

    kept: tuple[str, ...]
    # A sensitive field's: always None.
    hidden: tuple[str, ...]


def history_columns(model: type[EntityModel], table: Table) -> HistoryColumns:
    sensitive = model.sensitive_fields()
    names = [column.key for column in table.columns if column.key not in HISTORY_OWN]
    return HistoryColumns(
        tuple(name for name in names if name not in sensitive),
        tuple(name for name in names if name in sensitive),
    )


COLUMNS = {table: history_columns(model, table) for model, table in HISTORY_TABLES.items()}


def history_row(change: RowChange, columns: HistoryColumns) -> dict[str, Any]:
    """The history row that keeps ``change``: the row's values after it.

    Every column but ``history_id`` is given (a batch INSERT needs the same keys
    in each row): a sensitive field's is None, and so is every field's in a
    delete's row.
    """
    values = {} if change.kind is ChangeKind.DELETED else change.values
    row = {name: values.get(name) for name in columns.kept}
    row.update(dict.fromkeys(columns.hidden))
    row.update(
        history_change=str(change.kind),
        history_actor=change.actor,
        history_fields=",".join(change.fields),
        id=change.entity_id,
        version=change.version,
        updated_at=change.updated_at,
    )
    return row


def prune_history(
    session_factory: sessionmaker[Session], before: datetime, batch_size: int
) -> Iterator[tuple[str, int]]:
    """Delete the history rows stamped before ``before``, ``batch_size`` rows a transaction.

    The entry in force of a row that still exists stays, however old: its last
    one, unless that is its delete. Yields each batch's table and number of
    rows, once the batch is committed.
    """
    for table in HISTORY_TABLES.values():
        later = table.alias("later")
        superseded = (
            select(later.c.history_id)
            .where(later.c.id == table.c.id, later.c.history_id > table.c.history_id)
            .exists()
        )
        query = (
            select(table.c.history_id)
            .where(table.c.updated_at < before)
            .where(superseded | (table.c.history_change == str(ChangeKind.DELETED)))
            .order_by(table.c.history_id)
            .limit(batch_size)
        )
        while True:
            with session_factory.begin() as session:
                connection = session.connection()
                ids = list(connection.scalars(query))
                if ids:
                    connection.execute(delete(table).where(table.c.history_id.in_(ids)))
            if ids:
                yield table.name, len(ids)
            if len(ids) < batch_size:
                break
