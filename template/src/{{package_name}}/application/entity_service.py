"""EntityService: the use cases every entity shares, each in one transaction."""

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from ..domain.base_entity import BaseTimestampEntity
from ..domain.changes import ChangePage
from ..domain.exceptions import ConcurrencyConflict, EntityNotFound, ValidationError
from ..domain.history import HistoryEntry
from ..domain.paging import DEFAULT_ORDER, DEFAULT_PAGE_SIZE, Page
from .repository import Repository
from .unit_of_work import UnitOfWork

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class EntityService(Generic[EntityT]):
    """Get, partially update, delete, count and list entities of one type.

    Each use case is one ``with`` block of the unit of work ``uow``: a write
    commits once at its end, and nothing of a failed one is stored. Updates go
    through the entity's ``update_<field>()`` methods, so validation,
    ``updated_at`` and events are the entity's business; the repository stores
    the result, and ``uow.saved`` lists it once committed.
    """

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    entity_type: type[EntityT]

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @property
    def repository(self) -> Repository[EntityT]:
        """This entity type's repository in the unit of work's current block."""
        return self.uow.repository(self.entity_type)

    def get(self, entity_id: UUID) -> EntityT:
        """The entity with ``entity_id``; EntityNotFound when there is none."""
        with self.uow:
            return self._get(entity_id)

    def update(self, entity_id: UUID, changes: Mapping[str, object]) -> EntityT:
        """Apply ``changes`` (field name to new value) and save, all or nothing."""
        with self.uow:
            entity = self._change(self._get(entity_id), changes)
            self.uow.commit()
        return entity

    def change(self, entity: EntityT, changes: Mapping[str, object]) -> EntityT:
        """Apply ``changes`` to ``entity`` as it was read, and save, all or nothing.

        The save is based on that read: when the stored entity changed since,
        it raises ConcurrencyConflict and stores nothing.
        """
        with self.uow:
            self._change(entity, changes)
            self.uow.commit()
        return entity

    def delete(self, entity_id: UUID) -> None:
        """Delete the entity with ``entity_id``; EntityNotFound when there is none."""
        with self.uow:
            if not self.repository.delete(entity_id):
                raise EntityNotFound(self.entity_type.__name__, entity_id)
            self.uow.commit()

    def delete_entity(self, entity: EntityT) -> None:
        """Delete ``entity`` as this service read it.

        The delete is based on that read: when the stored entity changed since,
        it raises ConcurrencyConflict and deletes nothing.
        """
        with self.uow:
            if self._get(entity.id).version != entity.version:
                raise ConcurrencyConflict(self.entity_type.__name__, entity.id)
            self.repository.delete(entity.id)
            self.uow.commit()

    def exists(self, entity_id: UUID) -> bool:
        """Whether an entity with ``entity_id`` is stored."""
        with self.uow:
            return self.repository.exists(entity_id)

    def count(self) -> int:
        """How many entities are stored."""
        with self.uow:
            return self.repository.count()

    def list(
        self, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0, order_by: str = DEFAULT_ORDER
    ) -> builtins.list[EntityT]:
        """A page of entities: ``limit`` (at most ``MAX_PAGE_SIZE``) after ``offset``.

        ``order_by`` is a field name, ``-`` in front for descending; ``id``
        breaks ties, so consecutive pages never overlap or skip an entity.
        """
        with self.uow:
            return self.repository.list(limit=limit, offset=offset, order_by=order_by)

    def list_and_count(
        self,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
        order_by: str = DEFAULT_ORDER,
        updated_since: datetime | None = None,
    ) -> Page[EntityT]:
        """A page as :meth:`list` gives it, with the total number of entities listed.

        With ``updated_since``, only entities changed after that moment are
        listed and counted.
        """
        with self.uow:
            return self.repository.list_and_count(
                limit=limit, offset=offset, order_by=order_by, updated_since=updated_since
            )

    def list_updated_since(self, moment: datetime) -> builtins.list[EntityT]:
        """Entities changed after ``moment``, oldest change first."""
        with self.uow:
            return self.repository.find_updated_since(moment)

    def changes(self, *, after: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> ChangePage:
        """The committed changes of these entities after the cursor ``after``, in commit order.

        Deletes are tombstones (``kind`` ``deleted``). Pass the page's
        ``next_cursor`` as ``after`` to read on; see the guide's "Change feed".
        """
        with self.uow:
            return self.repository.changes(after=after, limit=limit)

    def history(self, entity_id: UUID) -> builtins.list[HistoryEntry]:
        """Every kept change of the entity ``entity_id``, oldest first (``history: true``)."""
        with self.uow:
            return self.repository.history(entity_id)

    def add(self, entity: EntityT) -> EntityT:
        """Store the new ``entity``; ``create()`` builds it from the field values."""
        with self.uow:
            self.repository.save(entity)
            self.uow.commit()
        return entity

    def _find_by_reference(
        self, field: str, parent_id: UUID, limit: int, offset: int
    ) -> builtins.list[EntityT]:
        """A page of entities whose reference ``field`` points at ``parent_id``, oldest first."""
        with self.uow:
            return self.repository.find_by_reference(
                field, parent_id, limit=limit, offset=offset, order_by=DEFAULT_ORDER
            )

    def _get(self, entity_id: UUID) -> EntityT:
        """The entity with ``entity_id`` in the current block; EntityNotFound when there is none."""
        entity = self.repository.get_by_id(entity_id)
        if entity is None:
            raise EntityNotFound(self.entity_type.__name__, entity_id)
        return entity

    def _change(self, entity: EntityT, changes: Mapping[str, object]) -> EntityT:
        """Apply ``changes`` through the update methods and save, in the current block."""
        for name, value in changes.items():
            updater = getattr(entity, f"update_{name}", None)
            if updater is None:
                entity_name = self.entity_type.__name__
                raise ValidationError(f"{entity_name} has no field {name!r} to update", field=name)
            updater(value)
        self.repository.save(entity)
        return entity
