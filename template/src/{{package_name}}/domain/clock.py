"""The one clock all timestamp code reads.

Code never calls ``datetime.now()`` itself: it calls :func:`utc_now`, which asks
the active :class:`Clock`. :func:`next_updated_at` is the rule every write
follows to move ``updated_at``. Tests install a frozen clock with :func:`use_clock`;
libraries that patch time at C level (time-machine) reach :class:`SystemClock`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

from .exceptions import ValidationError

# The finest step every supported database stores.
RESOLUTION = timedelta(microseconds=1)


class Clock(Protocol):
    """Anything that can tell the current time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The operating system's wall clock, in UTC."""

    # ``datetime.now(UTC)`` itself, called afresh each time without a Python frame
    # in between: every ``touch()`` reads it. time-machine still reaches it.
    now = staticmethod(partial(datetime.now, UTC))


# The active clock's ``now``, looked up once per ``use_clock()``, not on every reading.
_active_now: Callable[[], datetime] = SystemClock().now


def as_utc(value: datetime, *, name: str = "datetime") -> datetime:
    """``value`` as aware UTC; a naive value is taken to be UTC already.

    A value whose UTC instant is outside the years 1 to 9999 that Python holds
    (``0001-01-01T00:00:00+14:00``) is a ValidationError naming ``name``; the
    service's own calls always give the name of the value they convert.
    """
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValidationError(
            f"{name} {value.isoformat()} is outside the years 1 to 9999 in UTC", field=name
        ) from error


def utc_now() -> datetime:
    """The current instant from the active clock, as aware UTC."""
    now = _active_now()
    return now if now.tzinfo is UTC else as_utc(now, name="now")


def next_updated_at(
    stored: datetime | None, created_at: datetime | None = None, at: datetime | None = None
) -> datetime:
    """The ``updated_at`` a write moves to: the one rule of how ``updated_at`` moves.

    Now (or ``at``), but strictly later than the ``stored`` value and never
    earlier than ``created_at``, even when the clock stepped back. Every path
    that moves ``updated_at`` (``touch()``, repository saves, bulk statements,
    parent touches, the ORM safety net) calls this function. ``touch()`` passes
    its arguments by position: the call is on the hot path of every change.
    """
    moment = _active_now() if at is None else at
    if moment.tzinfo is not UTC:
        moment = as_utc(moment, name="at")
    if stored is not None and moment <= stored:
        moment = stored + RESOLUTION
    if created_at is not None and moment < created_at:
        moment = as_utc(created_at, name="created_at")
    return moment


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the active clock inside the ``with`` block."""
    global _active_now
    previous, _active_now = _active_now, clock.now
    try:
        yield clock
    finally:
        _active_now = previous
