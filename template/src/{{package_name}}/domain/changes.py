"""The change feed's vocabulary: what happened to an entity row, at which position.

A :class:`Change` is one committed change of one row; its ``position`` orders
the changes of all entities by the commit of their transactions. Readers keep
the ``next_cursor`` of the last :class:`ChangePage` they read and pass it back
as ``after`` (see the guide's "Change feed").
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from .exceptions import ValidationError
from .paging import MAX_PAGE_SIZE

# The largest position a BIGINT holds: the largest cursor.
MAX_CURSOR = 2**63 - 1


class ChangeKind(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    # Only the timestamps moved: a child row with ``touch: true`` was written, or
    # ``timestamps repair`` fixed them.
    TOUCHED = "touched"
    # A tombstone: the row is gone; ``version`` is the one it had.
    DELETED = "deleted"


@dataclass(frozen=True, kw_only=True)
class Change:
    """One committed change of an entity row.

    ``values`` are the row's fields after the change (none for a touch or a
    delete), as JSON values; a sensitive field's value is never among them,
    though its name is in ``fields`` when it changed.
    """

    position: int
    entity: str
    entity_id: UUID
    version: int
    kind: ChangeKind
    updated_at: datetime
    fields: tuple[str, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)
    actor: str | None = None


@dataclass(frozen=True)
class ChangePage:
    """Changes in commit order, and the cursor to read the next ones from."""

    changes: list[Change]
    next_cursor: int


def check_feed_page(after: int, limit: int) -> None:
    """Raise ValidationError unless ``after`` is a cursor and ``limit`` 1 to MAX_PAGE_SIZE."""
    if type(after) is not int or not 0 <= after <= MAX_CURSOR:
        raise ValidationError(
            f"after must be a cursor, an int from 0 to {MAX_CURSOR} (MAX_CURSOR), got {after!r}"
        )
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"limit must be an int from 1 to {MAX_PAGE_SIZE} (MAX_PAGE_SIZE), got {limit!r}"
        )
