"""`copier update` adds a field to an entity that keeps its history, with rows and history stored.

The field's column and its history column come in one migration; the history
rows already kept keep their values; the same update turns actor_columns on, whose
columns come in that migration too, empty for the rows stored before; the
updated service passes its tests on the database's kind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml
from conftest import SERVERS, passed_count, run
from sqlalchemy import create_engine, text
from update_support import PROJECT, TASK, TemplateRepository, copier, copy_service, service_env

HISTORY_PROJECT = {**PROJECT, "history": True}
BUDGET = {"name": "budget", "type": "int", "default": 0}
# Stores a project and changes it: two history rows, the second with the new description.
STORE_AND_CHANGE = """
from task_tracker.application.actor import acting_as
from task_tracker.domain.project import Project
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.repositories.project_repository import ProjectRepository

factory = create_session_factory(create_database_engine())
with acting_as("before-update"), factory.begin() as session:
    project = Project(name="Apollo", description="first")
    ProjectRepository(session).save(project)
with acting_as("before-update"), factory.begin() as session:
    loaded = ProjectRepository(session).get_by_id(project.id)
    loaded.update_description("second")
    ProjectRepository(session).save(loaded)
"""
# Changes the project's new field after the update: a third history row with it.
CHANGE_BUDGET = """
from task_tracker.application.actor import acting_as
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.repositories.project_repository import ProjectRepository

factory = create_session_factory(create_database_engine())
with acting_as("after-update"), factory.begin() as session:
    repository = ProjectRepository(session)
    (project,) = repository.list(limit=1, offset=0, order_by="name")
    project.update_budget(7)
    repository.save(project)
# The history is written at commit: read it in a transaction of its own.
with factory() as session:
    rows = ProjectRepository(session)
    entries = rows.history(project.id)
    print(sorted(rows.diff(project.id, 2, 3)))
print([(e.kind.value, e.version, e.values.get("description"), e.values.get("budget"), e.actor)
       for e in entries])
"""
HISTORY_ROWS = (
    "SELECT history_change, version, description, budget, history_actor FROM project_history "
    "ORDER BY history_id"
)
ACTORS = "SELECT created_by, updated_by FROM project"
# The tests of the updated service that need its database.
DATABASE_TESTS = ["tests/integration", "tests/migrations", "tests/operations"]


def test_a_field_added_to_an_entity_with_history_gets_its_history_column_in_one_migration(
    tmp_path: Path, service_database: str
) -> None:
    template = TemplateRepository(tmp_path / "template")
    template.release_working_tree("v1.0.0")
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"entities": [HISTORY_PROJECT, TASK]}))
    service = copy_service(template, "v1.0.0", tmp_path / "service", answers)
    env = service_env(service_database)
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    run([sys.executable, "-c", STORE_AND_CHANGE], service, env)

    answers.write_text(
        yaml.safe_dump(
            {
                "entities": [
                    {
                        **HISTORY_PROJECT,
                        "actor_columns": True,
                        "fields": [*PROJECT["fields"], BUDGET],
                    },
                    TASK,
                ]
            }
        )
    )
    updated = copier(
        "update", "--trust", "--defaults", "--data-file", str(answers), "--vcs-ref", "v1.0.0",
        cwd=service,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stdout
    versions = service / "src" / "task_tracker" / "migrations" / "versions"
    added = versions / "0005_add_3_columns_to_project.py"
    source = added.read_text()
    assert 'op.batch_alter_table("project")' in source
    assert 'op.batch_alter_table("project_history")' in source
    # The actor columns are the row's, not the history's (history_actor names who).
    assert source.count('sa.Column("created_by"') == 1
    heads = run([sys.executable, "-m", "alembic", "heads"], service, env)
    assert heads.split() == ["0005_add_3_columns_to_project", "(head)"]

    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    engine = create_engine(service_database)
    with engine.connect() as connection:
        kept = [tuple(row) for row in connection.execute(text(HISTORY_ROWS))]
        actors_before = connection.execute(text(ACTORS)).one()
    assert tuple(actors_before) == (None, None)
    # The entries kept before the update take the new field's default, as the rows do.
    assert kept == [
        ("created", 1, "first", 0, "before-update"),
        ("changed", 2, "second", 0, "before-update"),
    ]
    read = run([sys.executable, "-c", CHANGE_BUDGET], service, env)
    with engine.connect() as connection:
        assert tuple(connection.execute(text(ACTORS)).one()) == (None, "after-update")
    engine.dispose()
    # Only the field the change wrote differs between its versions.
    assert read.strip().splitlines()[-2] == "['budget']"
    assert read.strip().splitlines()[-1] == str(
        [
            ("created", 1, "first", 0, "before-update"),
            ("changed", 2, "second", 0, "before-update"),
            ("changed", 3, "second", 7, "after-update"),
        ]
    )

    test_env = {**os.environ}
    tests: list[str] = []
    if not service_database.startswith("sqlite"):
        kind = "mariadb" if service_database.startswith("mysql") else "postgresql"
        test_env["TEST_DATABASE_URL"] = SERVERS[kind].format(database="test")
        tests = DATABASE_TESTS
    run([sys.executable, "-m", "ruff", "check", "."], service)
    output = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests], service, test_env
    )
    assert passed_count(output) > 0
