"""The history writer: at commit, each change of a row whose entity keeps its history.

:func:`write_history` runs in the outbox's commit step (:func:`.outbox.write_outbox`),
on the same changes, in the same transaction: every write path that reaches the
outbox (the repositories, ORM flushes and statements, parent touches, repairs)
reaches the history too, and a transaction that rolls back leaves none. A save
that changes nothing records no change, so it adds no history row.

The values a history row keeps are the row's after its change. For the last
change of a row in the transaction (not a delete) they are the row's values at
commit, so the database copies them itself (``INSERT ... SELECT``, one statement
per kind of change and up to :data:`.bound_ids.IDS_PER_STATEMENT` rows): a 10,000-row
``update_where()`` sends ids, not values. Earlier changes of a row, and deletes,
are sent with their values, before the copies, so a row's entries keep the
order of its changes. SQL the change capture does not see (``text()``) is no
change of its own: a row it changed later in the transaction is copied as the
commit finds it; one it deleted keeps the values its last change recorded.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, delete, insert, null, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from ..domain.changes import ChangeKind
from .bound_ids import in_pieces
from .orm.entity_model import EntityModel
from .orm.history_tables import HISTORY_OWN
from .orm.models import HISTORY_TABLES
from .orm.stamps import table_of
from .row_change import OUTBOX_WORK, RowChange

# An INSERT's rowcount is kept only when asked: a copy compares it with its ids.
COUNTED = {**OUTBOX_WORK, "preserve_rowcount": True}

# Changes whose rows the database copies alike: the entity, and the change's own columns.
CopyKey = tuple[type[EntityModel], ChangeKind, str | None, tuple[str, ...]]


def write_history(connection: Connection, changes: Sequence[RowChange]) -> None:
    """Add a history row for each of ``changes`` whose entity keeps its history."""
    kept = [change for change in changes if change.model in HISTORY_TABLES]
    last = {(change.model, change.entity_id): change for change in kept}
    sent: list[RowChange] = []
    copied: dict[CopyKey, list[RowChange]] = {}
    for change in kept:
        if change.kind is not ChangeKind.DELETED and last[change.model, change.entity_id] is change:
            key = (change.model, change.kind, change.actor, change.fields)
            copied.setdefault(key, []).append(change)
        else:
            sent.append(change)
    send(connection, sent)
    for (model, kind, actor, fields), group in copied.items():
        own = {"change": str(kind), "actor": actor, "fields": ",".join(fields)}
        for chunk in in_pieces(group):
            parameters = {**own, "ids": [change.entity_id for change in chunk]}
            result = connection.execute(COPIES[model], parameters, execution_options=COUNTED)
            if result.rowcount < len(chunk):
                send(connection, not_stored(connection, chunk))


def send(connection: Connection, changes: Sequence[RowChange]) -> None:
    """Insert the history rows of ``changes`` with the values they recorded."""
    rows: dict[Table, list[dict[str, Any]]] = {}
    for change in changes:
        table = HISTORY_TABLES[change.model]
        rows.setdefault(table, []).append(history_row(change, COLUMNS[table]))
    for table, table_rows in rows.items():
        connection.execute(insert(table), table_rows, execution_options=OUTBOX_WORK)


def not_stored(connection: Connection, changes: Sequence[RowChange]) -> list[RowChange]:
    """Those of ``changes`` whose row is gone: deleted by SQL the change capture does
    not see (``text()``); their entries keep the values the changes recorded."""
    table = table_of(changes[0].model)
    ids = [change.entity_id for change in changes]
    stored = set(connection.scalars(select(table.c.id).where(table.c.id.in_(ids))))
    return [change for change in changes if change.entity_id not in stored]


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


def copy_statement(model: type[EntityModel], table: Table) -> Insert:
    """``INSERT INTO <history> SELECT``: the ``model`` rows with the ids ``:ids`` as
    they are now, with the change's ``:change``, ``:actor`` and ``:fields``."""
    rows, columns = table_of(model), COLUMNS[table]
    kept = [rows.c[name] for name in columns.kept]
    hidden = [null().label(name) for name in columns.hidden]
    own = [
        bindparam(parameter, type_=table.c[f"history_{parameter}"].type)
        for parameter in ("change", "actor", "fields")
    ]
    query = select(*kept, *hidden, *own).where(rows.c.id.in_(bindparam("ids", expanding=True)))
    names = [*columns.kept, *columns.hidden, "history_change", "history_actor", "history_fields"]
    return insert(table).from_select(names, query)


COPIES = {model: copy_statement(model, table) for model, table in HISTORY_TABLES.items()}


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
