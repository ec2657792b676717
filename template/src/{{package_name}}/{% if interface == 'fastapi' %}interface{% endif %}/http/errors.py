"""The service's errors as HTTP responses, one status per kind of error.

- ValidationError: 422, in FastAPI's own shape (``detail``: a list of errors whose
  ``loc`` names the field), like a request that fails the schema.
- EntityNotFound: 404.
- PreconditionFailed (a stale ``If-Match``): 412; nothing was changed.
- ConcurrencyConflict (the entity changed between this request's read and its
  write): 409; nothing was changed.
- A write the database refuses for the data it holds (a unique value taken, a
  reference to a missing row, a delete of a row others still reference): 409.
- Any other DatabaseException: 503, the database could not do the work.
"""

from collections.abc import Callable
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from ...domain.exceptions import (
    ConcurrencyConflict,
    DatabaseException,
    EntityNotFound,
    ValidationError,
)
from .conditional import PreconditionFailed

ErrorHandler = Callable[[Request, Exception], JSONResponse]


def install_error_handlers(app: FastAPI) -> None:
    """Answer the service's errors with their HTTP status (see the module docstring)."""
    app.add_exception_handler(ValidationError, validation_failed)
    app.add_exception_handler(EntityNotFound, detail_response(HTTPStatus.NOT_FOUND))
    app.add_exception_handler(PreconditionFailed, detail_response(HTTPStatus.PRECONDITION_FAILED))
    app.add_exception_handler(ConcurrencyConflict, detail_response(HTTPStatus.CONFLICT))
    app.add_exception_handler(DatabaseException, database_failed)


def validation_failed(request: Request, error: Exception) -> JSONResponse:
    """422 naming the field at fault, in the shape of FastAPI's request validation errors."""
    field = error.field if isinstance(error, ValidationError) else None
    location = ["body", field] if field else ["body"]
    detail = [{"type": "value_error", "loc": location, "msg": str(error)}]
    return JSONResponse({"detail": detail}, status_code=HTTPStatus.UNPROCESSABLE_ENTITY)


def database_failed(request: Request, error: Exception) -> JSONResponse:
    """409 when the database refused the data (an integrity error), else 503."""
    refused = isinstance(error.__cause__, IntegrityError)
    code = HTTPStatus.CONFLICT if refused else HTTPStatus.SERVICE_UNAVAILABLE
    return JSONResponse({"detail": str(error)}, status_code=code)


def detail_response(code: HTTPStatus) -> ErrorHandler:
    """A handler that answers ``code`` with the error's message as ``detail``."""

    def handler(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=code)

    return handler
