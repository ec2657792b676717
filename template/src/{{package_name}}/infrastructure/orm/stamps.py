"""The next ``updated_at`` of stored rows, read so that no concurrent write is missed.

A stamp must be later than the value a row has when the write lands, not the
value some earlier read saw. So the stored values are read with a locking read
(``SELECT ... FOR UPDATE``): on PostgreSQL and MariaDB it waits for concurrent
writers of those rows, returns their committed values (MariaDB's REPEATABLE
READ snapshot included) and keeps the rows locked until the transaction ends.
SQLite has one writer at a time, so a plain read is enough there.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, inspect, select
from sqlalchemy.engine import Connection

from ...domain.clock import next_updated_at


def stamp_for_rows(
    connection: Connection, table: Table, criteria: ColumnElement[bool] | None
) -> datetime:
    """One ``updated_at`` later than that of every row matching ``criteria``.

    ``None`` criteria mean every row. The matched rows stay locked until the
    transaction ends, so the stamp stays later than their values when it is written.
    """
    locked = select(table.c.updated_at, table.c.created_at)
    if criteria is not None:
        locked = locked.where(criteria)
    rows = locked.with_for_update().subquery()
    latest = connection.execute(
        select(func.max(rows.c.updated_at), func.max(rows.c.created_at))
    ).one()
    return next_updated_at(latest[0], created_at=latest[1])


def table_of(model: type[Any]) -> Table:
    """The table a mapped model class is stored in."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table
