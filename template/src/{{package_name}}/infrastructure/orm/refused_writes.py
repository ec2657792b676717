"""What a flush is refused for, before it writes anything.

- a write made for no one of rows whose entity requires an actor
  (``require_actor: true``): ActorRequired;
- a change of a row's ``created_by`` or ``updated_by``, which only the commit
  writes: ActorColumnsWritten.

:func:`refuse_flush` is the first ``before_flush`` listener of the service's
sessions (:func:`.change_capture.install_change_capture`); the change capture
asks the same of each ORM statement.
"""

from itertools import chain

from sqlalchemy import inspect
from sqlalchemy.orm import Session, UOWTransaction

from ..row_change import actor_of
from .actor_columns import refuse_written_actor_columns
from .entity_model import EntityModel


def refuse_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    """``before_flush`` listener: refuse the flush before it writes (see the module docstring)."""
    changed_rows = [row for row in session.dirty if session.is_modified(row)]
    rows = chain(session.new, changed_rows, session.deleted)
    for model in {type(row) for row in rows if isinstance(row, EntityModel)}:
        actor_of(model)
    for row in changed_rows:
        written = (attr.key for attr in inspect(row).attrs if attr.history.has_changes())
        refuse_written_actor_columns(type(row), written)
