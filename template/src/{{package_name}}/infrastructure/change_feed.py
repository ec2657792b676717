"""The change feed: the outbox's changes read in commit order, from a cursor.

A change's position is taken when its transaction commits, under the outbox's
lock (:mod:`.outbox`), so every change at or before a position a reader saw
had committed when the reader saw it: reading on from the last position never
misses one. Positions are not consecutive (a transaction that rolls back may
use some); a reader keeps the ``next_cursor`` it is given.
"""

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.changes import Change, ChangeKind, ChangePage, check_feed_page
from .orm.outbox_model import OutboxEventModel


def read_changes(
    session: Session, *, after: int, limit: int, entities: Sequence[str] | None = None
) -> ChangePage:
    """Up to ``limit`` changes after position ``after``, of ``entities`` (None: all)."""
    check_feed_page(after, limit)
    event = OutboxEventModel
    query = select(event).where(event.position > after).order_by(event.position).limit(limit)
    if entities is not None:
        query = query.where(event.aggregate_type.in_(entities))
    changes = [as_change(row) for row in session.scalars(query)]
    return ChangePage(changes, changes[-1].position if changes else after)


def as_change(row: OutboxEventModel) -> Change:
    """The change an outbox row records."""
    payload = json.loads(row.payload)
    return Change(
        position=row.position,
        entity=row.aggregate_type,
        entity_id=row.aggregate_id,
        version=row.aggregate_version,
        kind=ChangeKind(row.event_type),
        updated_at=row.updated_at,
        fields=tuple(payload["fields"]),
        values=payload["values"],
        actor=row.actor,
    )
