"""The format of ``schema_history``: every entry is checked before anything is planned.

The history comes from a file the team can edit, so its keys, revision ids,
names and column attributes are refused unless they are what the template writes.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import SchemaChangeError
from .records import (
    HISTORY_KIND,
    OPTIONAL_ATTRIBUTES,
    RECORDED_ON_DELETE,
    REVISION_LIMIT,
    SHARED_KINDS,
    TABLE_KINDS,
)

# The format of a history entry. The template names its revisions NNNN_<what>,
# NNNN being the entry's position; releases before 0.3.0 recorded no `to`.
TEMPLATE_REVISION = re.compile(r"[0-9]{4}_[a-z0-9_]+")
ENTITY_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")
COLUMN_TYPE = re.compile(r"[a-z]+")
KINDS = (*TABLE_KINDS, "add")
ENTRY_KEYS = {"revision", "kind", "entity", "columns"}
COLUMN_KEYS = {"name", "type", "max_length", "nullable", "unique"}
RESTORE = (
    "restore .copier-answers.yml from version control (git log -p -- .copier-answers.yml): "
    "schema_history lists the migrations the template wrote, and only the template writes it"
)


def _damaged(number: int, what: str) -> SchemaChangeError:
    return SchemaChangeError(
        f"schema_history in .copier-answers.yml is damaged: entry {number} {what}; {RESTORE}"
    )


def _check_text(value: Any, pattern: re.Pattern[str], number: int, what: str, rule: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _damaged(number, f"has {what} {value!r}, which is not {rule}")


def _check_column(record: Any, number: int) -> None:
    if not isinstance(record, dict):
        raise _damaged(number, f"has a column {record!r} that is not a mapping")
    keys = set(record)
    if not COLUMN_KEYS <= keys <= COLUMN_KEYS | {"to", *OPTIONAL_ATTRIBUTES}:
        raise _damaged(
            number,
            f"has a column with the keys {sorted(keys, key=str)}; a column has "
            f"{', '.join(sorted(COLUMN_KEYS))} and optionally to, "
            + ", ".join(OPTIONAL_ATTRIBUTES),
        )
    _check_text(record["name"], COLUMN_NAME, number, "the column name", "a snake_case name")
    _check_text(record["type"], COLUMN_TYPE, number, "the column type", "a field type")
    length = record["max_length"]
    if length is not None and (type(length) is not int or length < 1):
        raise _damaged(
            number, f"has max_length {length!r}, which is not null or a positive integer"
        )
    for flag in ("nullable", "unique"):
        if not isinstance(record[flag], bool):
            raise _damaged(number, f"has {flag} {record[flag]!r}, which is not true or false")
    if record.get("to") is not None:
        _check_text(record["to"], ENTITY_NAME, number, "to", "a PascalCase entity name")
    choices = record.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise _damaged(number, f"has choices {choices!r}, which is not a list of strings")
    if record.get("index", True) is not True:
        raise _damaged(number, f"has index {record['index']!r}, which is not true")
    if record.get("on_delete", RECORDED_ON_DELETE[0]) not in RECORDED_ON_DELETE:
        raise _damaged(
            number,
            f"has on_delete {record['on_delete']!r}, which is not "
            + " or ".join(RECORDED_ON_DELETE),
        )


def _check_revision(revision: Any, number: int) -> None:
    _check_text(
        revision, TEMPLATE_REVISION, number, "the revision",
        "a template revision id (4 digits, _, then lower-case letters, digits and _)",
    )  # fmt: skip
    if len(revision) > REVISION_LIMIT or not revision.startswith(f"{number:04d}_"):
        raise _damaged(
            number,
            f"has the revision {revision!r}; entry {number}'s starts with {number:04d}_ "
            f"and has at most {REVISION_LIMIT} characters",
        )


def _check_shared(entry: dict[str, Any], number: int, created: set[str]) -> None:
    """An entry of the shared tables' migration: its revision and kind, once."""
    if set(entry) != {"revision", "kind"}:
        raise _damaged(number, f"{entry!r} is not a mapping of kind, revision")
    _check_revision(entry["revision"], number)
    if entry["kind"] in created:
        raise _damaged(
            number, f"creates the {entry['kind']} tables, which an earlier entry created"
        )
    created.add(entry["kind"])


def _check_history_table(
    entry: dict[str, Any], number: int, created: set[str], kept: set[str]
) -> None:
    """An entry that creates an entity's history table: after the entity's table, once."""
    if set(entry) != {"revision", "kind", "entity"}:
        raise _damaged(number, f"{entry!r} is not a mapping of entity, kind, revision")
    _check_revision(entry["revision"], number)
    entity = entry["entity"]
    _check_text(entity, ENTITY_NAME, number, "the entity", "a PascalCase entity name")
    if entity not in created or entity in kept:
        raise _damaged(
            number,
            f"creates the history table of {entity!r}, which "
            + ("an earlier entry created" if entity in kept else "no earlier entry created"),
        )
    kept.add(entity)


def check_history(history: Any) -> list[dict[str, Any]]:
    """``history`` when every entry has the format the template writes; refused otherwise."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise SchemaChangeError(
            f"schema_history in .copier-answers.yml is damaged: {history!r} is not a list; "
            + RESTORE
        )
    created: set[str] = set()
    kept: set[str] = set()
    for number, entry in enumerate(history, 1):
        if isinstance(entry, dict) and entry.get("kind") in SHARED_KINDS:
            _check_shared(entry, number, created)
            continue
        if isinstance(entry, dict) and entry.get("kind") == HISTORY_KIND:
            _check_history_table(entry, number, created, kept)
            continue
        if not isinstance(entry, dict) or set(entry) - {"indexes", "table"} != ENTRY_KEYS:
            raise _damaged(number, f"{entry!r} is not a mapping of {', '.join(sorted(ENTRY_KEYS))}")
        _check_revision(entry["revision"], number)
        entity = entry["entity"]
        _check_text(entity, ENTITY_NAME, number, "the entity", "a PascalCase entity name")
        if entry["kind"] not in KINDS:
            raise _damaged(
                number,
                f"has the kind {entry['kind']!r}, which is not create, adopt, add, "
                f"{HISTORY_KIND} or " + " or ".join(SHARED_KINDS),
            )
        if ("table" in entry) != (entry["kind"] == "adopt"):
            raise _damaged(number, "has a table without adopting one, or adopts one without it")
        if "table" in entry:
            _check_text(entry["table"], COLUMN_NAME, number, "the table", "a snake_case name")
        if (entry["kind"] in TABLE_KINDS) == (entity in created):
            raise _damaged(
                number,
                f"{entry['kind']}s {entity!r}, which "
                + ("an earlier entry created" if entity in created else "no earlier entry created"),
            )
        created.add(entity)
        columns = entry["columns"]
        if not isinstance(columns, list) or not columns:
            raise _damaged(number, f"has the columns {columns!r}, which is not a non-empty list")
        for record in columns:
            _check_column(record, number)
    return history
