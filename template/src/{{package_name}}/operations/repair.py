"""Timestamp repair: the anomalies of :mod:`.health`, fixed row by row in batches.

What each anomaly becomes (:func:`repaired`, decided by
:func:`..infrastructure.repositories.write_path.repaired`), with ``now`` the
one clock reading a repair run takes:

- ``created_at`` later than now plus the tolerance: ``now`` (earlier).
- ``updated_at`` later than now plus the tolerance: ``now``. A time that has
  not come yet is not a time the row was written at; kept, it would hold every
  later write in the future too (:func:`~..domain.clock.next_updated_at` moves
  past the stored value).
- ``created_at`` missing: the row's ``updated_at``, or ``now`` when both are
  missing: the earliest instant the row is known to have existed.
- ``updated_at`` missing: its ``created_at`` (no change is invented).
- ``updated_at`` earlier than ``created_at``: ``created_at`` moves back to
  ``updated_at`` (the row existed when it was written).

So ``created_at`` never moves later and ``updated_at`` never moves backwards
from a time that has come. New ``updated_at`` values come from the domain's
rule, :func:`~..domain.clock.next_updated_at`. A repaired row's ``version``
goes up, so a writer holding the row as it was gets a conflict instead of
writing the old timestamps back.

Rows are read in id order, :data:`DEFAULT_BATCH_SIZE` at a time, each batch in
its own transaction (locked with ``SELECT ... FOR UPDATE`` when applying).
Running it again changes nothing: repaired rows are no longer anomalies.
"""

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Table, bindparam, select, update

from ..infrastructure.database import create_session_factory
from ..infrastructure.orm.entity_model import EntityModel
from ..infrastructure.orm.refused_writes import MODEL_OF_TABLE
from ..infrastructure.outbox import record_changes
from ..infrastructure.repositories import write_path
from ..infrastructure.row_change import RowChange, actor_of, changed
from .health import CheckOptions, anomalous

DEFAULT_BATCH_SIZE = 500

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowRepair:
    """One row's timestamps before and after repair."""

    entity: str
    row_id: UUID
    old: tuple[datetime | None, datetime | None]
    new: tuple[datetime, datetime]

    def describe(self) -> str:
        changes = [
            f"{name} {_text(before)} -> {_text(after)}"
            for name, before, after in zip(
                ("created_at", "updated_at"), self.old, self.new, strict=True
            )
            if before != after
        ]
        return f"{self.entity} {self.row_id}: " + ", ".join(changes)


def _text(moment: datetime | None) -> str:
    return "NULL" if moment is None else moment.isoformat()


def repaired(
    created: datetime | None, updated: datetime | None, now: datetime, options: CheckOptions
) -> tuple[datetime, datetime]:
    """``(created_at, updated_at)`` of a row after repair: the write path's decision."""
    return write_path.repaired(created, updated, now, now + options.future_tolerance)


def repair_table(
    engine: Engine,
    entity: str,
    table: Table,
    *,
    now: datetime,
    options: CheckOptions,
    apply: bool,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[RowRepair]:
    """The repair of every anomalous row of ``table``, batch by batch.

    With ``apply`` each batch is written and committed before its repairs are
    yielded (and logged), and each repaired row is a change of the change feed
    (kind ``touched``: only its timestamps moved); without it nothing is written.
    """
    session_factory = create_session_factory(engine)
    # An entity's table: the change feed gets its repaired rows.
    model = MODEL_OF_TABLE.get(table)
    if apply and model is not None:
        actor_of(model)  # refused for no one before any batch is written
    last_id: UUID | None = None
    while True:
        with session_factory.begin() as session:
            connection = session.connection()
            query = (
                select(table)
                .where(anomalous(table, now, options))
                .order_by(table.c.id)
                .limit(batch_size)
            )
            if last_id is not None:
                query = query.where(table.c.id > last_id)
            if apply:
                query = query.with_for_update()
            rows = connection.execute(query).all()
            repairs = [
                RowRepair(
                    entity,
                    row.id,
                    (row.created_at, row.updated_at),
                    repaired(row.created_at, row.updated_at, now, options),
                )
                for row in rows
            ]
            if apply and repairs:
                connection.execute(_repair_statement(table), [_parameters(fix) for fix in repairs])
                if model is not None:
                    record_changes(session, _changes(model, rows, repairs))
        for fix in repairs:
            if apply:
                logger.info("repaired %s", fix.describe())
            yield fix
        if len(rows) < batch_size:
            return
        last_id = rows[-1].id


def _repair_statement(table: Table) -> Any:
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            created_at=bindparam("new_created_at"),
            updated_at=bindparam("new_updated_at"),
            version=table.c.version + 1,
        )
    )


def _changes(
    model: type[EntityModel], rows: Sequence[Any], repairs: list[RowRepair]
) -> list[RowChange]:
    """The changes of the feed that ``repairs`` of ``rows`` make: only their timestamps moved."""
    return [
        changed(
            model,
            {
                **row._asdict(),
                "version": row.version + 1,
                "created_at": fix.new[0],
                "updated_at": fix.new[1],
            },
            ["created_at", "updated_at"],
        )
        for row, fix in zip(rows, repairs, strict=True)
    ]


def _parameters(fix: RowRepair) -> dict[str, Any]:
    created, updated = fix.new
    return {"row_id": fix.row_id, "new_created_at": created, "new_updated_at": updated}
