"""What entities may not share: modules, classes, files and tables."""

from __future__ import annotations

from . import reserved
from .errors import AnswerError
from .model import Entity

# Tables every service has besides the entities': Alembic's, and the adoption records.
SERVICE_TABLES = frozenset(
    {"alembic_version", "adopted_table_state", "outbox_events", "outbox_lock"}
)


def check_against_each_other(entities: list[Entity]) -> None:
    """Refuse two entities that would take the same module, class, file or table."""
    module_owner: dict[str, str] = {}
    class_owner: dict[str, str] = {}
    path_owner: dict[str, str] = {}
    table_owner: dict[str, str] = {}
    for entity in entities:
        if entity.name in module_owner.values():
            raise AnswerError(f"entity {entity.name!r} is declared twice")
        if entity.snake in module_owner:
            raise AnswerError(
                f"entities {module_owner[entity.snake]!r} and {entity.name!r} both map "
                f"to the module and table {entity.snake!r}"
            )
        module_owner[entity.snake] = entity.name
        if entity.table in table_owner:
            raise AnswerError(
                f"entities {table_owner[entity.table]!r} and {entity.name!r} both map "
                f"to the table {entity.table!r}"
            )
        if entity.table in SERVICE_TABLES:
            raise AnswerError(
                f"entity {entity.name!r} maps to the table {entity.table!r}, which the "
                f"service already has ({', '.join(sorted(SERVICE_TABLES))}); give the "
                "entity another name"
            )
        table_owner[entity.table] = entity.name
        for class_name in reserved.entity_classes(entity.name):
            if class_name in class_owner:
                raise AnswerError(
                    f"entity {entity.name!r} generates the class {class_name!r}, which "
                    f"entity {class_owner[class_name]!r} also generates"
                )
            class_owner[class_name] = entity.name
        for path in reserved.entity_paths(entity.snake):
            if path in path_owner:
                raise AnswerError(
                    f"entity {entity.name!r} generates the file {path}, which entity "
                    f"{path_owner[path]!r} also generates"
                )
            path_owner[path] = entity.name
    for entity in entities:
        if entity.history and entity.history_table in {*table_owner, *SERVICE_TABLES}:
            raise AnswerError(
                f"entity {entity.name!r} keeps its history (history: true) in the table "
                f"{entity.history_table!r}, which "
                + (
                    f"entity {table_owner[entity.history_table]!r} maps to"
                    if entity.history_table in table_owner
                    else "the service already has"
                )
                + "; give one of the entities another name"
            )
