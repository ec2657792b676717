"""The outbox: one row per committed change of an entity row, in commit order.

Every write of an entity row (through the repositories, the ORM or an ORM
statement) adds its change here in the same transaction (:mod:`..outbox`).
The rows serve two readers:

- the **change feed** reads them by ``position``, which follows the order in
  which their transactions committed (:mod:`..change_feed`);
- the **relay** delivers them to a publisher and keeps its progress in the
  delivery columns (:mod:`..events.relay`).

``outbox_lock`` has one row, which a committing transaction locks while it
adds its changes, so positions are taken in commit order.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.dialects.mysql import LONGTEXT
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .entity_model import TABLE_OPTIONS
from .types import UTCDateTime

# The id of the one row of ``outbox_lock``.
LOCK_ROW = 1

# A row's values fit whatever their size: TEXT holds only 64 KB on MySQL/MariaDB.
PAYLOAD = Text().with_variant(LONGTEXT(), "mysql", "mariadb")
# BIGINT on the servers; on SQLite only INTEGER PRIMARY KEY numbers rows by itself.
POSITION = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEventModel(Base):
    """A committed change of an entity row, and the progress of its delivery."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_aggregate_id_position", "aggregate_id", "position"),
        Index("ix_outbox_events_delivered_at_position", "delivered_at", "position"),
        # SQLite would hand out a deleted (pruned) last position again without AUTOINCREMENT.
        {"sqlite_autoincrement": True, **TABLE_OPTIONS},
    )

    position: Mapped[int] = mapped_column(POSITION, primary_key=True, autoincrement=True)
    aggregate_type: Mapped[str] = mapped_column(String(100))
    aggregate_id: Mapped[UUID]
    aggregate_version: Mapped[int]
    event_type: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[str] = mapped_column(PAYLOAD)
    actor: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text())


class OutboxLockModel(Base):
    """The row a committing transaction locks while it adds its changes to the outbox."""

    __tablename__ = "outbox_lock"
    __table_args__ = (TABLE_OPTIONS,)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
