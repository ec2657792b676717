"""Who is acting: the actor recorded with every write (change feed, events, audit log).

The HTTP layer (``interface/http/team_actor.py``), the command line (``--actor``,
or the operating system's user) or a worker sets it around the work it does for
someone; code running for no one leaves it unset (``None``)::

    with acting_as("alice"):
        service.rename(task_id, "Ship it")

A unit of work made with an ``actor`` acts as them for its whole ``with`` block.
The actor is read when a row is written, so the block must enclose the write.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The longest actor the outbox stores.
ACTOR_LIMIT = 200

_actor: ContextVar[str | None] = ContextVar("actor", default=None)


def current_actor() -> str | None:
    """The actor set by the innermost ``acting_as()`` block; None outside any."""
    return _actor.get()


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Inside the block, writes are recorded as made by ``actor`` (1 to 200 characters).

    ``None`` acts for no one: writes inside record no actor.
    """
    if actor is not None and (not isinstance(actor, str) or not 0 < len(actor) <= ACTOR_LIMIT):
        raise ValueError(f"actor {actor!r} must be a string of 1 to {ACTOR_LIMIT} characters")
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)
