"""RowChange: one change of an entity row, as the writes record it for the commit.

At commit the outbox stores each change (:meth:`RowChange.outbox_row`), and the
history table of an entity that keeps one (``history: true``) the row's values
after it (:mod:`.history`).
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ..application.actor import actor_of_write
from ..domain.changes import ChangeKind
from ..domain.clock import next_updated_at
from .orm.actor_columns import ACTOR_COLUMN_NAMES, ActorColumns
from .orm.entity_model import EntityModel

# Execution options of the statements the commit's bookkeeping sends (the outbox's
# lock and INSERTs, the history's INSERTs) and of the reads that find the rows an
# ORM statement writes: not writes of entity rows.
OUTBOX_WORK = {"outbox_work": True}
# Columns every row has: a change of theirs alone is no change of a declared field.
ROW_COLUMNS = frozenset({"id", "version", "created_at", "updated_at"})


@dataclass(frozen=True)
class RowChange:
    """A change of one entity row, waiting for its transaction to commit."""

    model: type[EntityModel]
    entity_id: UUID
    version: int
    kind: ChangeKind
    updated_at: datetime
    fields: tuple[str, ...] = ()
    # The row's columns after the change (none for a delete). The feed shows a
    # touch without them; a history table keeps them for every change.
    values: Mapping[str, Any] = field(default_factory=dict)
    # Who was acting when the row was written (:func:`actor_of`), None for no one.
    actor: str | None = field(kw_only=True)

    def outbox_row(self) -> dict[str, Any]:
        """The ``outbox_events`` row of this change; sensitive values left out."""
        sensitive = self.model.sensitive_fields()
        shown = {} if self.kind is ChangeKind.TOUCHED else self.values
        values = {name: value for name, value in shown.items() if name not in sensitive}
        payload = {"fields": list(self.fields), "values": values}
        return {
            "aggregate_type": self.model.entity_name(),
            "aggregate_id": self.entity_id,
            "aggregate_version": self.version,
            "event_type": str(self.kind),
            "updated_at": self.updated_at,
            "payload": json.dumps(payload, default=json_value, sort_keys=True),
            "actor": self.actor,
            "attempts": 0,
        }


def json_value(value: object) -> str:
    """A field value JSON has no type for, as text that reads back exactly."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} value {value!r} has no JSON form")


def actor_of(model: type[EntityModel]) -> str | None:
    """Who writes a ``model`` row now (``acting_as()``), None for no one.

    Raises ActorRequired when no one is acting and the entity requires an actor
    (``require_actor: true``). Every write asks before it writes: the change
    capture, the repositories' write path and parent touches.
    """
    return actor_of_write(model.entity_name(), required=model.actor_required)


def created(model: type[EntityModel], values: dict[str, Any]) -> RowChange:
    """The change of a row inserted with ``values``."""
    values = without_actor_columns(model, values)
    fields = tuple(name for name in values if name not in ROW_COLUMNS)
    return RowChange(
        model,
        values["id"],
        values["version"],
        ChangeKind.CREATED,
        values["updated_at"],
        fields,
        values,
        actor=actor_of(model),
    )


def changed(model: type[EntityModel], values: dict[str, Any], fields: Iterable[str]) -> RowChange:
    """The change of a stored row that now has ``values``; ``fields`` the columns written."""
    values = without_actor_columns(model, values)
    declared = tuple(sorted(name for name in fields if name not in ROW_COLUMNS and name in values))
    kind = ChangeKind.CHANGED if declared else ChangeKind.TOUCHED
    return RowChange(
        model,
        values["id"],
        values["version"],
        kind,
        values["updated_at"],
        declared,
        values,
        actor=actor_of(model),
    )


def without_actor_columns(model: type[EntityModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without ``created_by`` and ``updated_by``, which the commit writes."""
    if not issubclass(model, ActorColumns):
        return values
    return {name: value for name, value in values.items() if name not in ACTOR_COLUMN_NAMES}


def touched(model: type[EntityModel], values: dict[str, Any]) -> RowChange:
    """The change of a stored row whose timestamps alone moved; it now has ``values``."""
    return changed(model, values, ())


def deleted(model: type[EntityModel], row: Any) -> RowChange:
    """The tombstone of a deleted row: its id, its last version, a time after its last change."""
    moment = next_updated_at(row.updated_at, created_at=row.created_at)
    return RowChange(model, row.id, row.version, ChangeKind.DELETED, moment, actor=actor_of(model))
