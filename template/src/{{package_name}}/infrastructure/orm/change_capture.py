"""The changes of entity rows that ORM flushes and ORM statements write, for the outbox.

The repositories record the changes of the statements they write themselves
(marked with the execution option :data:`RECORDED`); everything else written
through a session from :func:`..database.create_session_factory` is recorded
here, whoever wrote it:

- :func:`capture_flush` (``after_flush``): the rows a flush inserted, changed
  or deleted, with the rows the database deleted with them (``on_delete:
  cascade``, found before the flush by :func:`capture_cascades`, which also
  empties the ``set_null`` references to every row deleted, as an UPDATE the
  capture records);
- :func:`capture_statement` (``do_orm_execute``): the rows an INSERT, UPDATE or
  DELETE statement on an entity's table wrote: ``update_where()``, emptied
  ``set_null`` references, a team's ``session.execute(update(TaskModel)...)``.

Before either writes, :mod:`.refused_writes` refuses what could not be recorded
or is made for no one where the entity requires an actor.

SQL sent as a string (``text()``, ``exec_driver_sql()``) is not inspected, nor
statements run on the session's Connection (``session.connection().execute()``)
or inside a SELECT (a data-modifying CTE).
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import BindParameter, Row, Table, event, inspect, select
from sqlalchemy.engine import Connection, Result
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.sql.dml import Delete, Insert, Update

from ...domain.exceptions import DatabaseException
from ..bound_ids import in_pieces
from ..outbox import record_changes
from ..repositories.write_path import touching
from ..row_change import OUTBOX_WORK, RowChange, changed, created, deleted
from .entity_model import EntityModel
from .on_delete import empty_references, references_to
from .refused_writes import MODEL_OF_TABLE, refuse_flush, refuse_statement, set_columns
from .stamps import table_of

# Execution options of a statement whose writer records its changes itself.
RECORDED = {"outbox_recorded": True}
# session.info key of the rows a flush's deletes cascade to, found before the flush.
CASCADED = "outbox_cascaded"


def install_change_capture(factory: sessionmaker[Session]) -> None:
    """Record the changes of ``factory``'s sessions' flushes and ORM statements."""
    # First of all listeners: the safety net's stamps and parent touches write too.
    event.listen(factory, "before_flush", refuse_flush, insert=True)
    event.listen(factory, "do_orm_execute", refuse_statement, insert=True)
    event.listen(factory, "before_flush", capture_cascades)
    event.listen(factory, "after_flush", capture_flush)
    event.listen(factory, "do_orm_execute", capture_statement)


def row_values(row: EntityModel) -> dict[str, Any]:
    """The column values of a loaded ``row``."""
    return {column.key: getattr(row, column.key) for column in table_of(type(row)).columns}


def capture_cascades(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    """``before_flush`` listener: the rows the flush's deletes will make the database delete."""
    deleting = [row for row in session.deleted if isinstance(row, EntityModel)]
    # Set at every flush: a flush that failed leaves no tombstones for the next one.
    session.info[CASCADED] = [
        change for row in deleting for change in cascaded(session, type(row), [row.id])
    ]


def capture_flush(session: Session, flush_context: UOWTransaction) -> None:
    """``after_flush`` listener: the rows the flush inserted, changed and deleted."""
    changes = [
        created(type(row), row_values(row)) for row in session.new if isinstance(row, EntityModel)
    ]
    for row in session.dirty:
        if isinstance(row, EntityModel) and session.is_modified(row):
            fields = [attr.key for attr in inspect(row).attrs if attr.history.has_changes()]
            changes.append(changed(type(row), row_values(row), fields))
    for row in session.deleted:
        if isinstance(row, EntityModel):
            changes.append(deleted(type(row), row))
    changes += session.info.pop(CASCADED, [])
    record_changes(session, changes)


def capture_statement(execute_state: ORMExecuteState) -> Result[Any] | None:
    """``do_orm_execute`` listener: the rows an INSERT, UPDATE or DELETE on an entity writes."""
    statement = execute_state.statement
    if execute_state.execution_options.get("outbox_recorded") or not isinstance(
        statement, Insert | Update | Delete
    ):
        return None
    model = MODEL_OF_TABLE.get(cast(Table, statement.table))
    if model is None:
        return None
    session = execute_state.session
    connection = session.connection(bind_arguments=execute_state.bind_arguments)
    parameters = execute_state.parameters
    batch = parameters if isinstance(parameters, list) else None
    if isinstance(statement, Insert):
        result = execute_state.invoke_statement()
        ids = inserted_ids(statement, batch or [parameters or {}])
        changes = [created(model, row._asdict()) for row in stored_rows(connection, model, ids)]
    elif isinstance(statement, Update):
        fields = set_columns(statement, parameters)
        ids = written_ids(connection, statement, batch, parameters)
        result = execute_state.invoke_statement()
        check_all_seen(model, "update", result, ids)
        changes = [
            changed(model, row._asdict(), fields) for row in stored_rows(connection, model, ids)
        ]
    else:
        ids = written_ids(connection, statement, None, parameters)
        changes = [deleted(model, row) for row in stored_rows(connection, model, ids)]
        changes += cascaded(session, model, ids)
        result = execute_state.invoke_statement()
        check_all_seen(model, "delete", result, ids)
    record_changes(session, changes)
    return result


def inserted_ids(statement: Insert, parameters: list[dict[str, Any]]) -> list[UUID]:
    """The ids an INSERT gives its rows: in its parameters, or in its ``values()``
    (a ``bindparam()`` there: in the parameters under its name)."""
    rows: list[Mapping[Any, Any]] = [*parameters]
    if statement._values:
        rows.append(statement._values)
    for values in statement._multi_values:
        rows += cast(Sequence[Mapping[Any, Any]], values)
    ids = []
    for row in rows:
        for key, value in row.items():
            if getattr(key, "key", key) != "id":
                continue
            if isinstance(value, BindParameter) and value.value is None:
                ids += [given[value.key] for given in parameters if value.key in given]
            else:
                ids.append(getattr(value, "value", value))
    return ids


def check_all_seen(
    model: type[EntityModel], operation: str, result: Result[Any], ids: Sequence[UUID]
) -> None:
    """Refuse a statement that wrote more rows than were matched when its rows were read.

    A row another transaction committed between the two would have no change in the
    feed; the caller's transaction fails instead, and can be run again.
    """
    written = getattr(result, "rowcount", -1)
    if written > len(ids):
        raise DatabaseException(
            operation,
            model.entity_name(),
            f"the statement wrote {written} rows, {len(ids)} of which matched when its "
            "rows were read: a row committed in between would be missing from the change "
            "feed; run the transaction again",
        )


def written_ids(
    connection: Connection,
    statement: Update | Delete,
    batch: list[dict[str, Any]] | None,
    parameters: Any,
) -> list[UUID]:
    """The ids of the rows ``statement`` matches (a batch by primary key: its rows' ids).

    The rows are read with a locking read, so none of them changes before the statement.
    """
    table = statement.table
    if batch is not None:
        return [row["id"] for row in batch]
    query = select(table.c.id).with_for_update()
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    return list(connection.scalars(query, parameters or {}, execution_options=OUTBOX_WORK))


def stored_rows(
    connection: Connection, model: type[EntityModel], ids: Sequence[UUID]
) -> Iterator[Row[Any]]:
    """The rows of ``model`` with ``ids``, as they are now, in the order of ``ids``."""
    table = table_of(model)
    for chunk in in_pieces(ids):
        query = select(table).where(table.c.id.in_(chunk))
        rows = {row.id: row for row in connection.execute(query, execution_options=OUTBOX_WORK)}
        yield from (rows[row_id] for row_id in chunk if row_id in rows)


def cascaded(session: Session, model: type[EntityModel], ids: Sequence[UUID]) -> list[RowChange]:
    """The tombstones of the rows deleting ``model``'s rows ``ids`` deletes, however deep.

    Each deleted row that others reference is locked first (``FOR UPDATE``), so no
    transaction adds a reference to it that the database would cascade to, or empty,
    unrecorded. The ``SET NULL`` references to every row the delete removes are then
    emptied (:func:`.on_delete.empty_references`), so those changes are recorded too.
    The tombstones come first: a delete refused for one of them (ActorRequired) has
    written nothing yet.
    """
    changes: list[RowChange] = []
    deleting: list[tuple[type[EntityModel], Sequence[UUID]]] = [(model, ids)]
    pending = list(deleting)
    connection = session.connection()
    while pending:
        parent, parent_ids = pending.pop()
        cascading = references_to(parent, "CASCADE")
        if cascading or references_to(parent, "SET NULL"):
            table = table_of(parent)
            for chunk in in_pieces(parent_ids):
                lock = select(table.c.id).where(table.c.id.in_(chunk)).with_for_update()
                connection.execute(lock, execution_options=OUTBOX_WORK)
        for child, column in cascading:
            table = table_of(child)
            query = select(table.c.id, table.c.version, table.c.updated_at, table.c.created_at)
            rows = [
                row
                for chunk in in_pieces(parent_ids)
                for row in connection.execute(
                    query.where(table.c[column].in_(chunk)), execution_options=OUTBOX_WORK
                )
            ]
            changes += [deleted(child, row) for row in rows]
            if rows:
                pending.append((child, [row.id for row in rows]))
                deleting.append(pending[-1])
    empty_references(session, deleting, touch=touching())
    return changes
