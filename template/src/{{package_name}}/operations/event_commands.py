"""The relay and the change feed on the command line; :mod:`.cli` adds them.

::

    <service> events relay [--once] [--batch N] [--poll SECONDS]
    <service> events retry [--position N ...]
    <service> changes tail [--after N] [--limit N] [--follow] [--poll SECONDS]

``events relay`` delivers the outbox's events to ``EVENTS_PUBLISHER`` (see
``infrastructure/events``): with ``--once`` until none is due, otherwise until
SIGTERM or SIGINT; progress goes to standard error, exit code 0.
``events retry`` puts parked events back for the relay once their cause is
fixed (exit 1 when a ``--position`` named is not a parked event).
``changes tail`` prints the change feed as JSON lines on standard output and
the cursor to read on from (``--after``) on standard error.
"""

import sys
import threading
from argparse import ArgumentParser, ArgumentTypeError, Namespace, _SubParsersAction

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ..domain.changes import MAX_CURSOR, Change
from ..domain.paging import MAX_PAGE_SIZE
from ..infrastructure.change_feed import read_changes
from ..infrastructure.database import create_session_factory
from ..infrastructure.events.messages import OutboxMessage
from ..infrastructure.events.publishers import PublishError, publisher_from_setting
from ..infrastructure.events.relay import BatchResult, Relay, stopping_on_signals
from ..infrastructure.events.retry import retry_parked
from ..infrastructure.settings import Settings
from .arguments import whole_number

PROGRAM = __name__.split(".")[0].replace("_", "-")
MAX_BATCH = 1000
DEFAULT_POLL_SECONDS = 1.0
DEFAULT_TAIL_LIMIT = 100


def poll_seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number <= 3600:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds above 0, at most 3600")
    return number


def add_commands(commands: "_SubParsersAction[ArgumentParser]") -> None:
    """Add ``events relay`` and ``changes tail`` to the command line's ``commands``."""
    events = commands.add_parser("events", help="deliver the outbox's events")
    event_actions = events.add_subparsers(dest="action", required=True)
    relay = event_actions.add_parser(
        "relay",
        help="deliver the outbox's events to EVENTS_PUBLISHER",
        description="Deliver at least once, in order per entity; exit 0 when stopped.",
    )
    relay.add_argument("--once", action="store_true", help="stop when no event is due")
    relay.add_argument(
        "--batch",
        type=whole_number(1, MAX_BATCH, "the batch size"),
        metavar="N",
        help=f"events per transaction, 1 to {MAX_BATCH} (default EVENTS_BATCH)",
    )
    _poll_option(relay, "seconds between rounds")
    relay.set_defaults(run=run_relay, database=True)
    retry = event_actions.add_parser(
        "retry",
        help="put parked events back for the relay",
        description="Exit 0, or 1 when a position named is not a parked event.",
    )
    retry.add_argument(
        "--position",
        type=whole_number(1, MAX_CURSOR, "a position"),
        action="append",
        metavar="N",
        help="only the parked event at position N (repeat for several); default: every one",
    )
    retry.set_defaults(run=run_retry, database=True)

    changes = commands.add_parser("changes", help="read the change feed")
    tail = changes.add_subparsers(dest="action", required=True).add_parser(
        "tail",
        help="print the changes after a cursor as JSON lines",
        description="The next cursor (for --after) is printed on standard error at the end.",
    )
    tail.add_argument(
        "--after",
        type=whole_number(0, MAX_CURSOR, "a cursor"),
        default=0,
        metavar="N",
        help="the cursor: print the changes after position N (default 0)",
    )
    tail.add_argument(
        "--limit",
        type=whole_number(1, MAX_PAGE_SIZE, "the page size"),
        default=DEFAULT_TAIL_LIMIT,
        metavar="N",
        help=f"at most N changes per read, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_TAIL_LIMIT})",
    )
    tail.add_argument(
        "--follow", action="store_true", help="keep reading new changes until SIGTERM or SIGINT"
    )
    _poll_option(tail, "seconds between reads that found nothing")
    tail.set_defaults(run=run_tail, database=True)


def _poll_option(parser: ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--poll",
        type=poll_seconds,
        default=DEFAULT_POLL_SECONDS,
        metavar="SECONDS",
        help=f"{what} (default {DEFAULT_POLL_SECONDS:g})",
    )


def run_relay(engine: Engine, options: Namespace) -> int:
    """``events relay``: deliver; one line per batch and the totals on standard error."""
    settings = Settings()
    try:
        publisher = publisher_from_setting(settings.events_publisher)
    except PublishError as error:
        print(f"{PROGRAM}: EVENTS_PUBLISHER={settings.events_publisher}: {error}", file=sys.stderr)
        return 2
    relay = Relay.from_settings(settings, create_session_factory(engine), publisher)
    relay.batch = options.batch or relay.batch
    relay.on_batch = report_batch
    counts = relay.run_once() if options.once else relay.run_forever(options.poll)
    print(
        f"relay: {counts.delivered} delivered, {counts.failed} failed, "
        f"{counts.parked} parked, {counts.pruned} pruned",
        file=sys.stderr,
    )
    return 0


def run_retry(engine: Engine, options: Namespace) -> int:
    """``events retry``: the parked events put back, by position."""
    retried = retry_parked(create_session_factory(engine), options.position)
    shown = ", ".join(map(str, retried)) or "none"
    print(f"{len(retried)} parked events put back for the relay: {shown}")
    missing = sorted(set(options.position or ()) - set(retried))
    for position in missing:
        print(f"{PROGRAM}: position {position} is not a parked event", file=sys.stderr)
    return 1 if missing else 0


def report_batch(result: BatchResult) -> None:
    """A batch's progress on standard error."""
    if result.delivered:
        first, last = result.delivered[0], result.delivered[-1]
        count = len(result.delivered)
        print(f"delivered {count} events, positions {first} to {last}", file=sys.stderr)
    failure = result.failure
    if failure is not None:
        outcome = "parked" if failure.parked else "will be retried"
        print(
            f"position {failure.position} failed (attempt {failure.attempts}), {outcome}: "
            f"{failure.error}",
            file=sys.stderr,
        )


def run_tail(engine: Engine, options: Namespace) -> int:
    """``changes tail``: the changes as JSON lines, then ``next cursor: N`` on standard error."""
    cursor: int = options.after
    stop = threading.Event()
    with stopping_on_signals(stop):
        while not stop.is_set():
            with Session(engine) as session:
                page = read_changes(session, after=cursor, limit=options.limit)
            for change in page.changes:
                print(change_line(change), flush=True)
            cursor = page.next_cursor
            if not options.follow:
                break
            if not page.changes:
                stop.wait(options.poll)
    print(f"next cursor: {cursor}", file=sys.stderr)
    return 0


def change_line(change: Change) -> str:
    """A change as the JSON line the relay would publish for it."""
    return OutboxMessage.of(change).json_line()
