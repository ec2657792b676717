"""Parent touching: writing a row moves ``updated_at`` of the rows it references.

Only references declared with ``touch: true`` count (``touched_parents`` on the
model). A new, changed or deleted child touches its parents; a changed
reference touches the old parent and the new one. Each parent moves once per
transaction, however many of its children are written, to the stamp of
:func:`.stamps.stamp_for_rows`; its ``version`` stays, because none of its own
fields changed. A touch undone by a savepoint rollback is done again when a
child is written later in the transaction. Nothing moves inside
``no_touching()``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from uuid import UUID

from sqlalchemy import inspect, update
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction
from sqlalchemy.orm.util import identity_key

from ...domain.touching import touching_suppressed
from ..audit import AuditEvent, AuditRecord, audit, inside
from .entity_model import EntityModel
from .stamps import stamp_for_rows, table_of

# A parent row: its model and its id.
Parent = tuple[type[EntityModel], UUID]

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
        for known in list(self.by_transaction):
            if inside(known, rolled_back):
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


def touch_referenced_parents(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    """``before_flush`` listener: touch the parents of the rows this flush writes."""
    if touching_suppressed():
        return
    changed = [row for row in session.dirty if session.is_modified(row)]
    parents: set[Parent] = set()
    for row in chain(session.new, changed, session.deleted):
        if not isinstance(row, EntityModel):
            continue
        state = inspect(row)
        for column, parent_model in row.touched_parents.items():
            history = state.attrs[column].history
            ids = [*history.added, *history.deleted] or [getattr(row, column)]
            parents.update((parent_model, parent_id) for parent_id in ids if parent_id)
    # A parent inserted or changed in this flush gets its updated_at from its own write.
    being_written = {(type(row), row.id) for row in chain(session.new, changed)}
    touch_parents(session, parents - being_written)


def touch_parents_of_write(
    session: Session,
    model: type[EntityModel],
    before: Mapping[str, object],
    after: Mapping[str, object],
) -> None:
    """Touch the parents a row written outside the flush referenced before and after."""
    parents = {
        (parent_model, parent_id)
        for column, parent_model in model.touched_parents.items()
        for parent_id in (before[column], after[column])
        if isinstance(parent_id, UUID)
    }
    touch_parents(session, parents)


def forget_rolled_back_touches(session: Session, previous_transaction: SessionTransaction) -> None:
    """``after_soft_rollback`` listener: a rolled-back touch is no longer done."""
    _touched_parents(session).forget(previous_transaction)


def touch_parents(session: Session, parents: Iterable[Parent]) -> None:
    """Move each parent row's ``updated_at`` forward, once per transaction."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None or touching_suppressed():
        return
    touched = _touched_parents(session)
    pending = set(parents) - touched.in_transaction(transaction)
    connection = session.connection()
    # Table by table in a fixed order, so that concurrent transactions lock alike.
    for parent_model in sorted({model for model, _ in pending}, key=lambda model: model.__name__):
        ids = sorted(parent_id for model, parent_id in pending if model is parent_model)
        table = table_of(parent_model)
        stamp = stamp_for_rows(connection, table, table.c.id.in_(ids))
        connection.execute(update(table).where(table.c.id.in_(ids)).values(updated_at=stamp))
        for parent_id in ids:
            loaded = session.identity_map.get(identity_key(parent_model, parent_id))
            if loaded is not None:
                session.expire(loaded, ["updated_at"])
            entity = parent_model.__name__.removesuffix("Model")
            audit(session, AuditRecord(AuditEvent.PARENT_TOUCHED, entity, parent_id))
    touched.record(transaction, pending)
