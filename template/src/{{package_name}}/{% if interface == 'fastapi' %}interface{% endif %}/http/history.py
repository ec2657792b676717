"""``<path>/{entity_id}/history``: every kept change of one row (entities with ``history: true``).

The row's changes, oldest first, each with the row's values after it (none for
a delete; a sensitive field's never), its version, stamp, actor and the fields
it wrote. A deleted row keeps its history; an id with none answers 404.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends
from pydantic import BaseModel

from ...application.entity_service import EntityService
from ...domain.base_entity import BaseTimestampEntity
from ...domain.changes import ChangeKind
from ...domain.exceptions import EntityNotFound
from .sessions import RequestUnitOfWork

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)

HISTORY_PATH = "/history"


class HistoryEntryBody(BaseModel):
    """One kept change of the row: ``values`` are its fields after the change."""

    entity_id: UUID
    version: int
    kind: ChangeKind
    updated_at: datetime
    actor: str | None
    fields: list[str]
    values: dict[str, Any]


class HistoryBody(BaseModel):
    """The row's kept changes, oldest first."""

    entries: list[HistoryEntryBody]


def history_endpoint(service_type: type[EntityService[EntityT]]) -> Callable[..., HistoryBody]:
    """The endpoint of ``service_type``'s row history: one call of its ``history()``."""

    def request_service(uow: RequestUnitOfWork) -> EntityService[EntityT]:
        return service_type(uow)

    def row_history(
        entity_id: UUID, service: Annotated[EntityService[EntityT], Depends(request_service)]
    ) -> HistoryBody:
        entries = service.history(entity_id)
        if not entries:
            raise EntityNotFound(service_type.entity_type.__name__, entity_id)
        return HistoryBody(
            entries=[
                HistoryEntryBody.model_validate(entry, from_attributes=True) for entry in entries
            ]
        )

    return row_history
