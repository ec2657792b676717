"""What each command of the command line does; :mod:`.cli` parses the arguments.

Each function returns the exit code: 0 healthy (or done), 1 findings.
"""

import json
import sys
from argparse import Namespace
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import Engine

from ..domain.clock import utc_now
from ..infrastructure.alembic_command import alembic_config
from ..infrastructure.clock_skew import check_clocks
from ..infrastructure.events.backlog import OutboxBacklog, outbox_backlog
from .activity import update_activity
from .health import CheckOptions, HealthReport, check
from .repair import repair_table
from .report import render_report
from .tables import entity_tables

HEALTHY = 0
FINDINGS = 1


def check_options(options: Namespace) -> CheckOptions:
    return CheckOptions(
        stale_days=options.stale_days,
        future_tolerance=timedelta(seconds=options.future_tolerance),
    )


def run_check(engine: Engine, options: Namespace) -> int:
    """``timestamps check``: the findings, as text or JSON; 1 when there are anomalies.

    With ``--skew``, also this host's clock against the database's: 1 when they
    are further apart than the tolerance. Parked events of the outbox (the relay
    gave up on them) are findings too.
    """
    tables = entity_tables(options.entity)
    with engine.connect() as connection:
        report = check(connection, tables, utc_now(), check_options(options))
        backlog = outbox_backlog(connection, options.entity)
    skew = check_clocks(engine) if options.skew else None
    healthy = report.healthy and backlog.parked == 0 and (skew is None or skew.within_tolerance)
    if options.prometheus is not None:
        write_prometheus_textfile(options.prometheus, report, backlog)
    if options.json:
        findings = report.as_json() | {"outbox": backlog.as_json(), "healthy": healthy}
        findings |= {} if skew is None else {"clock_skew": skew.as_json()}
        print(json.dumps(findings, indent=2))
    else:
        skew_lines = [] if skew is None else [skew.describe()]
        verdict = "healthy" if healthy else "not healthy: see the findings above"
        print("\n".join([describe(report), backlog.describe(), *skew_lines, verdict]))
    return HEALTHY if healthy else FINDINGS


class MissingExtra(RuntimeError):
    """An option needs an optional dependency that is not installed."""


def write_prometheus_textfile(
    path: Path, report: HealthReport, backlog: OutboxBacklog | None = None
) -> None:
    """``--prometheus FILE``: imported here, because it needs the ``metrics`` extra."""
    try:
        from .metrics import write_textfile
    except ModuleNotFoundError as error:
        raise MissingExtra(
            f"--prometheus {path} needs the metrics extra ({error.name} is not installed): "
            "uv sync --extra metrics (or pip install '.[metrics]')"
        ) from error
    write_textfile(path, report, backlog)


def describe(report: HealthReport) -> str:
    """The findings as text: one block per entity."""
    lines = []
    for name, health in report.entities.items():
        lines.append(f"{name}: {health.rows} rows")
        for kind, finding in health.as_json().items():
            samples = ", ".join(finding["sample_ids"])
            lines.append(f"  {kind:<13}{finding['count']:>8}" + (f"  {samples}" if samples else ""))
    if report.healthy:
        lines.append("timestamps: no missing, out-of-order or future timestamps")
    else:
        lines.append("anomalies found: `timestamps repair` shows the fixes, `--apply` makes them")
    return "\n".join(lines)


def run_repair(engine: Engine, options: Namespace) -> int:
    """``timestamps repair``: each fix, printed; written only with ``--apply``.

    Its fixes take this host's clock, so ``--apply`` first reads it against the
    database's and is refused when they are apart (:mod:`..infrastructure.clock_skew`).
    """
    if options.apply:
        check_clocks(engine).refuse_if_apart()
    now = utc_now()
    settings = CheckOptions(future_tolerance=timedelta(seconds=options.future_tolerance))
    verb = "repaired" if options.apply else "would repair"
    total = 0
    for name, table in entity_tables(options.entity).items():
        for fix in repair_table(
            engine,
            name,
            table,
            now=now,
            options=settings,
            apply=options.apply,
            batch_size=options.batch_size,
        ):
            print(f"{verb} {fix.describe()}")
            total += 1
    if options.apply:
        print(f"{total} rows repaired")
        return HEALTHY
    print(f"{total} rows would be repaired" + ("; run with --apply to write" if total else ""))
    return FINDINGS if total else HEALTHY


def run_report(engine: Engine, options: Namespace) -> int:
    """``timestamps report``: the HTML page; 1 when the check found anomalies."""
    tables = entity_tables(options.entity)
    now = utc_now()
    with engine.connect() as connection:
        report = check(connection, tables, now, check_options(options))
        activity = {name: update_activity(connection, table, now) for name, table in tables.items()}
    path: Path = options.html
    path.write_text(render_report(options.title, report, activity), encoding="utf-8")
    print(f"report written to {path}")
    return HEALTHY if report.healthy else FINDINGS


def run_db_upgrade(options: Namespace) -> int:
    """``db upgrade``: Alembic's upgrade with the package's migrations."""
    command.upgrade(alembic_config(), options.revision)
    print(f"database upgraded to {options.revision}")
    return HEALTHY


def run_db_current(options: Namespace) -> int:
    """``db current``: the revision the database is at."""
    config = alembic_config()
    config.stdout = sys.stdout
    command.current(config)
    return HEALTHY
