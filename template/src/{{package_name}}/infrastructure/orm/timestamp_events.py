"""The ORM safety net: fills timestamps the application left unset, never more.

Unit-of-work flushes go through mapper events. ORM ``update()`` statements do
not fire mapper events (SQLAlchemy has no bulk-update events), so
:func:`stamp_bulk_updates` is a session ``do_orm_execute`` listener that adds
``updated_at`` to them; :mod:`..database` installs it on every session factory.
"""

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, ORMExecuteState

from ...domain.clock import RESOLUTION, utc_now
from .timestamp_mixin import TimestampMixin


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
    """A changed row whose ``updated_at`` the application did not move gets it moved."""
    state = inspect(target)
    if state.attrs.updated_at.history.has_changes():
        return
    changed = any(state.attrs[column.key].history.has_changes() for column in mapper.column_attrs)
    if changed:
        target.updated_at = max(utc_now(), target.updated_at + RESOLUTION)


def stamp_bulk_updates(execute_state: ORMExecuteState) -> None:
    """Add ``updated_at`` to ORM ``update()`` statements on timestamped models."""
    mapper = execute_state.bind_mapper
    if not execute_state.is_update or mapper is None:
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
