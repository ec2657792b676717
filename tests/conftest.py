"""Helpers for the template's own tests: generate a service and run its checks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy
from sqlalchemy import Engine, create_engine, text

# uv checks certificates against the system's, as pip does (hooks/run_checks.py says
# why); every uv the tests run, directly or through the hooks, inherits this.
os.environ.setdefault("UV_NATIVE_TLS", "1")

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
# What tests keep for a person to look at (screenshots); ignored by git.
ARTIFACTS = TEMPLATE_ROOT / "artifacts"

# The directory of the interpreter running the tests: the venv's bin, where the
# test extra put uv (and pre-commit, ruff, mypy, alembic, copier). Not resolved:
# in a venv, sys.executable is a symlink to the base interpreter. The tests run
# these tools from here or with ``sys.executable -m``, never from PATH, which
# holds no venv when none is activated (the README's test command).
BIN = Path(sys.executable).parent
UV = str(BIN / "uv")

# The database servers on the project's machines (``.ci/services`` starts them).
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/{database}",
}
ADMIN_DATABASE = {"postgresql": "postgres", "mariadb": "mysql"}


@dataclass(frozen=True)
class ServerDatabase:
    """A database made for one test, and the admin engine that made it."""

    name: str
    url: str
    admin: Engine


@contextmanager
def server_database(kind: str, prefix: str) -> Iterator[ServerDatabase]:
    """A new, empty database on the ``kind`` server, dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        SERVERS[kind].format(database=ADMIN_DATABASE[kind]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield ServerDatabase(name, SERVERS[kind].format(database=name), admin)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def generate(destination: Path, **answers: Any) -> Path:
    """Render the working tree of the template (uncommitted changes included)."""
    data = {"checks": "none", **answers}
    run_copy(
        str(TEMPLATE_ROOT),
        str(destination),
        data=data,
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return destination


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command``; fail the test with its output when it exits non-zero."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}"
    )
    return result.stdout


# The last line of `pytest -q` when every test passed: "12 passed in 3.45s", with
# " (0:01:01)" appended once a run takes a minute or more.
ALL_PASSED = re.compile(r"(\d+) passed in \d+(?:\.\d+)?s(?: \(\d+:\d{2}:\d{2}\))?")


def passed_count(output: str) -> int:
    """How many tests passed, from the output of ``pytest -q``.

    Fails unless the summary reports passed tests only: any failed, skipped,
    deselected, errored, xfailed or warned count fails it.
    """
    lines = output.strip().splitlines()
    summary = lines[-1] if lines else ""
    match = ALL_PASSED.fullmatch(summary)
    assert match, f"expected only passed tests, the summary is {summary!r}"
    return int(match[1])


def check_service(service: Path, *pytest_options: str) -> int:
    """ruff format --check, ruff check, mypy --strict and the service's own pytest.

    ``pytest_options`` go to pytest (``-n 2``, say). Returns how many generated
    tests passed; none may fail or be skipped.
    """
    run([sys.executable, "-m", "ruff", "format", "--check", "."], service)
    run([sys.executable, "-m", "ruff", "check", "."], service)
    run([sys.executable, "-m", "mypy", "--strict", "src"], service)
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_options]
    output = run(pytest, service)
    return passed_count(output)


@dataclass(frozen=True)
class StepRun:
    """A workflow step's ``run`` script as run here: its exit code, output and outputs."""

    returncode: int
    stdout: str
    outputs: dict[str, str]


def run_workflow_step(
    workflow: Path, name: str, cwd: Path, runner_temp: Path, env: dict[str, str]
) -> StepRun:
    """Run the ``run`` script of the step called ``name`` as GitHub's runner does.

    ``bash -e``, in ``cwd``, with ``RUNNER_TEMP`` and ``GITHUB_OUTPUT`` set and
    ``env`` for the step's ``env:`` (whose ``${{ }}`` expressions the caller
    resolves); ``outputs`` are the ``key=value`` lines the script wrote to
    ``GITHUB_OUTPUT``.
    """
    steps = yaml.safe_load(workflow.read_text())["jobs"]
    (step,) = [step for job in steps.values() for step in job["steps"] if step.get("name") == name]
    assert set(step.get("env", {})) <= set(env), f"{name}: the test sets {sorted(env)}"
    runner_temp.mkdir(parents=True, exist_ok=True)
    output_file = runner_temp / "github_output"
    output_file.write_text("")
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd,
        env={
            **os.environ,
            **env,
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output_file),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    return StepRun(result.returncode, result.stdout, outputs)


def versions_of(service: Path) -> Path:
    """The service's migration history: ``src/<package>/migrations/versions``."""
    (versions,) = service.glob("src/*/migrations/versions")
    return versions


_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Name the artifacts this run wrote (tests run in workers, whose output is hidden)."""
    written = sorted(
        path
        for path in (ARTIFACTS.glob("*") if ARTIFACTS.is_dir() else [])
        if path.stat().st_mtime >= _SESSION_STARTED
    )
    for path in written:
        # A one-line text artifact is a figure of the run: shown with its name.
        shown = f": {path.read_text().strip()}" if path.suffix == ".txt" else ""
        terminalreporter.write_line(f"artifact kept: {path}{shown}")


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def service_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an updated service's own database: a SQLite file, or a new server database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.sqlite3'}"
        return
    with server_database(request.param, "ddd_update") as database:
        yield database.url
