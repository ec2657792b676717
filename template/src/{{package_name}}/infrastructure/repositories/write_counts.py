"""Counts of the writes the repositories made in this process, by entity and operation.

The repositories call :func:`count_writes` once per write; the metrics
(:mod:`...operations.metrics`, the ``metrics`` extra) read :func:`write_counts`.
Operations: ``create`` (new rows), ``save`` (stored rows written: changed
entities, ``update_where()``, ``update_timestamp_only()``), ``delete`` and
``conflict`` (a stale or lost write, :class:`ConcurrencyConflict`).
"""

from collections import Counter
from threading import Lock

_counts: Counter[tuple[str, str]] = Counter()
_lock = Lock()


def count_writes(entity_type: str, operation: str, rows: int = 1) -> None:
    """Add ``rows`` writes of ``operation`` to ``entity_type``'s count."""
    with _lock:
        _counts[entity_type, operation] += rows


def write_counts() -> dict[tuple[str, str], int]:
    """The counts so far, by ``(entity_type, operation)``."""
    with _lock:
        return dict(_counts)
