"""Operations: ``timestamps check`` of the generated service on growing tables.

On each backend a new database gets the service's tables and a ``projects``
table grown to 10,000, 50,000 and 100,000 rows (quick: 1,000, 5,000 and 10,000),
with 1 % of the rows out of order and 0.1 % in the future, so that every query
of the check (counting, samples) runs. At each size:

- the check's time: the median of several in-process runs of the command line's
  ``main(["timestamps", "check", "--json", "--entity", "Project"])``, as time per
  row against the smallest size (a ratio near 1 is linear growth; target ≤ 1.5);
- its memory: the peak resident set of ``python -m task_tracker timestamps check``
  run as a process (``os.wait4``), against the 200 MB limit.

The sizes are measured one after the other as the table grows (not interleaved:
the same table cannot have two sizes at once). No figure is part of a test.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from .harness import CountResult, Result
from .persistence import LABELS, database
from .report import duration
from .service import PACKAGE, Service

MEMORY_LIMIT_MB = 200
# The command measured.
CHECK = ["timestamps", "check", "--json", "--entity", "Project"]
INSERT_CHUNK = 10_000


def sizes(quick: bool) -> tuple[int, ...]:
    return (1_000, 5_000, 10_000) if quick else (10_000, 50_000, 100_000)


def _rows(start: int, stop: int, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for number in range(start, stop):
        created = now - timedelta(days=200, seconds=number)
        updated = created + timedelta(days=number % 190)
        if number % 100 == 7:
            updated = created - timedelta(hours=1)  # out of order
        elif number % 1000 == 3:
            updated = now + timedelta(days=1)  # in the future
        rows.append(
            {
                "id": uuid.uuid4(),
                "version": 1,
                "name": f"project {number}",
                "description": None,
                "created_at": created,
                "updated_at": updated,
            }
        )
    return rows


def _peak_rss_mb(url: str, service: Service) -> float:
    """Peak resident memory of the check run as a process, in MB."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(service.path / "src"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", PACKAGE, *CHECK], env=environment, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode in (0, 1), f"the check exited {process.returncode}"
    return usage.ru_maxrss / 1024  # kB on Linux


def _timed_check(url: str) -> float:
    main = importlib.import_module(f"{PACKAGE}.operations.cli").main
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            code = main(CHECK)
            elapsed = time.perf_counter() - started
    finally:
        if previous is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = previous
    assert code == 1, f"the check exited {code}; the seeded anomalies should make it 1"
    return elapsed


def run_backend(
    service: Service, kind: str, rounds: int, quick: bool, log: Callable[[str], None]
) -> tuple[list[Result], list[CountResult]]:
    label = LABELS[kind]
    section = f"Operations: `timestamps check` on {label}"
    now = datetime.now(UTC)
    medians: dict[int, float] = {}
    memory: dict[int, float] = {}
    with database(kind) as url:
        engine = service.create_database_engine(url)
        try:
            service.base.metadata.create_all(engine)
            table = service.project_model.__table__
            stored = 0
            for size in sizes(quick):
                log(f"{label}: growing projects to {size:,} rows")
                with engine.begin() as connection:
                    for start in range(stored, size, INSERT_CHUNK):
                        connection.execute(
                            insert(table), _rows(start, min(start + INSERT_CHUNK, size), now)
                        )
                stored = size
                _timed_check(url)  # warm-up: imports, connection, the database's caches
                medians[size] = statistics.median(_timed_check(url) for _ in range(rounds))
                memory[size] = max(_peak_rss_mb(url, service) for _ in range(min(rounds, 3)))
                log(
                    f"{label}: check of {size:,} rows: {duration(medians[size])}, "
                    f"peak RSS {memory[size]:.0f} MB"
                )
        finally:
            engine.dispose()
    base, *larger = sizes(quick)
    results = []
    for size in larger:
        growth = medians[size] / medians[base]
        log(
            f"{label}: {size:,} rows against {base:,}: time {growth:.2f}x for "
            f"{size / base:g}x the rows (per row {growth * base / size:.2f}x)"
        )
        results.append(
            Result(
                section,
                f"check of {size:,} rows against {base:,} rows, time per row",
                f"{size:,} rows",
                f"{base:,} rows",
                medians[size] / size,
                medians[base] / base,
                "row",
                rounds,
                target=1.5,
                note=(
                    f"whole check {duration(medians[size])} against {duration(medians[base])} "
                    f"({growth:.2f}x for {size / base:g}x the rows); peak RSS "
                    f"{memory[size]:.0f} MB against {memory[base]:.0f} MB"
                ),
            )
        )
    largest = max(memory)
    counts = [
        CountResult(
            section,
            f"peak memory of the check process on {largest:,} rows",
            Counter({"MB": round(memory[largest])}),
            {"MB": MEMORY_LIMIT_MB},
        )
    ]
    return results, counts
