"""Entities for database tests whose references point at stored rows."""

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.support.clock import FrozenClock


class StoredReferences:
    """Stores the rows an entity references before each test, so foreign keys hold.

    Subclasses set ``new_entity`` and ``changes`` (from the entity's factory
    module) and ``store_references`` (its ``store_references`` function).
    """

    new_entity: Callable[..., Any]
    changes: Mapping[str, object]
    store_references: Callable[[Session], dict[str, Any]]

    @pytest.fixture(autouse=True)
    def stored_references(
        self, session_factory: sessionmaker[Session], frozen_clock: FrozenClock
    ) -> None:
        """One set of referenced rows for new entities, another for changes."""
        with session_factory.begin() as session:
            self.references = self.store_references(session)
            self.changed_references = self.store_references(session)

    def entity(self, **overrides: Any) -> Any:
        """A new entity whose references point at stored rows."""
        return self.new_entity(**(self.references | overrides))

    @property
    def changed(self) -> dict[str, object]:
        """A new value per field; references point at other stored rows."""
        return {**self.changes, **self.changed_references}
