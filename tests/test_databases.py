"""Generated services' own tests on PostgreSQL and MariaDB, each in a database of its own.

The servers are expected on 127.0.0.1 (``.ci/services`` starts them); a missing
server fails these tests, it never skips them. SQLite, the default, is covered
by ``test_generate.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SERVERS, generate, passed_count, run, server_database
from sqlalchemy import Engine, text
from test_generate import SCENARIOS

DATABASE_NAMES = {
    "postgresql": "SELECT datname FROM pg_database",
    "mariadb": "SELECT schema_name FROM information_schema.schemata",
}
MATRIX = ["twelve-entities-every-type-and-option", "sql-reserved-words"]
# The generated tests each matrix service runs on the servers: every directory
# whose tests use the database but the HTTP layer's. The HTTP layer reaches the
# database through the same services and repositories; its own tests run on
# both servers in the default service with the HTTP interface (below), and on
# SQLite for every scenario (test_generate.py).
DATABASE_TESTS = ["tests/integration", "tests/migrations", "tests/operations", "tests/docs"]


def database_names(admin: Engine, kind: str) -> set[str]:
    with admin.connect() as connection:
        return set(connection.scalars(text(DATABASE_NAMES[kind])))


@pytest.fixture(params=sorted(SERVERS))
def server_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database on the server, dropped after the test.

    The test may create more databases whose names start with this one's (the
    generated suite does); it must drop them all.
    """
    kind: str = request.param
    with server_database(kind, "ddd_template") as database:
        yield database.url
        leftovers = {
            name for name in database_names(database.admin, kind) if name.startswith(database.name)
        }
        assert leftovers == {database.name}, (
            f"databases left behind: {sorted(leftovers - {database.name})}"
        )


@pytest.mark.parametrize("scenario", MATRIX)
def test_generated_tests_pass_on_the_server(
    tmp_path: Path, server_database_url: str, scenario: str
) -> None:
    answers: dict[str, Any] = SCENARIOS[scenario]
    service = generate(tmp_path / "service", **answers)
    env = {**os.environ, "TEST_DATABASE_URL": server_database_url}
    pytest_run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    output = run([*pytest_run, *DATABASE_TESTS], service, env)
    # Only "N passed": nothing skipped, failed, errored or deselected.
    assert passed_count(output) > 0


def test_the_default_service_passes_on_the_server_in_a_database_the_run_creates(
    tmp_path: Path, server_database_url: str
) -> None:
    """The default entities with the HTTP interface: the whole suite on each server.

    The README's promise: the URL's database need not exist (the run makes its
    own, named after it, from the server's maintenance database).
    """
    service = generate(tmp_path / "service", **SCENARIOS["default-answers-http"])
    env = {**os.environ, "TEST_DATABASE_URL": f"{server_database_url}_absent"}
    pytest_run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    assert passed_count(run(pytest_run, service, env)) > 0


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and then never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


CANNOT_CONNECT = "cannot connect to the server of {masked}: "
REFUSED = "the server of {masked} refused the connection: "


@pytest.mark.parametrize(
    ("unreachable_url", "reason"),
    [
        ("postgresql+psycopg://app:s3cret@127.0.0.1:1/test", CANNOT_CONNECT),
        ("mysql+pymysql://app:s3cret@127.0.0.1:1/test", CANNOT_CONNECT),
        ("postgresql+psycopg://app:s3cret@127.0.0.1:{silent_port}/test", CANNOT_CONNECT),
        ("mysql+pymysql://app:s3cret@127.0.0.1:{silent_port}/test", CANNOT_CONNECT + "no answer"),
        # The server answers, and refuses this user: not "cannot connect".
        ("postgresql+psycopg://ddd_nobody:s3cret@127.0.0.1:5432/test", REFUSED),
        ("mysql+pymysql://ddd_nobody:s3cret@127.0.0.1:3306/test", REFUSED),
    ],
    ids=[
        "postgresql-refused",
        "mariadb-refused",
        "postgresql-silent",
        "mariadb-silent",
        "postgresql-unknown-user",
        "mariadb-unknown-user",
    ],
)
def test_an_unusable_test_server_fails_the_run_fast_saying_why(
    tmp_path: Path, silent_port: int, unreachable_url: str, reason: str
) -> None:
    service = generate(tmp_path / "service")
    url = unreachable_url.format(silent_port=silent_port)
    # A run that waited for the operating system's TCP timeout, or for a silent
    # server forever, would outlast this; the service's connect timeout is seconds.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=service,
        env={**os.environ, "TEST_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 4, result.stdout
    masked = url.replace("s3cret", "***")
    assert f"TEST_DATABASE_URL: {reason.format(masked=masked)}" in result.stdout
    assert "s3cret" not in result.stdout
    assert " passed" not in result.stdout and "skipped" not in result.stdout
