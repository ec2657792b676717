"""One unit of work per request, from the application's factory (``app.state.unit_of_work``)."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from ...application.unit_of_work import UnitOfWork


def request_unit_of_work(request: Request) -> UnitOfWork:
    """A new unit of work; each service call of the request commits its own transaction."""
    factory: Callable[[], UnitOfWork] = request.app.state.unit_of_work
    return factory()


RequestUnitOfWork = Annotated[UnitOfWork, Depends(request_unit_of_work)]
