"""ActorColumns: who created a row and who changed it last (``actor_columns: true``).

The columns are written at commit, from the changes the transaction recorded
(:func:`..actor_stamps.write_actor_columns`), so every write path sets them: a
new row gets its actor in both, a changed row in ``updated_by``. A touch (only
the timestamps moved) and the database's own writes leave them as they are.
``None`` is no one (``acting_as()`` not set).
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ...application.actor import ACTOR_LIMIT

# Marks the columns in the model's table, for the history table to leave out.
ACTOR_COLUMN = {"actor_column": True}
# Their names: no field of a change.
ACTOR_COLUMN_NAMES = frozenset({"created_by", "updated_by"})


class ActorColumns:
    """Mixed into the model of an entity declared with ``actor_columns: true``."""

    created_by: Mapped[str | None] = mapped_column(String(ACTOR_LIMIT), info=ACTOR_COLUMN)
    updated_by: Mapped[str | None] = mapped_column(String(ACTOR_LIMIT), info=ACTOR_COLUMN)
