"""``<path>/changes``: an entity's change feed over HTTP, read from a cursor.

The changes of the entity's rows in the order their transactions committed
(see :mod:`...infrastructure.change_feed`): ``after`` is the ``next_cursor`` of
the page read last (0: from the first change), ``limit`` the page's size. A
value out of its range is refused with 422 naming the parameter, the value and
the rule. ``changes`` is no id: the entity's ``/{entity_id}`` routes leave it
to this route (:class:`EntityIdConvertor`), so its other methods answer 405.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel
from starlette.convertors import StringConvertor, register_url_convertor

from ...application.entity_service import EntityService
from ...domain.base_entity import BaseTimestampEntity
from ...domain.changes import MAX_CURSOR, ChangeKind, ChangePage
from ...domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .sessions import RequestUnitOfWork

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)

FEED_PATH = "/changes"
After = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_CURSOR,
        description="The next_cursor of the page read last; 0 reads from the first change",
    ),
]
FeedLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Changes on the page")]


class EntityIdConvertor(StringConvertor):
    """An id's path segment: any but ``changes``, the feed's."""

    regex = f"(?!{FEED_PATH.removeprefix('/')}$)[^/]+"


register_url_convertor("entity_id", EntityIdConvertor())
# The path of one entity's routes, below the entity's path.
ENTITY_PATH = "/{entity_id:entity_id}"


class ChangeBody(BaseModel):
    """One committed change of an entity row: ``values`` are the row's fields after it
    (none for a touch or a delete; a sensitive field's never), as JSON values."""

    position: int
    entity: str
    entity_id: UUID
    version: int
    kind: ChangeKind
    updated_at: datetime
    fields: list[str]
    values: dict[str, Any]
    actor: str | None


class ChangeFeedPage(BaseModel):
    """Changes in commit order; pass ``next_cursor`` as ``after`` to read on."""

    changes: list[ChangeBody]
    next_cursor: int


def feed_page(page: ChangePage) -> ChangeFeedPage:
    """A page of the change feed as its response body."""
    changes = [ChangeBody.model_validate(change, from_attributes=True) for change in page.changes]
    return ChangeFeedPage(changes=changes, next_cursor=page.next_cursor)


def feed_endpoint(service_type: type[EntityService[EntityT]]) -> Callable[..., ChangeFeedPage]:
    """The endpoint of ``service_type``'s feed: one call of its ``changes()``."""

    def request_service(uow: RequestUnitOfWork) -> EntityService[EntityT]:
        return service_type(uow)

    def change_feed(
        service: Annotated[EntityService[EntityT], Depends(request_service)],
        after: After = 0,
        limit: FeedLimit = DEFAULT_PAGE_SIZE,
    ) -> ChangeFeedPage:
        return feed_page(service.changes(after=after, limit=limit))

    return change_feed
