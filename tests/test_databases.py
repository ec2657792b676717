"""Generated services' own tests on PostgreSQL and MariaDB, each in a database of its own.

The servers are expected on 127.0.0.1 (``.ci/run`` starts them); a missing
server fails these tests, it never skips them.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import generate, run
from sqlalchemy import create_engine, text
from test_generate import SCENARIOS

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/{database}",
}
ADMIN_DATABASE = {"postgresql": "postgres", "mariadb": "mysql"}


@pytest.fixture(params=sorted(SERVERS))
def server_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database on the server, dropped again after the test."""
    kind: str = request.param
    name = f"ddd_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        SERVERS[kind].format(database=ADMIN_DATABASE[kind]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield SERVERS[kind].format(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.mark.parametrize(
    "answers",
    [SCENARIOS["default-answers"], SCENARIOS["twelve-entities-every-type-and-option"]],
    ids=["default-answers", "twelve-entities"],
)
def test_generated_tests_pass_on_the_server(
    tmp_path: Path, server_database_url: str, answers: dict[str, Any]
) -> None:
    service = generate(tmp_path / "service", **answers)
    env = {**os.environ, "TEST_DATABASE_URL": server_database_url}
    output = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], service, env)
    summary = output.strip().splitlines()[-1]
    assert " passed" in summary
    assert "skipped" not in summary and "failed" not in summary
