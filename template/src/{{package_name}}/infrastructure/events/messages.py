"""What a publisher receives: one outbox event, as the JSON object it is published as."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from ...domain.changes import Change


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    """One committed change of an entity row, as the relay publishes it.

    ``position`` is unique and stays the same when the event is delivered
    again: consumers use it as the idempotency key.
    """

    position: int
    entity: str
    entity_id: UUID
    version: int
    event_type: str
    updated_at: datetime
    actor: str | None = None
    fields: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, change: Change) -> "OutboxMessage":
        """The message that publishes ``change``."""
        return cls(
            position=change.position,
            entity=change.entity,
            entity_id=change.entity_id,
            version=change.version,
            event_type=str(change.kind),
            updated_at=change.updated_at,
            actor=change.actor,
            fields=change.fields,
            values=change.values,
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON object a publisher sends: ids as text, ``updated_at`` in ISO 8601."""
        return {
            "position": self.position,
            "entity": self.entity,
            "entity_id": str(self.entity_id),
            "version": self.version,
            "event_type": self.event_type,
            "updated_at": self.updated_at.isoformat(),
            "actor": self.actor,
            "fields": list(self.fields),
            "values": dict(self.values),
        }

    def json_line(self) -> str:
        """:meth:`as_json` on one line, keys sorted, without the newline."""
        return json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
