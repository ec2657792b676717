"""The guard against a host clock that disagrees with the database's.

Every stamp comes from this host's clock. A host whose clock runs ahead would
stamp rows in the future, and the rule that ``updated_at`` only moves forward
would carry that time into every later write of those rows. So each engine of
:func:`~.database.create_database_engine` reads the host's clock (what
:class:`~..domain.clock.SystemClock` reads) and the database's side by side
whenever it opens a connection: on its first use, when the service starts, and
whenever its pool opens another. While the latest reading is further apart
than the tolerance (``CLOCK_SKEW_TOLERANCE``, seconds), every write of a session
from :func:`~.database.create_session_factory` is refused with
:class:`~..domain.exceptions.ClockSkewRefused`, naming both clocks; reads go on.
``timestamps check --skew`` reads both clocks again (:func:`check_clocks`), and
the metrics show the latest skew (``clock_skew_seconds``).
"""

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

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

    def refuse_if_apart(self) -> None:
        """Raise :class:`ClockSkewRefused` when the clocks are beyond the tolerance."""
        if not self.within_tolerance:
            raise ClockSkewRefused(self.reading.host, self.reading.database, self.tolerance)


class ClockGuard:
    """An engine's latest reading of both clocks and the tolerance its writes are held to."""

    def __init__(self, tolerance: timedelta) -> None:
        self.tolerance = tolerance
        self.latest: SkewCheck | None = None

    def take(self, reading: ClockReading) -> SkewCheck:
        self.latest = SkewCheck(reading, self.tolerance)
        return self.latest

    def refuse_if_apart(self) -> None:
        """Raise :class:`ClockSkewRefused` while the latest reading is beyond the tolerance."""
        if self.latest is not None:
            self.latest.refuse_if_apart()


_guards: WeakKeyDictionary[Engine, ClockGuard] = WeakKeyDictionary()
# The latest reading this process took, for the metrics.
_latest: list[ClockReading] = []


def read_clocks(dbapi_connection: Any, backend: str) -> ClockReading:
    """Both clocks, through a driver connection, which is left with no transaction open.

    The host's clock is read before and after the query, and the reading takes
    the middle, so that the round trip does not count as skew.
    """
    cursor = dbapi_connection.cursor()
    try:
        before = SystemClock.now()
        cursor.execute(DATABASE_NOW[backend])
        (database,) = cursor.fetchone()
        after = SystemClock.now()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    if isinstance(database, str):
        database = datetime.fromisoformat(database)
    if database.tzinfo is None:
        database = database.replace(tzinfo=UTC)
    reading = ClockReading(before + (after - before) / 2, database.astimezone(UTC))
    _latest[:] = [reading]
    return reading


def latest_reading() -> ClockReading | None:
    """The latest reading of both clocks in this process; None before the first."""
    return _latest[0] if _latest else None


def check_clocks(engine: Engine) -> SkewCheck:
    """Read both clocks now, held to ``engine``'s tolerance (``timestamps check --skew``)."""
    connection = engine.raw_connection()
    try:
        reading = read_clocks(connection, engine.dialect.name)
    finally:
        connection.close()
    return _guards[engine].take(reading)


def install_clock_guard(engine: Engine, tolerance: timedelta) -> None:
    """Read both clocks on each new connection of ``engine``, for its sessions' writes."""
    guard = _guards[engine] = ClockGuard(tolerance)
    backend = engine.dialect.name

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        guard.take(read_clocks(dbapi_connection, backend))

    event.listen(engine, "connect", on_connect)


def install_write_refusal(factory: sessionmaker[Session]) -> None:
    """Refuse the writes of ``factory``'s sessions while their engine's clocks are apart."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "do_orm_execute", _before_statement)


def _refuse_if_apart(session: Session) -> None:
    guard = _guards.get(session.get_bind().engine)
    if guard is None:
        return
    if guard.latest is None:
        session.connection()  # Its engine's first connection reads both clocks.
    guard.refuse_if_apart()


def _before_flush(session: Session, flush_context: object, instances: object) -> None:
    _refuse_if_apart(session)


def _before_statement(execute_state: ORMExecuteState) -> None:
    if execute_state.is_insert or execute_state.is_update or execute_state.is_delete:
        _refuse_if_apart(execute_state.session)
