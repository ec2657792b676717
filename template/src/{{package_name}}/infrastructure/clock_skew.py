"""The guard against a host clock that disagrees with the database's.

Every stamp comes from this host's clock. A host whose clock runs ahead would
stamp rows in the future, and the rule that ``updated_at`` only moves forward
would carry that time into every later write of those rows. So each engine of
:func:`~.database.create_database_engine` reads the host's clock (what
:class:`~..domain.clock.SystemClock` reads) and the database's side by side:
when it opens a connection (the service's first query, and whenever its pool
opens another), and again before a write once the latest reading is older than
:data:`READ_AGAIN_AFTER`. While that reading is further apart than the
tolerance (``CLOCK_SKEW_TOLERANCE``, seconds), every INSERT, UPDATE and DELETE
the engine would send is refused with
:class:`~..domain.exceptions.ClockSkewRefused`, naming both clocks; reads go on.
``timestamps check --skew`` reads both clocks again (:func:`check_clocks`), and
the metrics show the latest reading (``clock_skew_seconds``).
"""

from datetime import UTC, datetime, timedelta
from time import monotonic
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event

from ..domain.clock import SystemClock
from ..domain.exceptions import ClockSkewRefused

# Each backend's own clock as UTC, read when the query runs (not when its
# transaction began).
DATABASE_NOW = {
    "postgresql": "SELECT clock_timestamp()",
    "mysql": "SELECT UTC_TIMESTAMP(6)",
    "mariadb": "SELECT UTC_TIMESTAMP(6)",
    "sqlite": "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')",
}

# Seconds after which a write reads both clocks again, on its own connection.
READ_AGAIN_AFTER = 60.0


class ClockReading(NamedTuple):
    """This host's clock and the database's, read together."""

    host: datetime
    database: datetime

    @property
    def skew(self) -> timedelta:
        """How far the host's clock is ahead of the database's (negative: behind)."""
        return self.host - self.database


class SkewCheck(NamedTuple):
    """A reading of both clocks, held to a tolerance."""

    reading: ClockReading
    tolerance: timedelta

    @property
    def within_tolerance(self) -> bool:
        """The one rule: writes go on while the clocks are at most ``tolerance`` apart."""
        return abs(self.reading.skew) <= self.tolerance

    def refuse_if_apart(self) -> None:
        """Raise :class:`ClockSkewRefused` when the clocks are beyond the tolerance."""
        if not self.within_tolerance:
            raise ClockSkewRefused(self.reading.host, self.reading.database, self.tolerance)

    def as_json(self) -> dict[str, object]:
        return {
            "host": self.reading.host.isoformat(),
            "database": self.reading.database.isoformat(),
            "seconds": self.reading.skew.total_seconds(),
            "tolerance_seconds": self.tolerance.total_seconds(),
            "within_tolerance": self.within_tolerance,
        }

    def describe(self) -> str:
        verdict = "within" if self.within_tolerance else "beyond"
        text = (
            f"clock skew: {verdict} the tolerance of {self.tolerance.total_seconds():g} s: "
            f"this host {self.reading.host.isoformat()}, the database "
            f"{self.reading.database.isoformat()}, {self.reading.skew.total_seconds():+.3f} s"
        )
        return text if self.within_tolerance else f"{text}; writes are refused"


class ClockGuard:
    """An engine's latest reading of both clocks, and when it was taken."""

    def __init__(self, backend: str, tolerance: timedelta) -> None:
        self.backend = backend
        self.tolerance = tolerance
        self.latest: SkewCheck | None = None
        self.read_at = 0.0  # time.monotonic() of the latest reading

    def read(self, dbapi_connection: Any) -> SkewCheck:
        """Read both clocks through a driver connection, inside its current transaction.

        The host's clock is read before and after the query, and the reading takes
        the middle, so that the round trip does not count as skew.
        """
        cursor = dbapi_connection.cursor()
        try:
            before = SystemClock.now()
            cursor.execute(DATABASE_NOW[self.backend])
            (database,) = cursor.fetchone()
            after = SystemClock.now()
        finally:
            cursor.close()
        if isinstance(database, str):
            database = datetime.fromisoformat(database)
        if database.tzinfo is None:
            database = database.replace(tzinfo=UTC)
        reading = ClockReading(before + (after - before) / 2, database.astimezone(UTC))
        self.latest, self.read_at = SkewCheck(reading, self.tolerance), monotonic()
        return self.latest

    def read_alone(self, dbapi_connection: Any, record: object = None) -> SkewCheck:
        """Read both clocks through a driver connection outside a transaction; leave none open.

        The engine's ``connect`` listener: each new connection reads them.
        """
        try:
            return self.read(dbapi_connection)
        finally:
            dbapi_connection.rollback()

    def before_write(
        self,
        connection: Connection,
        cursor: object,
        statement: str,
        parameters: object,
        context: Any,
        executemany: bool,
    ) -> None:
        """Refuse an INSERT, UPDATE or DELETE while the clocks are apart."""
        if not (context.isinsert or context.isupdate or context.isdelete):
            return
        if self.latest is None or monotonic() - self.read_at >= READ_AGAIN_AFTER:
            self.read(connection.connection.dbapi_connection)
        assert self.latest is not None
        self.latest.refuse_if_apart()


_guards: WeakKeyDictionary[Engine, ClockGuard] = WeakKeyDictionary()


def install_clock_guard(engine: Engine, tolerance: timedelta) -> None:
    """Read both clocks on each new connection of ``engine`` and refuse its writes when apart."""
    guard = _guards[engine] = ClockGuard(engine.dialect.name, tolerance)
    event.listen(engine, "connect", guard.read_alone)
    event.listen(engine, "before_cursor_execute", guard.before_write)


def check_clocks(engine: Engine) -> SkewCheck:
    """Read both clocks now, held to ``engine``'s tolerance (``timestamps check --skew``)."""
    connection = engine.raw_connection()
    try:
        return _guards[engine].read_alone(connection)
    finally:
        connection.close()


def latest_reading() -> ClockReading | None:
    """The latest reading of both clocks in this process; None before the first."""
    guard = max(_guards.values(), key=lambda guard: guard.read_at, default=None)
    return None if guard is None or guard.latest is None else guard.latest.reading
