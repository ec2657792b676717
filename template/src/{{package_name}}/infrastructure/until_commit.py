"""UntilCommit: what a session's writes leave to do when their transaction commits.

The audit log and the outbox keep items per session (in ``session.info``) with
the (nested) transaction that added them: a savepoint or transaction that rolls
back drops its items, and nothing outlives the session's transaction.
"""

from collections.abc import Iterable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

ItemT = TypeVar("ItemT")


class UntilCommit(Generic[ItemT]):
    """Items kept under ``key`` in each session's ``info`` until its transaction ends."""

    def __init__(self, key: str) -> None:
        self.key = key

    def add(self, session: Session, items: Iterable[ItemT]) -> bool:
        """Keep ``items`` with the current (nested) transaction; False outside any."""
        transaction = session.get_nested_transaction() or session.get_transaction()
        if transaction is None:
            return False
        pending: list[tuple[SessionTransaction, ItemT]] = session.info.setdefault(self.key, [])
        pending.extend((transaction, item) for item in items)
        return True

    def take(self, session: Session) -> list[ItemT]:
        """The items kept, in the order they were added, no longer kept."""
        return [item for _, item in session.info.pop(self.key, [])]

    def install(self, factory: sessionmaker[Session]) -> None:
        """Drop the items of what ``factory``'s sessions roll back, and all at the end."""
        event.listen(factory, "after_soft_rollback", self.forget_rolled_back)
        event.listen(factory, "after_transaction_end", self.forget_ended)

    def forget_rolled_back(
        self, session: Session, previous_transaction: SessionTransaction
    ) -> None:
        """``after_soft_rollback`` listener: what a rolled-back (nested) transaction added is gone."""
        undone = rolled_back_to(previous_transaction)
        pending = session.info.get(self.key, [])
        pending[:] = [
            (transaction, item) for transaction, item in pending if not inside(transaction, undone)
        ]

    def forget_ended(self, session: Session, transaction: SessionTransaction) -> None:
        """``after_transaction_end`` listener: nothing outlives the session's transaction."""
        if transaction.parent is None:
            session.info.pop(self.key, None)


def rolled_back_to(transaction: SessionTransaction) -> SessionTransaction:
    """What a rollback of ``transaction`` undoes: a subtransaction's (a failed flush's)
    rollback undoes the savepoint or transaction around it."""
    while transaction.parent is not None and not transaction.nested:
        transaction = transaction.parent
    return transaction


def inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``outer`` or a (nested) transaction within it."""
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False
