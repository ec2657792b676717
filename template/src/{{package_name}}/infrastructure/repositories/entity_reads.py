"""EntityReads: how every repository reads entities back, in pages or by the team's own query."""

import builtins
import logging
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Column, ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from ...domain.base_entity import BaseTimestampEntity
from ...domain.changes import ChangePage
from ...domain.clock import as_utc, utc_now
from ...domain.exceptions import ValidationError
from ...domain.paging import DEFAULT_ORDER, DEFAULT_PAGE_SIZE, Page, check_page, ordering
from ..change_feed import read_changes
from ..orm.entity_model import EntityModel
from ..orm.stamps import table_of
from .database_errors import database_errors
from .held_rows import HeldRows

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)
ModelT = TypeVar("ModelT", bound=EntityModel)

LOGGER = logging.getLogger(__name__)

# The service's command that finds stored rows breaking the timestamp rules.
CHECK_COMMAND = f"{__name__.split('.')[0].replace('_', '-')} timestamps check"


class EntityReads(Generic[EntityT, ModelT]):
    """Reads of :class:`TimestampRepositoryMixin`: one entity, pages, counts, own queries.

    Every listing but ``find_updated_since()`` and ``find_stale()`` is a page:
    at most ``MAX_PAGE_SIZE`` entities, in a stable order (``order_by``, a field
    name with ``-`` in front for descending, then ``id``). A stored row whose
    ``updated_at`` is earlier than its ``created_at`` is loaded as stored, with a
    warning naming the entity, its id and the command that finds such rows.
    """

    session: Session
    entity_type: type[EntityT]
    model_type: type[ModelT]
    _held: HeldRows[ModelT]

    def get_by_id(self, entity_id: UUID) -> EntityT | None:
        """The entity with ``entity_id``, or None."""
        with self._database_errors("get_by_id"):
            row = self.session.get(self.model_type, entity_id)
        return None if row is None else self._to_entity(row)

    def exists(self, entity_id: UUID) -> bool:
        """Whether an entity with ``entity_id`` is stored; loads nothing."""
        model = self.model_type
        with self._database_errors("exists"):
            found = self.session.scalar(select(model.id).where(model.id == entity_id))
        return found is not None

    def count(self) -> int:
        """How many entities are stored."""
        return self._count([], "count")

    def list(
        self, *, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0, order_by: str = DEFAULT_ORDER
    ) -> builtins.list[EntityT]:
        """A page of the stored entities: ``limit`` of them after skipping ``offset``.

        ``order_by`` is a field name, ``-`` in front for descending; ``id``
        breaks ties, so pages never overlap or skip an entity.
        """
        return self._find(self._page([], limit, offset, order_by), "list")

    def list_and_count(
        self,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
        order_by: str = DEFAULT_ORDER,
        updated_since: datetime | None = None,
    ) -> Page[EntityT]:
        """A page as :meth:`list` gives it, and how many entities all pages hold.

        With ``updated_since`` (naive means UTC), both count only the entities
        changed after that moment.
        """
        model = self.model_type
        criteria: list[ColumnElement[bool]] = []
        if updated_since is not None:
            criteria.append(model.updated_at > as_utc(updated_since, name="updated_since"))
        items = self._find(self._page(criteria, limit, offset, order_by), "list_and_count")
        total = self._count(criteria, "list_and_count")
        return Page(tuple(items), total, limit, offset)

    def find_by_reference(
        self,
        field: str,
        parent_id: UUID,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        offset: int = 0,
        order_by: str = DEFAULT_ORDER,
    ) -> builtins.list[EntityT]:
        """A page of the entities whose reference ``field`` points at ``parent_id``."""
        references = self._reference_columns()
        if field not in references:
            raise ValidationError(
                f"{field!r} is not a reference field of {self.entity_type.__name__} "
                f"(its reference fields: {', '.join(references) or 'none'})"
            )
        query = self._page([references[field] == parent_id], limit, offset, order_by)
        return self._find(query, f"find_by_{field}")

    def find_updated_since(self, moment: datetime) -> builtins.list[EntityT]:
        """Entities changed after ``moment`` (naive means UTC), oldest change first."""
        model = self.model_type
        query = (
            select(model)
            .where(model.updated_at > as_utc(moment, name="moment"))
            .order_by(model.updated_at, model.id)
        )
        return self._find(query, "find_updated_since")

    def changes(self, *, after: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> ChangePage:
        """The committed changes of these entities after the cursor ``after``, in commit order.

        See :mod:`..change_feed`; deletes are tombstones.
        """
        with self._database_errors("changes"):
            return read_changes(
                self.session, after=after, limit=limit, entities=[self.entity_type.__name__]
            )

    def find_stale(self, older_than: timedelta) -> builtins.list[EntityT]:
        """Entities not changed for longer than ``older_than``, oldest change first."""
        model = self.model_type
        try:
            cutoff = utc_now() - older_than
        except OverflowError as error:
            raise ValidationError(
                f"older_than {older_than} reaches back past the year 1", field="older_than"
            ) from error
        query = select(model).where(model.updated_at < cutoff).order_by(model.updated_at, model.id)
        return self._find(query, "find_stale")

    def find_all(self, statement: Select[Any]) -> builtins.list[EntityT]:
        """The entities a team's own ``select()`` of this repository's model finds.

        ``statement`` selects the model class itself (``select(TaskModel).where(...)``),
        with any filter, join, order and limit; the rows come back as entities.
        """
        return self._find(self._own_query(statement, "find_all"), "find_all")

    def find_one(self, statement: Select[Any]) -> EntityT | None:
        """The entity a team's own ``select()`` finds, or None; more than one is an error."""
        with self._database_errors("find_one"):
            row = self.session.scalars(self._own_query(statement, "find_one")).one_or_none()
        return None if row is None else self._to_entity(row)

    def _own_query(self, statement: Select[Any], operation: str) -> Select[Any]:
        """``statement``, checked to select this repository's model and nothing else."""
        expressions = [description["expr"] for description in statement.column_descriptions]
        if len(expressions) != 1 or expressions[0] is not self.model_type:
            raise ValidationError(
                f"{operation}() needs a select() of {self.model_type.__name__} itself, "
                f"got a select() of {', '.join(map(str, expressions))}"
            )
        return statement

    def _page(
        self, criteria: builtins.list[ColumnElement[bool]], limit: int, offset: int, order_by: str
    ) -> Select[Any]:
        """The query of one page: ``criteria``, the checked order, then ``id``; bounds checked."""
        check_page(limit, offset)
        field, descending = ordering(self.entity_type, order_by)
        model = self.model_type
        columns = [getattr(model, name) for name in dict.fromkeys([field, "id"])]
        order = [column.desc() if descending else column.asc() for column in columns]
        return select(model).where(*criteria).order_by(*order).limit(limit).offset(offset)

    def _count(self, criteria: builtins.list[ColumnElement[bool]], operation: str) -> int:
        query = select(func.count()).select_from(self.model_type).where(*criteria)
        with self._database_errors(operation):
            total = self.session.scalar(query)
        return total or 0

    def _reference_columns(self) -> dict[str, Column[Any]]:
        """The reference (foreign key) columns of the model, by field name."""
        table = table_of(self.model_type)
        return {column.name: column for column in table.columns if column.foreign_keys}

    def _find(self, query: Select[Any], operation: str) -> builtins.list[EntityT]:
        with self._database_errors(operation):
            rows = self.session.scalars(query).all()
        return [self._to_entity(row) for row in rows]

    def _to_entity(self, row: ModelT) -> EntityT:
        """The entity of ``row``, as stored; a row breaking the timestamp order is reported."""
        self._held.hold(row)
        if row.updated_at < row.created_at:
            LOGGER.warning(
                "%s %s has updated_at %s earlier than its created_at %s; loaded as stored. "
                "Find every such row with `%s`.",
                self.entity_type.__name__,
                row.id,
                row.updated_at.isoformat(),
                row.created_at.isoformat(),
                CHECK_COMMAND,
            )
        names = self.entity_type.field_names()
        return self.entity_type.from_stored(**{name: getattr(row, name) for name in names})

    def _database_errors(
        self, operation: str, entity_id: UUID | None = None
    ) -> AbstractContextManager[None]:
        return database_errors(operation, self.entity_type.__name__, entity_id)
