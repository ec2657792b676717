"""The service's errors as HTTP responses, one status per kind of error.

- A request that fails its schema: 422, FastAPI's ``detail`` list naming the
  parameter or field; a body that is no JSON document: 400.
- ValidationError: 422, in the same shape (``loc`` names the field).
- EntityNotFound: 404.
- PreconditionFailed (a stale ``If-Match``): 412; nothing was changed.
- ConcurrencyConflict (the entity changed between this request's read and its
  write): 409; nothing was changed.
- A write the database refuses for the data it holds (a unique value taken, a
  reference to a missing row, a delete of a row others still reference): 409.
- Any other DatabaseException: 503, the database could not do the work.
- ClockSkewRefused (this host's clock is too far from the database's): 503.
- InvalidActor (the team's ``request_actor`` named no valid actor): 500,
  nothing read or written.
- ActorRequired (a write of rows whose entity has ``require_actor: true``, and
  ``request_actor`` named no one): 403; nothing was changed.
- A method the path does not have: 405, with ``Allow`` listing every method it has.

Every error body is JSON, whatever the request held: a value JSON cannot carry
(``Infinity``, a lone surrogate) is written as its ``repr``.
"""

import math
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from ...application.actor import ActorRequired, InvalidActor
from ...domain.exceptions import (
    ClockSkewRefused,
    ConcurrencyConflict,
    DatabaseException,
    EntityNotFound,
    ValidationError,
)
from .conditional import PreconditionFailed

ErrorHandler = Callable[[Request, Exception], JSONResponse]


def install_error_handlers(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """Answer the service's errors with their HTTP status (see the module docstring).

    ``routes`` are the application's routes, whose methods a 405 lists in ``Allow``.
    """
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(HTTPException, http_error(routes))
    app.add_exception_handler(ValidationError, validation_failed)
    app.add_exception_handler(EntityNotFound, detail_response(HTTPStatus.NOT_FOUND))
    app.add_exception_handler(PreconditionFailed, detail_response(HTTPStatus.PRECONDITION_FAILED))
    app.add_exception_handler(ConcurrencyConflict, detail_response(HTTPStatus.CONFLICT))
    app.add_exception_handler(DatabaseException, database_failed)
    app.add_exception_handler(ClockSkewRefused, detail_response(HTTPStatus.SERVICE_UNAVAILABLE))
    app.add_exception_handler(InvalidActor, detail_response(HTTPStatus.INTERNAL_SERVER_ERROR))
    app.add_exception_handler(ActorRequired, detail_response(HTTPStatus.FORBIDDEN))


def request_invalid(request: Request, error: Exception) -> JSONResponse:
    """422 with FastAPI's list of what is wrong, each value as JSON can carry it."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, errors)


def http_error(routes: Sequence[BaseRoute]) -> Callable[[Request, Exception], Any]:
    """Starlette's HTTP errors as FastAPI answers them; a 405 lists every method of the path."""

    async def handler(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            allowed = ", ".join(allowed_methods(routes, request))
            error.headers = {**(error.headers or {}), "Allow": allowed}
        return await http_exception_handler(request, error)

    return handler


def allowed_methods(routes: Sequence[BaseRoute], request: Request) -> list[str]:
    """Every method one of ``routes`` answers on the request's path."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def validation_failed(request: Request, error: Exception) -> JSONResponse:
    """422 naming the field at fault, in the shape of FastAPI's request validation errors."""
    field = error.field if isinstance(error, ValidationError) else None
    location = ["body", field] if field else ["body"]
    detail = [{"type": "value_error", "loc": location, "msg": str(error)}]
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, detail)


def database_failed(request: Request, error: Exception) -> JSONResponse:
    """409 when the database refused the data (an integrity error), else 503."""
    refused = isinstance(error.__cause__, IntegrityError)
    code = HTTPStatus.CONFLICT if refused else HTTPStatus.SERVICE_UNAVAILABLE
    return error_response(code, str(error))


def detail_response(code: HTTPStatus) -> ErrorHandler:
    """A handler that answers ``code`` with the error's message as ``detail``."""

    def handler(request: Request, error: Exception) -> JSONResponse:
        return error_response(code, str(error))

    return handler


def error_response(code: HTTPStatus, detail: object) -> JSONResponse:
    """``{"detail": detail}`` with status ``code``, made JSON-encodable."""
    return JSONResponse({"detail": json_safe(detail)}, status_code=code)


def json_safe(value: object) -> Any:
    """``value`` as JSON can carry it: a non-finite float, a lone surrogate or an
    object JSON has no type for becomes its ``repr`` (a string)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {json_safe(str(key)): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return json_safe(repr(value))
