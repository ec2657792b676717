"""Ids bound one parameter each: a statement names at most IDS_PER_STATEMENT of them.

Every database limits the parameters of a statement (PostgreSQL to 65,535), so a
read, a lock, an emptying UPDATE or a history copy by id goes in pieces.
"""

from collections.abc import Iterator, Sequence
from typing import TypeVar

# Well inside every database's limit of parameters.
IDS_PER_STATEMENT = 5000

ItemT = TypeVar("ItemT")


def in_pieces(items: Sequence[ItemT]) -> Iterator[Sequence[ItemT]]:
    """``items`` in pieces of at most IDS_PER_STATEMENT, in order."""
    for start in range(0, len(items), IDS_PER_STATEMENT):
        yield items[start : start + IDS_PER_STATEMENT]
