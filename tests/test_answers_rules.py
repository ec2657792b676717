"""Direct tests of the answer rules: naming, text questions, defaults, entities, references."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from conftest import TEMPLATE_ROOT
from extension_modules import (
    AnswerError,
    defaults,
    naming,
    parse_entities,
    questions,
    references,
    specs,
)


def parse(*entities: dict[str, Any]) -> list[Any]:
    return parse_entities(list(entities))


def task(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Task", "fields": list(fields) or [{"name": "title", "type": "str"}]}


@pytest.mark.parametrize(
    ("name", "snake"), [("HTTPServer", "http_server"), ("OrderLine", "order_line"), ("A1b", "a1b")]
)
def test_snake_case(name: str, snake: str) -> None:
    assert naming.snake_case(name) == snake


@pytest.mark.parametrize(
    ("snake", "path"),
    [
        ("task", "/tasks"),
        ("status", "/statuses"),
        ("box", "/boxes"),
        ("batch", "/batches"),
        ("category", "/categories"),
        ("key", "/keys"),
        ("http_endpoint", "/http-endpoints"),
        ("audit_note", "/audit-notes"),
    ],
)
def test_the_http_path_of_an_entity_is_its_plural_in_kebab_case(snake: str, path: str) -> None:
    assert naming.http_path(snake) == path


@pytest.mark.parametrize("value", ["Book\n", "Book ", "book", "Bo-ok", ""])
def test_an_entity_name_must_be_pascal_case_to_its_last_character(value: str) -> None:
    with pytest.raises(AnswerError, match="is not a PascalCase identifier"):
        naming.check_identifier("entity name", value, naming.PASCAL_CASE, "PascalCase")


def test_a_field_name_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(AnswerError, match=r"'title\\n' is not a snake_case identifier"):
        parse(task({"name": "title\n", "type": "str"}))


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("a\x00b", "a control character (U+0000)"),
        ("tab\there", "a control character (U+0009)"),
        ("line\u2028break", "a line separator (U+2028)"),
        ("para\u2029graph", "a paragraph separator (U+2029)"),
        ('ends with "', 'must not end with "'),
        ("back\\slash", "must not contain backslashes"),
        ('three """ quotes', "must not contain backslashes or"),
        ("x" * 201, "is longer than 200 characters"),
        ("y" * 61, "has a word longer than 60 characters"),
        ("two\nlines", "must be one line"),
    ],
)
def test_text_answers_refuse_what_python_toml_yaml_or_markdown_cannot_hold(
    value: str, rule: str
) -> None:
    message = questions.text_error(value, "description")
    assert message.startswith(f"description {value!r}")
    assert rule in message


@pytest.mark.parametrize("value", ["Tracks tasks 😀", "Café — naïve façade", 'A "quoted" word'])
def test_text_answers_accept_any_printable_text(value: str) -> None:
    assert questions.text_error(value, "description") == ""


def test_project_name_and_package_name_rules() -> None:
    assert questions.project_name_error("  ").startswith("project_name '  ' is empty")
    assert "U+0000" in questions.project_name_error("Task\x00Tracker")
    assert questions.package_name_default("Émoji 😀 Tracker") == "moji_tracker"
    assert "not a valid package name" in questions.package_name_error("tracker\n")
    assert "Python keyword" in questions.package_name_error("class")
    assert questions.author_email_error("ada@example.com\n") != ""


@pytest.mark.parametrize(
    ("parser", "value", "rule"),
    [
        (defaults.int_default, 2**31, "outside the 32-bit INTEGER range"),
        (defaults.int_default, -(2**31) - 1, "outside the 32-bit INTEGER range"),
        (defaults.float_default, float("inf"), "is not a finite number"),
        (defaults.float_default, float("nan"), "is not a finite number"),
        (defaults.decimal_default, "123456789012345", "does not fit NUMERIC(20, 6)"),
        (defaults.decimal_default, "0.1234567", "does not fit NUMERIC(20, 6)"),
        # Rounded on SQLite (a REAL): 15 significant digits, or 20.
        (defaults.decimal_default, "12345678901234.5", "14 significant digits"),
        (defaults.decimal_default, "99999999999999.999999", "14 significant digits"),
        (defaults.decimal_default, "1E+14", "14 significant digits"),
        (defaults.decimal_default, "9765624999.7", "at most 9 before it"),
        (defaults.text_default, "a\x00b", "holds NUL or a lone surrogate"),
        (defaults.text_default, "a\ud800b", "holds NUL or a lone surrogate"),
        (defaults.date_default, "0999-12-31", "outside the years 1000 to 9999"),
        (defaults.datetime_default, "9999-12-31T23:00:00-05:00", "outside the years"),
        (defaults.uuid_default, True, "is not a valid uuid"),
    ],
)
def test_defaults_outside_what_every_backend_stores_are_refused(
    parser: Any, value: Any, rule: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(rule)):
        parser(value, None)


@pytest.mark.parametrize(
    ("parser", "value", "source"),
    [
        (defaults.int_default, 2**31 - 1, "2147483647"),
        (defaults.float_default, 3, "3.0"),
        (defaults.decimal_default, "99999999.999999", 'Decimal("99999999.999999")'),
        (defaults.decimal_default, "999999999", 'Decimal("999999999")'),
        (defaults.decimal_default, "1.5000000", 'Decimal("1.5000000")'),
        (defaults.date_default, dt.date(2020, 2, 29), "date(2020, 2, 29)"),
        (
            defaults.datetime_default,
            "2024-01-01T08:00:00+02:00",
            "datetime(2024, 1, 1, 6, 0, 0, tzinfo=UTC)",
        ),
        (defaults.text_default, 'say "hi" 😀', '"say \\"hi\\" 😀"'),
    ],
)
def test_defaults_are_written_as_python_source(parser: Any, value: Any, source: str) -> None:
    assert parser(value, None) == source


def test_max_length_within_every_backend() -> None:
    with pytest.raises(AnswerError, match="max_length 20000 is over 15,000"):
        parse(task({"name": "title", "type": "str", "max_length": 20000}))
    with pytest.raises(AnswerError, match="too long for a unique field"):
        parse(task({"name": "code", "type": "str", "max_length": 1000, "unique": True}))
    with pytest.raises(AnswerError, match="str fields hold 16,000 characters together"):
        parse(task(*({"name": f"f{n}", "type": "str", "max_length": 8000} for n in range(2))))


@pytest.mark.parametrize("name", ["touched_parents", "metadata", "registry", "cache_version", "id"])
def test_attributes_of_the_generated_classes_are_refused_as_field_names(name: str) -> None:
    with pytest.raises(AnswerError, match=f"the name '{name}' is reserved"):
        parse(task({"name": name, "type": "str"}))


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("DatabaseConfiguration", "tests/unit/test_database_configuration.py is a file of"),
        ("Clock", "src/<package>/domain/clock.py is a file of every service"),
        ("Entity", "its class 'EntityModel' would take the name of a class"),
        ("Session", "the generated code already uses a class of that name"),
    ],
)
def test_entity_names_whose_files_or_classes_exist_are_refused(name: str, rule: str) -> None:
    with pytest.raises(AnswerError, match=rule):
        parse({"name": name, "fields": [{"name": "title", "type": "str"}]})


def test_entities_whose_generated_files_collide_are_refused() -> None:
    with pytest.raises(AnswerError, match="generates the class 'TaskFields'"):
        parse(task(), {"name": "TaskFields", "fields": [{"name": "x", "type": "int"}]})


def test_a_reference_cycle_is_found() -> None:
    graph = {"A": ["B"], "B": ["C"], "C": ["A"], "D": []}
    assert references.find_cycle(graph) == ["A", "B", "C", "A"]
    assert references.find_cycle({"A": ["B"], "B": []}) is None


def test_parsed_entities_keep_declared_order_and_options() -> None:
    [project, parsed] = parse(
        {"name": "Project", "fields": [{"name": "name", "type": "str", "max_length": 80}]},
        task({"name": "project_id", "type": "ref", "to": "Project", "touch": True}),
    )
    assert project.fields[0].max_length == 80
    assert parsed.references[0].ref_table == "project" and parsed.references[0].touch


def test_on_delete_defaults_to_restrict_which_writes_no_foreign_key_action() -> None:
    project = {"name": "Project", "fields": [{"name": "name", "type": "str"}]}
    reference = {"name": "project_id", "type": "ref", "to": "Project", "nullable": True}
    actions: dict[str | None, tuple[str | None, str | None]] = {}
    for on_delete in (None, "restrict", "cascade", "set_null"):
        declared = reference | ({"on_delete": on_delete} if on_delete else {})
        [_, parsed] = parse(project, task(declared))
        [spec] = specs.entity_spec(parsed)["references"]
        actions[on_delete] = (parsed.references[0].on_delete, spec["ondelete"])
    assert actions == {
        None: ("restrict", None),
        "restrict": ("restrict", None),
        "cascade": ("cascade", "CASCADE"),
        "set_null": ("set_null", "SET NULL"),
    }


def test_default_rules_are_the_limits_the_generated_domain_enforces() -> None:
    limits_py = TEMPLATE_ROOT / "template" / "src" / "{{package_name}}" / "domain" / "limits.py"
    limits: dict[str, Any] = {}
    exec(compile(limits_py.read_text(), str(limits_py), "exec"), limits)
    assert (limits["INT_MIN"], limits["INT_MAX"]) == defaults.INT_RANGE
    assert (
        limits["DECIMAL_DIGITS"],
        limits["DECIMAL_PLACES"],
    ) == (defaults.DECIMAL_DIGITS, defaults.DECIMAL_PLACES)
    assert (limits["EARLIEST_DATE"].year, limits["LATEST_DATE"].year) == defaults.YEARS
    assert (limits["EARLIEST_DATETIME"].year, limits["LATEST_DATETIME"].year) == defaults.YEARS
