"""UnitOfWorkBase: what every unit of work shares, whatever stores the entities.

Subclasses say how a transaction begins, ends, commits and rolls back, and
which repository serves an entity type; the base hands out each repository
once per ``with`` block, keeps track of the entities saved and, when it was
given an actor, acts as them (:func:`.actor.acting_as`) for the whole block.
"""

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast
from uuid import UUID

from ..domain.base_entity import BaseTimestampEntity
from ..domain.changes import ChangePage
from ..domain.history import HistoryEntry
from ..domain.paging import Page
from .actor import acting_as, checked_actor
from .repository import Repository

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class UnitOfWorkBase(ABC):
    """A :class:`~.unit_of_work.UnitOfWork`: one ``with`` block, one transaction.

    Blocks do not nest: entering a unit of work that is already in one is an
    error, so no use case commits another's work by accident.
    """

    def __init__(self, actor: str | None = None) -> None:
        self.actor = None if actor is None else checked_actor(actor)
        self._scope = ExitStack()
        self._active = False
        self._repositories: dict[type[BaseTimestampEntity], Repository[Any]] = {}
        self._pending: dict[int, BaseTimestampEntity] = {}
        self._saved: dict[int, BaseTimestampEntity] = {}

    def __enter__(self) -> Self:
        if self._active:
            raise RuntimeError(f"{type(self).__name__} is already in a with block")
        with ExitStack() as scope:
            if self.actor is not None:
                scope.enter_context(acting_as(self.actor))
            self._begin()
            self._scope = scope.pop_all()
        self._active = True
        return self

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._active = False
            self._repositories.clear()
            try:
                self._end()
            finally:
                self._scope.close()

    @property
    def saved(self) -> Sequence[BaseTimestampEntity]:
        """The entities saved by committed transactions, in the order of their first save."""
        return tuple(self._saved.values())

    def repository(self, entity_type: type[EntityT]) -> Repository[EntityT]:
        """The repository of ``entity_type`` in the current transaction (inside ``with``)."""
        if not self._active:
            raise RuntimeError(f"{type(self).__name__}.repository() needs a with block")
        repository = self._repositories.get(entity_type)
        if repository is None:
            opened = self._open(entity_type)
            repository = self._repositories[entity_type] = SavesRecorded(opened, self._record)
        return cast(Repository[EntityT], repository)

    def commit(self) -> None:
        """Store everything the block wrote so far."""
        self._commit()
        for key, entity in self._pending.items():
            self._saved.setdefault(key, entity)
        self._pending.clear()

    def rollback(self) -> None:
        """Drop everything the block wrote since the last ``commit()``."""
        self._pending.clear()
        self._rollback()

    def _record(self, entity: BaseTimestampEntity) -> None:
        self._pending.setdefault(id(entity), entity)

    def _repository_names(self) -> list[str]:
        """The entity types whose repositories the current block opened."""
        return [entity_type.__name__ for entity_type in self._repositories]

    @abstractmethod
    def _begin(self) -> None:
        """Start the block's transaction."""

    @abstractmethod
    def _open(self, entity_type: type[EntityT]) -> Repository[EntityT]:
        """A repository of ``entity_type`` in the block's transaction."""

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def _end(self) -> None:
        """Release what ``_begin()`` took (the block is over)."""


class SavesRecorded(Generic[EntityT]):
    """A repository that tells its unit of work about every entity it saves."""

    def __init__(
        self, repository: Repository[EntityT], record: Callable[[BaseTimestampEntity], None]
    ) -> None:
        self._repository = repository
        self._record = record

    def save(self, entity: EntityT) -> EntityT:
        saved = self._repository.save(entity)
        self._record(saved)
        return saved

    def get_by_id(self, entity_id: UUID) -> EntityT | None:
        return self._repository.get_by_id(entity_id)

    def exists(self, entity_id: UUID) -> bool:
        return self._repository.exists(entity_id)

    def count(self) -> int:
        return self._repository.count()

    def list(self, *, limit: int, offset: int, order_by: str) -> builtins.list[EntityT]:
        return self._repository.list(limit=limit, offset=offset, order_by=order_by)

    def list_and_count(
        self, *, limit: int, offset: int, order_by: str, updated_since: datetime | None
    ) -> Page[EntityT]:
        return self._repository.list_and_count(
            limit=limit, offset=offset, order_by=order_by, updated_since=updated_since
        )

    def find_by_reference(
        self, field: str, parent_id: UUID, *, limit: int, offset: int, order_by: str
    ) -> builtins.list[EntityT]:
        return self._repository.find_by_reference(
            field, parent_id, limit=limit, offset=offset, order_by=order_by
        )

    def delete(self, entity_id: UUID) -> bool:
        return self._repository.delete(entity_id)

    def find_updated_since(self, moment: datetime) -> builtins.list[EntityT]:
        return self._repository.find_updated_since(moment)

    def changes(self, *, after: int, limit: int) -> ChangePage:
        return self._repository.changes(after=after, limit=limit)

    def history(self, entity_id: UUID) -> builtins.list[HistoryEntry]:
        return self._repository.history(entity_id)

    def as_of(self, entity_id: UUID, moment: datetime) -> HistoryEntry | None:
        return self._repository.as_of(entity_id, moment)

    def diff(
        self, entity_id: UUID, from_version: int, to_version: int
    ) -> dict[str, tuple[object, object]]:
        return self._repository.diff(entity_id, from_version, to_version)
