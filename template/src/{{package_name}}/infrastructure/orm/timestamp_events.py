"""The ORM safety net: rows and statements written past the repositories get timestamps.

The repositories decide every write they make through
:mod:`..repositories.write_path`: they mark the rows they flush decided
(:func:`decided_rows`), and their statements set ``updated_at`` whenever they
touch; the net leaves both alone. For anything else written
through an ORM session it asks the same write path, with the touch flag read
once when the flush or statement starts:

- :func:`stamp_flush` (``before_flush``): a new row gets the timestamps it
  lacks (:func:`~..repositories.write_path.fill_unset`); a row changed without
  moving ``updated_at`` is stamped later than its stored value; the parents
  the written rows reference with ``touch: true`` are touched.
- :func:`stamp_statement` (``do_orm_execute``): an ORM ``update()`` statement
  that sets no ``updated_at`` gets one, later than every row it matches.

:func:`install_timestamp_listeners` is the one place the listeners are
registered; :mod:`..database` calls it for every session factory.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain

from sqlalchemy import and_, event, inspect
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    SessionTransaction,
    UOWTransaction,
    sessionmaker,
)
from sqlalchemy.sql.dml import Update

from ..repositories.write_path import Parent, fill_unset, stamp_row, stamp_rows, touching
from .entity_model import EntityModel
from .parent_touch import forget_rolled_back_touches, touch_parents
from .stamps import table_of
from .timestamp_mixin import TimestampMixin

# Key in a row's ``InstanceState.info`` while a write path's flush writes it.
DECIDED = "timestamps_decided"


def install_timestamp_listeners(factory: sessionmaker[Session]) -> None:
    """Register the safety net and the rollback listeners on ``factory``'s sessions."""
    event.listen(factory, "before_flush", stamp_flush)
    event.listen(factory, "do_orm_execute", stamp_statement)
    event.listen(factory, "after_soft_rollback", forget_rolled_back_touches)
    event.listen(factory, "after_soft_rollback", expire_after_a_savepoint_rollback)


@contextmanager
def decided_rows(rows: Iterable[object]) -> Iterator[None]:
    """Inside the block, the flush leaves ``rows`` to the write path that decided them."""
    states = [inspect(row) for row in rows]
    for state in states:
        state.info[DECIDED] = True
    try:
        yield
    finally:
        for state in states:
            state.info.pop(DECIDED, None)


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


def stamp_flush(session: Session, flush_context: UOWTransaction | None, instances: object) -> None:
    """``before_flush`` listener: timestamps and parent touches of undecided rows."""
    touch = touching()
    new = [row for row in session.new if _undecided(row)]
    changed = [row for row in session.dirty if _undecided(row) and session.is_modified(row)]
    for row in new:
        fill_unset(row)
    if touch:
        for row in changed:
            _stamp_changed(session, row)
        deleted = [row for row in session.deleted if _undecided(row)]
        touch_parents(session, _referenced_parents(chain(new, changed, deleted)))


def _undecided(row: object) -> bool:
    """Whether ``row`` has timestamps and no write path decided its write."""
    return isinstance(row, TimestampMixin) and not inspect(row).info.get(DECIDED)


def _stamp_changed(session: Session, row: TimestampMixin) -> None:
    """A row changed without moving ``updated_at``: stamped later than its stored value."""
    state = inspect(row)
    if state.attrs.updated_at.history.has_changes():
        return
    mapper = state.mapper
    this_row = and_(
        *(
            column == value
            for column, value in zip(
                mapper.primary_key, mapper.primary_key_from_instance(row), strict=True
            )
        )
    )
    stamp_row(session.connection(), row, this_row)


def _referenced_parents(rows: Iterable[TimestampMixin]) -> set[Parent]:
    """The parents the written ``rows`` reference with ``touch: true``, before and after."""
    parents: set[Parent] = set()
    for row in rows:
        if not isinstance(row, EntityModel):
            continue
        state = inspect(row)
        for column, parent_model in row.touched_parents.items():
            history = state.attrs[column].history
            ids = [*history.added, *history.deleted] or [getattr(row, column)]
            parents.update((parent_model, parent_id) for parent_id in ids if parent_id)
    return parents


def stamp_statement(execute_state: ORMExecuteState) -> None:
    """``do_orm_execute`` listener: one ``updated_at`` for an ORM ``update()`` that sets none.

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
        or _sets_updated_at(statement)
        or not touching()
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
        stamp = stamp_rows(connection, table, primary_key.in_(ids))
        execute_state.parameters = [{"updated_at": stamp, **row} for row in parameters]
    elif not (isinstance(parameters, Mapping) and "updated_at" in parameters):
        stamp = stamp_rows(connection, table, statement.whereclause)
        execute_state.statement = statement.values(updated_at=stamp)


def _sets_updated_at(statement: Update) -> bool:
    """Whether ``statement``'s SET clause names ``updated_at`` (in whatever form)."""
    return any(getattr(column, "key", column) == "updated_at" for column in statement._values or ())
