"""What the schema history keeps of a migration: its columns and composite indexes.

Each entry names its revision, its entity and the columns it created, with the
attributes that shape a column (type, max_length, nullable, unique, choices for
an enum, and a reference's on_delete when it is not the default restrict); an
entry that creates a table with composite indexes keeps them too, and one that
adopts an existing table (kind ``adopt``) keeps the table's name.
"""

from __future__ import annotations

from typing import Any

# Alembic stores revision ids in a VARCHAR(32) column.
REVISION_LIMIT = 32
# The field attributes that shape a column; the rest (default, description) do not.
COLUMN_ATTRIBUTES = (
    "type",
    "max_length",
    "nullable",
    "unique",
    "to",
    "choices",
    "index",
    "on_delete",
)
# Recorded only when set: the histories of earlier releases have no such key.
OPTIONAL_ATTRIBUTES = ("choices", "index", "on_delete")
# The on_delete values recorded; restrict, the default, is not.
RECORDED_ON_DELETE = ("cascade", "set_null")
# What an attribute that is not recorded means, for messages.
UNRECORDED_MEANS = {"on_delete": "restrict"}
# The kinds of migration that bring an entity's table in: create it, or adopt an existing one.
TABLE_KINDS = ("create", "adopt")
# The kinds of migration that bring in tables of no entity, which every service has.
SHARED_KINDS = ("outbox",)
# The kind of migration that creates an entity's history table (``history: true``).
HISTORY_KIND = "history"
# What such a step has in place of an entity and its fields.
SHARED_STEP: dict[str, Any] = {"entity": {"name": "", "table": "outbox_events"}, "fields": []}


def column_record(field: dict[str, Any]) -> dict[str, Any]:
    """What the history keeps of one field: its name and column attributes."""
    record = {"name": field["name"], **{key: field.get(key) for key in COLUMN_ATTRIBUTES}}
    # The spec's ``index`` is the index's name (a ref's too); the answer is ``indexed``.
    record["index"] = True if field.get("indexed") else None
    # restrict, the default, is not recorded: the histories of earlier releases,
    # whose references all restrict, have no on_delete.
    if record["on_delete"] == "restrict":
        record["on_delete"] = None
    return {
        key: value
        for key, value in record.items()
        if key not in OPTIONAL_ATTRIBUTES or value is not None
    }


def schema_history(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history to record after ``steps`` are written."""
    history: list[dict[str, Any]] = []
    for step in steps:
        if step["kind"] in SHARED_KINDS:
            history.append({"revision": step["revision"], "kind": step["kind"]})
            continue
        if step["kind"] == HISTORY_KIND:
            history.append(
                {
                    "revision": step["revision"],
                    "kind": HISTORY_KIND,
                    "entity": step["entity"]["name"],
                }
            )
            continue
        entry = {
            "revision": step["revision"],
            "kind": step["kind"],
            "entity": step["entity"]["name"],
            "columns": [column_record(field) for field in step["fields"]],
        }
        if step["kind"] in TABLE_KINDS and step["entity"].get("indexes"):
            entry["indexes"] = index_records(step["entity"])
        if step["kind"] == "adopt":
            entry["table"] = step["entity"]["table"]
        history.append(entry)
    return history


def index_records(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """What the history keeps of an entity's composite indexes."""
    return [{"fields": i["fields"], "unique": i["unique"]} for i in entity.get("indexes", [])]
