"""Row history (``history: true``): every change of an entity row, as it was kept.

A :class:`HistoryEntry` is one change, with the row's values after it. The
entries of a row, oldest first, answer three questions (the repositories'
``history()``, ``as_of()`` and ``diff()``): what happened to the row, what a
reader saw at a moment, and which fields differ between two versions.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from .changes import ChangeKind
from .clock import as_utc
from .exceptions import DomainError, ValidationError


class HistoryNotKept(DomainError, LookupError):
    """The entity keeps no history: it is not declared with ``history: true``."""

    def __init__(self, entity_type: str) -> None:
        super().__init__(
            f"{entity_type} keeps no history: declare it with history: true in the "
            "template's answers (copier update adds the history table)"
        )
        self.entity_type = entity_type


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    """One change of an entity row.

    ``values`` are the row's fields after the change (for a touch: as before it),
    without sensitive fields; a delete, the row's last entry, has none.
    ``fields`` names the declared fields the change wrote, sensitive ones too.
    """

    entity_id: UUID
    version: int
    kind: ChangeKind
    updated_at: datetime
    actor: str | None
    fields: tuple[str, ...]
    values: Mapping[str, object]


def entry_as_of(entries: Sequence[HistoryEntry], moment: datetime) -> HistoryEntry | None:
    """The entry in force at ``moment`` (naive means UTC): the last one stamped at or before it.

    None before the row was created and from its deletion on.
    """
    if not isinstance(moment, datetime):
        raise ValidationError(f"moment must be a datetime, got {moment!r}")
    at = as_utc(moment, name="moment")
    seen = [entry for entry in entries if entry.updated_at <= at]
    if not seen or seen[-1].kind is ChangeKind.DELETED:
        return None
    return seen[-1]


def version_diff(
    entries: Sequence[HistoryEntry], from_version: int, to_version: int
) -> dict[str, tuple[object, object]]:
    """The fields whose values differ between two versions: name -> (before, after).

    Each version's values are those of its last entry. A version the entries do
    not hold is refused, naming the versions they do.
    """
    last = {entry.version: entry for entry in entries if entry.kind is not ChangeKind.DELETED}
    for version in (from_version, to_version):
        if type(version) is not int or version not in last:
            kept = ", ".join(map(str, sorted(last))) or "none"
            raise ValidationError(
                f"version {version!r} is not in the row's history (versions kept: {kept})"
            )
    before, after = last[from_version].values, last[to_version].values
    return {
        name: (before.get(name), after.get(name))
        for name in sorted({*before, *after})
        if before.get(name) != after.get(name)
    }
