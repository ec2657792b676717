"""ServiceSession: SQLAlchemy's Session, without the bulk methods that write unseen.

``bulk_save_objects()``, ``bulk_insert_mappings()`` and ``bulk_update_mappings()``
send their INSERTs and UPDATEs past every ORM event: their rows would reach
neither the change feed nor the history, and no actor would be asked for
(``require_actor``). The service's sessions (:func:`.database.create_session_factory`)
refuse them, naming the call that does the same through the write path.
"""

from collections.abc import Iterable
from typing import Any, NoReturn

from sqlalchemy.orm import Session


class UnrecordedWrite(TypeError):
    """A write the change feed and the history would never see."""


def _refused(method: str, instead: str) -> NoReturn:
    sees = "no change feed, history or actor check sees"
    raise UnrecordedWrite(f"Session.{method}() writes rows {sees}; use {instead}")


class ServiceSession(Session):
    """A Session whose every write reaches the change capture (see the module docstring)."""

    def bulk_save_objects(
        self,
        objects: Iterable[object],
        return_defaults: bool = False,
        update_changed_only: bool = True,
        preserve_order: bool = True,
    ) -> None:
        _refused("bulk_save_objects", "session.add_all(objects), or a repository's save_all()")

    def bulk_insert_mappings(
        self,
        mapper: Any,
        mappings: Iterable[dict[str, Any]],
        return_defaults: bool = False,
        render_nulls: bool = False,
    ) -> None:
        _refused("bulk_insert_mappings", "session.execute(insert(Model), rows)")

    def bulk_update_mappings(self, mapper: Any, mappings: Iterable[dict[str, Any]]) -> None:
        _refused("bulk_update_mappings", "session.execute(update(Model), rows)")
