"""Why did ``updated_at`` move? Every path a write can take, and the listeners.

- The domain: ``touch()`` and the ``update_<field>()`` methods.
- A repository ``save()``/``save_all()`` of a changed entity the domain did not
  touch, and ``update_timestamp_only()``.
- :func:`stamp_unset_updated_at`: a row changed through the ORM (unit of work)
  without moving ``updated_at`` itself.
- :func:`stamp_bulk_updates`: an ORM ``update()`` statement that does not set
  ``updated_at`` itself (``update_where()`` is one).
- :func:`.parent_touch.touch_referenced_parents`: a child row written with a
  ``touch: true`` reference to this row.

Each computes the new value with :func:`~...domain.clock.next_updated_at`:
now, but strictly later than the stored value. Inside ``no_touching()`` none of
them moves anything. :func:`install_timestamp_listeners` is the one place the
listeners are registered; :mod:`..database` calls it for every session factory.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.dml import Update

from ...domain.clock import utc_now
from ...domain.touching import touching_suppressed
from .parent_touch import forget_rolled_back_touches, touch_referenced_parents
from .stamps import stamp_for_rows, table_of
from .timestamp_mixin import TimestampMixin


def install_timestamp_listeners(factory: sessionmaker[Session]) -> None:
    """Register every timestamp listener: on the models once, on ``factory``'s sessions."""
    for name, listener in (
        ("before_insert", fill_unset_timestamps),
        ("before_update", stamp_unset_updated_at),
    ):
        if not event.contains(TimestampMixin, name, listener):
            event.listen(TimestampMixin, name, listener, propagate=True)
    event.listen(factory, "do_orm_execute", stamp_bulk_updates)
    event.listen(factory, "before_flush", touch_referenced_parents)
    event.listen(factory, "after_soft_rollback", forget_rolled_back_touches)
    event.listen(factory, "after_soft_rollback", expire_after_a_savepoint_rollback)


def expire_after_a_savepoint_rollback(
    session: Session, previous_transaction: SessionTransaction
) -> None:
    """After a savepoint rolls back, every loaded row is read again when next used.

    Repositories, bulk statements and parent touches write rows with UPDATE
    statements and put the new values on the loaded rows themselves; the session
    does not know that the savepoint changed those rows, so it would go on
    showing what the database rolled back.
    """
    if previous_transaction.nested:
        session.expire_all()


def fill_unset_timestamps(
    mapper: Mapper[Any], connection: Connection, target: TimestampMixin
) -> None:
    """A row inserted without timestamps gets one reading of the clock for both."""
    if target.created_at is None:
        target.created_at = target.updated_at or utc_now()
    if target.updated_at is None:
        target.updated_at = target.created_at


def stamp_unset_updated_at(
    mapper: Mapper[Any], connection: Connection, target: TimestampMixin
) -> None:
    """A row changed through the ORM without moving ``updated_at`` gets it moved."""
    if touching_suppressed():
        return
    state = inspect(target)
    if state.attrs.updated_at.history.has_changes():
        return
    if any(state.attrs[column.key].history.has_changes() for column in mapper.column_attrs):
        table = table_of(mapper.class_)
        this_row = and_(
            *(
                column == value
                for column, value in zip(
                    mapper.primary_key, mapper.primary_key_from_instance(target), strict=True
                )
            )
        )
        target.updated_at = stamp_for_rows(connection, table, this_row)


def stamp_bulk_updates(execute_state: ORMExecuteState) -> None:
    """Add one ``updated_at`` to an ORM ``update()`` statement that sets none.

    The stamp is later than that of every row the statement matches. A
    statement that sets ``updated_at`` in any form (a value, a bound parameter,
    a column expression, per-row parameters) keeps it.
    """
    mapper = execute_state.bind_mapper
    statement = execute_state.statement
    if (
        not execute_state.is_update
        or mapper is None
        or not issubclass(mapper.class_, TimestampMixin)
        or not isinstance(statement, Update)
        or touching_suppressed()
        or _sets_updated_at(statement)
    ):
        return
    table = table_of(mapper.class_)
    connection = execute_state.session.connection(bind_arguments=execute_state.bind_arguments)
    parameters = execute_state.parameters
    if isinstance(parameters, list):
        # Bulk UPDATE by primary key: one parameter set per row.
        if all("updated_at" in row for row in parameters):
            return
        primary_key = mapper.primary_key[0]
        ids = [row[primary_key.key] for row in parameters]
        stamp = stamp_for_rows(connection, table, primary_key.in_(ids))
        execute_state.parameters = [{"updated_at": stamp, **row} for row in parameters]
    elif not (isinstance(parameters, Mapping) and "updated_at" in parameters):
        stamp = stamp_for_rows(connection, table, statement.whereclause)
        execute_state.statement = statement.values(updated_at=stamp)


def _sets_updated_at(statement: Update) -> bool:
    """Whether ``statement``'s SET clause names ``updated_at`` (in whatever form)."""
    return any(getattr(column, "key", column) == "updated_at" for column in statement._values or ())
