"""Entities whose references point at parents: stored rows, or ids that nothing checks."""

from collections.abc import Callable, Mapping
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.support.clock import FrozenClock
from tests.support.fake_unit_of_work import FakeUnitOfWork, reference_fields


class ReferencedEntities:
    """New entities and changes whose references are ``references`` and ``changed_references``.

    Subclasses set ``new_entity`` and ``changes`` (from the entity's factory
    module); a fixture of theirs sets the two sets of references before each test.
    """

    new_entity: Callable[..., Any]
    changes: Mapping[str, object]
    references: dict[str, Any]
    changed_references: dict[str, Any]

    def entity(self, **overrides: Any) -> Any:
        """A new entity whose references point at the test's parents."""
        return self.new_entity(**(self.references | overrides))

    @property
    def changed(self) -> dict[str, object]:
        """A new value per field; references point at the other parents."""
        return {**self.changes, **self.changed_references}


class StoredReferences(ReferencedEntities):
    """Stores the rows an entity references before each test, so foreign keys hold.

    Subclasses also set ``store_references`` (the factory's ``store_references``).
    """

    store_references: Callable[[Session], dict[str, Any]]

    @pytest.fixture(autouse=True)
    def stored_references(
        self, session_factory: sessionmaker[Session], frozen_clock: FrozenClock
    ) -> None:
        """One set of referenced rows for new entities, another for changes."""
        with session_factory.begin() as session:
            self.references = self.store_references(session)
            self.changed_references = self.store_references(session)


class InMemoryReferences(ReferencedEntities):
    """For tests on a :class:`FakeUnitOfWork` (its ``unit_of_work``): no database at all.

    References are new ids: the fake, like the domain, does not check that a parent exists.
    """

    @pytest.fixture(autouse=True)
    def made_up_references(self, frozen_clock: FrozenClock) -> None:
        fields = reference_fields(type(self.new_entity()))
        self.references = {field: uuid4() for field in fields}
        self.changed_references = {field: uuid4() for field in fields}

    @pytest.fixture
    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork()
