"""One unit of work per request, from the application's factory (``app.state.unit_of_work``).

It acts as the request's actor (``team_actor.py``).
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from ...application.actor import InvalidActor
from ...application.unit_of_work import UnitOfWork
from .team_actor import RequestActor


def request_unit_of_work(request: Request, actor: RequestActor) -> UnitOfWork:
    """A new unit of work acting as ``actor``; each service call commits its own transaction.

    The unit of work refuses an actor that names no one; the refusal says where it came from.
    """
    factory: Callable[..., UnitOfWork] = request.app.state.unit_of_work
    try:
        return factory(actor=actor)
    except InvalidActor as error:
        raise InvalidActor(f"request_actor (interface/http/team_actor.py): {error}") from None


RequestUnitOfWork = Annotated[UnitOfWork, Depends(request_unit_of_work)]
