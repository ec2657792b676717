"""An update never reports success over a migration history the team cannot use.

``hooks/check_history.py`` runs after every update, whatever ``checks`` says. Here a
service of the working tree is updated to the next release with a revision lying
outside its history, with a revision whose parent no file defines, and with its
database at a revision the history lacks: each update exits non-zero, naming the
file or revision and the fix. A database behind the head is checked through the
service's own environment, and ``alembic upgrade <revision>:head --sql`` renders.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run, server_database
from update_support import (
    PROJECT,
    TASK,
    TemplateRepository,
    commit_all,
    copier,
    copy_service,
    released_twice,
)

LABEL = {"name": "Label", "fields": [{"name": "title", "type": "str", "max_length": 80}]}
PACKAGE = Path("src") / "task_tracker"
VERSIONS = PACKAGE / "migrations" / "versions"
ORPHAN = '''"""A team revision kept outside the history."""

revision = "a1b2c3d4e5f6"
down_revision = "0002_create_task"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepository:
    return released_twice(tmp_path_factory.mktemp("history") / "template")


def update(service: Path, env: dict[str, str] | None = None, *arguments: str) -> tuple[int, str]:
    updated = copier("update", "--trust", "--defaults", *arguments, cwd=service, env=env)
    return updated.returncode, updated.stdout


@pytest.mark.parametrize(
    ("path", "source", "message", "refused_by"),
    [
        (
            "db/revisions/a1b2c3d4e5f6_price_index.py",
            ORPHAN,
            "db/revisions/a1b2c3d4e5f6_price_index.py: revision 'a1b2c3d4e5f6' lies outside "
            f"the history in {VERSIONS}/, so Alembic never reads it. Move it there (git mv "
            f"db/revisions/a1b2c3d4e5f6_price_index.py {VERSIONS}/)",
            # After the merge: the template renders nothing from that directory.
            "Checking the migration history: FAILED",
        ),
        (
            f"{VERSIONS}/a1b2c3d4e5f6_price_index.py",
            ORPHAN.replace('"0002_create_task"', '"f00dfeedbeef"'),
            f"{VERSIONS}/a1b2c3d4e5f6_price_index.py: revision 'a1b2c3d4e5f6' follows "
            f"'f00dfeedbeef', which no file of {VERSIONS}/ defines; restore that revision's file",
            # Before anything is rendered: the next migration would follow a broken history.
            "Validation error for question 'entities'",
        ),
    ],
    ids=["outside-the-history", "parent-missing"],
)
def test_an_orphan_revision_fails_the_update_naming_it_and_the_fix(
    template: TemplateRepository,
    tmp_path: Path,
    path: str,
    source: str,
    message: str,
    refused_by: str,
) -> None:
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    (service / path).parent.mkdir(parents=True, exist_ok=True)
    (service / path).write_text(source)
    commit_all(service, "A team revision")

    returncode, output = update(service)

    assert returncode != 0, output
    assert message in output, output
    assert refused_by in output, output


def test_a_database_at_an_unknown_revision_fails_the_update(
    template: TemplateRepository, tmp_path: Path
) -> None:
    service, env = migrated_on_sqlite(template, tmp_path)
    database = service / "var" / "task_tracker.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'c0ffee000001'")

    returncode, output = update(service, env)

    assert returncode != 0, output
    assert (
        f"the database sqlite:///{database} is at revision 'c0ffee000001', which no file of "
        f"{VERSIONS}/ defines, so alembic upgrade head cannot run." in output
    ), output
    assert "alembic stamp --purge <revision>" in output


def test_a_setting_elsewhere_in_dot_env_does_not_hide_the_sqlite_database(
    template: TemplateRepository, tmp_path: Path
) -> None:
    """``.env`` naming only TEST_DATABASE_URL (and a commented DATABASE_URL) keeps the default."""
    service, env = migrated_on_sqlite(template, tmp_path)
    (service / ".env").write_text(
        "TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres\n"
        "# DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/elsewhere\n"
    )
    with sqlite3.connect(service / "var" / "task_tracker.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'c0ffee000003'")

    returncode, output = update(service, env)

    assert returncode != 0, output
    assert "is at revision 'c0ffee000003'" in output, output


def test_a_sqlite_database_behind_the_head_is_upgraded_on_a_copy(
    template: TemplateRepository, tmp_path: Path
) -> None:
    """A new NOT NULL column rebuilds the table (batch mode), which --sql cannot render."""
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    service_venv(service)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PYTHONPATH"] = "src"
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    database = service / "var" / "task_tracker.sqlite3"
    before = database.read_bytes()
    estimate = {"name": "estimate", "type": "int", "default": 1}
    answers = tmp_path / "answers.yml"
    answers.write_text(
        yaml.safe_dump({"entities": [PROJECT, {**TASK, "fields": [*TASK["fields"], estimate]}]})
    )

    returncode, output = update(service, env, "--data-file", str(answers))

    assert returncode == 0, output
    assert "alembic upgrade head on a copy of the database: ok" in output, output
    assert database.read_bytes() == before


def test_git_ignored_files_are_not_part_of_the_service(
    template: TemplateRepository, tmp_path: Path
) -> None:
    """A virtual environment under another name, ignored by git, may hold revision files."""
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    (service / ".git" / "info" / "exclude").write_text("myenv/\n")
    installed = service / "myenv" / "lib" / "task_tracker" / "migrations" / "versions"
    installed.mkdir(parents=True)
    (installed / "a1b2c3d4e5f6_price_index.py").write_text(ORPHAN)

    returncode, output = update(service)

    assert returncode == 0, output
    assert "Checking the migration history: ok" in output


def migrated_on_sqlite(template: TemplateRepository, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A v1.0.0 service migrated in its default SQLite file, and an env without DATABASE_URL."""
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, {**env, "PYTHONPATH": "src"})
    return service, env


def service_venv(service: Path) -> None:
    """A ``.venv/bin/python`` that is this suite's interpreter (which has the service's deps)."""
    python = service / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)


def test_a_server_database_is_read_through_the_service_environment(
    template: TemplateRepository, tmp_path: Path
) -> None:
    """With a ``.venv`` (here the suite's interpreter), DATABASE_URL's server is read."""
    service = copy_service(template, "v1.0.0", tmp_path / "service")
    service_venv(service)
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"entities": [PROJECT, TASK, LABEL]}))
    with server_database("postgresql", "history") as database:
        env = {**os.environ, "DATABASE_URL": database.url, "PYTHONPATH": "src"}
        run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)

        returncode, output = update(service, env, "--data-file", str(answers))

        assert returncode == 0, output
        # The database was at the head the service was made with: its outbox migration.
        assert "alembic upgrade 0003_outbox:head --sql: ok" in output, output
        assert "Checking the migration history: ok" in output

        commit_all(service, "Update: Label")
        run([sys.executable, "-c", STAMP_UNKNOWN.format(url=database.url)], service, env)
        returncode, output = update(service, env)

        assert returncode != 0, output
        assert "is at revision 'c0ffee000002', which no file of" in output, output


STAMP_UNKNOWN = """
from sqlalchemy import create_engine, text
engine = create_engine("{url}")
with engine.begin() as connection:
    connection.execute(text("UPDATE alembic_version SET version_num = 'c0ffee000002'"))
engine.dispose()
"""
