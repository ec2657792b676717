"""RowWrites: how a repository puts entities on rows, with the write path's decisions."""

from collections.abc import Sequence
from typing import Any, TypeVar, cast
from uuid import UUID

from sqlalchemy import Update, insert, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ...domain.base_entity import BaseTimestampEntity
from ...domain.exceptions import ConcurrencyConflict
from ..orm.change_capture import RECORDED
from ..orm.entity_model import EntityModel
from ..orm.parent_touch import touch_parents
from ..orm.stamps import table_of
from ..outbox import record_changes
from ..row_change import changed, created
from .guarded_update import guarded_update
from .held_rows import HeldRows
from .history_reads import HistoryReads
from .write_path import Parent, Write, catch_up, entity_write, row_values

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)


class RowWrites(HistoryReads[EntityT, ModelT]):
    """The row-level steps of :class:`TimestampRepositoryMixin`'s writes.

    Which rows are written and how: a new row, one guarded UPDATE of a row the
    repository holds, or a row read again and locked. What each write stores
    as ``updated_at``, which parents it touches and how it is recorded is the
    write path's decision (:mod:`.write_path`).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._held = HeldRows[ModelT](session)
        # The guarded UPDATE of a held row, by whether it moves updated_at.
        self._guarded_updates: dict[bool, Update] = {}

    def _write(self, entity: EntityT, touch: bool) -> tuple[ModelT, Write] | None:
        """Put ``entity`` on its row (a new row for a new entity); None when unchanged.

        Returns the row and the write's decision. The parents are touched here;
        the caller flushes.
        """
        if not entity.version:
            write = entity_write(self.model_type, entity, None, touch=touch)
            new_row = self.model_type(**row_values(entity))
            self.session.add(new_row)
            self._held.hold(new_row)
            self._touch_parents(entity, write.parents)
            return new_row, write
        held = self._held_row(entity)
        if held is not None:
            if self._equals(entity, held):
                return None
            held_write = self._update_held_row(entity, held, touch)
            if held_write is not None:
                return held, held_write
        written = self._rows_to_write([entity], touch)
        if not written:
            return None
        _, row = written[0]
        write = entity_write(self.model_type, entity, row, touch=touch)
        self._touch_parents(entity, write.parents)
        self._copy_to_row(entity, row)
        self._held.hold(row)
        return row, write

    def _rows_to_write(
        self, entities: Sequence[EntityT], touch: bool
    ) -> list[tuple[EntityT, ModelT]]:
        """The stored entities among ``entities`` that saving writes, with their rows.

        An entity equal to the row this session loaded it from, still loaded in
        the session, is unchanged: nothing is read. The others are compared with
        their rows read again and locked (:meth:`_stored_rows`).
        """
        candidates = [
            entity
            for entity in entities
            if entity.version and not self._equals(entity, self._held_row(entity))
        ]
        rows = self._stored_rows(candidates)
        return [
            (entity, rows[entity.id])
            for entity in candidates
            if self._differs(entity, rows[entity.id], touch)
        ]

    def _held_row(self, entity: EntityT) -> ModelT | None:
        return self._held.get(entity.id, entity.version)

    def _equals(self, entity: EntityT, row: ModelT | None) -> bool:
        """Whether ``row`` holds every persistent field of ``entity`` as it is."""
        values = row_values(entity).items()
        return row is not None and all(getattr(row, name) == value for name, value in values)

    def _update_held_row(self, entity: EntityT, row: ModelT, touch: bool) -> Write | None:
        """Write ``entity`` with one UPDATE, guarded so that it never moves ``updated_at`` back.

        The stamp is worked out from the held ``row``, which a concurrent
        transaction may have moved on since: the UPDATE matches only the row's
        version with an ``updated_at`` earlier than the stamp. Returns the
        write's decision; None, having written nothing, when it matched no row:
        the caller then reads the row again.
        """
        write = entity_write(self.model_type, entity, row, touch=touch)
        values = row_values(entity)
        changes = {name: value for name, value in values.items() if getattr(row, name) != value}
        version = entity.version + 1
        parameters = {f"new_{name}": value for name, value in values.items()} | {
            "row_id": entity.id,
            "read_version": entity.version,
            "new_version": version,
            "stamp": entity.updated_at,
        }
        statement = self._guarded_update(touch)
        result = self.session.execute(statement, parameters, execution_options=RECORDED)
        if cast(CursorResult[Any], result).rowcount != 1:
            return None
        stored = {**values, "version": version}
        record_changes(self.session, [changed(self.model_type, stored, changes)])
        for name, value in {**changes, "version": version}.items():
            set_committed_value(row, name, value)
        self._touch_parents(entity, write.parents)
        return write

    def _touch_parents(self, entity: EntityT, parents: frozenset[Parent]) -> None:
        """Touch ``parents`` but ``entity``'s own row, which its own write moves."""
        touch_parents(self.session, parents - {(self.model_type, entity.id)})

    def _guarded_update(self, touching: bool) -> Update:
        """The UPDATE of :meth:`_update_held_row` (see :mod:`.guarded_update`).

        Its values are bound parameters, so a repository builds it at its first
        write of a held row and keeps it; SQLAlchemy compiles it once per model.
        """
        statement = self._guarded_updates.get(touching)
        if statement is None:
            statement = guarded_update(self.entity_type, self.model_type, touching=touching)
            self._guarded_updates[touching] = statement
        return statement

    def _differs(self, entity: EntityT, row: ModelT, touch: bool) -> bool:
        """Whether saving ``entity`` writes ``row``: a field differs, or it was touched.

        When touching, a row whose ``updated_at`` is later than the entity's
        moved on without it (a child touched it): the entity takes that value,
        and it does not count as a change.
        """
        if touch:
            catch_up(entity, row)
        return not self._equals(entity, row)

    def _copy_to_row(self, entity: EntityT, row: ModelT) -> None:
        for name, value in row_values(entity).items():
            setattr(row, name, value)

    def _insert_all(self, entities: Sequence[EntityT]) -> None:
        """Insert new entities with one statement (the caller touches their parents)."""
        rows = [{**row_values(entity), "version": 1} for entity in entities]
        self.session.execute(insert(table_of(self.model_type)), rows, execution_options=RECORDED)
        record_changes(self.session, [created(self.model_type, row) for row in rows])
        for entity in entities:
            entity.version = 1

    def _stored_rows(self, entities: Sequence[EntityT]) -> dict[UUID, ModelT]:
        """The rows of stored ``entities`` as they are now, locked.

        Read with ``SELECT ... FOR UPDATE`` (see :mod:`..orm.stamps`), so a row
        another transaction changed since is seen as it is. A row whose version
        moved on since the entity was read is a stale write.
        """
        ids = [entity.id for entity in entities]
        if not ids:
            return {}
        model = self.model_type
        query = (
            select(model)
            .where(model.id.in_(ids))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        rows = {row.id: row for row in self.session.scalars(query)}
        for entity in entities:
            row = rows.get(entity.id)
            if row is None or row.version != entity.version:
                raise ConcurrencyConflict(self.entity_type.__name__, entity.id)
        return rows
