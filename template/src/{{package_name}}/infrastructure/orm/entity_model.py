"""EntityModel: the columns every entity table has."""

from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .base import Base
from .timestamp_mixin import TimestampMixin

# Every entity table's ``__table_args__`` ends with these: on MySQL/MariaDB the
# table stores utf8mb4 (every character, emoji too) whatever the server's default.
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"}


class EntityModel(TimestampMixin, Base):
    """An entity row: its id, an optimistic-locking version and the timestamps."""

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    __abstract__ = True

    # Reference column -> model of the row it points at, for references declared
    # with touch: true. Saving a row moves the updated_at of those rows.
    touched_parents: ClassVar[dict[str, type["EntityModel"]]] = {}
    # ``history: true``: the table that keeps every change of these rows (see
    # :mod:`.history_tables`); None when the entity keeps no history.
    history_table_name: ClassVar[str | None] = None
    # ``require_actor: true``: a write of these rows made for no one is refused.
    actor_required: ClassVar[bool] = False

    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # SQLAlchemy increments version on every UPDATE and adds it to the WHERE
        # clause, so a write based on a stale read matches no row.
        return {"version_id_col": cls.__table__.c.version}

    @classmethod
    def entity_name(cls) -> str:
        """The name of the entity these rows store (``TaskModel``: ``Task``)."""
        return cls.__name__.removesuffix("Model")

    @classmethod
    def sensitive_fields(cls) -> frozenset[str]:
        """The columns of fields marked ``sensitive``: no event or change shows their values."""
        return frozenset(
            column.key for column in cls.__table__.columns if column.info.get("sensitive")
        )
