"""What the application layer needs from a repository (implemented in infrastructure)."""

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from ..domain.base_entity import BaseTimestampEntity

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class Repository(Protocol[EntityT]):
    """Stores entities of one type; writes count only inside ``transaction()``."""

    def save(self, entity: EntityT) -> EntityT: ...

    def get_by_id(self, entity_id: UUID) -> EntityT | None: ...

    def delete(self, entity_id: UUID) -> bool: ...

    def find_updated_since(self, moment: datetime) -> list[EntityT]: ...

    def transaction(self) -> AbstractContextManager[Any]: ...
