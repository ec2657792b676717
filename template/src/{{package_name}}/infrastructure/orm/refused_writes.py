"""What a write through a session is refused for, before it writes anything.

- a write made for no one of rows whose entity requires an actor
  (``require_actor: true``): ActorRequired;
- a change of a row's ``id``, or of its ``created_by`` or ``updated_by``, which
  only the commit writes: UnrecordedWrite, ActorColumnsWritten;
- an ORM statement whose rows the change capture could not tell: one on an
  alias of an entity's table or on another Table object of it, an INSERT ...
  SELECT, an UPDATE that also sets another table's columns or uses
  ``ordered_values()``, one with a data-modifying CTE (``add_cte()``):
  UnrecordedWrite.

:func:`refuse_flush` is the first ``before_flush`` listener of the service's
sessions and :func:`refuse_statement` the first ``do_orm_execute`` listener
(:func:`.change_capture.install_change_capture`).
"""

from collections.abc import Iterable
from itertools import chain
from typing import Any, cast

from sqlalchemy import Alias, Column, Table, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.dml import Delete, Insert, Update, UpdateBase

from ..row_change import actor_of
from ..service_session import UnrecordedWrite
from .actor_columns import ACTOR_COLUMN_NAMES, refuse_written_actor_columns
from .entity_model import EntityModel
from .models import ENTITY_MODELS
from .stamps import table_of

MODEL_OF_TABLE = {table_of(model): model for model in ENTITY_MODELS}
MODEL_OF_TABLE_NAME = {table.name: model for table, model in MODEL_OF_TABLE.items()}
# The columns no write may set, on the models that have them (refuse_written_columns).
GUARDED = ("id", *sorted(ACTOR_COLUMN_NAMES))


def refuse_flush(session: Session, flush_context: UOWTransaction, instances: object) -> None:
    """``before_flush`` listener: refuse the flush before it writes (see the module docstring)."""
    changed_rows = [row for row in session.dirty if session.is_modified(row)]
    rows = chain(session.new, changed_rows, session.deleted)
    for model in {type(row) for row in rows if isinstance(row, EntityModel)}:
        actor_of(model)
    for row in changed_rows:
        if isinstance(row, EntityModel):
            attrs = inspect(row).attrs
            written = [n for n in GUARDED if n in attrs and attrs[n].history.has_changes()]
            refuse_written_columns(type(row), written)


def refuse_statement(execute_state: ORMExecuteState) -> None:
    """``do_orm_execute`` listener: refuse an ORM INSERT, UPDATE or DELETE of an
    entity's rows before it runs (see the module docstring)."""
    statement = execute_state.statement
    if execute_state.execution_options.get("outbox_recorded") or not isinstance(
        statement, Insert | Update | Delete
    ):
        return
    model = written_model(statement)
    if model is None:
        return
    actor_of(model)
    name = model.__name__
    if any(isinstance(cte.element, UpdateBase) for cte in statement._independent_ctes):
        raise UnrecordedWrite(f"a statement on {name}'s table with a data-modifying CTE")
    if isinstance(statement, Insert) and statement.select is not None:
        raise UnrecordedWrite(f"an INSERT ... SELECT into {name}'s table; insert the rows")
    if isinstance(statement, Update):
        if statement._maintain_values_ordering:
            ordered = "with ordered_values(); use values()"
            raise UnrecordedWrite(f"an UPDATE of {name}'s table {ordered}")
        table = table_of(model)
        for column in statement._values or ():
            if isinstance(column, Column) and column.table is not table:
                raise UnrecordedWrite(f"an UPDATE of {name}'s table that sets {column}")
        refuse_written_columns(model, set_columns(statement, execute_state.parameters))


def written_model(statement: Insert | Update | Delete) -> type[EntityModel] | None:
    """The entity whose table ``statement`` writes; None for another table.

    Refused: a statement on an alias of an entity's table (``update(aliased(TaskModel))``)
    or on another Table object of the same name (``table("task", ...)``, a reflected one).
    """
    table = statement.table
    original = cast(Table, table.original if isinstance(table, Alias) else table)
    model = MODEL_OF_TABLE.get(original)
    if model is not None and original is not table:
        raise UnrecordedWrite(f"a statement on an alias of {model.__name__}'s table")
    named = MODEL_OF_TABLE_NAME.get(getattr(original, "name", None) or "")
    if model is None and named is not None:
        raise UnrecordedWrite(f"a statement on a Table other than {named.__name__}'s")
    return model


def set_columns(statement: Update, parameters: Any) -> set[str]:
    """The columns an ORM UPDATE sets: its ``values()``; a bulk UPDATE by primary key's
    rows' keys but ``id``; a parameter dict's keys that name columns of its table."""
    names = {str(getattr(column, "key", column)) for column in statement._values or ()}
    if isinstance(parameters, list):
        names.update(name for row in parameters for name in row if name != "id")
    elif isinstance(parameters, dict):
        names.update(name for name in parameters if name in statement.table.c)
    return names


def refuse_written_columns(model: type[EntityModel], names: Iterable[str]) -> None:
    """Refuse a write that sets a row's ``id``, ``created_by`` or ``updated_by``."""
    names = set(names)
    if "id" in names:
        raise UnrecordedWrite(
            f"a write of {model.__name__} that changes a row's id; insert a new row instead"
        )
    refuse_written_actor_columns(model, names)
