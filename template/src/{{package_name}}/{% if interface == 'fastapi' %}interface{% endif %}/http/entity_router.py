"""The HTTP routes of one entity type, built once for every entity from its service.

``<path>``: POST creates (201), GET lists one page with the total count.
``<path>/changes``: GET reads the entity's change feed from a cursor (``after``),
in commit order (see :mod:`.feed`).
``<path>/{entity_id}``: GET reads, PATCH changes the fields the body names, DELETE
deletes (204); with ``history``, ``/history`` below it reads the row's history.
HEAD answers as GET does, without the body. Responses that carry an entity carry
its ``ETag`` and ``Last-Modified`` (see :mod:`.conditional`); GET answers 304 to a
client whose copy is current, PATCH and DELETE answer 412 to a stale ``If-Match``.
Every status a route answers is in the OpenAPI document (see :mod:`.errors`).
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ...application.entity_service import EntityService
from ...domain.base_entity import BaseTimestampEntity
from ...domain.paging import DEFAULT_ORDER, DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE
from .conditional import is_not_modified, require_match, validators
from .feed import ENTITY_PATH, FEED_PATH, ChangeFeedPage, feed_endpoint
from .history import HISTORY_PATH, HistoryBody, history_endpoint
from .schemas import ErrorBody, FieldRules, entity_schemas, to_body
from .sessions import RequestUnitOfWork
from .values import Moment

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
Responses = dict[int | str, dict[str, Any]]

# A listing's page, in the order_by field's order (then id: stable across pages).
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Entities on the page")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Entities before the page")]
UpdatedSince = Annotated[
    Moment | None, Query(description="Only entities changed after this moment (ISO 8601)")
]
ORDER_BY = Query(description="A field to order by; '-' in front for descending order")
OrderBy = Annotated[str, ORDER_BY]
IfMatch = Annotated[str | None, Header(description="Change only if the entity has this ETag")]
IfNoneMatch = Annotated[str | None, Header(description="304 if the entity still has this ETag")]
IfModifiedSince = Annotated[
    str | None, Header(description="304 if the entity did not change since this date")
]


def entity_router(
    path: str,
    service_type: type[EntityService[EntityT]],
    rules: FieldRules | None = None,
    *,
    history: bool = False,
    actor_required: bool = False,
) -> APIRouter:
    """The routes of ``service_type``'s entity under ``path``, each through one service call.

    ``rules`` are the entity's str lengths and enum choices, for the request schemas;
    ``history``: the entity keeps its rows' history (``history: true``);
    ``actor_required``: a write may reach rows that require an actor (403 for no one).
    """
    entity_type = service_type.entity_type
    name = entity_type.__name__
    schemas = entity_schemas(entity_type, rules)
    router = APIRouter(prefix=path, tags=[name])

    def request_service(uow: RequestUnitOfWork) -> EntityService[EntityT]:
        return service_type(uow)

    def entity_response(entity: EntityT, code: HTTPStatus = HTTPStatus.OK) -> JSONResponse:
        body = to_body(schemas.read, entity).model_dump(mode="json")
        return JSONResponse(body, status_code=code, headers=validators(entity))

    def create(
        body: BaseModel, service: Annotated[EntityService[EntityT], Depends(request_service)]
    ) -> JSONResponse:
        entity = service.add(entity_type(**given(body)))
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
        return entity_response(service.change(entity, given(body)))

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
        order_by: OrderBy = DEFAULT_ORDER,
        updated_since: UpdatedSince = None,
    ) -> BaseModel:
        page = service.list_and_count(
            limit=limit, offset=offset, order_by=order_by, updated_since=updated_since
        )
        items = [to_body(schemas.read, entity) for entity in page.items]
        return schemas.page(items=items, total=page.total, limit=page.limit, offset=page.offset)

    # FastAPI reads the body schemas and the orders from the annotations: the entity's own.
    create.__annotations__["body"] = schemas.create
    update.__annotations__["body"] = schemas.changes
    list_page.__annotations__["order_by"] = Annotated[Literal[orders(entity_type)], ORDER_BY]
    entity_path = ENTITY_PATH
    missing = error(f"No {name} has this id")
    stale = error("If-Match names no current ETag of the entity: nothing was changed")
    unreadable = error("The body is no JSON document (not UTF-8, or not parsed)")
    unavailable = error("The database could not do the work")
    refused = error(
        "The database refused the data (a unique value taken, a missing or still "
        "referenced entity), or the entity changed since it was read: nothing was changed"
    )
    common: Responses = {HTTPStatus.SERVICE_UNAVAILABLE: unavailable}
    writes: Responses = {**common, HTTPStatus.CONFLICT: refused}
    if actor_required:
        no_actor = error("No one is acting, and a row the request writes requires an actor")
        writes[HTTPStatus.FORBIDDEN] = no_actor
    written: Responses = {**writes, HTTPStatus.BAD_REQUEST: unreadable}
    router.add_api_route(
        "",
        create,
        methods=["POST"],
        status_code=HTTPStatus.CREATED,
        response_model=schemas.read,
        responses=written,
        summary=f"Create a {name}",
    )
    add_get_and_head(
        router,
        "",
        list_page,
        response_model=schemas.page,
        responses=common,
        summary=f"List {name}s",
    )
    add_get_and_head(
        router,
        FEED_PATH,
        feed_endpoint(service_type),
        response_model=ChangeFeedPage,
        responses=common,
        summary=f"Read the changes of {name}s after a cursor, in commit order",
    )
    add_get_and_head(
        router,
        entity_path,
        read,
        response_model=schemas.read,
        responses={
            **common,
            HTTPStatus.NOT_FOUND: missing,
            HTTPStatus.NOT_MODIFIED: {"description": "Not modified: the client's copy is current"},
        },
        summary=f"Read a {name}",
    )
    if history:
        add_get_and_head(
            router,
            f"{entity_path}{HISTORY_PATH}",
            history_endpoint(service_type),
            response_model=HistoryBody,
            responses={
                **common,
                HTTPStatus.NOT_FOUND: error(f"No {name} with this id has a history"),
            },
            summary=f"Read every kept change of a {name}",
        )
    router.add_api_route(
        entity_path,
        update,
        methods=["PATCH"],
        response_model=schemas.read,
        responses={
            **written,
            HTTPStatus.NOT_FOUND: missing,
            HTTPStatus.PRECONDITION_FAILED: stale,
        },
        summary=f"Change fields of a {name}",
    )
    router.add_api_route(
        entity_path,
        delete,
        methods=["DELETE"],
        status_code=HTTPStatus.NO_CONTENT,
        responses={**writes, HTTPStatus.NOT_FOUND: missing, HTTPStatus.PRECONDITION_FAILED: stale},
        summary=f"Delete a {name}",
    )
    return router


def add_get_and_head(
    router: APIRouter, path: str, endpoint: Callable[..., Any], **options: Any
) -> None:
    """A GET route, and a HEAD route that answers the same without the body."""
    router.add_api_route(path, endpoint, methods=["GET"], **options)
    summary = f"{options.pop('summary')}: headers only"
    name = f"{endpoint.__name__}_head"
    router.add_api_route(path, endpoint, methods=["HEAD"], name=name, summary=summary, **options)


def given(body: BaseModel) -> dict[str, Any]:
    """The fields the request body names, with their checked values."""
    return {name: getattr(body, name) for name in body.model_fields_set}


def orders(entity_type: type[BaseTimestampEntity]) -> tuple[str, ...]:
    """The ``order_by`` values of ``entity_type``: each field, and each with ``-`` in front."""
    names = entity_type.field_names()
    return (*names, *(f"-{name}" for name in names))


def error(description: str) -> dict[str, Any]:
    """An error response of the OpenAPI document: ``description``, with ErrorBody."""
    return {"description": description, "model": ErrorBody}
