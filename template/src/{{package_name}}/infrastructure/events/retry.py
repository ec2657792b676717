"""Parked events put back for the relay (``events retry``), once their cause is fixed."""

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ..orm.outbox_model import OutboxEventModel
from ..outbox import OUTBOX


def retry_parked(
    session_factory: sessionmaker[Session], positions: Collection[int] | None = None
) -> list[int]:
    """Put parked events back for the relay: all, or those at ``positions``; their positions.

    Their attempts start again from none, and their aggregates' later events,
    which waited for them, follow them.
    """
    event = OutboxEventModel
    parked = [event.parked_at.is_not(None), event.delivered_at.is_(None)]
    if positions is not None:
        parked.append(event.position.in_(positions))
    with session_factory.begin() as session:
        chosen = select(event.position).where(*parked).order_by(event.position)
        retried = list(session.scalars(chosen.with_for_update()))
        if retried:
            session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.position.in_(retried))
                .values(parked_at=None, attempts=0, next_attempt_at=None)
            )
    return retried
