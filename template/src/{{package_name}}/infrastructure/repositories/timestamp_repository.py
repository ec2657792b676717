"""TimestampRepositoryMixin: persistence of timestamped entities, shared by all repositories."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...domain.base_entity import BaseTimestampEntity
from ...domain.clock import RESOLUTION, as_utc, utc_now
from ...domain.exceptions import ConcurrencyConflict, DatabaseException
from ...domain.touching import no_touching, touching_suppressed
from ..orm.entity_model import EntityModel
from ..orm.timestamp_events import touch_parents

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)


class TimestampRepositoryMixin(Generic[EntityT, ModelT]):
    """Maps entities to rows and back, and keeps timestamps right while doing so.

    Subclasses name the two classes; everything else is shared::

        class TaskRepository(TimestampRepositoryMixin[Task, TaskModel]):
            entity_type = Task
            model_type = TaskModel

    Errors from the database come out as :class:`DatabaseException` (the
    driver's error chained as ``__cause__``); a stale write as
    :class:`ConcurrencyConflict`.
    """

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    entity_type: type[EntityT]
    model_type: type[ModelT]

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- writing ---------------------------------------------------------------

    def save(self, entity: EntityT, *, touch: bool = True) -> EntityT:
        """Write ``entity`` if it differs from its stored row, and flush; returns it.

        A new entity is inserted with the timestamps it was created with. A
        stored entity is written only when a persistent field or ``updated_at``
        differs from its row: saving an unchanged entity writes nothing and
        leaves ``updated_at`` alone. A changed entity whose ``updated_at`` the
        domain did not move is touched, and a written ``updated_at`` is always
        later than the stored one. ``touch=False`` saves as inside
        ``no_touching()``: the changes are written, ``updated_at`` stays as the
        entity has it and no referenced parent is touched.
        """
        with nullcontext() if touch else no_touching(), self._database_errors("save", entity):
            written = self._write(entity, at=None)
            self.session.flush()
        if written is not None:
            entity.version = written.version
        return entity

    def save_all(self, entities: Sequence[EntityT]) -> list[EntityT]:
        """Save several entities with one reading of the clock.

        New entities go in with one bulk INSERT, all with ``created_at`` and
        ``updated_at`` set to that reading (inside ``no_touching()`` they keep their
        own). Stored entities that changed without the domain moving their
        ``updated_at`` move to the same reading (or just past their stored value,
        if that is later); unchanged ones are not written.
        """
        new = [entity for entity in entities if not entity.version]
        stored = [entity for entity in entities if entity.version]
        stamp = utc_now()
        with self._database_errors("save_all", entities[0] if len(entities) == 1 else None):
            if new:
                self._insert_all(new, stamp)
            written = [(entity, self._write(entity, at=stamp)) for entity in stored]
            self.session.flush()
        for entity, row in written:
            if row is not None:
                entity.version = row.version
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
        changes: dict[str, Any] = {**values, "version": model.version + 1}
        with self._database_errors("update_where"):
            if "updated_at" not in changes and not touching_suppressed():
                latest = self.session.scalar(select(func.max(model.updated_at)).where(*criteria))
                changes["updated_at"] = (
                    utc_now() if latest is None else max(utc_now(), latest + RESOLUTION)
                )
            result = self.session.execute(update(model).where(*criteria).values(changes))
        return cast(CursorResult[Any], result).rowcount

    def update_timestamp_only(self, entity: EntityT) -> EntityT:
        """Touch ``entity`` and store its new ``updated_at``, leaving other columns alone."""
        entity.touch()
        with self._database_errors("update_timestamp_only", entity):
            row = self._stored_row(entity)
            if row is None:
                raise ConcurrencyConflict(self.entity_type.__name__, entity.id)
            row.updated_at = entity.updated_at
            self.session.flush()
            entity.version = row.version
        return entity

    def delete(self, entity_id: UUID) -> bool:
        """Delete the entity with ``entity_id``; False when there was none."""
        with self._database_errors("delete"):
            row = self.session.get(self.model_type, entity_id)
            if row is None:
                return False
            self.session.delete(row)
            self.session.flush()
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

    # --- reading ---------------------------------------------------------------

    def get_by_id(self, entity_id: UUID) -> EntityT | None:
        """The entity with ``entity_id``, or None."""
        with self._database_errors("get_by_id"):
            row = self.session.get(self.model_type, entity_id)
        return None if row is None else self._to_entity(row)

    def find_updated_since(self, moment: datetime) -> list[EntityT]:
        """Entities changed after ``moment`` (naive means UTC), oldest change first."""
        model = self.model_type
        query = select(model).where(model.updated_at > as_utc(moment)).order_by(model.updated_at)
        return self._find(query, "find_updated_since")

    def find_stale(self, older_than: timedelta) -> list[EntityT]:
        """Entities not changed for longer than ``older_than``, oldest change first."""
        model = self.model_type
        cutoff = utc_now() - older_than
        query = select(model).where(model.updated_at < cutoff).order_by(model.updated_at)
        return self._find(query, "find_stale")

    # --- mapping ---------------------------------------------------------------

    def _write(self, entity: EntityT, *, at: datetime | None) -> ModelT | None:
        """Put ``entity`` on its row (a new row for a new entity); None when unchanged.

        ``at`` is the moment a changed entity moves to (None: now).
        """
        values = self._row_values(entity)
        row = self._stored_row(entity)
        if row is None:
            row = self.model_type(**values)
            self.session.add(row)
            return row
        changed = {name for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            return None
        if not touching_suppressed():
            if "updated_at" not in changed:
                entity.touch(at=at)
            if entity.updated_at <= row.updated_at:
                entity.touch(at=row.updated_at + RESOLUTION)
            values["updated_at"] = entity.updated_at
        for name, value in values.items():
            setattr(row, name, value)
        return row

    def _insert_all(self, entities: Sequence[EntityT], stamp: datetime) -> None:
        """Insert new entities with one statement, stamped with one reading of the clock.

        A bulk INSERT skips the flush, so the parents the rows reference with
        ``touch: true`` are touched here.
        """
        touching = not touching_suppressed()
        if touching:
            for entity in entities:
                entity.created_at = entity.updated_at = stamp
        rows = [{**self._row_values(entity), "version": 1} for entity in entities]
        self.session.execute(insert(self.model_type), rows)
        for entity in entities:
            entity.version = 1
        if touching:
            parents = self.model_type.touched_parents.items()
            touch_parents(
                self.session,
                {(model, row[column]) for column, model in parents for row in rows if row[column]},
            )

    def _stored_row(self, entity: EntityT) -> ModelT | None:
        """The row ``entity`` was read from (None for a new entity).

        A row whose version moved on since the read is a stale write.
        """
        if not entity.version:
            return None
        row = self.session.get(self.model_type, entity.id)
        if row is None or row.version != entity.version:
            raise ConcurrencyConflict(self.entity_type.__name__, entity.id)
        return row

    def _find(self, query: Select[Any], operation: str) -> list[EntityT]:
        with self._database_errors(operation):
            rows = self.session.scalars(query).all()
        return [self._to_entity(row) for row in rows]

    def _row_values(self, entity: EntityT) -> dict[str, Any]:
        """The persistent fields of ``entity``, except the version SQLAlchemy manages."""
        return {name: getattr(entity, name) for name in self._field_names() if name != "version"}

    def _to_entity(self, row: ModelT) -> EntityT:
        return self.entity_type(**{name: getattr(row, name) for name in self._field_names()})

    @classmethod
    def _field_names(cls) -> list[str]:
        return [entity_field.name for entity_field in fields(cls.entity_type) if entity_field.init]

    @contextmanager
    def _database_errors(
        self, operation: str, entity: BaseTimestampEntity | None = None
    ) -> Iterator[None]:
        entity_type = self.entity_type.__name__
        try:
            yield
        except StaleDataError as error:
            if entity is None:
                raise DatabaseException(operation, entity_type, str(error)) from error
            raise ConcurrencyConflict(entity_type, entity.id) from error
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error)
            raise DatabaseException(operation, entity_type, detail) from error
