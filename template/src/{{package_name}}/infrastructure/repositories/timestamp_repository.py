"""TimestampRepositoryMixin: persistence of timestamped entities, shared by all repositories."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from uuid import UUID

from sqlalchemy import ColumnElement, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from ...domain.base_entity import BaseTimestampEntity
from ...domain.exceptions import ConcurrencyConflict
from ..audit import AuditEvent
from ..orm.entity_model import EntityModel
from ..orm.on_delete import expire_changed_rows
from ..orm.parent_touch import touch_parents
from ..orm.timestamp_events import decided_rows
from .database_errors import refused_while_referenced
from .row_writes import RowWrites
from .write_path import (
    WriteRecord,
    catch_up,
    entity_write,
    parents_of,
    record_writes,
    stamp_together,
    stamped_values,
    touching,
)

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)


class TimestampRepositoryMixin(RowWrites[EntityT, ModelT]):
    """Maps entities to rows and back, and keeps timestamps right while doing so.

    The reads (one entity, pages, counts, the team's own ``select()``) come from
    :class:`EntityReads`, the row-level steps of writes from :class:`RowWrites`;
    each write reads the touch flag once, here, and passes it to the write path
    (:mod:`.write_path`), which decides its stamp, parents and record.
    Subclasses name the two classes; everything else is shared::

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
        touch = touching(touch)
        with self._database_errors("save", entity.id):
            written = self._write(entity, touch)
            with decided_rows([] if written is None else [written[0]]):
                self.session.flush()
        if written is not None:
            row, write = written
            entity.version = row.version
            self._record(write.record)
        return entity

    def save_all(self, entities: Sequence[EntityT]) -> list[EntityT]:
        """Save several entities with one ``updated_at`` for all that are written.

        New entities go in with one bulk INSERT, stored entities that changed are
        updated; all of them get one ``updated_at`` (and the new ones the same
        ``created_at``), later than each written row's stored value. Unchanged
        entities are not written. Inside ``no_touching()`` every entity keeps its
        own timestamps.
        """
        touch = touching()
        new = [entity for entity in entities if not entity.version]
        with self._database_errors("save_all", entities[0].id if len(entities) == 1 else None):
            written = self._rows_to_write(entities, touch)
            if touch:
                stamp_together(new, written)
            model = self.model_type
            writes = [entity_write(model, entity, None, touch=touch) for entity in new]
            writes += [entity_write(model, entity, row, touch=touch) for entity, row in written]
            if new:
                self._insert_all(new)
            # A parent this call writes gets its updated_at from its own write.
            parents = {parent for write in writes for parent in write.parents}
            if parents:
                touch_parents(self.session, parents - {(model, entity.id) for entity in entities})
            for entity, row in written:
                self._copy_to_row(entity, row)
            with decided_rows(row for _, row in written):
                self.session.flush()
        for entity, row in written:
            entity.version = row.version
        self._record(*(write.record for write in writes))
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
        touch = touching()
        model = self.model_type
        with self._database_errors("update_where"):
            stamped = stamped_values(self.session, model, criteria, values, touch=touch)
            statement = update(model).where(*criteria).values(stamped)
            result = self.session.execute(statement)
        rows = cast(CursorResult[Any], result).rowcount
        self._record(WriteRecord(AuditEvent.UPDATED_WHERE, None, tuple(values), rows))
        return rows

    def update_timestamp_only(self, entity: EntityT) -> EntityT:
        """Touch ``entity`` and store its new ``updated_at``, leaving other columns alone."""
        touch = touching()
        with self._database_errors("update_timestamp_only", entity.id):
            row = self._stored_rows([entity])[entity.id]
            catch_up(entity, row)
            write = entity_write(self.model_type, entity, row, touch=touch, moved=True)
            self._touch_parents(entity, write.parents)
            self._copy_to_row(entity, row)
            with decided_rows([row]):
                self.session.flush()
            entity.version = row.version
        self._record(write.record)
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
        touch = touching()
        with (
            self._database_errors("delete", entity_id),
            refused_while_referenced(self.entity_type.__name__, entity_id),
        ):
            row = self.session.get(self.model_type, entity_id)
            if row is None:
                return False
            try:
                with self.session.begin_nested():
                    # The flush empties the set_null references to it first (change_capture).
                    self.session.delete(row)
                    self._touch_parents_of_deleted(row, touch)
                    with decided_rows([row]):
                        self.session.flush()
            finally:
                # Deleted, changed, or changed and rolled back with the savepoint.
                expire_changed_rows(self.session, self.model_type)
        self._record(WriteRecord(AuditEvent.DELETED, entity_id))
        return True

    def _touch_parents_of_deleted(self, row: ModelT, touch: bool) -> None:
        """The parents a deleted row referenced with ``touch: true`` move (when touching)."""
        if touch:
            before = {column: getattr(row, column) for column in self.model_type.touched_parents}
            touch_parents(self.session, parents_of(self.model_type, before, {}))

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

    @contextmanager
    def _database_errors(self, operation: str, entity_id: UUID | None = None) -> Iterator[None]:
        """Database errors as the domain's exceptions; a conflict is logged and counted."""
        try:
            with super()._database_errors(operation, entity_id):
                yield
        except ConcurrencyConflict as conflict:
            self._record(WriteRecord(AuditEvent.CONFLICT, conflict.entity_id))
            raise

    def _record(self, *records: WriteRecord) -> None:
        """The audit lines and metrics counts of writes (:func:`.write_path.record_writes`)."""
        record_writes(self.session, self.entity_type.__name__, records)
