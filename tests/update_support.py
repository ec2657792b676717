"""Helpers for the update tests: a versioned copy of the template, and running copier."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from conftest import TEMPLATE_ROOT, run
from packaging.version import Version
from sqlalchemy import create_engine, inspect, text

# The default answers' entities, as a team would list them in an answers file.
PROJECT = {
    "name": "Project",
    "description": "A body of work that groups tasks",
    "fields": [
        {"name": "name", "type": "str", "max_length": 200, "unique": True},
        {"name": "description", "type": "text", "nullable": True},
    ],
}
TASK_FIELDS: list[dict[str, Any]] = [
    {"name": "project_id", "type": "ref", "to": "Project", "touch": True},
    {"name": "title", "type": "str", "max_length": 200},
    {"name": "description", "type": "text", "nullable": True},
    {"name": "status", "type": "str", "max_length": 20, "default": "todo"},
    {"name": "priority", "type": "int", "default": 0},
]
TASK = {"name": "Task", "description": "A unit of work", "fields": TASK_FIELDS}

GIT_IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]


def git(directory: Path, *arguments: str) -> str:
    return run(["git", *GIT_IDENTITY, *arguments], directory)


def working_tree_files() -> list[str]:
    """The template's files as git sees them, uncommitted changes and new files included."""
    listed = git(TEMPLATE_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [name for name in listed.split("\0") if name and (TEMPLATE_ROOT / name).is_file()]


class TemplateRepository:
    """A git repository of the template, released as successive tagged versions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch=main")

    def release_commit(self, commit: str, tag: str) -> None:
        """Release the template as it was at ``commit`` of the real repository."""
        self._clear()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit],
            cwd=TEMPLATE_ROOT,
            stdout=subprocess.PIPE,
            check=True,
        )
        subprocess.run(["tar", "-x"], cwd=self.path, input=archive.stdout, check=True)
        self._commit(tag)

    def release_working_tree(self, tag: str) -> None:
        """Release the template's working tree, uncommitted changes included."""
        self._clear()
        for name in working_tree_files():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / name, target)
        self._commit(tag)

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace ``old`` (which must occur once) by ``new`` in a template file."""
        path = self.path / relative
        text = path.read_text()
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
        path.write_text(text.replace(old, new))

    def release(self, tag: str) -> None:
        """Release the edits made since the last release."""
        self._commit(tag)

    def _clear(self) -> None:
        for child in self.path.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()

    def _commit(self, tag: str) -> None:
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", f"release {tag}")
        git(self.path, "tag", tag)


def released_twice(path: Path) -> TemplateRepository:
    """The working tree released as v1.0.0, then again unchanged as v1.1.0."""
    template = TemplateRepository(path)
    template.release_working_tree("v1.0.0")
    template.release("v1.1.0")
    return template


def copier(
    *arguments: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the copier CLI (in ``env``, default this process's); the caller checks the outcome."""
    return subprocess.run(
        [sys.executable, "-m", "copier", *arguments],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def checks_off(tag: str) -> str:
    """``--data`` that turns the post-generation checks off, in ``tag``'s answers format."""
    return "run_checks=false" if Version(tag.lstrip("v")) < Version("0.2.0") else "checks=none"


def copy_service(
    template: TemplateRepository, tag: str, destination: Path, answers: Path | None = None
) -> Path:
    """Copy ``template`` at ``tag`` without checks, and commit the result in a new repository.

    ``answers``: a data file of answers to copy with, instead of the defaults.
    """
    data_file = ["--data-file", str(answers)] if answers else []
    copied = copier(
        "copy", "--trust", "--defaults", "--vcs-ref", tag, "--data", checks_off(tag), *data_file,
        str(template.path), str(destination), cwd=destination.parent,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    git(destination, "init", "--quiet", "--initial-branch=main")
    commit_all(destination, f"Generated at {tag}")
    return destination


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", message)


def digests(directory: Path) -> dict[str, str]:
    """SHA-256 of every file directly in ``directory``, by name."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def conflict_leftovers(project: Path) -> list[str]:
    """Conflict markers and .rej files anywhere in the project (outside .git and .venv)."""
    found: list[str] = []
    for path in project.rglob("*"):
        parts = path.relative_to(project).parts
        if not path.is_file() or {".git", ".venv"}.intersection(parts):
            continue
        if path.suffix == ".rej":
            found.append(str(path))
            continue
        lines = path.read_text(errors="replace").splitlines()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines):
            found.append(str(path))
    return found


# Rows a team stores in the default service (Project, Task) before it updates.
STORE_ROWS = """
from task_tracker.application.project_service import ProjectService
from task_tracker.application.task_service import TaskService
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

uow = SqlAlchemyUnitOfWork(create_session_factory(create_database_engine()))
project = ProjectService(uow).create(name="Launch")
tasks = TaskService(uow)
for number in range(3):
    status = "done" if number else "todo"
    tasks.create(project_id=project.id, title=f"task {number}", status=status)
"""

# After the update: a task labelled, then its label deleted; the reference, added
# with on_delete: set_null, is emptied through the updated_at rule.
DELETE_A_LABEL = """
from datetime import UTC, datetime

from task_tracker.application.label_service import LabelService
from task_tracker.application.task_service import TaskService
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

uow = SqlAlchemyUnitOfWork(create_session_factory(create_database_engine()))
label = LabelService(uow).create(title="urgent")
tasks = TaskService(uow)
task = tasks.list_updated_since(datetime(1970, 1, 1, tzinfo=UTC))[0]
labelled = tasks.update(task.id, {"label_id": label.id})
LabelService(uow).delete(label.id)
emptied = tasks.get(task.id)
assert emptied.label_id is None, emptied
assert emptied.version == labelled.version + 1, (emptied, labelled)
assert emptied.updated_at > labelled.updated_at, (emptied, labelled)
print("label_id emptied")
"""


def service_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": "src"}


def row_counts(database_url: str, tables: tuple[str, ...] = ("project", "task")) -> dict[str, int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        counts = {
            table: connection.scalar(text(f"SELECT count(*) FROM {table}")) for table in tables
        }
    engine.dispose()
    return counts


def index_names(database_url: str, table: str) -> set[str]:
    engine = create_engine(database_url)
    names = {index["name"] for index in inspect(engine).get_indexes(table)}
    engine.dispose()
    return {name for name in names if name}


def foreign_key_actions(database_url: str, table: str) -> dict[str, str | None]:
    """The ON DELETE action of each foreign key of ``table``, by its column."""
    engine = create_engine(database_url)
    keys = inspect(engine).get_foreign_keys(table)
    engine.dispose()
    return {key["constrained_columns"][0]: key["options"].get("ondelete") for key in keys}


# Headings of the generated README whose commands the tests run.
UPDATING = "## Updating: new entities, new fields, better patterns"
OWN_MIGRATIONS = "### Your own migrations"
RECOVERY = "### Recovering from an interrupted or conflicted update"

# A fenced code block in Markdown, possibly indented (inside a list item).
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<language>\w*)\n(?P<body>.*?)^(?P=indent)```", re.MULTILINE | re.DOTALL
)


def code_blocks(readme: Path, heading: str, language: str) -> list[str]:
    """The ``language`` code blocks that follow ``heading`` in ``readme``, dedented, in order."""
    text = readme.read_text()
    start = text.index(f"\n{heading}\n")
    return [
        textwrap.dedent(match["body"])
        for match in FENCE.finditer(text, start)
        if match["language"] == language
    ]


def command_line(readme: Path, heading: str, starts_with: str) -> str:
    """The one line of a shell block after ``heading`` that starts with ``starts_with``."""
    lines = [
        line
        for block in code_blocks(readme, heading, "sh") + code_blocks(readme, heading, "bash")
        for line in block.splitlines()
        if line.startswith(starts_with)
    ]
    assert lines, f"no command starting with {starts_with!r} after {heading!r} in {readme}"
    return lines[0]


def shell(command: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a README's command line (or block) with bash; fail the test if it fails."""
    return run(["bash", "-e", "-c", command], cwd, env)


def git_state(project: Path) -> tuple[str, str]:
    """The commit checked out, and ``git status`` (untracked files included)."""
    return (
        git(project, "rev-parse", "HEAD").strip(),
        git(project, "status", "--porcelain", "--untracked-files=all"),
    )
