"""TimestampRepositoryMixin: persistence of timestamped entities, shared by all repositories."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar, cast
from uuid import UUID

from sqlalchemy import ColumnElement, Update, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ...domain.base_entity import BaseTimestampEntity
from ...domain.clock import next_updated_at, utc_now
from ...domain.exceptions import ConcurrencyConflict
from ...domain.touching import no_touching, touching_suppressed
from ..audit import AuditEvent, AuditRecord, audit, audited
from ..orm.entity_model import EntityModel
from ..orm.on_delete import empty_references, expire_changed_rows
from ..orm.parent_touch import touch_parents, touch_parents_of_write
from ..orm.stamps import table_of
from .database_errors import refused_while_referenced
from .entity_reads import EntityReads
from .guarded_update import guarded_update
from .held_rows import HeldRows
from .write_counts import count_writes

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)


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


class TimestampRepositoryMixin(EntityReads[EntityT, ModelT]):
    """Maps entities to rows and back, and keeps timestamps right while doing so.

    The reads (one entity, pages, counts, the team's own ``select()``) come from
    :class:`EntityReads`. Subclasses name the two classes; everything else is shared::

        class TaskRepository(TimestampRepositoryMixin[Task, TaskModel]):
            entity_type = Task
            model_type = TaskModel

    Errors from the database come out as :class:`DatabaseException` (the
    driver's error chained as ``__cause__``); a stale write as
    :class:`ConcurrencyConflict`; a delete a reference restricts as
    :class:`ReferencedEntityInUse`.
    """

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    def __init__(self, session: Session) -> None:
        self.session = session
        self._held = HeldRows[ModelT](session)
        # The guarded UPDATE of a held row, by whether it moves updated_at.
        self._guarded_updates: dict[bool, Update] = {}

    # --- writing ---------------------------------------------------------------

    def save(self, entity: EntityT, *, touch: bool = True) -> EntityT:
        """Write ``entity`` if it differs from its stored row, and flush; returns it.

        A new entity is inserted with the timestamps it was created with. A
        stored entity is written only when a persistent field differs from its
        row or the domain moved its ``updated_at`` (``touch()``): saving an
        unchanged entity writes nothing, and reads nothing either when this
        repository read or wrote its row in the current transaction. A row that
        moved on without the entity (a child touched it) is not a change; when
        the save reads the row, the entity takes its later ``updated_at``. A
        changed entity the domain did not touch is touched, and a written
        ``updated_at`` is always later than the stored one.
        ``touch=False`` saves as inside ``no_touching()``: the changes are
        written, ``updated_at`` stays as the entity has it and no referenced
        parent is touched.
        """
        new = not entity.version
        with nullcontext() if touch else no_touching(), self._database_errors("save", entity.id):
            written = self._write(entity)
            self.session.flush()
        if written is not None:
            row, fields = written
            entity.version = row.version
            self._record_write(AuditEvent.CREATED if new else AuditEvent.CHANGED, entity.id, fields)
        return entity

    def save_all(self, entities: Sequence[EntityT]) -> list[EntityT]:
        """Save several entities with one ``updated_at`` for all that are written.

        New entities go in with one bulk INSERT, stored entities that changed are
        updated; all of them get one ``updated_at`` (and the new ones the same
        ``created_at``), later than each written row's stored value. Unchanged
        entities are not written. Inside ``no_touching()`` every entity keeps its
        own timestamps.
        """
        new = [entity for entity in entities if not entity.version]
        with self._database_errors("save_all", entities[0].id if len(entities) == 1 else None):
            written = self._rows_to_write(entities)
            if not touching_suppressed():
                self._stamp_together(new, written)
            if new:
                self._insert_all(new)
            changes = [self._changed_fields(entity, row) for entity, row in written]
            for entity, row in written:
                self._copy_to_row(entity, row)
            self.session.flush()
        for entity, row in written:
            entity.version = row.version
        self._record_writes(AuditEvent.CREATED, [(entity.id, ()) for entity in new])
        changed = [
            (entity.id, fields) for (entity, _), fields in zip(written, changes, strict=True)
        ]
        self._record_writes(AuditEvent.CHANGED, changed)
        return list(entities)

    def update_where(
        self, criteria: Sequence[ColumnElement[bool]], values: Mapping[str, Any]
    ) -> int:
        """UPDATE every row matching ``criteria`` with ``values`` in one statement.

        ``updated_at`` is stamped once for all rows (unless ``values`` sets it, or
        inside ``no_touching()``), later than every matched row's current value;
        ``version`` goes up by one. Returns the number of rows updated. The
        statement bypasses the domain: no validation, no events, no touch of
        referenced parents.
        """
        model = self.model_type
        statement = update(model).where(*criteria).values({**values, "version": model.version + 1})
        with self._database_errors("update_where"):
            result = self.session.execute(statement)
        rows = cast(CursorResult[Any], result).rowcount
        self._record_write(AuditEvent.UPDATED_WHERE, None, tuple(values), rows=rows)
        return rows

    def update_timestamp_only(self, entity: EntityT) -> EntityT:
        """Touch ``entity`` and store its new ``updated_at``, leaving other columns alone."""
        with self._database_errors("update_timestamp_only", entity.id):
            row = self._stored_rows([entity])[entity.id]
            self._catch_up(entity, row)
            entity.touch()
            row.updated_at = entity.updated_at
            self.session.flush()
            entity.version = row.version
        self._record_write(AuditEvent.CHANGED, entity.id)
        return entity

    def delete(self, entity_id: UUID) -> bool:
        """Delete the entity with ``entity_id``; False when there was none.

        The rows that reference it get what their reference's ``on_delete``
        says (see :mod:`..orm.on_delete`). A reference that restricts refuses
        the delete with :class:`ReferencedEntityInUse`: nothing is deleted, and
        the transaction goes on (the delete runs in a savepoint). References
        set to null are emptied with one stamped UPDATE each; the rows loaded in
        the session that the delete may have deleted or changed are expired.
        A row this repository read in the current transaction is deleted only
        at the version it was read at: when it changed since, ConcurrencyConflict.
        """
        with (
            self._database_errors("delete", entity_id),
            refused_while_referenced(self.entity_type.__name__, entity_id),
        ):
            row = self.session.get(self.model_type, entity_id)
            if row is None:
                return False
            try:
                with self.session.begin_nested():
                    empty_references(self.session, self.model_type, entity_id)
                    self.session.delete(row)
                    self.session.flush()
            finally:
                # Deleted, changed, or changed and rolled back with the savepoint.
                expire_changed_rows(self.session, self.model_type)
        self._record_write(AuditEvent.DELETED, entity_id)
        return True

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the block succeeds; otherwise roll back and re-raise.

        A failing commit is raised as :class:`DatabaseException`; nothing of the
        block is stored.
        """
        try:
            yield self.session
            with self._database_errors("commit"):
                self.session.commit()
        except BaseException:
            self.session.rollback()
            raise

    # --- mapping ---------------------------------------------------------------

    def _write(self, entity: EntityT) -> tuple[ModelT, tuple[str, ...]] | None:
        """Put ``entity`` on its row (a new row for a new entity); None when unchanged.

        Returns the row and the names of the declared fields that changed.
        """
        if not entity.version:
            new_row = self.model_type(**self._row_values(entity))
            self.session.add(new_row)
            self._held.hold(new_row)
            return new_row, ()
        held = self._held_row(entity)
        if held is not None:
            if self._equals(entity, held):
                return None
            fields = self._update_held_row(entity, held)
            if fields is not None:
                return held, fields
        written = self._rows_to_write([entity])
        if not written:
            return None
        _, row = written[0]
        if not touching_suppressed() and entity.updated_at <= row.updated_at:
            entity.touch()
        fields = self._changed_fields(entity, row)
        self._copy_to_row(entity, row)
        self._held.hold(row)
        return row, fields

    def _rows_to_write(self, entities: Sequence[EntityT]) -> list[tuple[EntityT, ModelT]]:
        """The stored entities among ``entities`` that saving writes, with their rows.

        An entity equal to the row this session loaded it from, still loaded in
        the session, is unchanged: nothing is read. The others are compared with
        their rows read again and locked (:meth:`_stored_rows`).
        """
        candidates = [
            entity
            for entity in entities
            if entity.version and not self._equals(entity, self._held_row(entity))
        ]
        rows = self._stored_rows(candidates)
        return [
            (entity, rows[entity.id])
            for entity in candidates
            if self._differs(entity, rows[entity.id])
        ]

    def _held_row(self, entity: EntityT) -> ModelT | None:
        return self._held.get(entity.id, entity.version)

    def _equals(self, entity: EntityT, row: ModelT | None) -> bool:
        """Whether ``row`` holds every persistent field of ``entity`` as it is."""
        values = self._row_values(entity).items()
        return row is not None and all(getattr(row, name) == value for name, value in values)

    def _update_held_row(self, entity: EntityT, row: ModelT) -> tuple[str, ...] | None:
        """Write ``entity`` with one UPDATE, guarded so that it never moves ``updated_at`` back.

        The stamp is worked out from the held ``row``, which a concurrent
        transaction may have moved on since: the UPDATE matches only the row's
        version with an ``updated_at`` earlier than the stamp. Returns the names of
        the declared fields that changed; None, having written nothing, when it
        matched no row: the caller then reads the row again.
        """
        touching = not touching_suppressed()
        if touching and entity.updated_at <= row.updated_at:
            entity.touch()
        values = self._row_values(entity)
        changes = {name: value for name, value in values.items() if getattr(row, name) != value}
        version = entity.version + 1
        parameters = {f"new_{name}": value for name, value in values.items()} | {
            "row_id": entity.id,
            "read_version": entity.version,
            "new_version": version,
            "stamp": entity.updated_at,
        }
        result = self.session.execute(self._guarded_update(touching), parameters)
        if cast(CursorResult[Any], result).rowcount != 1:
            return None
        fields = self._changed_fields(entity, row)
        before = {column: getattr(row, column) for column in self.model_type.touched_parents}
        for name, value in {**changes, "version": version}.items():
            set_committed_value(row, name, value)
        touch_parents_of_write(self.session, self.model_type, before, values)
        return fields

    def _guarded_update(self, touching: bool) -> Update:
        """The UPDATE of :meth:`_update_held_row` (see :mod:`.guarded_update`).

        Its values are bound parameters, so a repository builds it at its first
        write of a held row and keeps it; SQLAlchemy compiles it once per model.
        """
        statement = self._guarded_updates.get(touching)
        if statement is None:
            statement = guarded_update(self.entity_type, self.model_type, touching=touching)
            self._guarded_updates[touching] = statement
        return statement

    def _differs(self, entity: EntityT, row: ModelT) -> bool:
        """Whether saving ``entity`` writes ``row``: a field differs, or it was touched.

        Unless inside ``no_touching()``, a row whose ``updated_at`` is later than
        the entity's moved on without it (a child touched it): the entity takes
        that value, and it does not count as a change.
        """
        if not touching_suppressed():
            self._catch_up(entity, row)
        return not self._equals(entity, row)

    def _changed_fields(self, entity: EntityT, row: ModelT) -> tuple[str, ...]:
        """The declared fields of ``entity`` whose value ``row`` does not hold: names only."""
        return tuple(
            name
            for name, value in self._row_values(entity).items()
            if name not in ENTITY_COLUMNS and getattr(row, name) != value
        )

    @staticmethod
    def _catch_up(entity: EntityT, row: ModelT) -> None:
        """Give ``entity`` the later ``updated_at`` its row got without it."""
        if row.updated_at > entity.updated_at:
            entity.updated_at = row.updated_at

    def _stamp_together(
        self, new: Sequence[EntityT], written: Sequence[tuple[EntityT, ModelT]]
    ) -> None:
        """Give every entity ``save_all()`` writes one ``updated_at``.

        The stamp is later than each written row's stored value, and not earlier
        than an ``updated_at`` the domain already moved an entity to.
        """
        latest_stored = max((row.updated_at for _, row in written), default=None)
        moved = [entity.updated_at for entity, row in written if entity.updated_at > row.updated_at]
        stamp = next_updated_at(latest_stored, at=max([utc_now(), *moved]))
        for entity in new:
            entity.created_at = entity.updated_at = stamp
        for entity, _ in written:
            entity.updated_at = stamp

    def _copy_to_row(self, entity: EntityT, row: ModelT) -> None:
        for name, value in self._row_values(entity).items():
            setattr(row, name, value)

    def _insert_all(self, entities: Sequence[EntityT]) -> None:
        """Insert new entities with one statement.

        A bulk INSERT skips the flush, so the parents the rows reference with
        ``touch: true`` are touched here.
        """
        rows = [{**self._row_values(entity), "version": 1} for entity in entities]
        self.session.execute(insert(table_of(self.model_type)), rows)
        for entity in entities:
            entity.version = 1
        references = self.model_type.touched_parents.items()
        touch_parents(
            self.session,
            {(model, row[column]) for column, model in references for row in rows if row[column]},
        )

    def _stored_rows(self, entities: Sequence[EntityT]) -> dict[UUID, ModelT]:
        """The rows of stored ``entities`` as they are now, locked.

        Read with ``SELECT ... FOR UPDATE`` (see :mod:`..orm.stamps`), so a row
        another transaction changed since is seen as it is. A row whose version
        moved on since the entity was read is a stale write.
        """
        ids = [entity.id for entity in entities]
        if not ids:
            return {}
        model = self.model_type
        query = (
            select(model)
            .where(model.id.in_(ids))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        rows = {row.id: row for row in self.session.scalars(query)}
        for entity in entities:
            row = rows.get(entity.id)
            if row is None or row.version != entity.version:
                raise ConcurrencyConflict(self.entity_type.__name__, entity.id)
        return rows

    def _row_values(self, entity: EntityT) -> dict[str, Any]:
        """The persistent fields of ``entity``, except the version SQLAlchemy manages."""
        names = self.entity_type.field_names()
        return {name: getattr(entity, name) for name in names if name != "version"}

    @contextmanager
    def _database_errors(self, operation: str, entity_id: UUID | None = None) -> Iterator[None]:
        """Database errors as the domain's exceptions; a conflict is logged and counted."""
        try:
            with super()._database_errors(operation, entity_id):
                yield
        except ConcurrencyConflict as conflict:
            self._record_write(AuditEvent.CONFLICT, conflict.entity_id)
            raise

    def _record_write(
        self,
        event: AuditEvent,
        entity_id: UUID | None,
        fields: tuple[str, ...] = (),
        rows: int | None = None,
    ) -> None:
        """One write: a line of the audit log (:mod:`..audit`, logged on commit) and
        the metrics' write counter (:mod:`.write_counts`)."""
        self._record_writes(event, [(entity_id, fields)], rows)

    def _record_writes(
        self,
        event: AuditEvent,
        writes: Sequence[tuple[UUID | None, tuple[str, ...]]],
        rows: int | None = None,
    ) -> None:
        """Writes of ``event``, (entity id, changed fields) each: their audit lines, one count."""
        if not writes:
            return
        entity_type = self.entity_type.__name__
        if audited(event):
            for entity_id, fields in writes:
                audit(self.session, AuditRecord(event, entity_type, entity_id, fields, rows))
        count_writes(entity_type, COUNTED_AS[event], len(writes) if rows is None else rows)
