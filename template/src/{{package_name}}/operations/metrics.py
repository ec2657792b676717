"""Prometheus metrics: write counters and timestamp check results (the ``metrics`` extra).

- ``entity_writes_total{entity, operation}``: the writes of this process's
  repositories (:mod:`..infrastructure.repositories.write_counts`).
- ``timestamp_anomaly_rows{entity, kind}``, ``timestamp_stale_rows{entity}``,
  ``timestamp_rows{entity}`` and ``timestamp_check_healthy``: the last check
  given to :func:`publish_check` (nothing before the first).
- ``outbox_pending_events`` and ``outbox_parked_events``: the events the
  relay has yet to deliver, and those it gave up on, at the last count given to
  :func:`publish_outbox` (nothing before the first;
  :mod:`..infrastructure.events.backlog`).
- ``clock_skew_seconds``: how far this host's clock was ahead of the
  database's at the latest reading (:mod:`..infrastructure.clock_skew`;
  negative: behind; nothing before the first).

A web application mounts :func:`metrics_app` (a WSGI application) or serves
:func:`latest_metrics`; ``timestamps check --prometheus FILE`` writes the check
results for node_exporter's textfile collector with :func:`write_textfile`.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from threading import Lock
from wsgiref.types import WSGIApplication

from prometheus_client import CollectorRegistry, generate_latest, make_wsgi_app, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..infrastructure.clock_skew import latest_reading
from ..infrastructure.events.backlog import OutboxBacklog
from ..infrastructure.repositories.write_counts import write_counts
from .health import ANOMALIES, HealthReport


class WriteCollector(Collector):
    """The repositories' write counters."""

    def collect(self) -> Iterable[Metric]:
        writes = CounterMetricFamily(
            "entity_writes", "Rows written by the repositories", labels=["entity", "operation"]
        )
        for (entity, operation), count in sorted(write_counts().items()):
            writes.add_metric([entity, operation], count)
        yield writes


class ClockCollector(Collector):
    """The latest reading of this host's clock against the database's."""

    def collect(self) -> Iterable[Metric]:
        reading = latest_reading()
        if reading is not None:
            yield GaugeMetricFamily(
                "clock_skew_seconds",
                "How far this host's clock was ahead of the database's at the latest reading",
                value=reading.skew.total_seconds(),
            )


class OutboxCollector(Collector):
    """The last count of the outbox's pending and parked events published."""

    def __init__(self, backlog: OutboxBacklog | None = None) -> None:
        self._backlog = backlog

    def publish(self, backlog: OutboxBacklog) -> None:
        self._backlog = backlog  # one reference, replaced whole

    def collect(self) -> Iterator[Metric]:
        backlog = self._backlog
        if backlog is None:
            return
        yield GaugeMetricFamily(
            "outbox_pending_events", "Events the relay has yet to deliver", value=backlog.pending
        )
        yield GaugeMetricFamily(
            "outbox_parked_events",
            "Events the relay parked after their last attempt",
            value=backlog.parked,
        )


class CheckCollector(Collector):
    """The results of the last timestamp check published."""

    def __init__(self, report: HealthReport | None = None) -> None:
        self._report = report
        self._lock = Lock()

    def publish(self, report: HealthReport) -> None:
        with self._lock:
            self._report = report

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            report = self._report
        if report is None:
            return
        anomalies = GaugeMetricFamily(
            "timestamp_anomaly_rows",
            "Rows with a timestamp anomaly at the last check",
            labels=["entity", "kind"],
        )
        stale = GaugeMetricFamily(
            "timestamp_stale_rows", "Rows not updated for the stale days", labels=["entity"]
        )
        rows = GaugeMetricFamily("timestamp_rows", "Rows checked", labels=["entity"])
        for name, health in report.entities.items():
            for kind in ANOMALIES:
                anomalies.add_metric([name, kind], health.findings[kind].count)
            stale.add_metric([name], health.findings["stale"].count)
            rows.add_metric([name], health.rows)
        yield anomalies
        yield stale
        yield rows
        yield GaugeMetricFamily(
            "timestamp_check_healthy",
            "1 when the last check found no anomaly",
            value=int(report.healthy),
        )
        yield GaugeMetricFamily(
            "timestamp_check_timestamp_seconds",
            "When the last check ran (Unix time)",
            value=report.checked_at.timestamp(),
        )


REGISTRY = CollectorRegistry()
CHECKS = CheckCollector()
REGISTRY.register(WriteCollector())
REGISTRY.register(ClockCollector())
REGISTRY.register(CHECKS)
OUTBOX = OutboxCollector()
REGISTRY.register(OUTBOX)


def publish_check(report: HealthReport) -> None:
    """Make ``report`` the check results :data:`REGISTRY` exposes."""
    CHECKS.publish(report)


def publish_outbox(backlog: OutboxBacklog) -> None:
    """Make ``backlog`` (from ``outbox_backlog()``) what the outbox gauges show."""
    OUTBOX.publish(backlog)


def latest_metrics() -> bytes:
    """Every metric in Prometheus' text format, for a ``/metrics`` endpoint."""
    return generate_latest(REGISTRY)


def metrics_app() -> WSGIApplication:
    """A WSGI application serving :func:`latest_metrics` (mount it at ``/metrics``)."""
    return make_wsgi_app(REGISTRY)


def write_textfile(path: Path, report: HealthReport, backlog: OutboxBacklog | None = None) -> None:
    """Write ``report``, ``backlog`` and the latest clock reading to ``path`` (textfile collector).

    The file is replaced atomically.
    """
    registry = CollectorRegistry()
    registry.register(CheckCollector(report))
    registry.register(ClockCollector())
    registry.register(OutboxCollector(backlog))
    write_to_textfile(str(path), registry)
