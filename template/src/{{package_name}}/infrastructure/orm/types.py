"""Column types that behave the same on every supported database."""

from datetime import datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.dialects.mysql import DATETIME as MYSQL_DATETIME
from sqlalchemy.types import TypeDecorator, TypeEngine

from ...domain.clock import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC with microseconds; reads back aware UTC.

    PostgreSQL keeps a ``timestamptz``; SQLite and MySQL/MariaDB keep the UTC
    wall-clock value (``DATETIME(6)`` on MySQL/MariaDB, which otherwise drop the
    fraction). Naive values are refused: the domain never produces them.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[datetime]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(MYSQL_DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware value")
        utc = as_utc(value, name="value")
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value, name="stored value")
