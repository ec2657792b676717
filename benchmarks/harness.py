"""Alternating measurement, results with ratios and targets, and what the machine is."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

# A run: does the work once and returns the seconds the part that counts took.
Run = Callable[[], float]


@dataclass
class Result:
    """One comparison: the medians of the measured and the baseline runs, side by side."""

    section: str
    name: str
    measured_label: str
    baseline_label: str
    measured: float  # median seconds per unit
    baseline: float  # median seconds per unit
    unit: str  # what one unit is: "save", "call", "entity", "copy", ...
    rounds: int
    # met when ratio <= target; None when the figure has no target
    target: float | None = None
    statements: dict[str, str] = field(default_factory=dict)  # label -> "1 INSERT, 1 SELECT"
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target


@dataclass
class CountResult:
    """A statement count with a target (counts are exact: no medians needed)."""

    section: str
    name: str
    counts: Counter[str]
    target: dict[str, int]  # kind -> the most statements of that kind allowed
    note: str = ""

    @property
    def met(self) -> bool:
        return all(self.counts.get(kind, 0) <= most for kind, most in self.target.items())


def alternate(runs: dict[str, Run], rounds: int, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each run, the runs interleaved round after round.

    Each round runs every variant once, in an order that rotates from round to
    round, so a slow patch of the (shared) machine hits all variants alike.
    ``warmup`` rounds run first and are not counted.
    """
    names = list(runs)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for number in range(warmup + rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            taken = runs[name]()
            if number >= warmup:
                seconds[name].append(taken)
    return {name: statistics.median(values) for name, values in seconds.items()}


def timed_loop(operation: Callable[[], Any], repeat: int) -> float:
    """Seconds ``repeat`` calls of ``operation`` take, garbage collection off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(repeat):
            operation()
        return time.perf_counter() - started
    finally:
        if enabled:
            gc.enable()


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as taken:`` leaves the block's seconds in ``taken[0]``."""
    taken: list[float] = []
    started = time.perf_counter()
    try:
        yield taken
    finally:
        taken.append(time.perf_counter() - started)


def format_counts(counts: Counter[str]) -> str:
    if not counts:
        return "none"
    order = ["SELECT", "INSERT", "UPDATE", "DELETE"]
    kinds = sorted(counts, key=lambda kind: (order.index(kind) if kind in order else 9, kind))
    return ", ".join(f"{counts[kind]} {kind}" for kind in kinds)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on, and with which versions."""
    cores = os.cpu_count() or 0
    try:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{_cpu_model()}, {cores} cores, {_memory()} memory",
        "load average at start (1, 5, 15 min)": load,
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLAlchemy": _version("sqlalchemy"),
        "psycopg": _version("psycopg"),
        "PyMySQL": _version("pymysql"),
        "SQLite": __import__("sqlite3").sqlite_version,
        "copier": _version("copier"),
        "copier-template-extensions": _version("copier-template-extensions"),
    }
