"""The events a relay batch may deliver now, and the message each one is published as."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from ..change_feed import as_change
from ..orm.outbox_model import OutboxEventModel
from .messages import OutboxMessage


def message_of(row: OutboxEventModel) -> OutboxMessage:
    """The message of an ``outbox_events`` row: its change, as the feed reads it."""
    return OutboxMessage.of(as_change(row))


def due_events(now: datetime, limit: int, dialect: str) -> Select[Any]:
    """The SELECT of up to ``limit`` events that are due at ``now``, locking them.

    Undelivered, unparked, due, and no earlier event of the same aggregate is
    parked or waiting for its retry. An earlier event another relay holds is
    left to :func:`in_order`: a batch takes the events that follow each other
    in one aggregate together, so one relay delivers in position order.
    """
    event = OutboxEventModel
    earlier = aliased(OutboxEventModel)
    held_back = exists().where(
        earlier.aggregate_id == event.aggregate_id,
        earlier.position < event.position,
        earlier.delivered_at.is_(None),
        or_(earlier.parked_at.is_not(None), earlier.next_attempt_at > now),
    )
    query = (
        select(event)
        .where(
            event.delivered_at.is_(None),
            event.parked_at.is_(None),
            or_(event.next_attempt_at.is_(None), event.next_attempt_at <= now),
            ~held_back,
        )
        .order_by(event.position)
        .limit(limit)
    )
    if dialect != "sqlite":
        query = query.with_for_update(skip_locked=True)
    return query


def in_order(session: Session, rows: list[OutboxEventModel]) -> list[OutboxEventModel]:
    """``rows`` (locked, by position) but those whose aggregate has an earlier undelivered
    event outside ``rows``: one another relay holds (it is delivering it) or that it
    failed since. Those wait for a later batch.
    """
    if not rows:
        return rows
    ours = {row.position for row in rows}
    event = OutboxEventModel
    undelivered = select(event.aggregate_id, event.position).where(
        event.delivered_at.is_(None),
        event.aggregate_id.in_({row.aggregate_id for row in rows}),
        event.position < rows[-1].position,
    )
    first_other: dict[UUID, int] = {}
    for aggregate_id, position in session.execute(undelivered):
        if position not in ours:
            first_other[aggregate_id] = min(position, first_other.get(aggregate_id, position))
    return [row for row in rows if first_other.get(row.aggregate_id, row.position) >= row.position]
