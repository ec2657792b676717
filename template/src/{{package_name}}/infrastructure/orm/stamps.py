"""The stored timestamps of rows, read so that no concurrent write is missed.

:func:`..repositories.write_path.stamp_rows` stamps rows later than these. A
stamp must be later than the value a row has when the write lands, not the
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


def latest_stored(
    connection: Connection, table: Table, criteria: ColumnElement[bool] | None
) -> tuple[datetime | None, datetime | None]:
    """The latest ``updated_at`` and ``created_at`` of the rows matching ``criteria``.

    ``None`` criteria mean every row; no row matched gives ``(None, None)``. The
    matched rows stay locked until the transaction ends.
    """
    locked = select(table.c.updated_at, table.c.created_at)
    if criteria is not None:
        locked = locked.where(criteria)
    rows = locked.with_for_update().subquery()
    latest = connection.execute(
        select(func.max(rows.c.updated_at), func.max(rows.c.created_at))
    ).one()
    return latest[0], latest[1]


def table_of(model: type[Any]) -> Table:
    """The table a mapped model class is stored in."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table
