"""HeldRows: the rows a repository read or wrote in the current transaction."""

from typing import Generic, TypeVar
from uuid import UUID

from sqlalchemy import inspect
from sqlalchemy.orm import Session, SessionTransaction

from ..orm.entity_model import EntityModel

ModelT = TypeVar("ModelT", bound=EntityModel)


class HeldRows(Generic[ModelT]):
    """Holds rows while one transaction of ``session`` lasts, so the session keeps them.

    A save compares an entity with the row it was read from instead of reading
    the row again; the next transaction starts with none.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[UUID, ModelT] = {}
        self._transaction: SessionTransaction | None = None

    def hold(self, row: ModelT) -> None:
        transaction = self.session.get_transaction()
        if transaction is not self._transaction:
            self._rows, self._transaction = {}, transaction
        self._rows[row.id] = row

    def get(self, entity_id: UUID, version: int) -> ModelT | None:
        """The held row of that id and version, fully loaded; None otherwise.

        A child's touch expires a held row's ``updated_at``: such a row is not returned.
        """
        if self.session.get_transaction() is not self._transaction:
            return None
        row = self._rows.get(entity_id)
        if row is None or row.version != version or inspect(row).unloaded:
            return None
        return row
