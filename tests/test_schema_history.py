"""The migration planner's guards, without Copier: history format, heads, literals, sources.

`extensions/schema_history.py` reads the service's revisions to find the head
the template's next migration follows, and refuses a damaged `schema_history`;
`extensions/template_source.py` makes the recorded template source absolute.
The update tests run the same code through `copier update`.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import TEMPLATE_ROOT


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_ROOT / "extensions" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


schema_history = load("schema_history")
template_source = load("template_source")

# A service's migration history, relative to the service.
VERSIONS = Path("src", "task_tracker", "migrations", "versions")
COLUMN = {"name": "title", "type": "str", "max_length": 200, "nullable": False, "unique": False}


def history() -> list[dict[str, Any]]:
    return [
        {"revision": "0001_create_project", "kind": "create", "entity": "Project",
         "columns": [dict(COLUMN)]},
        {"revision": "0002_create_task", "kind": "create", "entity": "Task",
         "columns": [{**COLUMN, "to": None}]},
    ]  # fmt: skip


def tampered(change: Any) -> list[dict[str, Any]]:
    entries = history()
    change(entries)
    return entries


def with_outbox(change: Any) -> list[dict[str, Any]]:
    """The history of a service made by this release, changed by ``change``."""
    entries = [*history(), {"revision": "0003_outbox", "kind": "outbox"}]
    change(entries)
    return entries


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("0001_create_project", "'0001_create_project' is not a list"),
        (
            tampered(lambda h: h[1].update(revision="0002'); import os; ('")),
            "entry 2 has the revision \"0002'); import os; ('\", which is not a template "
            "revision id",
        ),
        (
            tampered(lambda h: h[1].update(revision="0007_create_task")),
            "entry 2 has the revision '0007_create_task'; entry 2's starts with 0002_",
        ),
        (
            tampered(lambda h: h[1].update(revision="0002_" + "x" * 40)),
            "at most 32 characters",
        ),
        (tampered(lambda h: h[0].update(extra=1)), "entry 1 {"),
        (tampered(lambda h: h[0].update(kind="drop")), "the kind 'drop', which is not"),
        (tampered(lambda h: h[0].update(kind="add")), "adds 'Project', which no earlier"),
        (tampered(lambda h: h[1].update(entity="task")), "the entity 'task', which is not a"),
        (tampered(lambda h: h[1].update(columns=[])), "the columns [], which is not a non-empty"),
        (
            tampered(lambda h: h[0]["columns"][0].update(name="Title")),
            "the column name 'Title', which is not a snake_case name",
        ),
        (
            tampered(lambda h: h[0]["columns"][0].update(type="str(200)")),
            "the column type 'str(200)', which is not a field type",
        ),
        (
            tampered(lambda h: h[0]["columns"][0].update(max_length="200")),
            "max_length '200', which is not null or a positive integer",
        ),
        (
            tampered(lambda h: h[0]["columns"][0].update(nullable="no")),
            "nullable 'no', which is not true or false",
        ),
        (
            tampered(lambda h: h[1]["columns"][0].update(to="os.system")),
            "to 'os.system', which is not a PascalCase entity name",
        ),
        (
            tampered(lambda h: h[0]["columns"][0].pop("unique")),
            "has a column with the keys",
        ),
        (
            tampered(lambda h: h[1]["columns"][0].update(to="Project", on_delete="restrict")),
            "has on_delete 'restrict', which is not cascade or set_null",
        ),
        (
            with_outbox(lambda h: h[2].update(entity="Project")),
            "entry 3 {'revision': '0003_outbox', 'kind': 'outbox', 'entity': 'Project'} is not "
            "a mapping of kind, revision",
        ),
        (
            with_outbox(lambda h: h[2].pop("revision")),
            "entry 3 {'kind': 'outbox'} is not a mapping of kind, revision",
        ),
        (
            with_outbox(lambda h: h[2].update(revision="0004_outbox")),
            "entry 3 has the revision '0004_outbox'; entry 3's starts with 0003_",
        ),
        (
            with_outbox(lambda h: h[2].update(revision="0003_outbox'); import os; ('")),
            "entry 3 has the revision \"0003_outbox'); import os; ('\", which is not a "
            "template revision id",
        ),
        (
            with_outbox(lambda h: h.append({"revision": "0004_outbox", "kind": "outbox"})),
            "entry 4 creates the outbox tables, which an earlier entry created",
        ),
        (
            with_outbox(lambda h: h.insert(0, {"revision": "0001_outbox", "kind": "outbox"})),
            "entry 2 has the revision '0001_create_project'; entry 2's starts with 0002_",
        ),
    ],
    ids=[
        "not-a-list", "code-in-revision", "wrong-number", "too-long", "unknown-key",
        "unknown-kind", "add-before-create", "entity-name", "no-columns", "column-name",
        "column-type", "max-length", "nullable", "to", "missing-key", "on-delete-restrict",
        "outbox-extra-key", "outbox-no-revision", "outbox-wrong-number", "outbox-code",
        "second-outbox", "outbox-shifts-the-others",
    ],
)  # fmt: skip
def test_a_damaged_history_is_refused_naming_the_entry_value_and_rule(
    entries: Any, message: str
) -> None:
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([], entries)
    assert message in str(refused.value)
    assert "restore .copier-answers.yml from version control" in str(refused.value)
    assert schema_history.schema_errors([], entries) == str(refused.value)


def write_revision(versions: Path, revision: str, down: str | tuple[str, ...] | None) -> None:
    versions.mkdir(parents=True, exist_ok=True)
    (versions / f"{revision}_x.py").write_text(
        f'"""A revision."""\n\nrevision: str = {revision!r}\ndown_revision = {down!r}\n'
    )


def test_the_head_of_a_history_with_a_merge_is_the_merge(tmp_path: Path) -> None:
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, "a1", "0001_create_project")
    write_revision(versions, "b2", "0001_create_project")
    write_revision(versions, "m3", ("a1", "b2"))
    revisions = schema_history.service_revisions(tmp_path)
    assert revisions["m3"][0] == ("a1", "b2")
    assert schema_history.single_head(revisions) == "m3"


def test_several_heads_are_refused_naming_them_and_the_merge_command(tmp_path: Path) -> None:
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, "b2", "0001_create_project")
    write_revision(versions, "a1", "0001_create_project")
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([], history()[:1], tmp_path)
    assert "has 2 heads (a1, b2)" in str(refused.value)
    assert '.venv/bin/alembic merge -m "merge heads" a1 b2' in str(refused.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("revision = compute()\ndown_revision = None\n", "cannot be read"),
        ("revision = 'x'\ndown_revision = 3\n", "has revision 'x' and down_revision 3"),
        ("def broken(:\n", "cannot be read"),
    ],
    ids=["not-a-literal", "not-a-string", "syntax-error"],
)
def test_a_revision_file_that_cannot_be_read_is_refused_naming_it(
    tmp_path: Path, source: str, message: str
) -> None:
    versions = tmp_path / VERSIONS
    versions.mkdir(parents=True)
    (versions / "team.py").write_text(source)
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.service_revisions(tmp_path)
    assert str(refused.value).startswith(f"{VERSIONS / 'team.py'} ")
    assert message in str(refused.value)


def test_a_head_id_that_cannot_be_followed_and_a_reused_id_are_refused(tmp_path: Path) -> None:
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, 'x"; import os; "', "0001_create_project")
    with pytest.raises(schema_history.SchemaChangeError, match="is not a revision id the"):
        schema_history.single_head(schema_history.service_revisions(tmp_path))
    first = versions / "0001_create_project_x.py"
    (versions / "duplicate.py").write_text(first.read_text())
    with pytest.raises(schema_history.SchemaChangeError, match="is defined twice"):
        schema_history.service_revisions(tmp_path)


@pytest.mark.parametrize("value", ["0002_create_task", 'a"b', "a\\b", "line\nbreak", "été ✓"])
def test_python_string_is_a_literal_of_exactly_the_value(value: str) -> None:
    literal = schema_history.python_string(value)
    assert literal.startswith('"')
    assert ast.literal_eval(literal) == value


def test_a_relative_template_source_is_recorded_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    usable = template_source.usable_source
    assert usable(".") == str(tmp_path)
    assert usable("../template") == str(tmp_path.parent / "template")
    kept = [
        "/srv/template",
        "~/template",
        "gh:org/template",
        "git@host:org/template.git",
        "git+file:///srv/template",
        "https://git.example.com/org/template.git",
    ]
    assert [usable(source) for source in kept] == kept
    answers = template_source.with_usable_source({"_src_path": ".", "checks": "all"})
    assert answers == {"_src_path": str(tmp_path), "checks": "all"}


def test_a_team_revision_with_the_id_of_the_next_template_migration_is_refused(
    tmp_path: Path,
) -> None:
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, "0002_create_label", "0001_create_project")
    label = {"name": "Label", "table": "label", "fields": [{"name": "title"}]}
    title = {**COLUMN, "to": None, "default": None}
    project = {"name": "Project", "table": "project", "fields": [title]}
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([project, label], history()[:1], tmp_path)
    assert (
        "the template's next migration is 0002_create_label, but "
        f"{VERSIONS / '0002_create_label_x.py'} already uses that "
        "revision id or file name"
    ) in str(refused.value)
    # Without the collision the new migration follows the team's head.
    (versions / "0002_create_label_x.py").unlink()
    write_revision(versions, "a1", "0001_create_project")
    steps = schema_history.plan_migrations([project, label], history()[:1], tmp_path)
    assert [(step["revision"], step["down_revision"]) for step in steps] == [
        ("0001_create_project", None),
        ("0002_create_label", "a1"),
        ("0003_outbox", "0002_create_label"),
    ]


def test_an_adopted_table_is_recorded_and_cannot_move_afterwards() -> None:
    title = {**COLUMN, "to": None, "default": None}
    adopted = {"name": "Project", "table": "projects", "existing_table": "projects"}
    steps = schema_history.plan_migrations([{**adopted, "fields": [title]}], [])
    assert [(step["revision"], step["kind"]) for step in steps] == [
        ("0001_adopt_projects", "adopt"),
        ("0002_outbox", "outbox"),
    ]
    recorded = schema_history.schema_history(steps)
    assert recorded[0]["table"] == "projects"
    assert recorded[1] == {"revision": "0002_outbox", "kind": "outbox"}
    # The recorded history plans again as it is.
    assert schema_history.plan_migrations([{**adopted, "fields": [title]}], recorded)
    created = {"name": "Project", "table": "project", "fields": [title]}
    for entity, entries, change in [
        (created, recorded, "existing_table 'projects' -> None"),
        ({**adopted, "fields": [title]}, history()[:1], "existing_table None -> 'projects'"),
    ]:
        with pytest.raises(schema_history.SchemaChangeError) as refused:
            schema_history.plan_migrations([entity], entries)
        assert f"entity Project: {change} would move the entity to another table" in str(
            refused.value
        )
    with pytest.raises(schema_history.SchemaChangeError) as damaged:
        schema_history.plan_migrations([], [{**recorded[0], "table": "x; drop"}])
    assert "the table 'x; drop', which is not a snake_case name" in str(damaged.value)


# Entity specs as the `answers` package makes them, for the default history's entities.
TITLE = {**COLUMN, "to": None, "default": None}
DUE_ON = {"name": "due_on", "type": "date", "max_length": None, "nullable": True,
          "unique": False, "to": None, "default": None}  # fmt: skip
PROJECT = {"name": "Project", "table": "project", "fields": [TITLE]}
TASK = {"name": "Task", "table": "task", "fields": [TITLE]}
TASK_WITH_DUE_ON = {**TASK, "fields": [TITLE, DUE_ON]}
LABEL = {"name": "Label", "table": "label", "fields": [TITLE]}
OUTBOX = {"revision": "0003_outbox", "kind": "outbox"}


def chain(steps: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(revision, kind, down_revision) of every step."""
    return [(step["revision"], step["kind"], step["down_revision"]) for step in steps]


def outbox_steps(steps: list[dict[str, Any]]) -> list[str]:
    return [step["revision"] for step in steps if step["kind"] == "outbox"]


def test_a_new_service_gets_the_outbox_migration_once_after_its_tables() -> None:
    steps = schema_history.plan_migrations([PROJECT, TASK], [])
    assert chain(steps) == [
        ("0001_create_project", "create", None),
        ("0002_create_task", "create", "0001_create_project"),
        ("0003_outbox", "outbox", "0002_create_task"),
    ]
    # The outbox step names no entity and makes no entity columns.
    assert (steps[-1]["entity"]["name"], steps[-1]["fields"]) == ("", [])
    recorded = schema_history.schema_history(steps)
    assert recorded[-1] == OUTBOX
    assert [entry["kind"] for entry in recorded] == ["create", "create", "outbox"]
    # The recorded history plans again as it is: the outbox once.
    assert chain(schema_history.plan_migrations([PROJECT, TASK], recorded)) == chain(steps)
    assert (
        schema_history.schema_history(schema_history.plan_migrations([PROJECT, TASK], recorded))
        == recorded
    )


def test_a_history_without_the_outbox_gets_it_after_its_recorded_and_new_steps(
    tmp_path: Path,
) -> None:
    # Nothing else new: the outbox follows the last recorded migration.
    assert chain(schema_history.plan_migrations([PROJECT, TASK], history())) == [
        ("0001_create_project", "create", None),
        ("0002_create_task", "create", "0001_create_project"),
        ("0003_outbox", "outbox", "0002_create_task"),
    ]
    # A new entity and a new field in the same update: the outbox comes last.
    steps = schema_history.plan_migrations([PROJECT, TASK_WITH_DUE_ON, LABEL], history())
    assert chain(steps)[2:] == [
        ("0003_create_label", "create", "0002_create_task"),
        ("0004_add_due_on_to_task", "add", "0003_create_label"),
        ("0005_outbox", "outbox", "0004_add_due_on_to_task"),
    ]
    assert outbox_steps(steps) == ["0005_outbox"]
    assert schema_history.schema_history(steps)[-1] == {"revision": "0005_outbox", "kind": "outbox"}
    # The team's head, when the service has one, is what the outbox follows.
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, "0002_create_task", "0001_create_project")
    write_revision(versions, "a1", "0002_create_task")
    steps = schema_history.plan_migrations([PROJECT, TASK], history(), tmp_path)
    assert chain(steps)[2:] == [("0003_outbox", "outbox", "a1")]


def test_a_recorded_outbox_is_not_planned_again_and_later_entities_follow_it() -> None:
    recorded = [*history(), OUTBOX]
    steps = schema_history.plan_migrations([PROJECT, TASK], recorded)
    assert chain(steps)[2:] == [("0003_outbox", "outbox", "0002_create_task")]
    steps = schema_history.plan_migrations([PROJECT, TASK_WITH_DUE_ON, LABEL], recorded)
    assert chain(steps) == [
        ("0001_create_project", "create", None),
        ("0002_create_task", "create", "0001_create_project"),
        ("0003_outbox", "outbox", "0002_create_task"),
        ("0004_create_label", "create", "0003_outbox"),
        ("0005_add_due_on_to_task", "add", "0004_create_label"),
    ]
    assert outbox_steps(steps) == ["0003_outbox"]
    again = schema_history.schema_history(steps)
    assert [entry["revision"] for entry in again] == [
        *(entry["revision"] for entry in recorded),
        "0004_create_label",
        "0005_add_due_on_to_task",
    ]
    assert again[2] == OUTBOX
    # The history the update records plans again as it is.
    assert chain(schema_history.plan_migrations([PROJECT, TASK_WITH_DUE_ON, LABEL], again)) == (
        chain(steps)
    )


def test_a_team_revision_with_the_id_or_file_of_the_outbox_migration_is_refused(
    tmp_path: Path,
) -> None:
    versions = tmp_path / VERSIONS
    write_revision(versions, "0001_create_project", None)
    write_revision(versions, "0002_create_task", "0001_create_project")
    write_revision(versions, "0003_outbox", "0002_create_task")
    taken = "already uses that revision id or file name and the template did not write it"
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([PROJECT, TASK], history(), tmp_path)
    assert (
        f"the template's next migration is 0003_outbox, but {VERSIONS / '0003_outbox_x.py'} "
        + taken
    ) in str(refused.value)
    assert schema_history.schema_errors([PROJECT, TASK], history(), tmp_path) == str(refused.value)
    # Numbered after the update's new entity, the outbox's revision collides the same way.
    (versions / "0003_outbox_x.py").unlink()
    write_revision(versions, "0004_outbox", "0002_create_task")
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([PROJECT, TASK, LABEL], history(), tmp_path)
    assert (
        f"the template's next migration is 0004_outbox, but {VERSIONS / '0004_outbox_x.py'} "
        + taken
    ) in str(refused.value)
    # Only the file name taken, by a revision with another id.
    (versions / "0004_outbox_x.py").unlink()
    (versions / "0003_outbox.py").write_text(
        '"""A revision."""\n\nrevision = "b2"\ndown_revision = "0002_create_task"\n'
    )
    with pytest.raises(schema_history.SchemaChangeError) as refused:
        schema_history.plan_migrations([PROJECT, TASK], history(), tmp_path)
    assert (
        f"the template's next migration is 0003_outbox, but {VERSIONS / '0003_outbox.py'} " + taken
    ) in str(refused.value)
    # Recorded in the history, the outbox's file is the template's own: no collision.
    (versions / "0003_outbox.py").unlink()
    write_revision(versions, "0003_outbox", "0002_create_task")
    steps = schema_history.plan_migrations([PROJECT, TASK, LABEL], [*history(), OUTBOX], tmp_path)
    assert chain(steps)[2:] == [
        ("0003_outbox", "outbox", "0002_create_task"),
        ("0004_create_label", "create", "0003_outbox"),
    ]


def test_an_entity_with_history_gets_its_history_table_and_its_added_fields_a_column() -> None:
    kept_task = {**TASK, "history": True}
    steps = schema_history.plan_migrations([PROJECT, kept_task], [])
    assert chain(steps) == [
        ("0001_create_project", "create", None),
        ("0002_create_task", "create", "0001_create_project"),
        ("0003_history_task", "history", "0002_create_task"),
        ("0004_outbox", "outbox", "0003_history_task"),
    ]
    recorded = schema_history.schema_history(steps)
    assert recorded[2] == {"revision": "0003_history_task", "kind": "history", "entity": "Task"}
    # A field added later: one step adds its column and its history column.
    later = schema_history.plan_migrations(
        [PROJECT, {**kept_task, "fields": [TITLE, DUE_ON]}], recorded
    )
    assert (later[-1]["revision"], later[-1]["kind"], later[-1]["history"]) == (
        "0005_add_due_on_to_task", "add", True,
    )  # fmt: skip
    # Turning history on for an entity with rows: its table comes after its new columns.
    turned_on = schema_history.plan_migrations(
        [{**PROJECT, "history": True, "fields": [TITLE, DUE_ON]}, kept_task], recorded
    )
    assert [(step["revision"], step.get("history")) for step in turned_on[4:]] == [
        ("0005_add_due_on_to_project", False),
        ("0006_history_project", False),
    ]
    assert [field["name"] for field in turned_on[-1]["fields"]] == ["title", "due_on"]


def test_turning_history_off_after_its_table_was_created_is_refused() -> None:
    recorded = schema_history.schema_history(
        schema_history.plan_migrations([PROJECT, {**TASK, "history": True}], [])
    )
    message = "entity Task: history: false, but migration 0003_history_task created its history"
    with pytest.raises(schema_history.SchemaChangeError, match=message):
        schema_history.plan_migrations([PROJECT, TASK], recorded)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"revision": "0003_history_task", "kind": "history", "entity": "Label"},
         "creates the history table of 'Label', which no earlier entry created"),
        ({"revision": "0003_history_task", "kind": "history", "entity": "Task", "columns": []},
         "is not a mapping of entity, kind, revision"),
    ],
)  # fmt: skip
def test_a_damaged_history_table_entry_is_refused(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(schema_history.SchemaChangeError, match=message):
        schema_history.plan_migrations([PROJECT, TASK], [*history(), entry])
