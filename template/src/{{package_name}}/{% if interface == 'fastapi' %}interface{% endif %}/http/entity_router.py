"""The HTTP routes of one entity type, built once for every entity from its service.

``<path>``: POST creates (201), GET lists one page with the total count.
``<path>/{entity_id}``: GET reads, PATCH changes the fields the body names, DELETE
deletes (204). Responses that carry an entity carry its ``ETag`` and
``Last-Modified`` (see :mod:`.conditional`); GET answers 304 to a client whose
copy is current, PATCH and DELETE answer 412 to a stale ``If-Match``.
"""

from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ...application.entity_service import EntityService
from ...application.repository import Repository
from ...domain.base_entity import BaseTimestampEntity
from ...domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from .conditional import is_not_modified, require_match, validators
from .schemas import entity_schemas, to_body
from .sessions import RequestSession

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)

# A listing's page, oldest first (created_at, then id: stable across pages).
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Entities on the page")]
Offset = Annotated[int, Query(ge=0, description="Entities before the page")]
UpdatedSince = Annotated[
    datetime | None, Query(description="Only entities changed after this moment")
]
IfMatch = Annotated[str | None, Header(description="Change only if the entity has this ETag")]
IfNoneMatch = Annotated[str | None, Header(description="304 if the entity still has this ETag")]
IfModifiedSince = Annotated[
    str | None, Header(description="304 if the entity did not change since this date")
]


def entity_router(
    path: str,
    service_type: type[EntityService[EntityT]],
    repository_type: Callable[[Session], Repository[EntityT]],
) -> APIRouter:
    """The routes of ``service_type``'s entity under ``path``, each through one service call."""
    entity_type = service_type.entity_type
    name = entity_type.__name__
    schemas = entity_schemas(entity_type)
    router = APIRouter(prefix=path, tags=[name])

    def request_service(session: RequestSession) -> EntityService[EntityT]:
        return service_type(repository_type(session))

    def entity_response(entity: EntityT, code: HTTPStatus = HTTPStatus.OK) -> JSONResponse:
        body = to_body(schemas.read, entity).model_dump(mode="json")
        return JSONResponse(body, status_code=code, headers=validators(entity))

    def create(
        body: BaseModel, service: Annotated[EntityService[EntityT], Depends(request_service)]
    ) -> JSONResponse:
        entity = service.add(entity_type(**body.model_dump(exclude_unset=True)))
        response = entity_response(entity, HTTPStatus.CREATED)
        response.headers["Location"] = f"{path}/{entity.id}"
        return response

    def read(
        entity_id: UUID,
        service: Annotated[EntityService[EntityT], Depends(request_service)],
        if_none_match: IfNoneMatch = None,
        if_modified_since: IfModifiedSince = None,
    ) -> Response:
        entity = service.get(entity_id)
        if is_not_modified(entity, if_none_match, if_modified_since):
            return Response(status_code=HTTPStatus.NOT_MODIFIED, headers=validators(entity))
        return entity_response(entity)

    def update(
        entity_id: UUID,
        body: BaseModel,
        service: Annotated[EntityService[EntityT], Depends(request_service)],
        if_match: IfMatch = None,
    ) -> JSONResponse:
        # The change is saved on the entity as read here: a write by someone
        # else after this read makes the save a ConcurrencyConflict (409).
        entity = service.get(entity_id)
        require_match(entity, if_match)
        return entity_response(service.change(entity, body.model_dump(exclude_unset=True)))

    def delete(
        entity_id: UUID,
        service: Annotated[EntityService[EntityT], Depends(request_service)],
        if_match: IfMatch = None,
    ) -> Response:
        entity = service.get(entity_id)
        require_match(entity, if_match)
        service.delete_entity(entity)
        return Response(status_code=HTTPStatus.NO_CONTENT)

    def list_page(
        service: Annotated[EntityService[EntityT], Depends(request_service)],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        updated_since: UpdatedSince = None,
    ) -> BaseModel:
        page = service.list_and_count(limit=limit, offset=offset, updated_since=updated_since)
        items = [to_body(schemas.read, entity) for entity in page.items]
        return schemas.page(items=items, total=page.total, limit=page.limit, offset=page.offset)

    # FastAPI reads the body schemas from the annotations: the entity's own.
    create.__annotations__["body"] = schemas.create
    update.__annotations__["body"] = schemas.changes
    entity_path = "/{entity_id}"
    responses: dict[int | str, dict[str, Any]] = {
        HTTPStatus.NOT_FOUND: {"description": f"No {name} has this id"},
    }
    router.add_api_route(
        "",
        create,
        methods=["POST"],
        status_code=HTTPStatus.CREATED,
        response_model=schemas.read,
        summary=f"Create a {name}",
    )
    router.add_api_route(
        "", list_page, methods=["GET"], response_model=schemas.page, summary=f"List {name}s"
    )
    router.add_api_route(
        entity_path,
        read,
        methods=["GET"],
        response_model=schemas.read,
        responses={**responses, HTTPStatus.NOT_MODIFIED: {"description": "Not modified"}},
        summary=f"Read a {name}",
    )
    router.add_api_route(
        entity_path,
        update,
        methods=["PATCH"],
        response_model=schemas.read,
        responses={**responses, HTTPStatus.PRECONDITION_FAILED: {"description": "Stale If-Match"}},
        summary=f"Change fields of a {name}",
    )
    router.add_api_route(
        entity_path,
        delete,
        methods=["DELETE"],
        status_code=HTTPStatus.NO_CONTENT,
        responses={**responses, HTTPStatus.PRECONDITION_FAILED: {"description": "Stale If-Match"}},
        summary=f"Delete a {name}",
    )
    return router
