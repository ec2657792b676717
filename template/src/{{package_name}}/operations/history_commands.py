"""``history prune``: the row history (``history: true``) kept only from a date on.

::

    <service> history prune --before DATE [--batch-size N]

Deletes every history row stamped before ``DATE`` (ISO 8601: a date, or a time;
without an offset, UTC), in batches of ``N`` rows (1 to 10,000), each its own
transaction, and prints each batch. The entry in force of a row that still
exists stays, however old; ``as_of()`` a moment before it then finds nothing.
"""

import sys
from argparse import ArgumentParser, ArgumentTypeError, Namespace, _SubParsersAction
from datetime import datetime

from sqlalchemy import Engine

from ..domain.clock import as_utc
from ..domain.exceptions import ValidationError
from ..infrastructure.database import create_session_factory
from ..infrastructure.history import prune_history
from ..infrastructure.orm.models import HISTORY_TABLES
from .arguments import whole_number

DEFAULT_BATCH_SIZE = 1000
# The ids of a batch are bound parameters: well inside every database's limit.
MAX_BATCH_SIZE = 10_000


def moment(value: str) -> datetime:
    """``--before``: an ISO 8601 date or time; without an offset, UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date or time (2024-05-17 or 2024-05-17T09:30:00+02:00)"
        ) from error
    try:
        return as_utc(parsed, name="--before")
    except ValidationError as error:
        raise ArgumentTypeError(str(error)) from error


def add_commands(groups: "_SubParsersAction[ArgumentParser]") -> None:
    """The ``history`` command group."""
    history = groups.add_parser("history", help="the kept history of rows (history: true)")
    actions = history.add_subparsers(dest="action", required=True)
    prune = actions.add_parser("prune", help="delete the history rows stamped before a date")
    prune.add_argument("--before", type=moment, required=True, metavar="DATE")
    prune.add_argument(
        "--batch-size", type=whole_number(1, MAX_BATCH_SIZE, "rows"),
        default=DEFAULT_BATCH_SIZE, metavar="N",
        help=f"rows per transaction, 1 to {MAX_BATCH_SIZE} (default {DEFAULT_BATCH_SIZE})",
    )  # fmt: skip
    prune.set_defaults(run=run_prune, database=True)


def run_prune(engine: Engine, options: Namespace) -> int:
    """``history prune``: each committed batch on standard error, the total on standard output."""
    if not HISTORY_TABLES:
        print("no entity keeps its history (history: true): nothing to prune")
        return 0
    total = 0
    factory = create_session_factory(engine)
    for table, count in prune_history(factory, options.before, options.batch_size):
        total += count
        print(f"{table}: {count} rows pruned", file=sys.stderr)
    print(f"{total} history rows stamped before {options.before.isoformat()} pruned")
    return 0
