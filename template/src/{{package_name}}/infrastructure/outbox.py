"""The outbox writer: every change of an entity row, stored with it, in commit order.

The writes record their changes (:func:`record_changes`: the repositories, the
ORM listeners of :mod:`.orm.change_capture`, parent touches); the changes of a
savepoint or transaction that rolls back are dropped with it. When the session
commits, :func:`write_outbox` adds the transaction's changes to
``outbox_events`` in one INSERT, after locking the one row of ``outbox_lock``:
the lock is held until the commit ends, so a transaction takes its positions
only after every transaction that took earlier ones has committed. Positions
therefore follow the order of commits, which is what lets the change feed
(:mod:`.change_feed`) read on from a position without missing a row. The lock
is taken by the INSERT of the first change itself (:func:`insert_locking`). Only
the commit's last step is serialised: transactions write their rows in
parallel as before. SQLite has no ``FOR UPDATE`` and needs none: it has one
writer at a time.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Insert, Table, bindparam, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from .actor_stamps import write_actor_columns
from .history import write_history
from .orm.outbox_model import LOCK_ROW, OutboxEventModel, OutboxLockModel
from .orm.stamps import table_of
from .row_change import OUTBOX_WORK, RowChange
from .until_commit import UntilCommit

OUTBOX = table_of(OutboxEventModel)
LOCK = table_of(OutboxLockModel)


def _insert_lock_row(table: Table, connection: Connection, **options: object) -> None:
    connection.execute(insert(table).values(id=LOCK_ROW))


# A schema made from the models (``create_all()``) gets the lock's row as the migration does.
event.listen(LOCK, "after_create", _insert_lock_row)


PENDING = UntilCommit[RowChange]("outbox_changes")

# The locking INSERT's rowcount tells whether the lock's row was there; SQLAlchemy
# keeps an INSERT's rowcount only when asked.
COUNTED_OUTBOX_WORK = {**OUTBOX_WORK, "preserve_rowcount": True}


def record_changes(session: Session, changes: Iterable[RowChange]) -> None:
    """Add ``changes`` to the outbox when the transaction of ``session`` commits."""
    PENDING.add(session, changes)


def install_outbox_listeners(factory: sessionmaker[Session]) -> None:
    """Write the changes of ``factory``'s sessions on commit; drop them on rollback."""
    event.listen(factory, "before_commit", write_outbox)
    PENDING.install(factory)


def write_outbox(session: Session) -> None:
    """``before_commit`` listener: the transaction's changes go in the outbox, in commit order.

    The changes of entities that keep their history (``history: true``) go in
    their history tables too (:func:`.history.write_history`), and their actors
    in the rows' actor columns (``actor_columns: true``, :mod:`.actor_stamps`).
    """
    if session.in_nested_transaction():
        return
    session.flush()
    changes = PENDING.take(session)
    if not changes:
        return
    connection = session.connection()
    first, *rest = [change.outbox_row() for change in changes]
    insert_locking(connection, first)
    if rest:
        connection.execute(insert(OUTBOX), rest, execution_options=OUTBOX_WORK)
    write_history(connection, changes)
    write_actor_columns(connection, changes)


def insert_locking(connection: Connection, row: dict[str, Any]) -> None:
    """Lock the outbox's lock row and insert ``row``, in one statement (one round trip).

    ``INSERT ... SELECT <row> FROM outbox_lock WHERE id = 1 FOR UPDATE``: the row gets
    its position once the lock is held, and the lock is held until the
    transaction ends, so the transaction's later rows follow it. Without the lock's
    row the statement inserts nothing, and the commit is refused.
    """
    inserted = connection.execute(LOCKING_INSERT, row, execution_options=COUNTED_OUTBOX_WORK)
    if inserted.rowcount == 0:
        raise RuntimeError(
            f"outbox_lock has no row {LOCK_ROW}, so commits would not be ordered: the "
            f"outbox migration inserts it; insert it again with INSERT INTO outbox_lock "
            f"(id) VALUES ({LOCK_ROW})"
        )


def locking_insert() -> Insert:
    """The statement of :func:`insert_locking`; every value a bound parameter."""
    names = [column.key for column in OUTBOX.columns if column.key not in DELIVERY_COLUMNS]
    values = [bindparam(name, type_=OUTBOX.c[name].type) for name in names]
    locked = select(*values).select_from(LOCK).where(LOCK.c.id == LOCK_ROW).with_for_update()
    return insert(OUTBOX).from_select(names, locked)


# Columns the INSERT leaves alone: the position (the database numbers it) and the relay's.
DELIVERY_COLUMNS = frozenset(
    {"position", "next_attempt_at", "delivered_at", "parked_at", "last_error"}
)
LOCKING_INSERT = locking_insert()
