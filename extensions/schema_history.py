"""Plan a service's Alembic migrations from its entities and its schema history.

The schema history is the list of migrations the template has already written
for a service, recorded under ``schema_history`` in the service's answers file.
Each entry names its revision, its entity and the columns it created, with the
attributes that shape a column (type, max_length, nullable, unique).

Planning keeps every recorded migration as it is and appends one migration per
new entity (it creates the table) and one per entity that gained fields (it adds
the columns). Changes no migration of the template can carry out safely are
refused: a removed or renamed entity or field, a changed column, and a new
NOT NULL column without a default for the rows already stored.

Copier loads this module as a Jinja extension next to ``entities.py``; it works
on the entity specs that module produces.
"""

from __future__ import annotations

from typing import Any

from jinja2.ext import Extension

# Alembic stores revision ids in a VARCHAR(32) column.
REVISION_LIMIT = 32
# The field attributes that shape a column; the rest (default, description) do not.
COLUMN_ATTRIBUTES = ("type", "max_length", "nullable", "unique", "to")
RETIRING = "see 'Removing or renaming an entity' in the service's README"


class SchemaChangeError(ValueError):
    """The answers ask for a schema change the template does not migrate."""


def column_record(field: dict[str, Any]) -> dict[str, Any]:
    """What the history keeps of one field: its name and column attributes."""
    return {"name": field["name"], **{key: field[key] for key in COLUMN_ATTRIBUTES}}


def _recorded_columns(history: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per entity: column name -> (record, the revision that created it)."""
    columns: dict[str, dict[str, Any]] = {}
    for entry in history:
        for record in entry["columns"]:
            columns.setdefault(entry["entity"], {})[record["name"]] = (record, entry["revision"])
    return columns


def _check_history(history: Any) -> list[dict[str, Any]]:
    if history is None:
        return []
    if not isinstance(history, list) or not all(
        isinstance(entry, dict) and {"revision", "entity", "kind", "columns"} <= entry.keys()
        for entry in history
    ):
        raise SchemaChangeError(
            f"schema_history in the answers file is damaged ({history!r}); restore it "
            "from version control: it lists the migrations the template wrote"
        )
    return history


def _new_fields(entity: dict[str, Any], recorded: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields of ``entity`` that no migration created yet; refuses changed columns."""
    current = {field["name"]: field for field in entity["fields"]}
    name = entity["name"]
    for column, (record, revision) in recorded.items():
        if column not in current:
            raise SchemaChangeError(
                f"field {name}.{column} is missing from the answers, but migration "
                f"{revision} created its column; removing or renaming a field would drop "
                f"a column that may hold data, which the template never does. Declare "
                f"{column!r} again ({RETIRING})"
            )
        now = column_record(current[column])
        changed = [
            f"{key} {record.get(key)!r} -> {now[key]!r}"
            for key in COLUMN_ATTRIBUTES
            if record.get(key) != now[key]
        ]
        if changed:
            raise SchemaChangeError(
                f"field {name}.{column}: {', '.join(changed)} would change the column "
                f"that migration {revision} created; the template only adds entities and "
                "fields. Keep the old definition, and write such a migration by hand"
            )
    new = [field for field in entity["fields"] if field["name"] not in recorded]
    for field in new:
        if not field["nullable"] and field["default"] is None:
            raise SchemaChangeError(
                f"field {name}.{field['name']} is new on the existing table "
                f"{entity['table']!r} and has no default: the rows already stored need a "
                "value. Give it a default, or make it nullable: true"
                + (" (a unique field can only be added as nullable)" if field["unique"] else "")
            )
    return new


def _referenced_first(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entities`` in declaration order, except that a referenced one comes first.

    The entity specs have no reference cycles (``entities.py`` refuses them).
    """
    ordered: list[dict[str, Any]] = []
    pending = {entity["name"]: entity for entity in entities}

    def place(entity: dict[str, Any]) -> None:
        if entity["name"] not in pending:
            return
        del pending[entity["name"]]
        for field in entity["fields"]:
            if field.get("to") in pending:
                place(pending[field["to"]])
        ordered.append(entity)

    for entity in entities:
        place(entity)
    return ordered


def _revision(number: int, kind: str, table: str, fields: list[dict[str, Any]]) -> str:
    if kind == "create":
        return f"{number:04d}_create_{table}"[:REVISION_LIMIT]
    what = fields[0]["name"] if len(fields) == 1 else f"{len(fields)}_columns"
    return f"{number:04d}_add_{what}_to_{table}"[:REVISION_LIMIT]


def plan_migrations(specs: list[dict[str, Any]], history: Any) -> list[dict[str, Any]]:
    """Every migration of the service, recorded ones first, in history order.

    Each step has ``revision``, ``down_revision``, ``kind`` ("create" or "add"),
    ``entity`` (the entity spec) and ``fields`` (the specs of the columns it makes).
    """
    entries = _check_history(history)
    by_name = {entity["name"]: entity for entity in specs}
    recorded = _recorded_columns(entries)
    for entity_name, columns in recorded.items():
        if entity_name not in by_name:
            first = next(iter(columns.values()))[1]
            raise SchemaChangeError(
                f"entity {entity_name!r} is missing from the answers, but migration {first} "
                "created its table; removing or renaming an entity would delete code the "
                "team may have edited and drop a table that may hold data, which the "
                f"template never does. Declare {entity_name!r} again ({RETIRING})"
            )
    steps: list[dict[str, Any]] = []
    for entry in entries:
        entity = by_name[entry["entity"]]
        names = [record["name"] for record in entry["columns"]]
        fields = [field for field in entity["fields"] if field["name"] in names]
        steps.append({**entry, "entity": entity, "fields": fields})
    additions = [
        ("create", entity, entity["fields"])
        for entity in _referenced_first([e for e in specs if e["name"] not in recorded])
    ]
    for entity in specs:
        if entity["name"] in recorded:
            new = _new_fields(entity, recorded[entity["name"]])
            if new:
                additions.append(("add", entity, new))
    for kind, entity, fields in additions:
        revision = _revision(len(steps) + 1, kind, entity["table"], fields)
        steps.append({"revision": revision, "kind": kind, "entity": entity, "fields": fields})
    previous: str | None = None
    for step in steps:
        step["down_revision"] = previous
        previous = step["revision"]
    return steps


def schema_errors(specs: Any, history: Any) -> str:
    """Validator message for ``entities`` against the history ("" when it can be migrated)."""
    try:
        plan_migrations(specs, history)
    except SchemaChangeError as error:
        return str(error)
    return ""


def schema_history(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history to record after ``steps`` are written."""
    return [
        {
            "revision": step["revision"],
            "kind": step["kind"],
            "entity": step["entity"]["name"],
            "columns": [column_record(field) for field in step["fields"]],
        }
        for step in steps
    ]


class SchemaHistoryExtension(Extension):
    """Registers the planner as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            migration_steps=plan_migrations,
            schema_errors=schema_errors,
            schema_history=schema_history,
        )
