"""What the application layer needs from a repository (implemented in infrastructure)."""

import builtins
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from ..domain.base_entity import BaseTimestampEntity
from ..domain.changes import ChangePage
from ..domain.history import HistoryEntry
from ..domain.paging import Page

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class Repository(Protocol[EntityT]):
    """Stores entities of one type; a :class:`~.unit_of_work.UnitOfWork` commits its writes.

    Listings are pages (see :mod:`..domain.paging`): ``limit`` at most
    ``MAX_PAGE_SIZE``, ``order_by`` a field name (``-`` in front for
    descending) with ``id`` breaking ties.
    """

    def save(self, entity: EntityT) -> EntityT: ...

    def get_by_id(self, entity_id: UUID) -> EntityT | None: ...

    def exists(self, entity_id: UUID) -> bool: ...

    def count(self) -> int: ...

    def list(self, *, limit: int, offset: int, order_by: str) -> builtins.list[EntityT]: ...

    def list_and_count(
        self, *, limit: int, offset: int, order_by: str, updated_since: datetime | None
    ) -> Page[EntityT]: ...

    def find_by_reference(
        self, field: str, parent_id: UUID, *, limit: int, offset: int, order_by: str
    ) -> builtins.list[EntityT]: ...

    def delete(self, entity_id: UUID) -> bool: ...

    def find_updated_since(self, moment: datetime) -> builtins.list[EntityT]: ...

    def changes(self, *, after: int, limit: int) -> ChangePage: ...

    # Row history: entities declared with ``history: true``; any other raises HistoryNotKept.
    def history(self, entity_id: UUID) -> builtins.list[HistoryEntry]: ...

    def as_of(self, entity_id: UUID, moment: datetime) -> HistoryEntry | None: ...

    def diff(
        self, entity_id: UUID, from_version: int, to_version: int
    ) -> dict[str, tuple[object, object]]: ...
