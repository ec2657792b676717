"""SqlAlchemyUnitOfWork: the unit of work on the database, one session per ``with`` block."""

from collections.abc import Callable, Mapping
from typing import TypeVar, cast

from sqlalchemy.orm import Session

from ..application.repository import Repository
from ..application.unit_of_work_base import UnitOfWorkBase
from ..domain.base_entity import BaseTimestampEntity
from .repositories.database_errors import database_errors
from .repositories.registry import REPOSITORIES, RepositoryType

EntityT = TypeVar("EntityT", bound=BaseTimestampEntity)


class SqlAlchemyUnitOfWork(UnitOfWorkBase):
    """Each ``with`` block opens a session from ``session_factory`` and closes it at the end.

    The repositories are those of ``repositories`` (entity type to repository
    class; by default every entity's, :mod:`.repositories.registry`), all on
    the block's session. Infrastructure code with queries of its own runs them
    in the same transaction on ``session``. With an ``actor``, every write of a
    block is recorded as theirs.
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        repositories: Mapping[type[BaseTimestampEntity], RepositoryType] = REPOSITORIES,
        *,
        actor: str | None = None,
    ) -> None:
        super().__init__(actor)
        self.session_factory = session_factory
        self.repositories = repositories
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The session of the current ``with`` block."""
        if self._session is None:
            raise RuntimeError("SqlAlchemyUnitOfWork.session needs a with block")
        return self._session

    def _begin(self) -> None:
        self._session = self.session_factory()

    def _open(self, entity_type: type[EntityT]) -> Repository[EntityT]:
        repository_type = self.repositories.get(entity_type)
        if repository_type is None:
            raise LookupError(f"no repository stores {entity_type.__name__}")
        return cast(Repository[EntityT], repository_type(self.session))

    def _commit(self) -> None:
        """Commit the session; a failing commit is a DatabaseException, nothing stored."""
        names = ", ".join(sorted(self._repository_names())) or "UnitOfWork"
        with database_errors("commit", names):
            self.session.commit()

    def _rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()

    def _end(self) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None
