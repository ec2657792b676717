"""Update activity over time: how many rows were last updated in each period.

Two bounded queries per table: the first and the last ``updated_at`` (read from
its index) and one counting query that sums the rows of every period in one
pass. Rows with anomalous timestamps (missing, in the future) are left out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, and_, case, func, select

# Periods on a chart.
PERIODS = 24


@dataclass(frozen=True)
class Period:
    """Rows whose ``updated_at`` falls in ``[start, end)``."""

    start: datetime
    end: datetime
    rows: int


def update_activity(connection: Connection, table: Table, until: datetime) -> list[Period]:
    """:data:`PERIODS` equal periods from the first ``updated_at`` to the last up to ``until``."""
    updated = table.c.updated_at
    first, last = connection.execute(
        select(func.min(updated), func.max(updated)).where(updated <= until)
    ).one()
    if first is None:
        return []
    step = max((last - first) / PERIODS, timedelta(seconds=1))
    bounds = [first + step * number for number in range(PERIODS)]
    ends = [*bounds[1:], last + timedelta(microseconds=1)]
    counting = select(
        *(
            func.sum(case((and_(updated >= start, updated < end), 1), else_=0))
            for start, end in zip(bounds, ends, strict=True)
        )
    ).select_from(table)
    counts = connection.execute(counting).one()
    return [
        Period(start, end, int(count or 0))
        for start, end, count in zip(bounds, ends, counts, strict=True)
    ]
