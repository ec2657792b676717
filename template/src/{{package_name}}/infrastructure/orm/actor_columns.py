"""ActorColumns: who created a row and who changed it last (``actor_columns: true``).

The columns are written at commit, from the changes the transaction recorded
(:func:`..actor_stamps.write_actor_columns`), so every write path sets them: a
new row gets its actor in both, a changed row in ``updated_by``. A touch (only
the timestamps moved) and the database's own writes leave them as they are.
``None`` is no one (``acting_as()`` not set). A write may not set them itself
(:func:`refuse_written_actor_columns`): a name it gave would stand for the actor.
"""

from collections.abc import Iterable

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ...application.actor import ACTOR_LIMIT

# Marks the columns in the model's table, for the history table to leave out.
ACTOR_COLUMN = {"actor_column": True}
# Their names: no field of a change.
ACTOR_COLUMN_NAMES = frozenset({"created_by", "updated_by"})


class ActorColumnsWritten(TypeError):
    """A write that sets ``created_by`` or ``updated_by``, which only the commit writes."""


class ActorColumns:
    """Mixed into the model of an entity declared with ``actor_columns: true``."""

    created_by: Mapped[str | None] = mapped_column(String(ACTOR_LIMIT), info=ACTOR_COLUMN)
    updated_by: Mapped[str | None] = mapped_column(String(ACTOR_LIMIT), info=ACTOR_COLUMN)


def refuse_written_actor_columns(model: type, names: Iterable[str]) -> None:
    """Raise ActorColumnsWritten when a write of ``model`` rows sets an actor column.

    ``names``: the columns the write sets. A new row's are written at commit
    whatever it was given; a changed row's would keep the name a write gave.
    """
    written = sorted(ACTOR_COLUMN_NAMES.intersection(names))
    if written and issubclass(model, ActorColumns):
        raise ActorColumnsWritten(
            f"{model.__name__}: {', '.join(written)} is written at commit, from who is "
            "acting (acting_as()); a write may not set it"
        )
