"""Who is acting: the actor recorded with every write (change feed, events, audit log).

The HTTP layer (``interface/http/team_actor.py``), the command line (``--actor``,
or the operating system's user) or a worker sets it around the work it does for
someone; code running for no one leaves it unset (``None``)::

    with acting_as("alice"):
        service.rename(task_id, "Ship it")

A unit of work made with an ``actor`` acts as them for its whole ``with`` block.
The actor is read when a row is written, so the block must enclose the write.
An entity answered with ``require_actor: true`` refuses a write of its rows
made for no one (:func:`actor_of_write`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The longest actor the outbox stores.
ACTOR_LIMIT = 200

_actor: ContextVar[str | None] = ContextVar("actor", default=None)


class InvalidActor(ValueError):
    """A value that cannot name an actor (see :func:`checked_actor`)."""


class ActorRequired(Exception):
    """A write of an entity that requires an actor (``require_actor: true``), made for no one."""

    def __init__(self, entity: str) -> None:
        super().__init__(
            f"writing {entity} needs an actor ({entity} has require_actor: true) and no one "
            "is acting: act as someone with acting_as(), the unit of work's actor, the "
            "command line's --actor or the HTTP layer's request_actor"
        )
        self.entity = entity


def checked_actor(actor: object) -> str:
    """``actor``, if it names one: 1 to 200 printable characters, not only spaces.

    Printable rules out newlines and other control characters, which could
    forge lines of a log that shows the actor.
    """
    if (
        not isinstance(actor, str)
        or not 0 < len(actor) <= ACTOR_LIMIT
        or not actor.isprintable()
        or actor.isspace()
    ):
        raise InvalidActor(
            f"actor {actor!r} must be 1 to {ACTOR_LIMIT} printable characters, not only spaces"
        )
    return actor


def current_actor() -> str | None:
    """The actor set by the innermost ``acting_as()`` block; None outside any."""
    return _actor.get()


def actor_of_write(entity: str, *, required: bool) -> str | None:
    """The actor a write of ``entity`` records: the current one.

    Raises ActorRequired, before anything is written, when no one is acting
    and ``entity`` requires an actor (``required``).
    """
    actor = _actor.get()
    if actor is None and required:
        raise ActorRequired(entity)
    return actor


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Inside the block, writes are recorded as made by ``actor`` (:func:`checked_actor`).

    ``None`` acts for no one: writes inside record no actor.
    """
    if actor is not None:
        checked_actor(actor)
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)
