"""Answers that break a rule of copier-ddd-service are refused before anything is written.

Every case runs the template through copier's API with ``data`` and ``defaults``,
exactly as a non-interactive user would, and checks three things: copier raises a
``UserMessageError`` (its command line prints the message alone, no traceback)
worded as its own "Validation error for question ..." (or "Invalid choice for ..."),
the message names the question, the offending value and the rule it breaks, and the
destination directory stays empty. A few positive cases make sure that names which
are only reserved in SQL (or are Python soft keywords) are still accepted.

No case runs the post-generation checks: every answer set has ``checks: none``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from copier import run_copy
from copier.errors import UserMessageError

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]

# The template is used from git HEAD plus uncommitted changes, which copier warns about.
pytestmark = pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")

TITLE: dict[str, Any] = {"name": "title", "type": "str"}


def task(*fields: dict[str, Any]) -> dict[str, Any]:
    """A ``Task`` entity with the given fields."""
    return {"name": "Task", "fields": list(fields)}


def entity(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    """An entity called ``name`` with the given fields, or just a title."""
    return {"name": name, "fields": list(fields) or [TITLE]}


def field(name: str, type_name: str = "str", **options: Any) -> dict[str, Any]:
    """A field answer: its name, its type and any further keys."""
    return {"name": name, "type": type_name, **options}


def render(destination: Path, answers: dict[str, Any]) -> None:
    """Run the template into ``destination`` without prompts and without hooks."""
    run_copy(
        str(TEMPLATE_ROOT),
        str(destination),
        data={"checks": "none", **answers},
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )


def validation_error(question: str, *fragments: str) -> str:
    """A regex for copier's validator error on ``question`` containing ``fragments`` in order."""
    head = re.escape(f"Validation error for question '{question}': ")
    return head + ".*" + ".*".join(re.escape(fragment) for fragment in fragments)


def case(case_id: str, question: str, answers: dict[str, Any], *fragments: str) -> Any:
    """One parametrized invalid-answer case."""
    return pytest.param(answers, validation_error(question, *fragments), id=case_id)


def entities_case(case_id: str, value: Any, *fragments: str) -> Any:
    """An invalid-answer case for the ``entities`` question."""
    return case(case_id, "entities", {"entities": value}, *fragments)


def field_case(case_id: str, raw_field: Any, *fragments: str) -> Any:
    """An ``entities`` case whose single ``Task`` field is ``raw_field``."""
    return entities_case(case_id, [task(raw_field)], *fragments)


INVALID_ANSWERS = [
    # --- the entity list --------------------------------------------------------------
    entities_case("entities-empty-list", [], "entities []", "must be a non-empty YAML list"),
    entities_case(
        "entities-a-mapping",
        {"name": "Task", "fields": [TITLE]},
        "entities {'name': 'Task'",
        "must be a non-empty YAML list",
    ),
    entities_case("entities-a-string", "Task", "entities 'Task'", "must be a non-empty YAML list"),
    entities_case(
        "entity-not-a-mapping",
        ["Task"],
        "entity #1 must be a mapping with name and fields, got 'Task'",
    ),
    entities_case("entity-without-name", [{"fields": [TITLE]}], "entity #1 has no name"),
    # --- entity names -----------------------------------------------------------------
    entities_case(
        "entity-name-lower-case",
        [entity("task")],
        "entity name 'task' is not a PascalCase identifier",
    ),
    entities_case(
        "entity-name-with-underscore",
        [entity("Task_Item")],
        "entity name 'Task_Item' is not a PascalCase identifier",
    ),
    entities_case(
        "entity-name-leading-digit",
        [entity("1Task")],
        "entity name '1Task' is not a PascalCase identifier",
    ),
    entities_case(
        "entity-name-keyword-none",
        [entity("None")],
        "entity name 'None' is a Python keyword",
    ),
    entities_case(
        "entity-name-keyword-true",
        [entity("True")],
        "entity name 'True' is a Python keyword",
    ),
    entities_case(
        "entity-name-reserved-base",
        [entity("Base")],
        "entity name 'Base' is reserved",
        "already uses a class of that name",
    ),
    entities_case(
        "entity-name-reserved-decimal",
        [entity("Decimal")],
        "entity name 'Decimal' is reserved",
        "already uses a class of that name",
    ),
    entities_case(
        "entity-name-reserved-uuid",
        [entity("UUID")],
        "entity name 'UUID' is reserved",
        "already uses a class of that name",
    ),
    entities_case(
        "entity-name-reserved-clock",
        [entity("Clock")],
        "entity name 'Clock' maps to the module name 'clock', which the generated layers "
        "already use (src/<package>/domain/clock.py is a file of every service)",
    ),
    entities_case(
        "entity-class-collides-with-fields-class",
        [entity("Task"), entity("TaskFields")],
        "entity 'TaskFields' generates the class 'TaskFields', which entity 'Task' also generates",
    ),
    entities_case(
        "entity-module-events-reserved",
        [entity("Events")],
        "entity name 'Events' maps to the module name 'events'",
        "which the generated layers already use",
    ),
    entities_case(
        "entity-module-validation-reserved",
        [entity("Validation")],
        "entity name 'Validation' maps to the module name 'validation'",
        "which the generated layers already use",
    ),
    entities_case(
        "entity-module-timestamp-reserved",
        [entity("Timestamp")],
        "entity name 'Timestamp' maps to the module name 'timestamp'",
        "which the generated layers already use",
    ),
    entities_case(
        "entity-name-too-long",
        [entity("AnExtremelyLongEntityNameThatKeepsGoingOnAndOn")],
        "entity name 'AnExtremelyLongEntityNameThatKeepsGoingOnAndOn' is longer than 40 characters",
    ),
    # --- entities against each other -------------------------------------------------
    entities_case(
        "entities-share-a-module",
        [entity("HTTPServer"), entity("HttpServer")],
        "entities 'HTTPServer' and 'HttpServer' both map to the module and table 'http_server'",
    ),
    entities_case(
        "entity-names-duplicated",
        [entity("Task"), entity("Task")],
        "entity 'Task' is declared twice",
    ),
    entities_case(
        "entity-collides-with-derived-model-class",
        [entity("Task"), entity("TaskModel")],
        "entity 'TaskModel' generates the class 'TaskModel', which entity 'Task' also generates",
    ),
    entities_case(
        "entity-collides-with-derived-event-class",
        [entity("TaskUpdated"), entity("Task")],
        "entity 'Task' generates the class 'TaskUpdated', which entity 'TaskUpdated' also "
        "generates",
    ),
    # --- entity keys ------------------------------------------------------------------
    entities_case(
        "entity-unknown-key",
        [{"name": "Task", "table": "tasks", "fields": [TITLE]}],
        "entity #1 has unknown key(s) 'table'",
        "allowed keys are actor_columns, description, existing_table, fields, history, "
        "indexes, legacy_created_at, legacy_triggers, name, require_actor",
    ),
    entities_case(
        "entity-actor-columns-field",
        [{"name": "Task", "actor_columns": True, "fields": [TITLE, field("created_by")]}],
        "entity 'Task': the field name 'created_by' is a column actor_columns: true adds",
    ),
    entities_case(
        "entity-actor-columns-adopted-table",
        [{"name": "Task", "actor_columns": True, "existing_table": "tasks", "fields": [TITLE]}],
        "entity 'Task': actor_columns is not available with existing_table",
    ),
    entities_case(
        "entity-history-not-a-bool",
        [{"name": "Task", "history": "yes", "fields": [TITLE]}],
        "entity 'Task': history 'yes' must be true or false",
    ),
    entities_case(
        "entity-require-actor-not-bool",
        [{"name": "Task", "require_actor": 1, "fields": [TITLE]}],
        "entity 'Task': require_actor 1 must be true or false",
    ),
    entities_case(
        "entity-history-field-takes-a-history-column",
        [{"name": "Task", "history": True, "fields": [TITLE, field("history_actor")]}],
        "entity 'Task': the field name 'history_actor' is a column the history table "
        "'task_history' keeps for itself",
    ),
    entities_case(
        "entity-history-table-is-another-entitys",
        [{"name": "Task", "history": True, "fields": [TITLE]}, entity("TaskHistory")],
        "entity 'Task' keeps its history (history: true) in the table 'task_history', "
        "which entity 'TaskHistory' maps to",
    ),
    entities_case(
        "entity-description-multiline",
        [{"name": "Task", "description": "first\nsecond", "fields": [TITLE]}],
        "entity 'Task': description 'first\\nsecond' must be one line",
    ),
    entities_case(
        "entity-fields-missing",
        [{"name": "Task"}],
        "entity 'Task' needs a non-empty list of fields",
    ),
    entities_case(
        "entity-fields-empty",
        [task()],
        "entity 'Task' needs a non-empty list of fields",
    ),
    # --- field shape and names --------------------------------------------------------
    field_case(
        "field-not-a-mapping",
        "title",
        "entity 'Task', field #1 must be a mapping with name and type, got 'title'",
    ),
    field_case("field-without-name", {"type": "str"}, "entity 'Task', field #1 has no name"),
    field_case(
        "field-name-pascal-case",
        field("Title"),
        "field name in entity 'Task' 'Title' is not a snake_case identifier",
    ),
    field_case(
        "field-name-with-hyphen",
        field("title-x"),
        "field name in entity 'Task' 'title-x' is not a snake_case identifier",
    ),
    field_case(
        "field-name-leading-digit",
        field("2x"),
        "field name in entity 'Task' '2x' is not a snake_case identifier",
    ),
    field_case(
        "field-name-keyword-class",
        field("class"),
        "field name in entity 'Task' 'class' is a Python keyword",
    ),
    field_case(
        "field-name-keyword-def",
        field("def"),
        "field name in entity 'Task' 'def' is a Python keyword",
    ),
    *(
        field_case(
            f"field-name-reserved-{name}",
            field(name),
            f"entity 'Task', field '{name}': the name '{name}' is reserved",
        )
        for name in ("id", "created_at", "updated_at", "version", "touch", "get_events")
    ),
    *(
        field_case(
            f"field-name-shadows-{name}",
            field(name),
            f"entity 'Task', field '{name}': the name '{name}' would shadow a type or helper",
        )
        for name in ("date", "datetime", "str")
    ),
    field_case(
        "field-name-too-long",
        field("a_field_name_that_is_far_longer_than_forty_characters"),
        "field 'a_field_name_that_is_far_longer_than_forty_characters': "
        "the name is longer than 40 characters",
    ),
    entities_case(
        "field-names-duplicated",
        [task(TITLE, field("title", "text"))],
        "entity 'Task' declares the field 'title' twice",
    ),
    entities_case(
        "field-collides-with-update-method",
        [task(field("update_title"), TITLE)],
        "entity 'Task': field 'update_title' collides with the update method generated for "
        "field 'title'",
    ),
    # --- field types and options ------------------------------------------------------
    field_case(
        "field-type-unknown",
        field("title", "string"),
        "entity 'Task', field 'title': unknown type 'string'; choose one of str, text",
    ),
    field_case(
        "field-type-missing",
        {"name": "title"},
        "entity 'Task', field 'title' has no type; choose one of str, text",
    ),
    field_case(
        "field-unknown-key",
        field("title", indexed=True),
        "entity 'Task', field #1 has unknown key(s) 'indexed'",
        "allowed keys are choices, default, index, max_length, name, nullable, on_delete, "
        "sensitive, to, "
        "touch, type, unique",
    ),
    field_case(
        "max-length-on-int",
        field("count", "int", max_length=10),
        "entity 'Task', field 'count': max_length is only allowed on str fields, not int",
    ),
    field_case(
        "max-length-zero",
        field("title", max_length=0),
        "entity 'Task', field 'title': max_length 0 must be a positive integer",
    ),
    field_case(
        "max-length-negative",
        field("title", max_length=-5),
        "entity 'Task', field 'title': max_length -5 must be a positive integer",
    ),
    field_case(
        "max-length-not-a-number",
        field("title", max_length="ten"),
        "entity 'Task', field 'title': max_length 'ten' must be a positive integer",
    ),
    field_case(
        "nullable-not-a-bool",
        field("title", nullable="yes"),
        "entity 'Task', field 'title': nullable 'yes' must be true or false",
    ),
    field_case(
        "unique-not-a-bool",
        field("title", unique="no"),
        "entity 'Task', field 'title': unique 'no' must be true or false",
    ),
    # --- defaults ---------------------------------------------------------------------
    field_case(
        "int-default-text",
        field("count", "int", default="abc"),
        "entity 'Task', field 'count': default 'abc' is not a valid int",
    ),
    field_case(
        "int-default-bool",
        field("count", "int", default=True),
        "entity 'Task', field 'count': default True is not a valid int",
    ),
    field_case(
        "float-default-text",
        field("ratio", "float", default="x"),
        "entity 'Task', field 'ratio': default 'x' is not a valid float",
    ),
    field_case(
        "bool-default-one",
        field("done", "bool", default=1),
        "entity 'Task', field 'done': default 1 is not a valid bool",
    ),
    field_case(
        "date-default-not-a-date",
        field("due", "date", default="not-a-date"),
        "entity 'Task', field 'due': default 'not-a-date' is not a valid date",
    ),
    field_case(
        "datetime-default-not-a-datetime",
        field("due_at", "datetime", default="soon"),
        "entity 'Task', field 'due_at': default 'soon' is not a valid datetime",
    ),
    field_case(
        "decimal-default-text",
        field("price", "decimal", default="x"),
        "entity 'Task', field 'price': default 'x' is not a valid decimal",
    ),
    field_case(
        "decimal-default-not-finite",
        field("price", "decimal", default="NaN"),
        "entity 'Task', field 'price': default 'NaN' is not a valid decimal",
    ),
    field_case(
        "uuid-default-not-a-uuid",
        field("ref", "uuid", default="nope"),
        "entity 'Task', field 'ref': default 'nope' is not a valid uuid",
    ),
    field_case(
        "str-default-number",
        field("title", default=5),
        "entity 'Task', field 'title': default 5 is not a valid str",
    ),
    field_case(
        "str-default-longer-than-max-length",
        field("code", max_length=3, default="abcd"),
        "entity 'Task', field 'code': default 'abcd' is longer than max_length 3",
    ),
    field_case(
        "default-null-on-non-nullable",
        field("title", default=None),
        "entity 'Task', field 'title': default null needs nullable: true",
    ),
    # --- unique -----------------------------------------------------------------------
    field_case(
        "unique-on-text",
        field("body", "text", unique=True),
        "entity 'Task', field 'body': unique is not supported on text fields",
    ),
    field_case(
        "unique-on-bool",
        field("done", "bool", unique=True),
        "entity 'Task', field 'done': unique is not supported on bool fields",
    ),
    field_case(
        "unique-with-default",
        field("code", unique=True, default="abc"),
        "entity 'Task', field 'code': a unique field cannot have a default",
    ),
    entities_case(
        "unique-constraint-name-too-long",
        [
            entity(
                "CustomerLoyaltyProgramEnrollment",
                field("external_reference_identifier_code", unique=True),
            )
        ],
        "entity 'CustomerLoyaltyProgramEnrollment': the constraint name "
        "'uq_customer_loyalty_program_enrollment_external_reference_identifier_code' "
        "is longer than the 63-character identifier limit",
    ),
    # --- the other questions ----------------------------------------------------------
    case(
        "package-name-with-hyphen",
        "package_name",
        {"package_name": "My-Pkg"},
        "package_name 'My-Pkg' is not a valid package name",
    ),
    case(
        "package-name-keyword",
        "package_name",
        {"package_name": "class"},
        "package_name 'class' is a Python keyword",
    ),
    case(
        "package-name-stdlib-module",
        "package_name",
        {"package_name": "json"},
        "package_name 'json' would shadow the module or directory of the same name",
    ),
    case(
        "package-name-tests-directory",
        "package_name",
        {"package_name": "tests"},
        "package_name 'tests' would shadow the module or directory of the same name",
    ),
    case(
        "project-name-empty",
        "project_name",
        {"project_name": ""},
        "project_name '' is empty",
    ),
    case(
        "project-name-blank",
        "project_name",
        {"project_name": "   "},
        "project_name '   ' is empty",
    ),
    case(
        "project-name-multiline",
        "project_name",
        {"project_name": "Task\nTracker"},
        "project_name 'Task\\nTracker' must be one line",
    ),
    case(
        "author-email-without-at",
        "author_email",
        {"author_email": "nobody"},
        "author_email 'nobody' is not an e-mail address",
    ),
    # --- cases added with the fixes to the one-line and shadowing rules -------------
    case(
        "description-with-a-newline",
        "description",
        {"description": "first line\nsecond line"},
        "description 'first line\\nsecond line' must be one line",
    ),
    case(
        "author-name-with-triple-quotes",
        "author_name",
        {"author_name": 'The """ Team'},
        "author_name",
        'must not contain backslashes or """',
    ),
    field_case(
        "field-named-mapped-column",
        field("mapped_column"),
        "the name 'mapped_column' would shadow a type or helper",
    ),
    field_case("field-named-self", field("self"), "the name 'self' would shadow"),
    entities_case(
        "entity-name-whose-module-is-a-keyword",
        [entity("Return")],
        "entity name 'Return' maps to the module name 'return', which is a Python keyword",
    ),
    entities_case(
        "entity-name-utc",
        [entity("UTC")],
        "entity name 'UTC' is reserved",
    ),
    # --- names checked to their last character --------------------------------------------
    entities_case(
        "entity-name-trailing-newline",
        [entity("Book\n")],
        "entity name 'Book\\n' is not a PascalCase identifier",
    ),
    field_case(
        "field-name-trailing-newline",
        field("title\n"),
        "field name in entity 'Task' 'title\\n' is not a snake_case identifier",
    ),
    case(
        "package-name-trailing-newline",
        "package_name",
        {"package_name": "tracker\n"},
        "package_name 'tracker\\n' is not a valid package name",
    ),
    case(
        "package-name-too-long",
        "package_name",
        {"package_name": "a_package_name_longer_than_thirty"},
        "package_name 'a_package_name_longer_than_thirty' is longer than 30 characters",
    ),
    # --- names the generated code uses (read from the template) ---------------------------
    field_case(
        "field-named-like-a-model-class-attribute",
        field("touched_parents"),
        "field 'touched_parents': the name 'touched_parents' is reserved",
    ),
    field_case(
        "field-named-like-the-declarative-registry",
        field("registry"),
        "field 'registry': the name 'registry' is reserved",
    ),
    entities_case(
        "entity-test-module-clashes-with-a-generated-test",
        [entity("DatabaseConfiguration")],
        "entity name 'DatabaseConfiguration' maps to the module name 'database_configuration'",
        "(tests/unit/test_database_configuration.py is a file of every service)",
    ),
    entities_case(
        "entity-class-clashes-with-a-base-class",
        [entity("Entity")],
        "entity name 'Entity' is reserved: its class 'EntityModel' would take the name",
    ),
    entities_case(
        "entity-named-like-a-factory-constant",
        [entity("CHANGES")],
        "entity name 'CHANGES' is reserved",
    ),
    # --- text answers ----------------------------------------------------------------------
    case(
        "description-with-nul",
        "description",
        {"description": "nul\x00here"},
        "description 'nul\\x00here' contains a control character (U+0000)",
    ),
    case(
        "description-with-line-separator",
        "description",
        {"description": "one\u2028two"},
        "contains a line separator (U+2028)",
    ),
    case(
        "description-with-paragraph-separator",
        "description",
        {"description": "one\u2029two"},
        "contains a paragraph separator (U+2029)",
    ),
    case(
        "description-ending-in-a-quote",
        "description",
        {"description": 'Says "hello"'},
        'description \'Says "hello"\' must not end with "',
    ),
    case(
        "author-name-with-a-tab",
        "author_name",
        {"author_name": "Service\tTeam"},
        "author_name 'Service\\tTeam' contains a control character (U+0009)",
    ),
    case(
        "project-name-with-escape",
        "project_name",
        {"project_name": "Task \x1b Tracker"},
        "contains a control character (U+001B)",
    ),
    case(
        "description-with-a-backslash",
        "description",
        {"description": "C:\\temp"},
        "must not contain backslashes",
    ),
    case(
        "description-too-long",
        "description",
        {"description": "word " * 50},
        "is longer than 200 characters",
    ),
    entities_case(
        "entity-description-ending-in-a-quote",
        [{"name": "Task", "description": 'A "task"', "fields": [TITLE]}],
        "entity 'Task': description 'A \"task\"' must not end with \"",
    ),
    entities_case(
        "entity-description-with-del",
        [{"name": "Task", "description": "del\x7f", "fields": [TITLE]}],
        "contains a control character (U+007F)",
    ),
    # --- values within every backend's column ----------------------------------------------
    field_case(
        "int-default-beyond-32-bits",
        field("count", "int", default=2**31),
        "default 2147483648 is outside the 32-bit INTEGER range -2147483648 to 2147483647",
    ),
    field_case(
        "float-default-inf",
        field("ratio", "float", default=float("inf")),
        "default inf is not a finite number",
    ),
    field_case(
        "float-default-nan",
        field("ratio", "float", default=float("nan")),
        "default nan is not a finite number",
    ),
    field_case(
        "decimal-default-too-many-places",
        field("price", "decimal", default="1.1234567"),
        "default '1.1234567' does not fit NUMERIC(20, 6)",
    ),
    field_case(
        "date-default-before-year-1000",
        field("due", "date", default="0999-01-01"),
        "default '0999-01-01' is outside the years 1000 to 9999",
    ),
    field_case(
        "max-length-beyond-mariadb",
        field("title", max_length=20000),
        "max_length 20000 is over 15,000, the most MariaDB stores in a VARCHAR row",
    ),
    field_case(
        "unique-max-length-beyond-mariadb-index",
        field("code", max_length=1000, unique=True),
        "max_length 1000 is too long for a unique field: MariaDB indexes at most 768",
    ),
    entities_case(
        "str-fields-beyond-mariadb-row",
        [task(field("a", max_length=9000), field("b", max_length=9000))],
        "entity 'Task': its str fields hold 18,000 characters together, over 15,000",
    ),
    # --- indexes ------------------------------------------------------------------------
    field_case(
        "index-not-bool", field("title", index="yes"), "field 'title': index 'yes' must be true"
    ),
    field_case(
        "index-on-text",
        field("body", "text", index=True),
        "index is not supported on text fields (MariaDB cannot index TEXT without a prefix",
    ),
    entities_case(
        "index-on-ref",
        [entity("Project"), task(field("project_id", "ref", to="Project", index=True))],
        "index is not supported on ref fields (a ref field is always indexed)",
    ),
    field_case(
        "index-on-unique",
        field("code", unique=True, index=True),
        "field 'code': a unique field is already indexed; drop index",
    ),
    field_case(
        "index-on-a-long-str",
        field("title", max_length=1000, index=True),
        "max_length 1000 is too long for an indexed field: MariaDB indexes at most 768",
    ),
    entities_case(
        "index-name-too-long",
        [entity("A" + "b" * 39, field("x" * 30, "int", index=True))],
        "the index name 'ix_a" + "b" * 39 + "_" + "x" * 30 + "' is longer than",
    ),
    entities_case(
        "indexes-not-a-list",
        [{**task(field("title"), field("rank", "int")), "indexes": "title"}],
        "entity 'Task': indexes 'title' must be a list",
    ),
    entities_case(
        "indexes-one-field",
        [{**task(field("title"), field("rank", "int")), "indexes": [{"fields": ["title"]}]}],
        "entity 'Task', index #1: fields ['title'] must list at least two fields",
    ),
    entities_case(
        "indexes-unknown-field",
        [{**task(field("title"), field("rank", "int")), "indexes": [{"fields": ["title", "x"]}]}],
        "entity 'Task', index #1: 'x' is not a field of Task; declared are title, rank",
    ),
    entities_case(
        "indexes-text-field",
        [
            {
                **task(field("title"), field("body", "text")),
                "indexes": [{"fields": ["title", "body"]}],
            }
        ],
        "entity 'Task', index #1: field 'body' is text (MariaDB cannot index TEXT",
    ),
    entities_case(
        "indexes-field-twice",
        [{**task(field("title"), field("rank", "int")), "indexes": [{"fields": ["rank", "rank"]}]}],
        "fields ['rank', 'rank'] lists a field twice",
    ),
    entities_case(
        "indexes-unknown-key",
        [
            {
                **task(field("title"), field("rank", "int")),
                "indexes": [{"fields": ["title", "rank"], "name": "x"}],
            }
        ],
        "entity 'Task', index #1 has unknown key(s) 'name'",
    ),
    entities_case(
        "indexes-too-long-for-mariadb",
        [
            {
                **task(field("title", max_length=500), field("code", max_length=300)),
                "indexes": [{"fields": ["title", "code"], "unique": True}],
            }
        ],
        "its str fields hold more than 768 characters together",
    ),
    entities_case(
        "indexes-twice",
        [
            {
                **task(field("title"), field("rank", "int")),
                "indexes": [
                    {"fields": ["title", "rank"]},
                    {"fields": ["title", "rank"], "unique": True},
                ],
            }
        ],
        "entity 'Task', index #2: the fields ['title', 'rank'] are indexed twice",
    ),
    # --- enums --------------------------------------------------------------------------
    field_case(
        "enum-without-choices",
        field("status", "enum"),
        "field 'status': an enum field needs choices: a list of at least two values, got None",
    ),
    field_case(
        "enum-empty-choices",
        field("status", "enum", choices=[]),
        "an enum field needs choices: a list of at least two values, got []",
    ),
    field_case(
        "enum-one-choice",
        field("status", "enum", choices=["open"]),
        "a list of at least two values, got ['open']",
    ),
    field_case(
        "enum-choices-not-a-list",
        field("status", "enum", choices="open, closed"),
        "a list of at least two values, got 'open, closed'",
    ),
    field_case(
        "enum-choice-with-a-quote",
        field("status", "enum", choices=["open", "it's done"]),
        "choice \"it's done\" must be 1 to 64 letters, digits, spaces, '_', '.' or '-'",
    ),
    field_case(
        "enum-choice-with-a-newline",
        field("status", "enum", choices=["open", "done\n"]),
        "choice 'done\\n' must be 1 to 64 letters",
    ),
    field_case(
        "enum-choice-not-a-string",
        field("status", "enum", choices=["open", 2]),
        "choice 2 must be 1 to 64 letters",
    ),
    field_case(
        "enum-choice-too-long",
        field("status", "enum", choices=["open", "x" * 65]),
        "choice '" + "x" * 65 + "' must be 1 to 64 letters",
    ),
    field_case(
        "enum-choice-trailing-space",
        field("status", "enum", choices=["open", "done "]),
        "choice 'done ' must be 1 to 64 letters",
    ),
    field_case(
        "enum-duplicate-choice",
        field("status", "enum", choices=["open", "done", "open"]),
        "field 'status': choices lists 'open' twice",
    ),
    field_case(
        "enum-default-not-a-choice",
        field("status", "enum", choices=["open", "done"], default="closed"),
        "field 'status': default 'closed' is not one of the choices 'open', 'done'",
    ),
    field_case(
        "enum-unique",
        field("status", "enum", choices=["open", "done"], unique=True),
        "unique is not supported on enum fields",
    ),
    field_case(
        "choices-on-a-str-field",
        field("status", choices=["open", "done"]),
        "field 'status': choices is only allowed on enum fields, not str",
    ),
    field_case(
        "enum-max-length",
        field("status", "enum", choices=["open", "done"], max_length=4),
        "max_length is only allowed on str fields, not enum",
    ),
    entities_case(
        "enum-check-constraint-name-too-long",
        [entity("A" + "b" * 39, field("x" * 30, "enum", choices=["on", "off"]))],
        "the constraint name 'ck_a" + "b" * 39 + "_" + "x" * 30 + "' is longer than",
    ),
    # --- references ---------------------------------------------------------------------
    field_case("ref-without-to", field("project_id", "ref"), "a ref field needs to:"),
    field_case(
        "ref-to-not-pascal-case",
        field("project_id", "ref", to="project"),
        "to 'project' must name a declared entity (PascalCase)",
    ),
    field_case(
        "ref-to-unknown-entity",
        field("project_id", "ref", to="Project"),
        "to 'Project' is not a declared entity; declared are Task",
    ),
    field_case(
        "ref-to-itself", field("task_id", "ref", to="Task"), "an entity cannot reference itself"
    ),
    entities_case(
        "ref-cycle",
        [
            entity("Alpha", field("beta_id", "ref", to="Beta")),
            entity("Beta", field("gamma_id", "ref", to="Gamma")),
            entity("Gamma", field("alpha_id", "ref", to="Alpha")),
        ],
        "the references Alpha -> Beta -> Gamma -> Alpha form a cycle",
    ),
    field_case(
        "ref-name-without-id",
        field("project", "ref", to="Project"),
        "field 'project': a ref field holds the id of another entity",
        "must end in _id (e.g. project_id)",
    ),
    field_case(
        "to-on-a-str-field",
        field("title", to="Project"),
        "field 'title': to is only allowed on ref fields, not str",
    ),
    field_case(
        "touch-on-an-int-field",
        field("rank", "int", touch=True),
        "field 'rank': touch is only allowed on ref fields, not int",
    ),
    entities_case(
        "ref-with-a-default",
        [entity("Project"), task(field("project_id", "ref", to="Project", default="x"))],
        "default 'x' is not allowed; a ref field's default can only be null",
    ),
    entities_case(
        "ref-unique",
        [entity("Project"), task(field("project_id", "ref", to="Project", unique=True))],
        "unique is not supported on ref fields",
    ),
    entities_case(
        "ref-touch-not-bool",
        [entity("Project"), task(field("project_id", "ref", to="Project", touch="yes"))],
        "touch 'yes' must be true or false",
    ),
    entities_case(
        "on-delete-unknown",
        [entity("Project"), task(field("project_id", "ref", to="Project", on_delete="nullify"))],
        "entity 'Task', field 'project_id': on_delete 'nullify' must be one of restrict, "
        "cascade, set_null",
    ),
    entities_case(
        "on-delete-not-a-string",
        [entity("Project"), task(field("project_id", "ref", to="Project", on_delete=True))],
        "entity 'Task', field 'project_id': on_delete True must be one of restrict",
    ),
    entities_case(
        "on-delete-set-null-not-nullable",
        [entity("Project"), task(field("project_id", "ref", to="Project", on_delete="set_null"))],
        "entity 'Task', field 'project_id': on_delete 'set_null' needs nullable: true",
    ),
    field_case(
        "on-delete-on-a-uuid-field",
        field("owner_id", "uuid", on_delete="cascade"),
        "entity 'Task', field 'owner_id': on_delete is only allowed on ref fields, not uuid",
    ),
    entities_case(
        "ref-foreign-key-name-too-long",
        [
            entity("Betabetabetabeta"),
            entity("Alpha", field("x" * 37 + "_id", "ref", to="Betabetabetabeta")),
        ],
        "the foreign key name 'fk_alpha_" + "x" * 37 + "_id_betabetabetabeta' is longer than",
    ),
    # --- adopting an existing table -----------------------------------------------------
    entities_case(
        "existing-table-not-snake-case",
        [{**task(TITLE), "existing_table": "Legacy Tasks"}],
        "entity 'Task': existing_table 'Legacy Tasks' is not a snake_case identifier",
    ),
    entities_case(
        "existing-table-not-a-string",
        [{**task(TITLE), "existing_table": 42}],
        "entity 'Task': existing_table 42 is not a snake_case identifier",
    ),
    entities_case(
        "existing-table-too-long",
        [{**task(TITLE), "existing_table": "t" * 41}],
        f"existing_table '{'t' * 41}' is longer than 40 characters",
    ),
    entities_case(
        "existing-table-alembic-version",
        [{**task(TITLE), "existing_table": "alembic_version"}],
        "existing_table 'alembic_version' is a name the service already uses",
    ),
    entities_case(
        "existing-table-outbox",
        [{**task(TITLE), "existing_table": "outbox_events"}],
        "existing_table 'outbox_events' is a name the service already uses",
    ),
    entities_case(
        "entity-on-the-outbox-lock-table",
        [entity("OutboxLock")],
        "entity 'OutboxLock' maps to the table 'outbox_lock', which the service already has",
    ),
    entities_case(
        "entity-on-the-change-feed-module",
        [entity("Changes")],
        "entity name 'Changes' maps to the module name 'changes'",
        "src/<package>/domain/changes.py is a file of every service",
    ),
    entities_case(
        "existing-table-of-another-entity",
        [entity("Project"), {**task(TITLE), "existing_table": "project"}],
        "entities 'Project' and 'Task' both map to the table 'project'",
    ),
    entities_case(
        "legacy-created-at-without-existing-table",
        [{**task(TITLE), "legacy_created_at": "title"}],
        "entity 'Task': legacy_created_at is only allowed with existing_table",
    ),
    entities_case(
        "legacy-triggers-without-existing-table",
        [{**task(TITLE), "legacy_triggers": ["touch_tasks"]}],
        "entity 'Task': legacy_triggers is only allowed with existing_table",
    ),
    entities_case(
        "legacy-created-at-not-a-datetime-field",
        [{**task(TITLE), "existing_table": "tasks", "legacy_created_at": "title"}],
        "legacy_created_at 'title' must name a declared datetime field",
    ),
    entities_case(
        "legacy-created-at-undeclared",
        [{**task(TITLE), "existing_table": "tasks", "legacy_created_at": "made_on"}],
        "legacy_created_at 'made_on' must name a declared datetime field",
    ),
    entities_case(
        "legacy-triggers-not-a-list",
        [{**task(TITLE), "existing_table": "tasks", "legacy_triggers": "touch_tasks"}],
        "legacy_triggers 'touch_tasks' must be a list of trigger names",
    ),
    entities_case(
        "legacy-trigger-with-sql",
        [{**task(TITLE), "existing_table": "tasks", "legacy_triggers": ["t; DROP TABLE x"]}],
        "legacy trigger 't; DROP TABLE x' is not a snake_case identifier",
    ),
    entities_case(
        "legacy-trigger-too-long",
        [{**task(TITLE), "existing_table": "tasks", "legacy_triggers": ["t" * 64]}],
        f"legacy trigger '{'t' * 64}' is longer than 63 characters",
    ),
    entities_case(
        "legacy-trigger-twice",
        [{**task(TITLE), "existing_table": "tasks", "legacy_triggers": ["touch", "touch"]}],
        "legacy_triggers lists 'touch' twice",
    ),
    # --- sensitive fields ---------------------------------------------------------------
    field_case(
        "sensitive-not-bool",
        field("notes", sensitive="yes"),
        "field 'notes': sensitive 'yes' must be true or false",
    ),
    entities_case(
        "a-field-named-field-next-to-a-sensitive-one",
        [task(field("field"), field("secret_answer"))],
        "entity 'Task': the field name 'field' would shadow dataclasses.field",
        "'secret_answer'",
    ),
    field_case(
        "a-password-marked-not-sensitive",
        field("password_hash", sensitive=False),
        "field 'password_hash': sensitive false is refused",
        "named like a password, secret or token is always sensitive",
    ),
    # --- the interface ----------------------------------------------------------------
    pytest.param(
        {"interface": "flask"},
        re.escape("Invalid choice for 'interface': 'flask' is not in ['none', 'fastapi']"),
        id="interface-unknown",
    ),
    case(
        "interface-two-entities-one-path",
        "interface",
        {"interface": "fastapi", "entities": [entity("Bus"), entity("Buse")]},
        "entities Bus and Buse would both be served at /buses",
    ),
]


@pytest.mark.parametrize(("answers", "message"), INVALID_ANSWERS)
def test_an_invalid_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    destination = tmp_path / "service"

    with pytest.raises(UserMessageError, match=message):
        render(destination, answers)

    assert not destination.exists() or not any(destination.iterdir())


SQL_RESERVED_ENTITIES: list[dict[str, Any]] = [
    entity("Order", field("order"), field("type"), field("match", "int")),
    entity("User", field("user")),
    entity("Group", field("group")),
    entity("Select", field("select", "text")),
    entity("Key", field("key"), field("value", "int", nullable=True)),
]


def test_sql_reserved_entity_and_field_names_are_rendered(tmp_path: Path) -> None:
    destination = tmp_path / "service"

    render(destination, {"package_name": "shop", "entities": SQL_RESERVED_ENTITIES})

    package = destination / "src" / "shop"
    for snake in ("order", "user", "group", "select", "key"):
        assert (package / "domain" / f"{snake}.py").is_file()
        assert (package / "application" / f"{snake}_service.py").is_file()
        assert (package / "infrastructure" / "orm" / f"{snake}_model.py").is_file()
        assert (package / "infrastructure" / "repositories" / f"{snake}_repository.py").is_file()
        assert (destination / "tests" / "unit" / f"test_{snake}.py").is_file()
    assert (package / "migrations" / "versions" / "0001_create_order.py").is_file()
    assert (package / "migrations" / "versions" / "0005_create_key.py").is_file()
    order = (package / "domain" / "order_fields.py").read_text()
    for name in ("order", "type", "match"):
        assert f"    {name}: " in order


@pytest.mark.parametrize("name", ["type", "match", "case"])
def test_a_soft_keyword_is_accepted_as_a_field_name(tmp_path: Path, name: str) -> None:
    destination = tmp_path / "service"

    render(destination, {"package_name": "tracker", "entities": [task(TITLE, field(name))]})

    task_module = destination / "src" / "tracker" / "domain" / "task_fields.py"
    assert task_module.is_file()
    assert f"    {name}: " in task_module.read_text()
    assert (destination / "src" / "tracker" / "infrastructure" / "orm" / "task_model.py").is_file()
