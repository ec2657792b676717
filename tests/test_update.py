"""`copier update` on a service with team code and data: nothing of the team's is lost.

The template's working tree (uncommitted changes included) is released as
v1.0.0 in a temporary git repository; v1.1.0 adds a method to the base entity.
A service is copied at v1.0.0 (its tasks cascade from their project), the team
edits it and stores rows, then updates to v1.1.0 while adding an entity and
fields: a NOT NULL column on the project table, and on the task table an enum
and a reference that is emptied when its row is deleted, among them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SERVERS, StepRun, passed_count, run, run_workflow_step
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from update_support import (
    DELETE_A_LABEL,
    PROJECT,
    RECOVERY,
    STORE_ROWS,
    TASK,
    TASK_FIELDS,
    TemplateRepository,
    code_blocks,
    commit_all,
    conflict_leftovers,
    copier,
    copy_service,
    digests,
    foreign_key_actions,
    git,
    git_state,
    index_names,
    row_counts,
    service_env,
    shell,
)

BASE_ENTITY = "template/src/{{package_name}}/domain/base_entity.py"
NEW_PATTERN_METHOD = '''    def age_in_days(self) -> float:
        """Days since ``created_at``, by the active clock."""
        assert self.created_at is not None
        return (utc_now() - self.created_at).total_seconds() / 86400

    def touch(self'''

ESTIMATE = {"name": "estimate", "type": "int", "default": 1}
STAGE = {
    "name": "stage",
    "type": "enum",
    "choices": ["backlog", "doing", "shipped"],
    "default": "backlog",
    "index": True,
}
LABEL_REFERENCE = {
    "name": "label_id",
    "type": "ref",
    "to": "Label",
    "nullable": True,
    "touch": True,
    "on_delete": "set_null",
}
LABEL = {"name": "Label", "fields": [{"name": "title", "type": "str", "max_length": 80}]}
# Deleting a project deletes its tasks. On SQLite, adding a NOT NULL column to the
# project table copies the table and drops the old one; the stored tasks must stay.
CASCADING_TASK_FIELDS = [{**TASK_FIELDS[0], "on_delete": "cascade"}, *TASK_FIELDS[1:]]
ENTITIES_BEFORE = [PROJECT, {**TASK, "fields": CASCADING_TASK_FIELDS}]
BUDGET = {"name": "budget", "type": "int", "default": 0}
ENTITIES_AFTER = [
    {**PROJECT, "fields": [*PROJECT["fields"], BUDGET]},
    {**TASK, "fields": [*CASCADING_TASK_FIELDS, ESTIMATE, LABEL_REFERENCE, STAGE]},
    LABEL,
]

TEAM_METHOD = '''
    def is_done(self) -> bool:
        """Whether the task is finished."""
        return self.status == "done"
'''
TEAM_QUERY = '''
    def find_by_status(self, status: str) -> list[Task]:
        """Tasks with ``status``, oldest change first."""
        model = self.model_type
        query = select(model).where(model.status == status).order_by(model.updated_at)
        return self.find_all(query)
'''
TEAM_UNIT_TEST = '''"""The team's own rules of Task."""

from tests.factories.task import new_task


def test_a_task_whose_status_is_done_is_done() -> None:
    assert new_task(status="done").is_done()
    assert not new_task(status="todo").is_done()
'''
TEAM_QUERY_TEST = '''"""The team's own queries on tasks."""

from sqlalchemy.orm import Session

from task_tracker.infrastructure.repositories.task_repository import TaskRepository
from tests.factories.task import new_task, store_references


def test_find_by_status(session: Session) -> None:
    references = store_references(session)
    repository = TaskRepository(session)
    done = repository.save(new_task(status="done", **references))
    repository.save(new_task(status="todo", **references))
    assert [task.id for task in repository.find_by_status("done")] == [done.id]
'''


def append(path: Path, addition: str) -> None:
    path.write_text(path.read_text() + addition)


def make_team_edits(service: Path) -> None:
    package = service / "src" / "task_tracker"
    append(package / "domain" / "task.py", TEAM_METHOD)
    # The repository imports select() already, for its example query.
    append(package / "infrastructure" / "repositories" / "task_repository.py", TEAM_QUERY)
    (service / "tests" / "unit" / "test_task_rules.py").write_text(TEAM_UNIT_TEST)
    (service / "tests" / "integration" / "test_task_queries.py").write_text(TEAM_QUERY_TEST)


def test_update_keeps_team_code_and_data_and_adds_entity_field_and_pattern(
    tmp_path: Path, service_database: str
) -> None:
    template = TemplateRepository(tmp_path / "template")
    template.release_working_tree("v1.0.0")
    template.edit(BASE_ENTITY, "    def touch(self", NEW_PATTERN_METHOD)
    template.release("v1.1.0")
    checks_after_update = service_database.startswith("sqlite")

    answers_before = tmp_path / "answers_before.yml"
    answers_before.write_text(yaml.safe_dump({"entities": ENTITIES_BEFORE}))
    service = copy_service(template, "v1.0.0", tmp_path / "service", answers_before)
    make_team_edits(service)
    commit_all(service, "Team code: Task.is_done, TaskRepository.find_by_status, their tests")

    env = service_env(service_database)
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    run([sys.executable, "-c", STORE_ROWS], service, env)
    rows_before = row_counts(service_database)
    assert rows_before == {"project": 1, "task": 3}
    versions = service / "src" / "task_tracker" / "migrations" / "versions"
    migrations_before = digests(versions)
    team_files = {
        path: (service / path).read_text()
        for path in (
            "src/task_tracker/domain/task.py",
            "src/task_tracker/infrastructure/repositories/task_repository.py",
            "tests/unit/test_task_rules.py",
            "tests/integration/test_task_queries.py",
        )
    }

    answers = tmp_path / "answers.yml"
    answers.write_text(
        yaml.safe_dump(
            {"entities": ENTITIES_AFTER, "checks": "all" if checks_after_update else "none"}
        )
    )
    updated = copier(
        "update", "--trust", "--defaults", "--data-file", str(answers), "--vcs-ref", "v1.1.0",
        cwd=service,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stdout

    # The post-update checks ran once, in the service, after the merge.
    runs = updated.stdout.count("Checking the generated service in")
    assert runs == (1 if checks_after_update else 0), updated.stdout
    if checks_after_update:
        assert f"Checking the generated service in {service}" in updated.stdout
        assert "All checks passed." in updated.stdout

    assert conflict_leftovers(service) == []
    for path, text_before in team_files.items():
        assert (service / path).read_text() == text_before, path
    base_entity = (service / "src" / "task_tracker" / "domain" / "base_entity.py").read_text()
    assert "def age_in_days(self) -> float:" in base_entity
    assert (
        "estimate: int = 1"
        in (service / "src" / "task_tracker" / "domain" / "task_fields.py").read_text()
    )
    assert (service / "src" / "task_tracker" / "domain" / "label.py").is_file()

    # Old migrations byte for byte; one new migration per change, in one line.
    # The service had its outbox migration (0003) already: the new ones follow it.
    assert sorted(migrations_before)[-1] == "0003_outbox.py"
    migrations_after = digests(versions)
    assert {name: migrations_after[name] for name in migrations_before} == migrations_before
    added = sorted(set(migrations_after) - set(migrations_before))
    assert added == [
        "0004_create_label.py",
        "0005_add_budget_to_project.py",
        "0006_add_3_columns_to_task.py",
    ]
    for revision, previous in zip(added, ["0003_outbox", *added], strict=False):
        down_revision = f'down_revision: str | None = "{previous.removesuffix(".py")}"'
        assert down_revision in (versions / revision).read_text()
    heads = run([sys.executable, "-m", "alembic", "heads"], service, env)
    assert heads.split() == ["0006_add_3_columns_to_task", "(head)"]

    # The existing database migrates forward and keeps every row: the tasks too,
    # though their project table changed and they cascade from it.
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    assert row_counts(service_database) == rows_before
    engine = create_engine(service_database)
    with engine.connect() as connection:
        assert set(connection.scalars(text("SELECT budget FROM project"))) == {0}
        assert set(connection.scalars(text("SELECT estimate FROM task"))) == {1}
        assert set(connection.scalars(text("SELECT stage FROM task"))) == {"backlog"}
    assert "ix_task_stage" in index_names(service_database, "task")
    # The new enum column has its CHECK constraint on the table that had rows.
    with pytest.raises(DBAPIError, match="ck_task_stage"), engine.begin() as connection:
        connection.execute(text("UPDATE task SET stage = 'shelved'"))
    engine.dispose()
    # The new reference's foreign key empties it when its label is deleted.
    assert foreign_key_actions(service_database, "task") == {
        "project_id": "CASCADE",
        "label_id": "SET NULL",
    }
    assert "label_id emptied" in run([sys.executable, "-c", DELETE_A_LABEL], service, env)

    # The updated service passes its own checks, on this database's kind.
    test_env = {**os.environ}
    if not checks_after_update:
        kind = "mariadb" if service_database.startswith("mysql") else "postgresql"
        test_env["TEST_DATABASE_URL"] = SERVERS[kind].format(database="test")
    run([sys.executable, "-m", "ruff", "format", "--check", "."], service)
    run([sys.executable, "-m", "ruff", "check", "."], service)
    output = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], service, test_env
    )
    assert passed_count(output) > 0


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        (
            [PROJECT],
            "entity 'Task' is missing from the answers, but migration 0002_create_task "
            "created its table",
        ),
        (
            [PROJECT, {**TASK, "name": "Job"}],
            "entity 'Task' is missing from the answers",
        ),
        (
            [PROJECT, {**TASK, "fields": TASK_FIELDS[:4]}],
            "field Task.priority is missing from the answers, but migration 0002_create_task "
            "created its column",
        ),
        (
            [
                PROJECT,
                {
                    **TASK,
                    "fields": [
                        TASK_FIELDS[0],
                        {**TASK_FIELDS[1], "max_length": 300},
                        *TASK_FIELDS[2:],
                    ],
                },
            ],
            "field Task.title: max_length 200 -> 300 would change the column that migration "
            "0002_create_task created",
        ),
        (
            [
                PROJECT,
                {
                    **TASK,
                    "fields": [TASK_FIELDS[0], {**TASK_FIELDS[1], "index": True}, *TASK_FIELDS[2:]],
                },
            ],
            "field Task.title: index None -> True would change the column that migration "
            "0002_create_task created",
        ),
        (
            [
                PROJECT,
                {**TASK, "fields": [{**TASK_FIELDS[0], "on_delete": "cascade"}, *TASK_FIELDS[1:]]},
            ],
            "field Task.project_id: on_delete 'restrict' -> 'cascade' would change the column that "
            "migration 0002_create_task created",
        ),
        (
            [PROJECT, {**TASK, "indexes": [{"fields": ["title", "priority"]}]}],
            "entity Task: indexes [] -> [{'fields': ['title', 'priority'], 'unique': False}] "
            "would change the table that migration 0002_create_task created",
        ),
        (
            [PROJECT, {**TASK, "fields": [*TASK_FIELDS, {"name": "due_on", "type": "date"}]}],
            "field Task.due_on is new on the existing table 'task' and has no default",
        ),
    ],
    ids=[
        "remove-entity",
        "rename-entity",
        "remove-field",
        "change-column",
        "index-an-existing-column",
        "change-on-delete",
        "add-a-composite-index",
        "new-not-null-field",
    ],
)
def test_an_update_that_would_lose_or_rewrite_schema_is_refused_and_changes_nothing(
    tmp_path: Path, entities: list[dict[str, Any]], message: str
) -> None:
    template = TemplateRepository(tmp_path / "template")
    template.release_working_tree("v1.0.0")
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"entities": entities}))

    updated = copier("update", "--trust", "--defaults", "--data-file", str(answers), cwd=service)

    assert updated.returncode != 0
    assert "Validation error for question 'entities'" in updated.stdout
    assert message in " ".join(updated.stdout.split()), updated.stdout
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_conflict_fails_the_update_even_with_checks_none_and_the_readme_undoes_it(
    tmp_path: Path,
) -> None:
    newer_docstring = '"""Whether the entity changed after ``moment`` (naive means UTC)."""'
    template = TemplateRepository(tmp_path / "template")
    template.release_working_tree("v1.0.0")
    template.edit(BASE_ENTITY, newer_docstring, '"""Whether it changed (template)."""')
    template.release("v1.1.0")
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    base_entity = service / "src" / "task_tracker" / "domain" / "base_entity.py"
    base_entity.write_text(
        base_entity.read_text().replace(newer_docstring, '"""Whether it changed (team)."""')
    )
    commit_all(service, "Team edit in a file the template owns")
    last_commit = git_state(service)
    team_text = base_entity.read_text()
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"checks": "none", "entities": [PROJECT, TASK, LABEL]}))

    updated = copier(
        "update", "--trust", "--defaults", "--data-file", str(answers), "--vcs-ref", "v1.1.0",
        cwd=service,
    )  # fmt: skip

    # `checks: none` runs the conflict check alone, and the conflict fails the update.
    assert updated.returncode != 0, updated.stdout
    lines = base_entity.read_text().splitlines()
    marker = lines.index("<<<<<<< before updating") + 1
    assert (
        f"src/task_tracker/domain/base_entity.py:{marker}: <<<<<<< before updating"
        in updated.stdout
    )
    assert "Looking for merge conflicts left by an update: FAILED" in updated.stdout
    assert "Looking for merge conflicts in" in updated.stdout
    assert "Checking the generated service in" not in updated.stdout
    assert not (service / ".venv").exists()
    assert (service / "src" / "task_tracker" / "domain" / "label.py").is_file()

    # The scheduled workflow (template-update.yml), on a copy of the runner's checkout
    # after this update: a pull request marked for the conflict, the conflict listed.
    checkout = tmp_path / "checkout"
    shutil.copytree(service, checkout, symlinks=True)
    report = workflow_report(checkout, tmp_path / "runner", updated.returncode)
    assert report.returncode == 0, report.stdout
    assert report.outputs["conflicts"] == "2"  # the two marker lines of one conflict
    assert report.outputs["title"] == "[conflicts] Template update to v1.1.0"
    assert report.outputs["labels"] == "template-update,merge-conflicts"
    body = Path(report.outputs["body"]).read_text()
    assert "## Merge conflicts: resolve before merging" in body
    assert f"src/task_tracker/domain/base_entity.py:{marker}:<<<<<<< before updating" in body
    assert "from /template/url, v1.0.0 to v1.1.0," in body
    assert git(checkout, "diff", "--cached", "--name-only", "--diff-filter=U") == ""
    assert "src/task_tracker/domain/label.py" in git(checkout, "diff", "--cached", "--name-only")

    # `git checkout` refuses the unmerged file; the README's recovery restores the
    # last commit, the update's new files gone, the team's edit intact.
    checkout = subprocess.run(
        ["git", "checkout", "--", "."], cwd=service, capture_output=True, text=True, check=False
    )
    assert checkout.returncode != 0 and "unmerged" in checkout.stderr, checkout
    recovery = code_blocks(service / "README.md", RECOVERY, "sh")[0]
    shell(recovery, service)
    assert git_state(service) == last_commit
    assert base_entity.read_text() == team_text
    assert not (service / "src" / "task_tracker" / "domain" / "label.py").exists()

    # With no conflict, a failed update opens no pull request; a passed one does.
    failed = workflow_report(service, tmp_path / "runner", 1)
    assert failed.returncode == 1
    assert "copier update failed (exit 1) and left no conflict: no pull request" in failed.stdout
    passed = workflow_report(service, tmp_path / "runner", 0)
    assert passed.returncode == 0, passed.stdout
    assert passed.outputs["title"] == "Template update to v1.0.0"
    assert passed.outputs["labels"] == "template-update"
    body = Path(passed.outputs["body"]).read_text()
    assert "No conflicts (with `checks: none` the update ran no other check)." in body
    assert git_state(service) == last_commit


def workflow_report(checkout: Path, runner_temp: Path, status: int) -> StepRun:
    """The "Conflict report" step of the service's template-update workflow, in ``checkout``."""
    workflow = checkout / ".github" / "workflows" / "template-update.yml"
    env = {
        "UPDATE_STATUS": str(status),
        "FROM_COMMIT": "v1.0.0",
        "TEMPLATE_URL": "/template/url",
        "RUN_URL": "https://github.com/example/service/actions/runs/1",
    }
    return run_workflow_step(workflow, "Conflict report", checkout, runner_temp, env)
