"""The planner's refusals of answers no migration of the template can carry out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import SchemaChangeError
from .records import HISTORY_KIND, TABLE_KINDS, index_records
from .revisions import versions_directory


def check_history_kept(
    specs: list[dict[str, Any]], kept: set[str], entries: list[dict[str, Any]]
) -> None:
    """Refuse ``history: false`` for an entity whose history table a migration created."""
    for entity in specs:
        if entity["name"] in kept and not entity.get("history"):
            revision = next(
                entry["revision"]
                for entry in entries
                if entry["kind"] == HISTORY_KIND and entry["entity"] == entity["name"]
            )
            raise SchemaChangeError(
                f"entity {entity['name']}: history: false, but migration {revision} created "
                "its history table, which may hold the only "
                "record of earlier values; the template never drops a table. Keep history: "
                "true (prune old rows with the history prune command)"
            )


def check_unused(
    revision: str, revisions: dict[str, tuple[tuple[str, ...], str]], destination: Any
) -> None:
    """Refuse a new revision id, or file name, that the service already uses."""
    versions = versions_directory(destination)
    path = versions / f"{revision}.py" if versions is not None else None
    taken_file = path is not None and (Path(destination) / path).exists()
    if revision in revisions or taken_file:
        where = revisions[revision][1] if revision in revisions else path
        raise SchemaChangeError(
            f"the template's next migration is {revision}, but {where} already uses that "
            "revision id or file name and the template did not write it (it is not in "
            "schema_history); give your revision another id and file name, commit, and "
            "run the update again"
        )


def check_indexes(entity: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Refuse a change to the composite indexes of a table a migration created."""
    for entry in entries:
        if (
            entry["kind"] in TABLE_KINDS
            and entry["entity"] == entity["name"]
            and entry.get("indexes", []) != index_records(entity)
        ):
            raise SchemaChangeError(
                f"entity {entity['name']}: indexes {entry.get('indexes', [])!r} -> "
                f"{index_records(entity)!r} would change the table that migration "
                f"{entry['revision']} created; the template only adds entities and "
                "fields. Keep the old indexes, and write such a migration by hand"
            )


def check_table(entity: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Refuse an ``existing_table`` added, changed or removed after the table came in."""
    for entry in entries:
        if entry["kind"] in TABLE_KINDS and entry["entity"] == entity["name"]:
            adopted = entry.get("table")
            if adopted != entity.get("existing_table"):
                raise SchemaChangeError(
                    f"entity {entity['name']}: existing_table {adopted!r} -> "
                    f"{entity.get('existing_table')!r} would move the entity to another table "
                    f"than the one migration {entry['revision']} "
                    + ("adopted" if adopted else "created")
                    + "; keep the old answer"
                )
