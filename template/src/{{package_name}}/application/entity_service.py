"""EntityService: the use cases every entity shares, each in one transaction."""

from collections.abc import Mapping
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from ..domain.base_entity import BaseTimestampEntity
from ..domain.exceptions import EntityNotFound, ValidationError
from .repository import Repository

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class EntityService(Generic[EntityT]):
    """Get, partially update, delete and list entities of one type.

    Updates go through the entity's ``update_<field>()`` methods, so validation,
    ``updated_at`` and events are the entity's business; the repository stores
    the result.
    """

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    entity_type: type[EntityT]

    def __init__(self, repository: Repository[EntityT]) -> None:
        self.repository = repository

    def get(self, entity_id: UUID) -> EntityT:
        """The entity with ``entity_id``; EntityNotFound when there is none."""
        entity = self.repository.get_by_id(entity_id)
        if entity is None:
            raise EntityNotFound(self.entity_type.__name__, entity_id)
        return entity

    def update(self, entity_id: UUID, changes: Mapping[str, object]) -> EntityT:
        """Apply ``changes`` (field name to new value) and save, all or nothing."""
        return self.change(self.get(entity_id), changes)

    def change(self, entity: EntityT, changes: Mapping[str, object]) -> EntityT:
        """Apply ``changes`` to ``entity`` as it was read, and save, all or nothing.

        The save is based on that read: when the stored entity changed since,
        it raises ConcurrencyConflict and stores nothing.
        """
        for name, value in changes.items():
            updater = getattr(entity, f"update_{name}", None)
            if updater is None:
                entity_name = self.entity_type.__name__
                raise ValidationError(f"{entity_name} has no field {name!r} to update", field=name)
            updater(value)
        with self.repository.transaction():
            self.repository.save(entity)
        return entity

    def delete(self, entity_id: UUID) -> None:
        """Delete the entity with ``entity_id``; EntityNotFound when there is none."""
        with self.repository.transaction():
            if not self.repository.delete(entity_id):
                raise EntityNotFound(self.entity_type.__name__, entity_id)

    def remove(self, entity: EntityT) -> None:
        """Delete ``entity`` as this service read it.

        The delete is based on that read: when the stored entity changed since,
        it raises ConcurrencyConflict and deletes nothing.
        """
        self.delete(entity.id)

    def list_updated_since(self, moment: datetime) -> list[EntityT]:
        """Entities changed after ``moment``, oldest change first."""
        return self.repository.find_updated_since(moment)

    def add(self, entity: EntityT) -> EntityT:
        """Store the new ``entity``; ``create()`` builds it from the field values."""
        with self.repository.transaction():
            return self.repository.save(entity)
