"""UnitOfWork: one transaction over the repositories of every entity type.

A use case runs in a ``with`` block and commits once::

    with uow:
        project = uow.repository(Project).save(project)
        uow.repository(Task).save(task)
        uow.commit()

Leaving the block without ``commit()`` rolls everything back. ``saved`` holds
the entities its committed transactions saved, for whoever publishes their events.
"""

from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self, TypeVar

from ..domain.base_entity import BaseTimestampEntity
from .repository import Repository

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class UnitOfWork(Protocol):
    """One transaction at a time, over a repository per entity type."""

    # Who its blocks act for (``acting_as()``); None leaves the current actor.
    actor: str | None

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def repository(self, entity_type: type[EntityT]) -> Repository[EntityT]:
        """The repository of ``entity_type`` in the current transaction (inside ``with``)."""
        ...

    def commit(self) -> None:
        """Store everything the block wrote so far."""
        ...

    def rollback(self) -> None:
        """Drop everything the block wrote since the last ``commit()``."""
        ...

    @property
    def saved(self) -> Sequence[BaseTimestampEntity]:
        """The entities saved by committed transactions, in the order of their first save."""
        ...
