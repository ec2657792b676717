"""HistoryReads: what a repository reads from its entity's history table (``history: true``)."""

from datetime import datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy import RowMapping, Table, select

from ...domain.base_entity import BaseTimestampEntity
from ...domain.changes import ChangeKind
from ...domain.history import HistoryEntry, HistoryNotKept, entry_as_of, version_diff
from ..orm.entity_model import EntityModel
from ..orm.history_tables import HISTORY_OWN
from ..orm.models import HISTORY_TABLES
from ..row_change import ROW_COLUMNS
from .entity_reads import EntityReads

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)


class HistoryReads(EntityReads[EntityT, ModelT]):
    """The history of one row: its changes, the entry at a moment, a diff of two versions.

    Only for an entity declared with ``history: true``; for any other each read
    raises :class:`HistoryNotKept`.
    """

    def history(self, entity_id: UUID) -> list[HistoryEntry]:
        """Every kept change of the row ``entity_id``, oldest first (none for an unknown id)."""
        table = self._history_table()
        query = select(table).where(table.c.id == entity_id).order_by(table.c.history_id)
        with self._database_errors("history"):
            rows = self.session.execute(query).mappings().all()
        hidden = ROW_COLUMNS | self.model_type.sensitive_fields() | HISTORY_OWN
        return [self._entry(row, hidden) for row in rows]

    def as_of(self, entity_id: UUID, moment: datetime) -> HistoryEntry | None:
        """The row as a reader saw it at ``moment`` (naive means UTC).

        The last change stamped at or before ``moment``; None before the row was
        created, from its deletion on, and when its history holds no such change.
        """
        return entry_as_of(self.history(entity_id), moment)

    def diff(
        self, entity_id: UUID, from_version: int, to_version: int
    ) -> dict[str, tuple[object, object]]:
        """The fields whose values differ between two versions: name -> (before, after)."""
        return version_diff(self.history(entity_id), from_version, to_version)

    def _history_table(self) -> Table:
        table = HISTORY_TABLES.get(self.model_type)
        if table is None:
            raise HistoryNotKept(self.model_type.entity_name())
        return table

    def _entry(self, row: RowMapping, hidden: frozenset[str]) -> HistoryEntry:
        """The entry a history row keeps; ``hidden``: the columns that are no field's value."""
        kind = ChangeKind(row["history_change"])
        values = (
            {}
            if kind is ChangeKind.DELETED
            else {name: value for name, value in row.items() if name not in hidden}
        )
        return HistoryEntry(
            entity_id=row["id"],
            version=row["version"],
            kind=kind,
            updated_at=row["updated_at"],
            actor=row["history_actor"],
            fields=tuple(filter(None, row["history_fields"].split(","))),
            values=values,
        )
