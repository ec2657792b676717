"""TimestampRepositoryMixin: persistence of timestamped entities, shared by all repositories."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...domain.base_entity import BaseTimestampEntity
from ...domain.clock import RESOLUTION, as_utc, utc_now
from ...domain.exceptions import ConcurrencyConflict, DatabaseException
from ..orm.entity_model import EntityModel

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

    entity_type: type[EntityT]
    model_type: type[ModelT]

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- writing ---------------------------------------------------------------

    def save(self, entity: EntityT) -> EntityT:
        """Write ``entity`` and flush; returns the same entity.

        A stored entity is touched first. A new one keeps the single clock
        reading it was created with, so ``created_at == updated_at``.
        """
        if entity.version:
            entity.touch()
        return self._persist([entity], "save")[0]

    def save_all(self, entities: Sequence[EntityT]) -> list[EntityT]:
        """Save several entities under one ``updated_at`` (one clock reading)."""
        if not entities:
            return []
        stamp = max(utc_now(), *(self._floor(entity) for entity in entities))
        for entity in entities:
            entity.touch(at=stamp)
        return self._persist(entities, "save_all")

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

    def _persist(self, entities: Sequence[EntityT], operation: str) -> list[EntityT]:
        with self._database_errors(operation, entities[0] if len(entities) == 1 else None):
            rows = [self._write(entity) for entity in entities]
            self.session.flush()
        for entity, row in zip(entities, rows, strict=True):
            entity.version = row.version
        return list(entities)

    def _write(self, entity: EntityT) -> ModelT:
        """Copy ``entity`` onto its row (a new row for a new entity)."""
        values = self._row_values(entity)
        row = self._stored_row(entity)
        if row is None:
            row = self.model_type(**values)
            self.session.add(row)
            return row
        for name, value in values.items():
            setattr(row, name, value)
        return row

    def _stored_row(self, entity: EntityT) -> ModelT | None:
        """The row ``entity`` was read from (None for a new entity).

        A row whose version moved on since the read is a stale write.
        """
        row = self.session.get(self.model_type, entity.id)
        if row is not None and row.version != entity.version:
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

    @staticmethod
    def _floor(entity: EntityT) -> datetime:
        """The earliest ``updated_at`` a new bump of ``entity`` may have."""
        assert entity.updated_at is not None
        return entity.updated_at + RESOLUTION

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
