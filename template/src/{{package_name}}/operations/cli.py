"""The service's operations command line (``[project.scripts]`` in pyproject.toml).

::

    <service> [--actor NAME] COMMAND ...   (every command acts as NAME, default: the OS user)
    <service> timestamps check [--json] [--stale-days N] [--future-tolerance SECONDS]
                               [--entity NAME] [--prometheus FILE] [--skew]
    <service> timestamps repair [--apply] [--entity NAME] [--batch-size N]
    <service> timestamps report --html FILE
    <service> db upgrade [REVISION]
    <service> db current
    <service> events relay [--once] [--batch N] [--poll SECONDS]
    <service> changes tail [--after N] [--limit N] [--follow] [--poll SECONDS]
    <service> history prune --before DATE [--batch-size N]
    <service> ...                 the team's commands (``team_commands.py``)

The database is the settings' (``DATABASE_URL``, see ``infrastructure/settings.py``);
a SQLite file that does not exist is refused, except by ``db upgrade``, which makes it.
Exit codes: 0 healthy (or done), 1 findings, 2 a usage error or a database that
cannot be used (the message names it, its password masked).
"""

import sys
from argparse import ArgumentParser, Namespace
from collections.abc import Sequence
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from ..application.actor import ActorRequired, InvalidActor, acting_as
from ..domain.exceptions import ClockSkewRefused
from ..infrastructure.database import (
    DatabaseConfigurationError,
    create_database_engine,
    database_url,
    masked,
    require_existing_database,
)
from ..infrastructure.repositories.database_errors import describe
from ..infrastructure.settings import Settings, configure_logging
from . import commands, event_commands, history_commands, team_commands
from .arguments import actor_name, os_user, positive_int, seconds
from .health import DEFAULT_FUTURE_TOLERANCE, DEFAULT_STALE_DAYS
from .repair import DEFAULT_BATCH_SIZE
from .tables import UnknownEntity

PACKAGE = __name__.split(".")[0]
PROGRAM = PACKAGE.replace("_", "-")
USAGE_ERROR = 2
# Errors that name what was wrong with the command: shown as they are, exit code 2.
REFUSED = (
    ActorRequired,
    UnknownEntity,
    DatabaseConfigurationError,
    commands.MissingExtra,
    CommandError,
    ClockSkewRefused,
)


def _entity_option(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--entity",
        action="append",
        metavar="NAME",
        help="only this entity (repeat for several); default: every entity",
    )


def _check_options(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--stale-days",
        type=positive_int,
        default=DEFAULT_STALE_DAYS,
        metavar="N",
        help=f"rows not updated for N days are stale (default {DEFAULT_STALE_DAYS})",
    )
    _tolerance_option(parser)
    _entity_option(parser)


def _tolerance_option(parser: ArgumentParser) -> None:
    default = DEFAULT_FUTURE_TOLERANCE.total_seconds()
    parser.add_argument(
        "--future-tolerance",
        type=seconds,
        default=default,
        metavar="SECONDS",
        help=f"timestamps up to this far ahead of the clock are not future (default {default:g})",
    )


def build_parser() -> ArgumentParser:
    """The parser of every command; each command sets ``run`` and ``database``.

    Only ``db upgrade`` sets ``creates``: it may make the SQLite file of the
    settings; every other command refuses one that does not exist.
    """
    parser = ArgumentParser(prog=PROGRAM, description=f"Operations of {PACKAGE}.")
    parser.add_argument(
        "--actor",
        type=actor_name,
        metavar="NAME",
        help="who the command acts for: its writes record NAME (default: the OS user)",
    )
    parser.set_defaults(creates=False)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    timestamps = groups.add_parser("timestamps", help="check, repair and report timestamps")
    actions = timestamps.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check",
        help="find missing, out-of-order, future and stale timestamps",
        description="Exit 0 when no entity has an anomaly (stale rows are not one), 1 otherwise.",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument(
        "--skew",
        action="store_true",
        help="also compare this host's clock with the database's (CLOCK_SKEW_TOLERANCE)",
    )
    check.add_argument(
        "--prometheus",
        type=Path,
        metavar="FILE",
        help="also write the results to FILE for the textfile collector (metrics extra)",
    )
    _check_options(check)
    check.set_defaults(run=commands.run_check, database=True)

    repair = actions.add_parser(
        "repair",
        help="fix the anomalies check finds (a dry run without --apply)",
        description="Print each fix; write them with --apply. See docs/operations.md.",
    )
    repair.add_argument("--apply", action="store_true", help="write the fixes")
    repair.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})",
    )
    _tolerance_option(repair)
    _entity_option(repair)
    repair.set_defaults(run=commands.run_repair, database=True)

    report = actions.add_parser(
        "report",
        help="write a static HTML report",
        description="One self-contained HTML page: check results, activity charts, stale rows.",
    )
    report.add_argument(
        "--html", type=Path, required=True, metavar="FILE", help="the page to write"
    )
    report.add_argument("--title", default=PACKAGE, help=f"the page's title (default {PACKAGE})")
    _check_options(report)
    report.set_defaults(run=commands.run_report, database=True)

    db = groups.add_parser("db", help="migrate the database (Alembic)")
    migrations = db.add_subparsers(dest="action", required=True)
    upgrade = migrations.add_parser("upgrade", help="upgrade the database to a revision")
    upgrade.add_argument("revision", nargs="?", default="head", help="default: head")
    upgrade.set_defaults(run=commands.run_db_upgrade, database=False, creates=True)
    current = migrations.add_parser("current", help="print the database's revision")
    current.set_defaults(run=commands.run_db_current, database=False)
    event_commands.add_commands(groups)
    history_commands.add_commands(groups)
    team_commands.add_commands(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (the console script exits with it)."""
    try:
        options = build_parser().parse_args(argv)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else USAGE_ERROR
    settings = Settings()
    configure_logging(settings)
    try:
        actor = options.actor or os_user()
    except InvalidActor as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return USAGE_ERROR
    with acting_as(actor):
        return _run(options, settings)


def _run(options: Namespace, settings: Settings) -> int:
    """Run the parsed command; a refused one prints why and returns the usage error."""
    try:
        if not options.creates:
            require_existing_database(settings)
        if not options.database:
            code: int = options.run(options)
            return code
        engine = create_database_engine(settings=settings)
        try:
            code = options.run(engine, options)
        finally:
            engine.dispose()
        return code
    except REFUSED as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
    except SQLAlchemyError as error:
        print(
            f"{PROGRAM}: the database {masked(database_url(settings))} failed: {describe(error)}",
            file=sys.stderr,
        )
    return USAGE_ERROR
