"""Timestamp health: the rows of an entity table whose timestamps break the rules.

Four kinds of findings, each a count and up to :data:`SAMPLE_SIZE` sample ids:

- ``missing``: ``created_at`` or ``updated_at`` is NULL (a table adopted from
  elsewhere; the service's own tables declare both NOT NULL);
- ``out_of_order``: ``updated_at`` earlier than ``created_at``;
- ``future``: either timestamp later than now plus the tolerance;
- ``stale``: not updated for the given number of days.

The first three are anomalies: ``timestamps repair`` fixes them and the check is
healthy without them. Stale rows are information (old data is not wrong data):
they are counted and shown, and never make the check unhealthy.

Each table is read with one counting query (one pass over the table inside the
database) and, for each kind found, one query for its first sample ids; no
query returns more than :data:`SAMPLE_SIZE` rows.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, case, func, or_, select

# Sample ids shown per kind of finding.
SAMPLE_SIZE = 10
DEFAULT_STALE_DAYS = 90
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=5)

# Findings that make the check unhealthy, and what repair fixes.
ANOMALIES = ("missing", "out_of_order", "future")
KINDS = (*ANOMALIES, "stale")


@dataclass(frozen=True)
class CheckOptions:
    """How old is stale, and how far ahead of the clock a timestamp may be."""

    stale_days: int = DEFAULT_STALE_DAYS
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE


@dataclass(frozen=True)
class Finding:
    """How many rows have one kind of finding, and the ids of the first of them."""

    count: int = 0
    sample_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "sample_ids": self.sample_ids}


@dataclass(frozen=True)
class EntityHealth:
    """The findings of one entity table, by kind (every kind of :data:`KINDS`)."""

    findings: dict[str, Finding]
    rows: int

    @property
    def anomalies(self) -> int:
        """Rows counted under an anomaly (a row can count under several)."""
        return sum(self.findings[kind].count for kind in ANOMALIES)

    def as_json(self) -> dict[str, Any]:
        return {kind: self.findings[kind].as_json() for kind in KINDS}


@dataclass(frozen=True)
class HealthReport:
    """The findings of every entity checked, at one instant."""

    entities: dict[str, EntityHealth]
    checked_at: datetime
    options: CheckOptions

    @property
    def healthy(self) -> bool:
        """No anomaly in any entity (stale rows do not count)."""
        return all(health.anomalies == 0 for health in self.entities.values())

    def as_json(self) -> dict[str, Any]:
        """``{"entities": {name: {kind: {"count", "sample_ids"}}}, "healthy": bool}``."""
        entities = {name: health.as_json() for name, health in self.entities.items()}
        return {"entities": entities, "healthy": self.healthy}


def conditions(
    table: Table, now: datetime, options: CheckOptions
) -> dict[str, ColumnElement[bool]]:
    """The WHERE condition of each kind of finding on ``table``, at ``now``."""
    created, updated = table.c.created_at, table.c.updated_at
    limit = now + options.future_tolerance
    return {
        "missing": or_(created.is_(None), updated.is_(None)),
        "out_of_order": updated < created,
        "future": or_(created > limit, updated > limit),
        "stale": updated < now - timedelta(days=options.stale_days),
    }


def anomalous(table: Table, now: datetime, options: CheckOptions) -> ColumnElement[bool]:
    """Rows of ``table`` with any anomaly: the rows repair changes."""
    kinds = conditions(table, now, options)
    return or_(*(kinds[kind] for kind in ANOMALIES))


def check_table(
    connection: Connection, table: Table, now: datetime, options: CheckOptions
) -> EntityHealth:
    """The findings of ``table`` at ``now``."""
    kinds = conditions(table, now, options)
    counting = select(
        func.count(),
        *(func.sum(case((condition, 1), else_=0)) for condition in kinds.values()),
    ).select_from(table)
    total, *counts = connection.execute(counting).one()
    findings = {
        kind: Finding(int(count), _sample_ids(connection, table, kind, condition))
        if count
        else Finding()
        for (kind, condition), count in zip(kinds.items(), counts, strict=True)
    }
    return EntityHealth(findings, int(total))


def _sample_ids(
    connection: Connection, table: Table, kind: str, condition: ColumnElement[bool]
) -> list[str]:
    """The first ids of the rows matching ``condition``: the oldest for stale rows."""
    order = table.c.updated_at if kind == "stale" else table.c.id
    query = select(table.c.id).where(condition).order_by(order, table.c.id).limit(SAMPLE_SIZE)
    return [str(row_id) for row_id in connection.scalars(query)]


def check(
    connection: Connection, tables: dict[str, Table], now: datetime, options: CheckOptions
) -> HealthReport:
    """The findings of every table of ``tables`` (entity name to table) at ``now``."""
    entities = {
        name: check_table(connection, table, now, options) for name, table in tables.items()
    }
    return HealthReport(entities, now, options)
