"""Who is acting in a request: the team's to edit.

The template writes this module once and never rewrites it. Each request's unit
of work acts as the actor :func:`request_actor` returns, so the change feed, the
events and the audit log name them with every write of the request. Return who
the request is made for (a user's name or id, 1 to 200 characters), or None for
no one. As written, requests are made for no one; a service that authenticates
its callers returns the caller, from a dependency of its own::

    def request_actor(user: Annotated[User, Depends(authenticated_user)]) -> str:
        return user.name

Tests set an actor with ``app.dependency_overrides[request_actor]``.
"""

from typing import Annotated

from fastapi import Depends


def request_actor() -> str | None:
    """The actor of the current request: nobody until the team says who."""
    return None


RequestActor = Annotated[str | None, Depends(request_actor)]
