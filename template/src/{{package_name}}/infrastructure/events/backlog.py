"""How far behind the relay is: pending and parked events, for the check and the metrics."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, case, func, select

from ..orm.outbox_model import OutboxEventModel

# Parked events named by ``timestamps check``.
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class ParkedEvent:
    """An event the relay gave up on after its last attempt."""

    position: int
    entity: str
    entity_id: str
    attempts: int
    last_error: str | None

    def describe(self) -> str:
        return (
            f"position {self.position} ({self.entity} {self.entity_id}), "
            f"{self.attempts} attempts: {self.last_error}"
        )


@dataclass(frozen=True)
class OutboxBacklog:
    """Undelivered events: ``pending`` (to be delivered) and ``parked`` (given up on)."""

    pending: int = 0
    parked: int = 0
    parked_events: list[ParkedEvent] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "parked": self.parked,
            "parked_events": [event.__dict__ for event in self.parked_events],
        }

    def describe(self) -> str:
        """One line, and one more per parked event shown."""
        lines = [f"outbox: {self.pending} events pending, {self.parked} parked"]
        lines += [f"  parked {event.describe()}" for event in self.parked_events]
        if self.parked:
            lines.append("parked events wait for an operator: fix the cause, then run events retry")
        return "\n".join(lines)


def outbox_backlog(connection: Connection, entities: Sequence[str] | None = None) -> OutboxBacklog:
    """The undelivered events of ``entities`` (None: all), with the first parked ones."""
    event = OutboxEventModel
    undelivered = [event.delivered_at.is_(None)]
    if entities is not None:
        undelivered.append(event.aggregate_type.in_(entities))
    parked = event.parked_at.is_not(None)
    counting = select(func.count(), func.coalesce(func.sum(case((parked, 1), else_=0)), 0)).where(
        *undelivered
    )
    total, parked_count = connection.execute(counting).one()
    samples = select(
        event.position, event.aggregate_type, event.aggregate_id, event.attempts, event.last_error
    ).where(*undelivered, parked)
    shown = (
        [
            ParkedEvent(
                row.position,
                row.aggregate_type,
                str(row.aggregate_id),
                row.attempts,
                row.last_error,
            )
            for row in connection.execute(samples.order_by(event.position).limit(SAMPLE_SIZE))
        ]
        if parked_count
        else []
    )
    return OutboxBacklog(int(total) - int(parked_count), int(parked_count), shown)
