"""The generated service's delivery kit: uv and its lock, pre-commit, CI, compose, a wheel.

Runs uv, pre-commit and check-jsonschema (the template's ``test`` extra, next to
the running interpreter, never looked up on ``PATH``), and
``psql`` / ``mariadb`` for the offline SQL. uv resolves nothing at copy time: the
service is rendered with its ``uv.lock`` (``tools/update_service_lock.py``), so
``uv lock --check`` and ``uv sync --frozen`` prove the lock matches every
service's ``pyproject.toml``. uv's cache is the user's, shared by every run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    BIN,
    SERVERS,
    TEMPLATE_ROOT,
    UV,
    generate,
    run,
    run_workflow_step,
    server_database,
)
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from test_generate import TWELVE_ENTITIES

# Every hook of the generated .pre-commit-config.yaml, by the name it prints.
HOOKS = (
    "no merge conflict markers",
    "no large files added",
    "ruff format",
    "ruff check --fix",
    "mypy --strict src",
)
BACKEND_JOBS = {"SQLite": None, "PostgreSQL": "postgresql", "MariaDB": "mysql"}
# Some Makefile jobs and the modules each needs from the interpreter without uv.
JOB_TOOLS = {
    "lint": "ruff mypy",
    "test": "pytest",
    "install": "pip",
    "migrate": "alembic",
    "test-postgresql": "pytest psycopg",
}


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for uv and the service's tools: not the template's venv.

    uv is on PATH, as on a machine where it is installed: the one next to the
    interpreter (the README's ``uv`` commands, pre-commit's ``uv run`` hooks).
    """
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', os.defpath)}", **extra}


def shell(command: str, cwd: Path, env: dict[str, str]) -> str:
    """One line of a README's shell block, as a user's shell runs it."""
    return run(["bash", "-c", command], cwd, env)


def code_block(markdown: str, heading: str, language: str) -> str:
    """The first ``language`` block after ``heading``."""
    section = markdown[markdown.index(heading) :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert match, f"no {language} block after {heading!r}"
    return match[1]


def readme_test_urls(readme: str) -> dict[str, str]:
    """The TEST_DATABASE_URL examples of the generated README, by scheme."""
    urls = re.findall(r"TEST_DATABASE_URL=(\S+)", readme)
    return {make_url(url).get_backend_name(): url for url in urls if "@" in url}


def check_compose_matches_readme(service: Path, package: str) -> None:
    compose = yaml.safe_load((service / "compose.yaml").read_text())
    readme = (service / "README.md").read_text()
    makefile = (service / "Makefile").read_text()
    urls = readme_test_urls(readme)
    assert set(urls) == {"postgresql", "mysql"}, urls
    postgresql, mariadb = make_url(urls["postgresql"]), make_url(urls["mysql"])
    for url in (postgresql, mariadb):
        assert url.database == f"{package}_test"
        assert url.render_as_string(hide_password=False) in makefile
    services = compose["services"]
    assert set(services) == {"postgresql", "mariadb"}
    pg = services["postgresql"]
    assert pg["environment"]["POSTGRES_USER"] == postgresql.username
    assert pg["environment"]["POSTGRES_PASSWORD"] == postgresql.password
    assert pg["environment"]["POSTGRES_DB"] == postgresql.database
    assert pg["ports"] == [f"{postgresql.port}:5432"]
    maria = services["mariadb"]
    assert mariadb.username == "root"
    assert maria["environment"]["MARIADB_ROOT_PASSWORD"] == mariadb.password
    assert maria["environment"]["MARIADB_DATABASE"] == mariadb.database
    assert maria["ports"] == [f"{mariadb.port}:3306"]
    for name, container in services.items():
        assert container["healthcheck"]["test"][0] == "CMD", name


def check_workflow(service: Path) -> None:
    workflows = service / ".github" / "workflows"
    assert sorted(path.name for path in workflows.iterdir()) == ["ci.yml", "template-update.yml"]
    run(
        [
            sys.executable, "-m", "check_jsonschema",
            "--builtin-schema", "vendor.github-workflows",
            str(workflows / "ci.yml"), str(workflows / "template-update.yml"),
        ],
        service,
    )  # fmt: skip
    jobs = yaml.safe_load((workflows / "ci.yml").read_text())["jobs"]
    names = {job["name"]: job for job in jobs.values()}
    assert "ruff and mypy" in names
    lint_steps = [step.get("run", "") for step in names["ruff and mypy"]["steps"]]
    assert "uv run mypy --strict src" in lint_steps
    assert "uv run ruff check ." in lint_steps
    for backend, extra in BACKEND_JOBS.items():
        job = names[f"tests on {backend}"]
        steps = job["steps"]
        setup_uv = next(step for step in steps if step.get("uses", "").startswith("astral-sh/"))
        assert setup_uv["with"]["enable-cache"] is True
        runs = [step.get("run") for step in steps]
        assert "uv run pytest" in runs
        assert ("uv sync --locked" + (f" --extra {extra}" if extra else "")) in runs
        if extra is None:
            assert "services" not in job and "env" not in job
            continue
        (container,) = job["services"].values()
        assert "--health-cmd" in container["options"]
        url = make_url(job["env"]["TEST_DATABASE_URL"])
        assert url.get_backend_name() == extra
        assert f"{url.port}:{url.port}" in container["ports"]


def check_template_update_workflow(service: Path, runner_temp: Path) -> None:
    """The scheduled `copier update` workflow: off until enabled, and what it runs."""
    workflow = service / ".github" / "workflows" / "template-update.yml"
    document = yaml.safe_load(workflow.read_text())
    triggers = document[True]  # YAML 1.1 reads the key `on` as true
    (schedule,) = triggers["schedule"]
    assert schedule == {"cron": "17 5 * * 1"}  # weekly: Mondays, 05:17 UTC
    assert "workflow_dispatch" in triggers
    assert document["permissions"] == {"contents": "write", "pull-requests": "write"}
    (job,) = document["jobs"].values()
    # Scheduled runs only once the variable says so; a run by hand always.
    assert job["if"] == (
        "github.event_name == 'workflow_dispatch' || vars.TEMPLATE_UPDATES == 'true'"
    )
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    assert steps["actions/checkout@v4"]["with"] == {"fetch-depth": 0}
    assert "astral-sh/setup-uv@v6" in steps
    install = steps["Install copier"]["run"]
    assert "uv tool install" in install and "copier-template-extensions" in install
    assert "git config --global user.name" in steps["Git identity"]["run"]
    # The update runs with the recorded answers, to the newest release (no --vcs-ref),
    # and its exit status goes on to the report rather than ending the job.
    update = steps["copier update"]["run"]
    assert "copier update --trust --defaults 2>&1" in update and "--vcs-ref" not in update
    assert "set +e" in update and "PIPESTATUS[0]" in update
    report = steps["Conflict report"]
    assert report["env"]["UPDATE_STATUS"] == "${{ steps.update.outputs.status }}"
    pull_request = steps["Pull request"]
    assert pull_request["uses"] == "peter-evans/create-pull-request@v7"
    options = pull_request["with"]
    assert options["branch"] == "template-update"
    assert options["title"] == "${{ steps.report.outputs.title }}"
    assert options["body-path"] == "${{ steps.report.outputs.body }}"
    assert options["labels"] == "${{ steps.report.outputs.labels }}"
    assert options["committer"] == options["author"]
    assert "github-actions[bot]" in options["committer"]
    assert list(steps).index("Conflict report") < list(steps).index("Pull request")
    readme = " ".join((service / "README.md").read_text().split())
    section = readme[readme.index("### Scheduled template updates") :]
    assert "a repository variable `TEMPLATE_UPDATES` with the value `true`" in section
    assert '"Allow GitHub Actions to create and approve pull requests"' in section
    assert "The template URL is `_src_path` in `.copier-answers.yml`" in section
    assert "every Monday at 05:17 UTC" in section

    # The template source: this service's is a path here, which the runner cannot clone.
    source = run_workflow_step(workflow, "Template source", service, runner_temp, {})
    assert source.returncode == 1, source.stdout
    assert f"_src_path is '{TEMPLATE_ROOT}', not a git URL the runner can clone" in source.stdout
    answers = (service / ".copier-answers.yml").read_text()
    commit = re.search(r"^_commit: (\S+)$", answers, re.MULTILINE)
    assert commit, answers
    url = "https://github.com/example/copier-ddd-service.git"
    checkout = runner_temp / "checkout"
    checkout.mkdir()
    (checkout / ".copier-answers.yml").write_text(
        answers.replace(f"_src_path: {TEMPLATE_ROOT}", f"_src_path: {url}")
    )
    source = run_workflow_step(workflow, "Template source", checkout, runner_temp, {})
    assert source.returncode == 0, source.stdout
    assert source.outputs == {"url": url, "commit": commit[1]}


@pytest.mark.parametrize(
    "answers",
    [{}, {"entities": TWELVE_ENTITIES, "interface": "fastapi"}],
    ids=["default", "twelve-entities-http"],
)
def test_a_fresh_scaffold_locks_syncs_and_passes_pre_commit_and_ci_validation(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    service = generate(tmp_path / "service", **answers)
    env = tool_env()
    run([UV, "lock", "--check"], service, env)
    run([UV, "sync", "--frozen"], service, env)
    modules = "pydantic_settings, pytest" + (", fastapi, uvicorn, httpx2" if answers else "")
    run([str(service / ".venv" / "bin" / "python"), "-c", f"import {modules}"], service)
    run(["git", "init", "--quiet"], service)
    run(["git", "add", "--all"], service)
    output = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], service, env)
    for hook in HOOKS:
        assert re.search(rf"^{re.escape(hook)}\.+Passed$", output, re.MULTILINE), output
    check_workflow(service)
    check_template_update_workflow(service, tmp_path / "runner")
    check_compose_matches_readme(service, "task_tracker")

    if answers:
        return
    check_without_uv(service, tmp_path / "bare")
    # The hooks fail what they should: here a large file added to the commit.
    (service / "dump.bin").write_bytes(b"\0" * 600_000)
    run(["git", "add", "dump.bin"], service)
    refused = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "check-added-large-files"],
        cwd=service, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        check=False,
    )  # fmt: skip
    assert refused.returncode == 1, refused.stdout
    assert "dump.bin (586 KB) exceeds 500 KB" in refused.stdout


def no_uv_env(**extra: str) -> dict[str, str]:
    """The system's PATH only: no uv (nor the template's venv) on it."""
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "UV")}
    return {**env, "PATH": "/usr/bin:/bin", **extra}


def check_without_uv(service: Path, bare: Path) -> None:
    """The Makefile and every pre-commit hook run without uv, or say how to get it."""
    assert shutil.which("uv", path=no_uv_env()["PATH"]) is None
    # With uv on PATH, the jobs run through it (the service's .venv, from uv.lock).
    assert f"{UV} run ruff check ." in run(["make", "lint"], service, tool_env())
    # Without uv, the tools of the interpreter PYTHON names: the jobs and the hooks pass.
    tools = no_uv_env(PYTHON=sys.executable)
    lint = run(["make", "lint", f"PYTHON={sys.executable}"], service, tools)
    assert f"{sys.executable} -m mypy --strict src" in lint
    output = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], service, tools)
    for hook in HOOKS:
        assert re.search(rf"^{re.escape(hook)}\.+Passed$", output, re.MULTILINE), output
    # An interpreter without the tools: each job and hook stops before running
    # anything, saying how to get uv or the tools.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    python = str(bare / "bin" / "python")
    for job, modules in JOB_TOOLS.items():
        refused = subprocess.run(
            ["make", job, f"PYTHON={python}"], cwd=service, env=no_uv_env(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
        )  # fmt: skip
        assert refused.returncode == 2, refused.stdout
        said = f"make {job}: no uv (none on PATH, or UV= empty), and {python} cannot import"
        assert f"{said} {modules}." in refused.stdout
        assert "Install uv (https://docs.astral.sh/uv/" in refused.stdout
        assert f"{python} -m" not in refused.stdout  # nothing ran
    hooks = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=service,
        env=no_uv_env(PYTHON=python), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, check=False,
    )  # fmt: skip
    assert hooks.returncode == 1, hooks.stdout
    for hook, module in [("ruff format", "ruff"), ("mypy --strict src", "mypy")]:
        assert re.search(rf"^{re.escape(hook)}\.+Failed$", hooks.stdout, re.MULTILINE)
        assert f"{python} cannot import {module}. Install uv" in hooks.stdout


def test_the_quick_start_runs_literally_to_a_stored_and_reloaded_entity(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    readme = (service / "README.md").read_text()
    commands = code_block(readme, "## Quick start", "sh").strip().splitlines()
    script_name = re.search(r"^`(first_\w+\.py)` is this script", readme, re.MULTILINE)
    assert script_name, "the Quick start names no script"
    (service / script_name[1]).write_text(code_block(readme, "## Quick start", "python"))
    assert commands == [
        "uv sync",
        "uv run alembic upgrade head",
        "uv run python first_project.py",
        "uv run pytest",
    ]
    env = tool_env()
    outputs = [shell(command, service, env) for command in commands]
    assert re.search(r"stored and reloaded Project [0-9a-f-]{36}, created at", outputs[2])
    summary = outputs[3].strip().splitlines()[-1]
    assert re.fullmatch(r"=+ \d+ passed in [\d.]+s(?: \(\d+:\d{2}:\d{2}\))? =+", summary), summary
    database = service / "var" / "task_tracker.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM project")) == 1
    engine.dispose()


STORE_A_PROJECT = """\
from task_tracker.application.project_service import ProjectService
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

projects = ProjectService(SqlAlchemyUnitOfWork(create_session_factory(create_database_engine())))
stored = projects.create(name="Shipped", description=None)
print(projects.get(stored.id).name)
"""


def test_the_wheel_migrates_and_stores_from_another_directory(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    env = tool_env()
    run([UV, "build", "--wheel", "--out-dir", str(tmp_path / "dist")], service, env)
    (wheel,) = (tmp_path / "dist").glob("task_tracker-0.1.0-py3-none-any.whl")
    shutil.rmtree(service)  # nothing of the project is left to lean on
    venv = tmp_path / "deployed"
    run([UV, "venv", "--quiet", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    run([UV, "pip", "install", "--quiet", "--python", str(python), str(wheel)], tmp_path, env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run([str(venv / "bin" / "task-tracker-alembic"), "upgrade", "head"], elsewhere, env)
    assert run([str(python), "-c", STORE_A_PROJECT], elsewhere, env).strip() == "Shipped"
    database = elsewhere / "var" / "task_tracker.sqlite3"
    assert database.is_file()
    assert list(venv.rglob("*.sqlite3")) == []
    current = run([str(venv / "bin" / "task-tracker-alembic"), "current"], elsewhere, env)
    assert "0003_outbox (head)" in current
    # The operations command line, the console script named after the service.
    operations = str(venv / "bin" / "task-tracker")
    assert "0003_outbox (head)" in run([operations, "db", "current"], elsewhere, env)
    check = json.loads(run([operations, "timestamps", "check", "--json"], elsewhere, env))
    assert check["healthy"] is True
    assert check["entities"]["Project"]["out_of_order"] == {"count": 0, "sample_ids": []}

    # DATA_DIRECTORY moves the file; .env in the working directory is read too.
    (elsewhere / ".env").write_text(f"DATA_DIRECTORY={tmp_path / 'data'}\n")
    run([str(venv / "bin" / "task-tracker-alembic"), "upgrade", "head"], elsewhere, env)
    assert run([str(python), "-c", STORE_A_PROJECT], elsewhere, env).strip() == "Shipped"
    assert (tmp_path / "data" / "task_tracker.sqlite3").is_file()


def schema(url: str) -> dict[str, Any]:
    """Tables, columns, keys, indexes and the Alembic revision of the database at ``url``."""
    engine = create_engine(url)
    found: dict[str, Any] = {}
    try:
        inspector = inspect(engine)
        for table in sorted(inspector.get_table_names()):
            found[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                    for c in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table),
                "foreign_keys": sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (ix["name"], tuple(ix["column_names"]), ix["unique"])
                    for ix in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    (uq["name"], tuple(uq["column_names"]))
                    for uq in inspector.get_unique_constraints(table)
                ),
            }
        with engine.connect() as connection:
            found["revision"] = connection.scalars(
                text("SELECT version_num FROM alembic_version")
            ).all()
    finally:
        engine.dispose()
    return found


def apply_sql(kind: str, database: str, sql: Path) -> None:
    if kind == "postgresql":
        command = ["psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--host", "127.0.0.1",
                   "--username", "postgres", "--dbname", database, "--file", str(sql)]  # fmt: skip
        run(command, sql.parent)
        return
    with sql.open() as statements:
        result = subprocess.run(
            ["mariadb", "--host=127.0.0.1", "--port=3306", "--user=root", database],
            stdin=statements, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_offline_sql_builds_the_schema_of_the_online_upgrade(tmp_path: Path, kind: str) -> None:
    service = generate(tmp_path / "service", entities=TWELVE_ENTITIES)
    alembic = [sys.executable, "-m", "alembic"]
    with (
        server_database(kind, "ddd_offline") as offline,
        server_database(kind, "ddd_online") as online,
    ):
        # The README's advice: a mariadb:// URL gives MariaDB's types (a native UUID).
        offline_url = offline.url.replace("mysql+pymysql://", "mariadb+pymysql://")
        sql = run([*alembic, "upgrade", "head", "--sql"], service,
                  tool_env(DATABASE_URL=offline_url))  # fmt: skip
        assert "CREATE TABLE customer" in sql
        script = tmp_path / "upgrade.sql"
        script.write_text(sql)
        apply_sql(kind, offline.name, script)
        run([*alembic, "upgrade", "head"], service, tool_env(DATABASE_URL=online.url))
        offline_schema, online_schema = schema(offline.url), schema(online.url)
    # A table per entity and per entity with history: true; alembic_version, revision,
    # and the outbox's outbox_events and outbox_lock.
    kept = sum(1 for entity in TWELVE_ENTITIES if entity.get("history"))
    assert len(offline_schema) == len(TWELVE_ENTITIES) + kept + 4
    assert offline_schema == online_schema
