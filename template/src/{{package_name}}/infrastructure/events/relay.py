"""The relay: delivers the outbox's events to a publisher, at least once, in order per aggregate.

One batch is one transaction. It selects the undelivered, unparked events that
are due and whose aggregate has no earlier undelivered event outside the batch
(:mod:`.due`), locks them (``FOR UPDATE SKIP LOCKED`` on the servers, the
database's write lock on SQLite), publishes them in position order and marks
them delivered. The first failure ends the batch: the event's ``attempts``
grow, it is due again after a backoff that doubles per attempt
(``EVENTS_RETRY_SECONDS``, at most :data:`MAX_BACKOFF`), and after
``EVENTS_MAX_ATTEMPTS`` it is parked; the later events of its aggregate wait
for it (the other aggregates' go on). A relay killed
mid-batch loses nothing: its lock and its uncommitted marks go with its
connection, and the events are delivered again. Relays may run side by side.
"""

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ...domain.clock import utc_now
from ..orm.outbox_model import LOCK_ROW, OutboxEventModel
from ..outbox import LOCK, OUTBOX
from ..settings import Settings
from .due import due_events, in_order, message_of
from .publishers import Publisher

MAX_BACKOFF = timedelta(seconds=300)
# Delivered events deleted per transaction when they are older than the retention.
PRUNE_BATCH = 1000
# How long a relay waits when the events due wait for earlier ones another relay holds.
WAIT_FOR_OTHERS_SECONDS = 0.05
# Characters of a publisher's error kept in ``last_error``.
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Failure:
    """The event a batch could not deliver, and what became of it."""

    position: int
    attempts: int
    parked: bool
    error: str


@dataclass(frozen=True)
class BatchResult:
    """What one batch did: the positions it delivered, then its failure if any."""

    delivered: Sequence[int]
    failure: Failure | None = None


@dataclass
class RelayCounts:
    """Totals of :meth:`Relay.run_once` (or of every round of :meth:`Relay.run_forever`)."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0
    pruned: int = 0
    batches: int = 0

    def add(self, other: "RelayCounts") -> None:
        for name in ("delivered", "failed", "parked", "pruned", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def backoff(attempts: int, retry_seconds: float) -> timedelta:
    """The wait after the ``attempts``-th failure: doubled per attempt, at most MAX_BACKOFF."""
    seconds = retry_seconds * 2.0 ** min(attempts - 1, 30)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


@dataclass
class Relay:
    """Delivers the outbox's events from ``session_factory``'s database to ``publisher``.

    ``on_batch`` is called after each committed batch (the command line prints progress).
    """

    session_factory: Callable[[], Session]
    publisher: Publisher
    batch: int = 100
    max_attempts: int = 10
    retry_seconds: float = 1.0
    retention: timedelta = timedelta(days=7)
    on_batch: Callable[[BatchResult], None] | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def from_settings(
        cls, settings: Settings, session_factory: Callable[[], Session], publisher: Publisher
    ) -> "Relay":
        """A relay with the ``EVENTS_*`` settings (the publisher is built by the caller)."""
        return cls(
            session_factory,
            publisher,
            batch=settings.events_batch,
            max_attempts=settings.events_max_attempts,
            retry_seconds=settings.events_retry_seconds,
            retention=timedelta(days=settings.events_retention_days),
        )

    def stop(self) -> None:
        """Stop after the current batch (what SIGTERM and SIGINT do in :meth:`run_forever`)."""
        self._stop.set()

    def run_once(self) -> RelayCounts:
        """Deliver batches until no event is due, then prune; the totals."""
        counts = RelayCounts()
        while not self._stop.is_set():
            result = self.deliver_batch()
            if result is None:
                break
            if not result.delivered and result.failure is None:
                # Another relay holds earlier events of these aggregates: wait for its commit.
                self._stop.wait(WAIT_FOR_OTHERS_SECONDS)
                continue
            counts.batches += 1
            counts.delivered += len(result.delivered)
            if result.failure is not None:
                counts.failed += 1
                counts.parked += result.failure.parked
        counts.pruned = self.prune()
        return counts

    def run_forever(self, poll_seconds: float) -> RelayCounts:
        """:meth:`run_once` every ``poll_seconds`` until :meth:`stop`, SIGTERM or SIGINT."""
        total = RelayCounts()
        with stopping_on_signals(self._stop):
            while not self._stop.is_set():
                total.add(self.run_once())
                self._stop.wait(poll_seconds)
        return total

    def deliver_batch(self) -> BatchResult | None:
        """One batch in one transaction; None when no event was due.

        A batch whose events all wait for earlier ones another relay holds delivers none.
        """
        with self.session_factory() as session:
            due = self._take_due(session)
            if not due:
                return None
            rows = in_order(session, due)
            delivered: list[int] = []
            failure = None
            for row in rows:
                try:
                    self.publisher.publish(message_of(row))
                except Exception as error:  # any failure of the publisher is a failed delivery
                    failure = self._record_failure(session, row, error)
                    break
                delivered.append(row.position)
            if delivered:
                marked = update(OUTBOX).where(OUTBOX.c.position.in_(delivered))
                session.execute(marked.values(delivered_at=utc_now()))
            session.commit()
        result = BatchResult(delivered, failure)
        if self.on_batch is not None and rows:
            self.on_batch(result)
        return result

    def _take_due(self, session: Session) -> list[OutboxEventModel]:
        """The batch's events, locked until the transaction ends, in position order."""
        if session.get_bind().dialect.name == "sqlite":
            # One writer at a time: the write lock keeps other relays out until the commit.
            session.execute(update(LOCK).where(LOCK.c.id == LOCK_ROW).values(id=LOCK_ROW))
        else:
            # No gap locks on MariaDB (they would hold up the writers), a fresh snapshot per query.
            session.connection(execution_options={"isolation_level": "READ COMMITTED"})
        query = due_events(utc_now(), self.batch, session.get_bind().dialect.name)
        return list(session.scalars(query))

    def _record_failure(self, session: Session, row: OutboxEventModel, error: Exception) -> Failure:
        now = utc_now()
        attempts = row.attempts + 1
        parked = attempts >= self.max_attempts
        text = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        values: dict[str, Any] = {"attempts": attempts, "last_error": text}
        if parked:
            values |= {"parked_at": now, "next_attempt_at": None}
        else:
            values["next_attempt_at"] = now + backoff(attempts, self.retry_seconds)
        session.execute(update(OUTBOX).where(OUTBOX.c.position == row.position).values(values))
        return Failure(row.position, attempts, parked, text)

    def prune(self) -> int:
        """Delete delivered events older than the retention, PRUNE_BATCH per transaction."""
        cutoff = utc_now() - self.retention
        event = OutboxEventModel
        old = select(event.position).where(event.delivered_at < cutoff).order_by(event.position)
        total = 0
        while True:
            with self.session_factory() as session:
                positions = list(session.scalars(old.limit(PRUNE_BATCH)))
                if positions:
                    session.execute(delete(OUTBOX).where(OUTBOX.c.position.in_(positions)))
                    session.commit()
            total += len(positions)
            if len(positions) < PRUNE_BATCH:
                return total


@contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` inside the block (main thread only; elsewhere no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.getsignal(number) for number in signals}
    for number in signals:
        signal.signal(number, lambda *_: stop.set())
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
