"""Plan a service's migrations: the recorded ones as they are, then the new ones.

Planning keeps every recorded migration as it is and appends one migration per
new entity (it creates the table, or adopts the ``existing_table``), one per
entity that gained fields (it adds the columns) and, once, the migration of the
tables every service shares (kind ``outbox``: the outbox of changes). Changes no migration of the
template can carry out safely are refused: a removed or renamed entity or field,
a changed column or composite indexes, a changed ``existing_table``, and a new
NOT NULL column without a default for the rows already stored.
"""

from __future__ import annotations

from typing import Any

from .checks import check_history_kept, check_indexes, check_table, check_unused
from .entries import check_history
from .errors import SchemaChangeError
from .records import (
    COLUMN_ATTRIBUTES,
    HISTORY_KIND,
    REVISION_LIMIT,
    SHARED_KINDS,
    SHARED_STEP,
    TABLE_KINDS,
    UNRECORDED_MEANS,
    column_record,
)
from .revisions import service_revisions, single_head

# The columns actor_columns: true adds (the answers' ACTOR_COLUMNS).
ACTOR_COLUMNS = ("created_by", "updated_by")
RETIRING = "see 'Removing or renaming an entity' in the service's README"


def _recorded_columns(history: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per entity: column name -> (record, the revision that created it)."""
    columns: dict[str, dict[str, Any]] = {}
    for entry in history:
        if entry["kind"] in SHARED_KINDS or entry["kind"] == HISTORY_KIND:
            continue
        for record in entry["columns"]:
            columns.setdefault(entry["entity"], {})[record["name"]] = (record, entry["revision"])
    return columns


def _new_fields(entity: dict[str, Any], recorded: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields of ``entity`` that no migration created yet; refuses changed columns."""
    current = {field["name"]: field for field in entity_columns(entity)}
    name = entity["name"]
    for column, (record, revision) in recorded.items():
        if column in ACTOR_COLUMNS and column not in current:
            raise SchemaChangeError(
                f"entity {name}: actor_columns is off, but migration {revision} created its "
                f"column {column}, which may hold data, and the template never drops a "
                "column. Keep actor_columns: true"
            )
        if column not in current:
            raise SchemaChangeError(
                f"field {name}.{column} is missing from the answers, but migration "
                f"{revision} created its column; removing or renaming a field would drop "
                f"a column that may hold data, which the template never does. Declare "
                f"{column!r} again ({RETIRING})"
            )
        now = column_record(current[column])
        changed = [
            f"{key} {_shown(key, record)!r} -> {_shown(key, now)!r}"
            for key in COLUMN_ATTRIBUTES
            if record.get(key) != now.get(key)
        ]
        if changed:
            raise SchemaChangeError(
                f"field {name}.{column}: {', '.join(changed)} would change the column "
                f"that migration {revision} created; the template only adds entities and "
                "fields. Keep the old definition, and write such a migration by hand"
            )
    new = [field for field in entity_columns(entity) if field["name"] not in recorded]
    for field in new:
        if not field["nullable"] and field["default"] is None:
            raise SchemaChangeError(
                f"field {name}.{field['name']} is new on the existing table "
                f"{entity['table']!r} and has no default: the rows already stored need a "
                "value. Give it a default, or make it nullable: true"
                + (" (a unique field can only be added as nullable)" if field["unique"] else "")
            )
    return new


def entity_columns(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """The entity's columns besides id, version and the timestamps: its fields, then
    ``created_by`` and ``updated_by`` with ``actor_columns: true``."""
    return [*entity["fields"], *entity.get("actor_fields", [])]


def _kept_in_history(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The columns of ``fields`` a history table has too: all but the actor columns."""
    return [field for field in fields if not field.get("actor")]


def _shown(key: str, record: dict[str, Any]) -> Any:
    """The value of ``key`` in a column record, as a message names it."""
    value = record.get(key)
    return UNRECORDED_MEANS.get(key) if value is None else value


def _referenced_first(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entities`` in declaration order, except that a referenced one comes first.

    The entity specs have no reference cycles (the ``answers`` package refuses them).
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
    if kind in (*TABLE_KINDS, HISTORY_KIND):
        return f"{number:04d}_{kind}_{table}"[:REVISION_LIMIT]
    what = fields[0]["name"] if len(fields) == 1 else f"{len(fields)}_columns"
    return f"{number:04d}_add_{what}_to_{table}"[:REVISION_LIMIT]


def plan_migrations(
    specs: list[dict[str, Any]], history: Any, destination: Any = None
) -> list[dict[str, Any]]:
    """Every migration of the service, recorded ones first, in history order.

    Each step has ``revision``, ``down_revision``, ``kind`` ("create", "adopt", "add",
    "history" or "outbox"), ``entity`` (the entity spec; the outbox step's names no
    entity) and ``fields`` (the specs of the columns it makes; a history step's: the
    columns its history table copies). An "add" step has ``history``: whether the
    entity's history table is there to gain the columns too.
    The first new step follows the single head of ``destination``'s
    ``src/<package>/migrations/versions/`` when it has revisions (the team's may be among them),
    else the last recorded step; the recorded steps keep the order of the history
    (their files, already written, are never rewritten).
    """
    entries = check_history(history)
    revisions = service_revisions(destination)
    recorded_revisions = frozenset(entry["revision"] for entry in entries)
    head = single_head(revisions, recorded_revisions) if revisions else None
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
    previous: str | None = None
    # Per entity: the columns created so far, and whether its history table is there.
    made: dict[str, list[str]] = {}
    kept: set[str] = set()
    for entry in entries:
        if entry["kind"] in SHARED_KINDS:
            steps.append({**entry, **SHARED_STEP, "down_revision": previous})
            previous = entry["revision"]
            continue
        entity = by_name[entry["entity"]]
        if entry["kind"] == HISTORY_KIND:
            names = made[entity["name"]]
            kept.add(entity["name"])
        else:
            names = [record["name"] for record in entry["columns"]]
            made.setdefault(entity["name"], []).extend(names)
        fields = [field for field in entity_columns(entity) if field["name"] in names]
        steps.append(
            {
                **entry,
                "entity": entity,
                "fields": fields,
                "history": entity["name"] in kept,
                "history_fields": _kept_in_history(fields),
                "down_revision": previous,
            }
        )
        previous = entry["revision"]
    check_history_kept(specs, kept, entries)
    additions = [
        ("adopt" if entity.get("existing_table") else "create", entity, entity_columns(entity))
        for entity in _referenced_first([e for e in specs if e["name"] not in recorded])
    ]
    for entity in specs:
        if entity["name"] in recorded:
            check_indexes(entity, entries)
            check_table(entity, entries)
            new = _new_fields(entity, recorded[entity["name"]])
            if new:
                additions.append(("add", entity, new))
    additions += [
        (HISTORY_KIND, entity, entity["fields"])
        for entity in specs
        if entity.get("history") and entity["name"] not in kept
    ]
    previous = head or previous
    for kind, entity, fields in additions:
        revision = _revision(len(steps) + 1, kind, entity["table"], fields)
        check_unused(revision, revisions, destination)
        steps.append(
            {
                "revision": revision,
                "kind": kind,
                "entity": entity,
                "fields": fields,
                "history": kind == "add" and entity["name"] in kept,
                "history_fields": _kept_in_history(fields),
                "down_revision": previous,
            }
        )
        previous = revision
    if not any(entry["kind"] == "outbox" for entry in entries):
        revision = f"{len(steps) + 1:04d}_outbox"
        check_unused(revision, revisions, destination)
        steps.append(
            {"revision": revision, "kind": "outbox", **SHARED_STEP, "down_revision": previous}
        )
    return steps
