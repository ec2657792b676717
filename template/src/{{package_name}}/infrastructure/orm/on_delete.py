"""What deleting a row does to the rows that reference it: their ``on_delete``.

The foreign keys carry it out, on every database: ``RESTRICT`` refuses the
delete while a row references it, ``CASCADE`` deletes the referencing rows,
``SET NULL`` empties their reference. The database does that without the ORM,
so every delete through a session (the repository's ``delete()``, a flush of
``session.delete()``, an ORM ``delete()`` statement; see
:mod:`.change_capture`) empties the ``SET NULL`` references to the rows it
deletes itself first, those it deletes by cascade included, with one UPDATE
whose values the write path decides
(:func:`..repositories.write_path.stamped_values`: ``updated_at`` stamped
unless inside ``no_touching()``, ``version`` up by one). The repository's
``delete()`` then expires the rows of the session the database may have
deleted or changed.
"""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..bound_ids import in_pieces
from ..repositories.write_path import stamped_values
from .entity_model import EntityModel
from .models import ENTITY_MODELS
from .stamps import table_of

# A reference: the model whose rows hold it, and its column.
Reference = tuple[type[EntityModel], str]


def references_to(model: type[EntityModel], action: str) -> tuple[Reference, ...]:
    """The references to ``model``'s rows whose foreign key's ON DELETE is ``action``."""
    table = table_of(model)
    return tuple(
        (child, foreign_key.parent.key)
        for child in ENTITY_MODELS
        for foreign_key in table_of(child).foreign_keys
        if foreign_key.references(table) and foreign_key.ondelete == action
    )


def changed_by_delete(model: type[EntityModel]) -> frozenset[type[EntityModel]]:
    """The models whose rows deleting a ``model`` row can delete or change, however deep."""
    found: set[type[EntityModel]] = set()
    pending = [model]
    while pending:
        parent = pending.pop()
        for action in ("CASCADE", "SET NULL"):
            for child, _ in references_to(parent, action):
                if child not in found:
                    found.add(child)
                    if action == "CASCADE":
                        pending.append(child)
    return frozenset(found)


def empty_references(
    session: Session, deleting: Sequence[tuple[type[EntityModel], Sequence[UUID]]], *, touch: bool
) -> None:
    """Set the ``SET NULL`` references to the rows ``deleting`` (model, ids) to NULL.

    One ORM UPDATE per reference, stamped like ``update_where()`` when
    touching; the rows loaded in ``session`` take the new values. The references
    held by entities that require an actor go first: a write refused for no one
    (ActorRequired) comes before any UPDATE.
    """
    references = [
        (child, column, row_ids)
        for model, row_ids in deleting
        for child, column in references_to(model, "SET NULL")
    ]
    references.sort(key=lambda reference: not reference[0].actor_required)
    for child, column, row_ids in references:
        for chunk in in_pieces(row_ids):
            criteria = [getattr(child, column).in_(chunk)]
            emptied = stamped_values(session, child, criteria, {column: None}, touch=touch)
            session.execute(update(child).where(*criteria).values(emptied))


def expire_changed_rows(session: Session, model: type[EntityModel]) -> None:
    """Expire the loaded rows that deleting a ``model`` row may have deleted or changed.

    The next read of such a row goes to the database: a deleted row is gone
    (``get()`` returns None), a changed one is read as it is.
    """
    changed = changed_by_delete(model)
    if changed:
        for row in list(session.identity_map.values()):
            if type(row) in changed:
                session.expire(row)
