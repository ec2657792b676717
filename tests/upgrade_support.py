"""The upgrade matrix's pieces: the releases, their answer sets, and a team's work on a service.

The releases come from ``tools/releases.txt``, the file ``tools/tag_releases.py``
tags a clone from. The team's work is what a team does between two updates, done
through the tools it would use (``alembic revision``, ``--autogenerate``), on the
service's database: rows in every table, a data fix, an index of its own, a method.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import TEMPLATE_ROOT, run
from packaging.version import Version
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Column
from update_support import PROJECT, TASK_FIELDS, TemplateRepository, commit_all, git

RELEASES_FILE = TEMPLATE_ROOT / "tools" / "releases.txt"
# The parts of the repository that make a service: a release whose copies of them
# equal the working tree's is the current template, not an earlier release.
TEMPLATE_PARTS = ("copier.yml", "template", "extensions", "hooks")
TEAM_INDEX = "ix_team_task_title_priority"
TEAM_METHOD = '''

def titles_by_priority(tasks: list[Task]) -> list[str]:
    """The team's own query helper: titles, most urgent first."""
    return [task.title for task in sorted(tasks, key=lambda task: -task.priority)]
'''
# SQLite and PostgreSQL, the backends of the matrix, both concatenate with ||.
TEAM_DATA_FIX = "op.execute(\"UPDATE task SET title = 'fixed: ' || title WHERE priority = 0\")"
TEAM_INDEX_LINE = f'Index("{TEAM_INDEX}", TaskModel.title, TaskModel.priority)'
# The shared tables of the outbox of changes, which the template's outbox migration creates.
OUTBOX_TABLES = ("outbox_events", "outbox_lock")
# After the update, through the service's own code: a write adds its change to the outbox.
WRITE_A_PROJECT = """
from task_tracker.application.project_service import ProjectService
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

uow = SqlAlchemyUnitOfWork(create_session_factory(create_database_engine()))
ProjectService(uow).create(name="Written after the update", description=None)
"""


def releases() -> list[tuple[str, str]]:
    """``(tag, commit)`` of every release, oldest first."""
    lines = RELEASES_FILE.read_text().splitlines()
    return [tuple(line.split()) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def earlier_releases() -> list[tuple[str, str]]:
    """The releases whose template differs from the working tree's."""
    return [
        (tag, commit)
        for tag, commit in releases()
        if subprocess.run(
            ["git", "diff", "--quiet", commit, "--", *TEMPLATE_PARTS], cwd=TEMPLATE_ROOT
        ).returncode
        != 0
    ]


def checks_history(commit: str) -> bool:
    """Whether the release at ``commit`` checks the migration history after an update."""
    copier_yml = subprocess.run(
        ["git", "show", f"{commit}:copier.yml"], cwd=TEMPLATE_ROOT, capture_output=True, text=True
    )
    return "check_history.py" in copier_yml.stdout


def has_old_layout(commit: str) -> bool:
    """Whether the release at ``commit`` keeps revisions at the root ``migrations/versions/``."""
    tree = subprocess.run(
        ["git", "ls-tree", "-d", "--name-only", commit, "template/migrations"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        text=True,
    )
    return bool(tree.stdout.strip())


def current_tag() -> str:
    """A version above every release, for the working tree."""
    newest = max(Version(tag.lstrip("v")) for tag, _ in releases())
    return f"v{newest.major}.{newest.minor + 1}.0"


def template_with_releases(path: Path) -> TemplateRepository:
    """A template repository with every release tagged at its commit, then the working tree."""
    template = TemplateRepository(path)
    for tag, commit in releases():
        template.release_commit(commit, tag)
    template.release_working_tree(current_tag())
    return template


def rich_entities(tag: str) -> list[dict[str, Any]]:
    """Entities with a field of every type ``tag`` had, and a touching reference from 0.3.0."""
    has_references = Version(tag.lstrip("v")) >= Version("0.3.0")
    task_fields = TASK_FIELDS if has_references else TASK_FIELDS[1:]
    measure = {
        "name": "Measurement",
        "description": "A reading with a value of every kind",
        "fields": [
            {"name": "label", "type": "str", "max_length": 80, "unique": True},
            {"name": "notes", "type": "text", "nullable": True},
            {"name": "count", "type": "int", "default": 0},
            {"name": "ratio", "type": "float"},
            {"name": "amount", "type": "decimal"},
            {"name": "valid", "type": "bool", "default": True},
            {"name": "taken_on", "type": "date"},
            {"name": "taken_at", "type": "datetime", "nullable": True},
            {"name": "source", "type": "uuid"},
            *([{"name": "task_id", "type": "ref", "to": "Task", "touch": True}]
              if has_references else []),
        ],
    }  # fmt: skip
    return [PROJECT, {"name": "Task", "description": "A unit of work", "fields": task_fields},
            measure]  # fmt: skip


def sample(column: Column[Any], number: int, parents: dict[str, Any]) -> Any:
    """A value for ``column`` of row ``number``; references point at ``parents``' first rows."""
    for key in column.foreign_keys:
        return parents[key.column.table.name]
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    name = column.name
    if name == "id":
        return uuid.uuid4() if kind is uuid.UUID else uuid.uuid4().hex
    samples: dict[type, Any] = {
        bool: True,
        int: number,
        float: number + 0.5,
        Decimal: Decimal(f"{number}.25"),
        date: date(2026, 1, number),
        datetime: datetime(2026, 1, number, 12, 0, tzinfo=UTC),
        uuid.UUID: uuid.uuid4(),
    }
    if str(column.type) == "CHAR(32)":  # a uuid on SQLite
        return uuid.uuid4().hex
    if kind in samples:
        value = samples[kind]
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value
    return f"{name} {number}"


def store_rows(database_url: str, rows_per_table: int = 2) -> dict[str, int]:
    """Rows in every entity table, parents first, through reflection; their counts."""
    engine = create_engine(database_url)
    metadata = MetaData()
    metadata.reflect(engine)
    # Not the outbox's tables (a release from 0.5.0 has them): the service writes those.
    skipped = {"alembic_version", *OUTBOX_TABLES}
    tables = [table for table in metadata.sorted_tables if table.name not in skipped]
    with engine.begin() as connection:
        parents: dict[str, Any] = {}
        for table in tables:
            for number in range(1, rows_per_table + 1):
                values = {column.name: sample(column, number, parents) for column in table.columns}
                if "priority" in values:
                    values["priority"] = number - 1
                connection.execute(table.insert().values(values))
                parents.setdefault(table.name, values["id"])
    counts = row_counts_of(engine, [table.name for table in tables])
    engine.dispose()
    return counts


def row_counts_of(engine: Any, tables: list[str]) -> dict[str, int]:
    with engine.connect() as connection:
        return {table: count(connection, table) for table in tables}


def count(connection: Connection, table: str) -> int:
    return int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


def all_row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    counts = row_counts_of(engine, names)
    engine.dispose()
    return counts


def outbox_state(database_url: str) -> dict[str, Any] | None:
    """The outbox's events (entity, kind) in order and its lock rows' ids; None without its tables.

    One of the two tables without the other fails: the outbox migration creates both.
    """
    engine = create_engine(database_url)
    try:
        if not set(OUTBOX_TABLES) & set(inspect(engine).get_table_names()):
            return None
        with engine.connect() as connection:
            events = connection.execute(
                text("SELECT aggregate_type, event_type FROM outbox_events ORDER BY position")
            )
            return {
                "events": [tuple(event) for event in events],
                "lock": list(connection.scalars(text("SELECT id FROM outbox_lock"))),
            }
    finally:
        engine.dispose()


def database_revisions(database_url: str) -> list[str]:
    """The revisions the database is at (its ``alembic_version`` rows)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        revisions = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return revisions


def fixed_titles(database_url: str) -> int:
    """How many task titles the team's data fix rewrote."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        titles = connection.scalars(select(text("title")).select_from(text("task"))).all()
    engine.dispose()
    return sum(title.startswith("fixed: ") for title in titles)


def alembic(service: Path, env: dict[str, str], *arguments: str) -> str:
    return run([sys.executable, "-m", "alembic", *arguments], service, env)


def new_revision_file(service: Path, output: str) -> Path:
    match = re.search(r"Generating (\S+\.py)", output)
    assert match, output
    return Path(match[1])


def add_team_work(service: Path, env: dict[str, str]) -> None:
    """A team's work on a service at any release, on its database, committed.

    A hand-written data-fix revision, an index declared on the Task model and its
    autogenerated revision, and a helper in the team-owned Task entity module.
    """
    package = service / "src" / "task_tracker"
    written = alembic(service, env, "revision", "-m", "team data fix")
    data_fix = new_revision_file(service, written)
    source = data_fix.read_text()
    assert source.count("    pass\n") == 2, source
    data_fix.write_text(source.replace("    pass\n", f"    {TEAM_DATA_FIX}\n", 1))
    alembic(service, env, "upgrade", "head")

    model = package / "infrastructure" / "orm" / "task_model.py"
    source = model.read_text()
    imports = re.search(r"^from sqlalchemy import (.+)$", source, re.MULTILINE)
    assert imports, source
    names = sorted({*imports[1].split(", "), "Index"})
    source = source.replace(imports[0], f"from sqlalchemy import {', '.join(names)}")
    model.write_text(f"{source}\n\n{TEAM_INDEX_LINE}\n")
    written = alembic(service, env, "revision", "--autogenerate", "-m", "team index")
    assert TEAM_INDEX in new_revision_file(service, written).read_text()
    alembic(service, env, "upgrade", "head")

    entity = package / "domain" / "task.py"
    entity.write_text(entity.read_text() + TEAM_METHOD)
    # As the team's pre-commit would: its revisions lint clean before they are committed.
    for revision in (data_fix, new_revision_file(service, written)):
        run([sys.executable, "-m", "ruff", "check", "--quiet", "--fix", str(revision)], service)
    run([sys.executable, "-m", "ruff", "format", "--quiet", "."], service)
    commit_all(service, "Team work: a data fix, an index on Task, a helper")


def team_revision_files(service: Path) -> list[str]:
    """The team's revision files, wherever they are in the service."""
    return sorted(
        str(path.relative_to(service))
        for path in service.rglob("*.py")
        if path.name.endswith(("_team_data_fix.py", "_team_index.py")) and ".venv" not in path.parts
    )


def head_revisions(service: Path, env: dict[str, str]) -> list[str]:
    return [line.split()[0] for line in alembic(service, env, "heads").splitlines() if line]


def initial_commit(service: Path) -> str:
    return git(service, "rev-list", "--max-parents=0", "HEAD").strip()
