"""Parent touching: writing a row moves ``updated_at`` of the rows it references.

Only references declared with ``touch: true`` count (``touched_parents`` on the
model). A new, changed or deleted child touches its parents; a changed
reference touches the old parent and the new one. Each parent moves once per
transaction, however many of its children are written, to the stamp of
:func:`..repositories.write_path.stamp_rows`; its ``version`` stays, because
none of its own fields changed. A touch undone by a savepoint rollback is done
again when a child is written later in the transaction. Which parents a write
touches (none inside ``no_touching()``) is the write path's decision.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import select, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.util import identity_key

from ..audit import AuditEvent, AuditRecord, audit
from ..outbox import record_changes
from ..repositories.write_path import Parent, stamp_rows
from ..row_change import OUTBOX_WORK, actor_of, touched
from ..until_commit import inside, rolled_back_to
from .entity_model import EntityModel
from .stamps import table_of

# session.info key of the session's TouchedParents.
TOUCHED_PARENTS = "touched_parents"


@dataclass
class TouchedParents:
    """The parents touched in a session, by the (nested) transaction that touched them."""

    by_transaction: dict[SessionTransaction, set[Parent]] = field(default_factory=dict)

    def in_transaction(self, transaction: SessionTransaction) -> set[Parent]:
        """Parents touched in ``transaction``'s outermost transaction and not rolled back."""
        root = _outermost(transaction)
        for known in list(self.by_transaction):
            if _outermost(known) is not root:
                del self.by_transaction[known]
        return set().union(*self.by_transaction.values())

    def record(self, transaction: SessionTransaction, parents: Iterable[Parent]) -> None:
        self.by_transaction.setdefault(transaction, set()).update(parents)

    def forget(self, rolled_back: SessionTransaction) -> None:
        """Drop what ``rolled_back`` and the transactions inside it touched."""
        undone = rolled_back_to(rolled_back)
        for known in list(self.by_transaction):
            if inside(known, undone):
                del self.by_transaction[known]


def _outermost(transaction: SessionTransaction) -> SessionTransaction:
    while transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def _touched_parents(session: Session) -> TouchedParents:
    touched = session.info.get(TOUCHED_PARENTS)
    if not isinstance(touched, TouchedParents):
        touched = session.info[TOUCHED_PARENTS] = TouchedParents()
    return touched


def forget_rolled_back_touches(session: Session, previous_transaction: SessionTransaction) -> None:
    """``after_soft_rollback`` listener: a rolled-back touch is no longer done."""
    _touched_parents(session).forget(previous_transaction)


def being_written(session: Session) -> set[Parent]:
    """The rows ``session``'s next flush inserts or changes: their own write moves them."""
    changed = (row for row in session.dirty if session.is_modified(row))
    return {
        (type(row), row.id) for row in chain(session.new, changed) if isinstance(row, EntityModel)
    }


def touch_parents(session: Session, parents: Iterable[Parent]) -> None:
    """Move each parent row's ``updated_at`` forward, once per transaction.

    A parent inserted or changed in the session's next flush is left to its own write.
    """
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        return
    done = _touched_parents(session)
    pending = set(parents) - done.in_transaction(transaction)
    if pending:
        pending -= being_written(session)
    parent_models = sorted({model for model, _ in pending}, key=lambda model: model.__name__)
    for parent_model in parent_models:
        actor_of(parent_model)
    connection = session.connection()
    # Table by table in a fixed order, so that concurrent transactions lock alike.
    for parent_model in parent_models:
        ids = sorted(parent_id for model, parent_id in pending if model is parent_model)
        table = table_of(parent_model)
        stamp = stamp_rows(connection, table, table.c.id.in_(ids))
        connection.execute(update(table).where(table.c.id.in_(ids)).values(updated_at=stamp))
        rows = connection.execute(
            select(table).where(table.c.id.in_(ids)), execution_options=OUTBOX_WORK
        )
        record_changes(session, (touched(parent_model, row._asdict()) for row in rows))
        for parent_id in ids:
            loaded = session.identity_map.get(identity_key(parent_model, parent_id))
            if loaded is not None:
                session.expire(loaded, ["updated_at"])
            entity = parent_model.__name__.removesuffix("Model")
            audit(session, AuditRecord(AuditEvent.PARENT_TOUCHED, entity, parent_id))
    done.record(transaction, pending)
