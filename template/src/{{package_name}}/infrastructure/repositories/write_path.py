"""Why did ``updated_at`` move? The one decision every write of a row makes.

A write reads the ``touch`` flag once, at its entry (:func:`touching`: the
``touch=`` argument of ``save()`` and ``no_touching()``), and asks this module:

- **the stamp**: the ``updated_at`` it stores. When touching, a stored row's
  write whose ``updated_at`` is not already later than the stored value moves
  to :func:`~...domain.clock.next_updated_at` of that value (now, but strictly
  later than it and never earlier than ``created_at``); rows a statement
  matches get one stamp later than all of them (:func:`stamp_rows`, a locking
  read). Not touching, the value the entity or row has is kept. A new row keeps
  the timestamps its entity was made with (one clock reading).
- **the parents** to touch: the rows it references with ``touch: true``, before and after
  the write; none when not touching. :func:`..orm.parent_touch.touch_parents` moves each
  once per transaction, to :func:`stamp_rows` of the parents.
- **the record**: the audit line (:mod:`..audit`) and the metrics count
  (:mod:`.write_counts`), written by :func:`record_writes`.
- **the actor** (:func:`..row_change.actor_of`): for no one, a write or touch of a
  row whose entity has ``require_actor: true`` is refused before anything is written.

Who asks: ``save()`` and ``save_all()`` (:func:`entity_write`,
:func:`stamp_together`), ``update_timestamp_only()`` (:func:`entity_write`,
``moved=True``), ``update_where()`` and ``delete()``'s ``set_null``
(:func:`stamped_values`), ``delete()`` (:func:`parents_of`), ``timestamps repair``
(:func:`repaired`) and the ORM safety net for rows written past the repositories
(:mod:`..orm.timestamp_events`). Besides these, only the domain moves
``updated_at``: ``touch()`` and the ``update_<field>()`` methods.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Table, and_
from sqlalchemy.orm import Session

from ...domain.base_entity import BaseTimestampEntity
from ...domain.clock import next_updated_at, utc_now
from ...domain.touching import touching_suppressed
from ..audit import AuditEvent, AuditRecord, audit, audited
from ..orm.entity_model import EntityModel
from ..orm.stamps import latest_stored, table_of
from ..orm.timestamp_mixin import TimestampMixin
from ..row_change import actor_of
from .write_counts import count_writes

# A parent row: its model and its id.
Parent = tuple[type[EntityModel], UUID]

# The parents of a write that touches none.
NO_PARENTS: frozenset[Parent] = frozenset()

# Columns every row has: a change of theirs alone is no change of a declared field.
ENTITY_COLUMNS = frozenset({"id", "created_at", "updated_at"})

# The metrics' name of each write (or refused write) the audit log records.
COUNTED_AS = {
    AuditEvent.CREATED: "create",
    AuditEvent.CHANGED: "save",
    AuditEvent.UPDATED_WHERE: "save",
    AuditEvent.DELETED: "delete",
    AuditEvent.CONFLICT: "conflict",
}


class WriteRecord(NamedTuple):
    """What a write's audit line and metrics count say: field names, never values."""

    event: AuditEvent
    entity_id: UUID | None = None
    fields: tuple[str, ...] = ()
    rows: int | None = None


class Write(NamedTuple):
    """The decision of one write: the parents it touches and its record."""

    parents: frozenset[Parent]
    record: WriteRecord


def touching(touch: bool = True) -> bool:
    """The touch flag of a write, read once at its entry: ``touch`` and not ``no_touching()``."""
    return touch and not touching_suppressed()


def row_values(entity: BaseTimestampEntity) -> dict[str, Any]:
    """The persistent fields of ``entity``, except the version SQLAlchemy manages."""
    names = type(entity).field_names()
    return {name: getattr(entity, name) for name in names if name != "version"}


def changed_fields(entity: BaseTimestampEntity, row: EntityModel) -> tuple[str, ...]:
    """The declared fields of ``entity`` whose value ``row`` does not hold: names only."""
    return tuple(
        name
        for name, value in row_values(entity).items()
        if name not in ENTITY_COLUMNS and getattr(row, name) != value
    )


def catch_up(entity: BaseTimestampEntity, row: EntityModel) -> None:
    """Give ``entity`` the later ``updated_at`` its row got without it (a child's touch)."""
    if row.updated_at > entity.updated_at:
        entity.updated_at = row.updated_at


def entity_write(
    model: type[EntityModel],
    entity: BaseTimestampEntity,
    row: EntityModel | None,
    *,
    touch: bool,
    moved: bool = False,
) -> Write:
    """The write of ``entity`` over its stored ``row`` (None: a new entity); stamps ``entity``.

    ``moved`` stamps it whatever its ``updated_at`` (``update_timestamp_only()``).
    """
    parents = write_parents(model, entity, row, touch=touch)
    for written in {model, *(parent for parent, _ in parents)}:
        actor_of(written)
    if row is None:
        return Write(parents, WriteRecord(AuditEvent.CREATED, entity.id))
    if moved or (touch and entity.updated_at <= row.updated_at):
        stored = max(entity.updated_at, row.updated_at)
        entity.updated_at = next_updated_at(stored, created_at=entity.created_at)
    return Write(parents, WriteRecord(AuditEvent.CHANGED, entity.id, changed_fields(entity, row)))


def stamp_together(
    new: Sequence[BaseTimestampEntity],
    written: Sequence[tuple[BaseTimestampEntity, EntityModel]],
) -> datetime:
    """Give every entity ``save_all()`` writes, new or stored, one ``updated_at``.

    The stamp is later than each written row's stored value, not earlier than
    its ``created_at``, nor than an ``updated_at`` the domain already moved an
    entity to.
    """
    latest = max((row.updated_at for _, row in written), default=None)
    created = max((row.created_at for _, row in written), default=None)
    moved = [entity.updated_at for entity, row in written if entity.updated_at > row.updated_at]
    stamp = next_updated_at(latest, created, max([utc_now(), *moved]))
    for entity in new:
        entity.created_at = entity.updated_at = stamp
    for entity, _ in written:
        entity.updated_at = stamp
    return stamp


def write_parents(
    model: type[EntityModel], entity: BaseTimestampEntity, row: EntityModel | None, *, touch: bool
) -> frozenset[Parent]:
    """The parents a write of ``entity`` over ``row`` (None: new) touches; none unless touching."""
    if not touch or not model.touched_parents:
        return NO_PARENTS
    columns = model.touched_parents
    before = {} if row is None else {column: getattr(row, column) for column in columns}
    return parents_of(model, before, {column: getattr(entity, column) for column in columns})


def parents_of(
    model: type[EntityModel], before: Mapping[str, object], after: Mapping[str, object]
) -> frozenset[Parent]:
    """The parents a ``model`` row references with ``touch: true`` before and after a write."""
    return frozenset(
        (parent_model, parent_id)
        for column, parent_model in model.touched_parents.items()
        for parent_id in (before.get(column), after.get(column))
        if isinstance(parent_id, UUID)
    )


def stamp_rows(
    connection: Connection, table: Table, criteria: ColumnElement[bool] | None
) -> datetime:
    """One ``updated_at`` later than that of every row matching ``criteria`` (None: all).

    The rows are read with a locking read (:mod:`..orm.stamps`) and stay locked
    until the transaction ends, so the stamp stays later than their values.
    """
    updated_at, created_at = latest_stored(connection, table, criteria)
    return next_updated_at(updated_at, created_at=created_at)


def stamp_row(connection: Connection, row: TimestampMixin, criteria: ColumnElement[bool]) -> None:
    """Stamp ``row``, changed without moving its ``updated_at``, later than its stored value."""
    row.updated_at = stamp_rows(connection, table_of(type(row)), criteria)


def fill_unset(row: TimestampMixin) -> None:
    """A row inserted without timestamps gets one reading of the clock for both."""
    if row.created_at is None:
        row.created_at = row.updated_at or utc_now()
    if row.updated_at is None:
        row.updated_at = row.created_at


def stamped_values(
    session: Session,
    model: type[EntityModel],
    criteria: Sequence[ColumnElement[bool]],
    values: Mapping[str, Any],
    *,
    touch: bool,
) -> dict[str, Any]:
    """The values of an UPDATE of ``model``'s rows matching ``criteria``.

    ``version`` goes up by one; when touching, ``updated_at`` (unless ``values``
    sets it) is one stamp later than every matched row's.
    """
    stamped = {**values, "version": model.version + 1}
    if touch and "updated_at" not in values:
        where = and_(*criteria) if criteria else None
        stamped["updated_at"] = stamp_rows(session.connection(), table_of(model), where)
    return stamped


def repaired(
    created: datetime | None, updated: datetime | None, now: datetime, limit: datetime
) -> tuple[datetime, datetime]:
    """``(created_at, updated_at)`` of a row the ``timestamps repair`` command fixes.

    A time later than ``limit`` becomes ``now``; a missing ``created_at`` the
    row's ``updated_at`` (or ``now``), a missing ``updated_at`` its
    ``created_at``; ``created_at`` never ends later than ``updated_at``.
    """
    if created is not None and created > limit:
        created = now
    if updated is not None and updated > limit:
        updated = next_updated_at(None, created_at=created, at=now)
    if created is None:
        created = now if updated is None else updated
    if updated is None:
        updated = created
    return min(created, updated), updated


def record_writes(session: Session, entity_type: str, records: Iterable[WriteRecord]) -> None:
    """The audit lines of ``records`` (logged on commit) and their metrics counts."""
    counts: Counter[str] = Counter()
    for record in records:
        if audited(record.event):
            audit(session, AuditRecord(record.event, entity_type, *record[1:]))
        counts[COUNTED_AS[record.event]] += 1 if record.rows is None else record.rows
    for operation, rows in counts.items():
        count_writes(entity_type, operation, rows)
