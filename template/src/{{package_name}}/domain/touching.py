"""``no_touching()``: keep the timestamps the caller set, for imports and backfills.

Inside the block nothing moves ``updated_at`` on its own: ``update_<field>()``
methods, repository saves, the touch of a referenced parent and statement-level
updates all keep the timestamps the entities or rows already have. A new
entity keeps the ``created_at``/``updated_at`` it was constructed with. An
explicit ``touch()`` still moves ``updated_at``: it is asked for by name.

The setting belongs to the current thread or task (a context variable).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_suppressed: ContextVar[bool] = ContextVar("touching_suppressed", default=False)


@contextmanager
def no_touching() -> Iterator[None]:
    """Inside the block, timestamps move only by an explicit ``touch()``."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def touching_suppressed() -> bool:
    """Whether the caller is inside ``no_touching()``."""
    return _suppressed.get()
