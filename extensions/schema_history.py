"""Plan a service's Alembic migrations from its entities and its schema history.

The schema history is the list of migrations the template has already written
for a service, recorded under ``schema_history`` in the service's answers file.
Each entry names its revision, its entity and the columns it created, with the
attributes that shape a column (type, max_length, nullable, unique, and choices
for an enum).

Planning keeps every recorded migration as it is and appends one migration per
new entity (it creates the table) and one per entity that gained fields (it adds
the columns). Changes no migration of the template can carry out safely are
refused: a removed or renamed entity or field, a changed column, and a new
NOT NULL column without a default for the rows already stored.

The team writes revisions of its own in the same ``src/<package>/migrations/versions/``
directory. A new migration of the template follows the single head of that
directory's history as it is when the template renders into the service, whoever
wrote that head; several heads are refused, naming them and the ``alembic merge``
command that joins them. The revisions are read with :mod:`ast`, never imported.

The history comes from a file the team can edit, so every entry is checked
(keys, revision ids, names, column attributes) before anything is planned, and
revision ids reach the migrations only as escaped string literals.

Copier loads this module as a Jinja extension next to ``entities.py``; it works
on the entity specs that module produces. Its errors are Copier user messages:
raised while Copier computes the answers, before any file is written, they stop
``copier copy`` and ``copier update`` with the message and no traceback.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from copier.errors import UserMessageError
from jinja2.ext import Extension

# Alembic stores revision ids in a VARCHAR(32) column.
REVISION_LIMIT = 32
# The field attributes that shape a column; the rest (default, description) do not.
COLUMN_ATTRIBUTES = ("type", "max_length", "nullable", "unique", "to", "choices", "index")
# Recorded only when set: the histories of earlier releases have no such key.
OPTIONAL_ATTRIBUTES = ("choices", "index")
RETIRING = "see 'Removing or renaming an entity' in the service's README"
# Where the service keeps its revisions, the template's and the team's: inside
# its package (src/<package>/migrations/versions), so a built wheel can migrate.
VERSIONS_PATTERN = "src/*/migrations/versions"

# The format of a history entry. The template names its revisions NNNN_<what>,
# NNNN being the entry's position; releases before 0.3.0 recorded no `to`.
TEMPLATE_REVISION = re.compile(r"[0-9]{4}_[a-z0-9_]+")
# A revision the template's next migration may follow (any head, the team's included).
PARENT_REVISION = re.compile(r"[A-Za-z0-9_]+")
ENTITY_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]*")
COLUMN_TYPE = re.compile(r"[a-z]+")
KINDS = ("create", "add")
ENTRY_KEYS = {"revision", "kind", "entity", "columns"}
COLUMN_KEYS = {"name", "type", "max_length", "nullable", "unique"}
RESTORE = (
    "restore .copier-answers.yml from version control (git log -p -- .copier-answers.yml): "
    "schema_history lists the migrations the template wrote, and only the template writes it"
)


class SchemaChangeError(UserMessageError, ValueError):
    """The answers, the history or the service's migrations rule out the update."""

    def __init__(self, message: str) -> None:
        UserMessageError.__init__(self, message)
        ValueError.__init__(self, message)


def column_record(field: dict[str, Any]) -> dict[str, Any]:
    """What the history keeps of one field: its name and column attributes."""
    record = {"name": field["name"], **{key: field.get(key) for key in COLUMN_ATTRIBUTES}}
    # The spec's ``index`` is the index's name (a ref's too); the answer is ``indexed``.
    record["index"] = True if field.get("indexed") else None
    return {
        key: value
        for key, value in record.items()
        if key not in OPTIONAL_ATTRIBUTES or value is not None
    }


def _recorded_columns(history: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per entity: column name -> (record, the revision that created it)."""
    columns: dict[str, dict[str, Any]] = {}
    for entry in history:
        for record in entry["columns"]:
            columns.setdefault(entry["entity"], {})[record["name"]] = (record, entry["revision"])
    return columns


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


def _check_history(history: Any) -> list[dict[str, Any]]:
    """``history`` when every entry has the format the template writes; refused otherwise."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise SchemaChangeError(
            f"schema_history in .copier-answers.yml is damaged: {history!r} is not a list; "
            + RESTORE
        )
    created: set[str] = set()
    for number, entry in enumerate(history, 1):
        if not isinstance(entry, dict) or set(entry) - {"indexes"} != ENTRY_KEYS:
            raise _damaged(number, f"{entry!r} is not a mapping of {', '.join(sorted(ENTRY_KEYS))}")
        revision = entry["revision"]
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
        entity = entry["entity"]
        _check_text(entity, ENTITY_NAME, number, "the entity", "a PascalCase entity name")
        if entry["kind"] not in KINDS:
            raise _damaged(number, f"has the kind {entry['kind']!r}, which is not create or add")
        if (entry["kind"] == "create") == (entity in created):
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


def _assigned_literals(path: Path) -> dict[str, Any]:
    """The module-level ``revision`` and ``down_revision`` of a revision file, unexecuted."""
    values: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            values[target.id] = ast.literal_eval(value)
    return values


def _read_revision(path: Path, shown: Path) -> tuple[str, tuple[str, ...]]:
    """``(revision, its down revisions)`` of the revision file ``path`` (``shown`` in messages)."""
    rule = (
        "the template reads each revision file's `revision` (a string) and `down_revision` "
        "(None, a string or a tuple of strings) as literal values to find the head its next "
        "migration follows"
    )
    try:
        values = _assigned_literals(path)
    except (SyntaxError, ValueError, UnicodeDecodeError) as error:
        raise SchemaChangeError(f"{shown} cannot be read ({error}); {rule}") from error
    revision = values.get("revision")
    down = values.get("down_revision")
    parents = (down,) if isinstance(down, str) else down or ()
    if (
        not isinstance(revision, str)
        or not isinstance(parents, tuple | list)
        or not all(isinstance(parent, str) for parent in parents)
    ):
        raise SchemaChangeError(
            f"{shown} has revision {revision!r} and down_revision {down!r}; {rule}"
        )
    return revision, tuple(parents)


def versions_directory(destination: Any) -> Path | None:
    """The service's ``src/<package>/migrations/versions``, relative to ``destination``.

    None where it does not exist yet (a new service, and the temporary renders an
    update makes next to the service).
    """
    if destination is None:
        return None
    found = sorted(Path(destination).glob(VERSIONS_PATTERN))
    if len(found) > 1:
        shown = ", ".join(str(path.relative_to(destination)) for path in found)
        raise SchemaChangeError(
            f"the service has {len(found)} migration histories ({shown}); a service has one "
            "package under src/ and one history in it"
        )
    return found[0].relative_to(destination) if found else None


def service_revisions(destination: Any) -> dict[str, tuple[tuple[str, ...], str]]:
    """Every revision in the service's migration history: id -> (down revisions, file).

    The file is shown relative to the service (``src/<package>/migrations/versions/...``).
    Empty where the history does not exist yet.
    """
    versions = versions_directory(destination)
    if versions is None:
        return {}
    revisions: dict[str, tuple[tuple[str, ...], str]] = {}
    for path in sorted((Path(destination) / versions).glob("*.py")):
        shown = versions / path.name
        revision, parents = _read_revision(path, shown)
        if revision in revisions:
            raise SchemaChangeError(
                f"revision {revision!r} is defined twice, in {revisions[revision][1]} "
                f"and {shown}; give one of them another revision id"
            )
        revisions[revision] = (parents, str(shown))
    return revisions


def history_directory(revisions: dict[str, tuple[tuple[str, ...], str]]) -> str:
    """The directory of ``revisions``' files, for messages."""
    return str(Path(next(iter(revisions.values()))[1]).parent) if revisions else "versions"


def single_head(revisions: dict[str, tuple[tuple[str, ...], str]]) -> str:
    """The one revision of ``revisions`` that no other revision follows; refuses several."""
    followed = {parent for parents, _ in revisions.values() for parent in parents}
    heads = sorted(set(revisions) - followed)
    if len(heads) != 1:
        found = f"{len(heads)} heads ({', '.join(heads)})" if heads else "no head (a cycle)"
        raise SchemaChangeError(
            f"the migration history in {history_directory(revisions)}/ has {found}: Alembic "
            "cannot upgrade to one head, and the template cannot tell which revision its next "
            "migration follows. Merge the heads into one revision, commit it, and run the update "
            f'again: .venv/bin/alembic merge -m "merge heads" {" ".join(heads) or "heads"}'
        )
    head = heads[0]
    if len(head) > REVISION_LIMIT or not PARENT_REVISION.fullmatch(head):
        raise SchemaChangeError(
            f"the head revision {head!r} ({revisions[head][1]}) is not a revision "
            f"id the template can follow: letters, digits and _, at most {REVISION_LIMIT} "
            "characters (Alembic's alembic_version column). Add a revision with such an id "
            "on top of it, commit, and run the update again"
        )
    return head


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
            f"{key} {record.get(key)!r} -> {now.get(key)!r}"
            for key in COLUMN_ATTRIBUTES
            if record.get(key) != now.get(key)
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


def plan_migrations(
    specs: list[dict[str, Any]], history: Any, destination: Any = None
) -> list[dict[str, Any]]:
    """Every migration of the service, recorded ones first, in history order.

    Each step has ``revision``, ``down_revision``, ``kind`` ("create" or "add"),
    ``entity`` (the entity spec) and ``fields`` (the specs of the columns it makes).
    The first new step follows the single head of ``destination``'s
    ``src/<package>/migrations/versions/`` when it has revisions (the team's may be among them),
    else the last recorded step; the recorded steps keep the order of the history
    (their files, already written, are never rewritten).
    """
    entries = _check_history(history)
    revisions = service_revisions(destination)
    head = single_head(revisions) if revisions else None
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
    for entry in entries:
        entity = by_name[entry["entity"]]
        names = [record["name"] for record in entry["columns"]]
        fields = [field for field in entity["fields"] if field["name"] in names]
        steps.append({**entry, "entity": entity, "fields": fields, "down_revision": previous})
        previous = entry["revision"]
    additions = [
        ("create", entity, entity["fields"])
        for entity in _referenced_first([e for e in specs if e["name"] not in recorded])
    ]
    for entity in specs:
        if entity["name"] in recorded:
            _check_indexes(entity, entries)
            new = _new_fields(entity, recorded[entity["name"]])
            if new:
                additions.append(("add", entity, new))
    previous = head or previous
    for kind, entity, fields in additions:
        revision = _revision(len(steps) + 1, kind, entity["table"], fields)
        _check_unused(revision, revisions, destination)
        steps.append(
            {
                "revision": revision,
                "kind": kind,
                "entity": entity,
                "fields": fields,
                "down_revision": previous,
            }
        )
        previous = revision
    return steps


def _check_unused(
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


def schema_errors(specs: Any, history: Any, destination: Any = None) -> str:
    """Validator message for ``entities`` against the history and the service's revisions.

    "" when the answers can be migrated.
    """
    try:
        plan_migrations(specs, history, destination)
    except SchemaChangeError as error:
        return str(error)
    return ""


def python_string(value: str) -> str:
    """``value`` as a double-quoted Python string literal, every special character escaped."""
    return json.dumps(value, ensure_ascii=False)


def schema_history(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history to record after ``steps`` are written."""
    history = []
    for step in steps:
        entry = {
            "revision": step["revision"],
            "kind": step["kind"],
            "entity": step["entity"]["name"],
            "columns": [column_record(field) for field in step["fields"]],
        }
        if step["kind"] == "create" and step["entity"].get("indexes"):
            entry["indexes"] = index_records(step["entity"])
        history.append(entry)
    return history


def index_records(entity: dict[str, Any]) -> list[dict[str, Any]]:
    """What the history keeps of an entity's composite indexes."""
    return [{"fields": i["fields"], "unique": i["unique"]} for i in entity.get("indexes", [])]


def _check_indexes(entity: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """Refuse a change to the composite indexes of a table a migration created."""
    for entry in entries:
        if (
            entry["kind"] == "create"
            and entry["entity"] == entity["name"]
            and entry.get("indexes", []) != index_records(entity)
        ):
            raise SchemaChangeError(
                f"entity {entity['name']}: indexes {entry.get('indexes', [])!r} -> "
                f"{index_records(entity)!r} would change the table that migration "
                f"{entry['revision']} created; the template only adds entities and "
                "fields. Keep the old indexes, and write such a migration by hand"
            )


class SchemaHistoryExtension(Extension):
    """Registers the planner as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            migration_steps=plan_migrations,
            schema_errors=schema_errors,
            schema_history=schema_history,
            python_string=python_string,
        )
