"""The ORM safety net: fills timestamps the application left unset, never more.

Unit-of-work flushes go through mapper events. ORM ``update()`` statements do
not fire mapper events (SQLAlchemy has no bulk-update events), so
:func:`stamp_bulk_updates` is a session ``do_orm_execute`` listener that adds
``updated_at`` to them. :func:`touch_referenced_parents` is a ``before_flush``
listener that moves the ``updated_at`` of the rows a written row references with
``touch: true``. :mod:`..database` installs both on every session factory.
"""

from collections.abc import Iterable
from itertools import chain
from typing import Any
from uuid import UUID

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.util import identity_key

from ...domain.clock import RESOLUTION, utc_now
from ...domain.touching import touching_suppressed
from .entity_model import EntityModel
from .timestamp_mixin import TimestampMixin

# session.info key: the transaction, and the parent rows touched in it.
TOUCHED_IN_TRANSACTION = "touched_parents"


@event.listens_for(TimestampMixin, "before_insert", propagate=True)
def fill_unset_timestamps(
    mapper: Mapper[Any], connection: Connection, target: TimestampMixin
) -> None:
    """A row inserted without timestamps gets one reading of the clock for both."""
    if target.created_at is None:
        target.created_at = target.updated_at or utc_now()
    if target.updated_at is None:
        target.updated_at = target.created_at


@event.listens_for(TimestampMixin, "before_update", propagate=True)
def fill_unset_updated_at(
    mapper: Mapper[Any], connection: Connection, target: TimestampMixin
) -> None:
    """A changed row whose ``updated_at`` the application did not move gets it moved.

    Inside ``no_touching()`` it stays.
    """
    if touching_suppressed():
        return
    state = inspect(target)
    if state.attrs.updated_at.history.has_changes():
        return
    changed = any(state.attrs[column.key].history.has_changes() for column in mapper.column_attrs)
    if changed:
        target.updated_at = max(utc_now(), target.updated_at + RESOLUTION)


def stamp_bulk_updates(execute_state: ORMExecuteState) -> None:
    """Add ``updated_at`` to ORM ``update()`` statements on timestamped models.

    Inside ``no_touching()`` statements keep what they set.
    """
    mapper = execute_state.bind_mapper
    if not execute_state.is_update or mapper is None or touching_suppressed():
        return
    if not issubclass(mapper.class_, TimestampMixin):
        return
    now = utc_now()
    parameters = execute_state.parameters
    if isinstance(parameters, list):
        # Bulk UPDATE by primary key: one parameter set per row.
        execute_state.parameters = [
            {"updated_at": now, **row_parameters} for row_parameters in parameters
        ]
    elif "updated_at" not in execute_state.statement.compile().params:
        execute_state.statement = execute_state.statement.values(updated_at=now)


def touch_referenced_parents(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    """Move ``updated_at`` of every parent a new, changed or deleted row references.

    Only references declared with ``touch: true`` (``touched_parents`` on the
    model) count; a changed reference touches the old parent and the new one.
    Each parent moves once per transaction, however many of its children are
    written, to a moment later than its stored ``updated_at``; its ``version``
    stays, because none of its own fields changed. Nothing moves inside
    ``no_touching()``.
    """
    if touching_suppressed():
        return
    changed = [row for row in session.dirty if session.is_modified(row)]
    references: set[tuple[type[EntityModel], UUID]] = set()
    for row in chain(session.new, changed, session.deleted):
        if not isinstance(row, EntityModel):
            continue
        state = inspect(row)
        for column, parent_model in row.touched_parents.items():
            history = state.attrs[column].history
            ids = [*history.added, *history.deleted] or [getattr(row, column)]
            references.update((parent_model, parent_id) for parent_id in ids if parent_id)
    # A parent inserted or changed in this flush gets its updated_at from its own write.
    being_written = {(type(row), row.id) for row in chain(session.new, changed)}
    touch_parents(session, references - being_written)


def touch_parents(session: Session, parents: Iterable[tuple[type[EntityModel], UUID]]) -> None:
    """Move each parent row's ``updated_at`` forward, once per transaction."""
    transaction = session.get_transaction()
    known = session.info.get(TOUCHED_IN_TRANSACTION)
    if known is None or known[0] is not transaction:
        known = session.info[TOUCHED_IN_TRANSACTION] = (transaction, set())
    touched: set[tuple[type[EntityModel], UUID]] = known[1]
    connection = session.connection()
    for parent_model, parent_id in sorted(set(parents) - touched, key=str):
        table = parent_model.__table__
        stored = connection.scalar(select(table.c.updated_at).where(table.c.id == parent_id))
        if stored is None:
            continue
        moved = max(utc_now(), stored + RESOLUTION)
        connection.execute(update(table).where(table.c.id == parent_id).values(updated_at=moved))
        touched.add((parent_model, parent_id))
        loaded = session.identity_map.get(identity_key(parent_model, parent_id))
        if loaded is not None:
            session.expire(loaded, ["updated_at"])
