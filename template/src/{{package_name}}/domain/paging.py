"""Pages of entities: what a listing may ask for, and the page it gets back.

Every listing is bounded (at most MAX_PAGE_SIZE entities a page) and has a
stable order: the ``order_by`` field, then ``id`` in the same direction, so
rows with equal values (many rows created in the same microsecond) never move
between pages.
"""

from dataclasses import dataclass
from typing import Final, Generic, NamedTuple, TypeVar

from .base_entity import BaseTimestampEntity
from .exceptions import ValidationError

# The most entities one page holds; a larger ``limit`` is refused.
MAX_PAGE_SIZE: Final = 500
DEFAULT_PAGE_SIZE: Final = 50
# The largest ``offset``: the largest OFFSET every database takes (a signed 64-bit integer).
MAX_OFFSET: Final = 2**63 - 1
# A field name, oldest first; ``-created_at`` is newest first.
DEFAULT_ORDER: Final = "created_at"

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


@dataclass(frozen=True)
class Page(Generic[EntityT]):
    """One page of a listing and the number of entities the whole listing has.

    ``items`` and ``total`` come from the same filter; ``limit`` and ``offset``
    are the ones asked for.
    """

    items: tuple[EntityT, ...]
    total: int
    limit: int
    offset: int


class Ordering(NamedTuple):
    """A checked ``order_by``: the field, and whether the order is descending."""

    field: str
    descending: bool


def check_page(limit: int, offset: int) -> None:
    """Raise ValidationError unless ``limit`` is 1 to MAX_PAGE_SIZE and ``offset`` 0 to MAX_OFFSET."""
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"limit must be an int from 1 to {MAX_PAGE_SIZE} (MAX_PAGE_SIZE), got {limit!r}"
        )
    if type(offset) is not int or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(
            f"offset must be an int from 0 to {MAX_OFFSET} (MAX_OFFSET), got {offset!r}"
        )


def ordering(entity_type: type[BaseTimestampEntity], order_by: str) -> Ordering:
    """Check ``order_by``: a field of ``entity_type``, ``-`` in front for descending."""
    fields = entity_type.field_names()
    if not isinstance(order_by, str) or order_by.removeprefix("-") not in fields:
        allowed = ", ".join(fields)
        raise ValidationError(
            f"order_by must name a field of {entity_type.__name__} ({allowed}), "
            f"with '-' in front for descending order; got {order_by!r}"
        )
    return Ordering(order_by.removeprefix("-"), order_by.startswith("-"))
