"""The team's extension points survive `copier update`: its endpoint, command and use case.

A service with the HTTP interface is copied at v1.0.0 of a template repository
and committed; the team adds, in the files the template writes once, a use case
that stores a Project and its first Task in one unit of work
(``application/team_services.py``), a router with one endpoint
(``interface/http/team_routers.py``) and a command (``operations/team_commands.py``).
The update to v1.1.0 adds an entity and a field. It must merge without a conflict,
keep the team's files as they were, and leave all three working: the use case
called from Python, the endpoint through a TestClient, the command through
``python -m <package>``, as the console script runs it; then the whole generated
suite passes, the team's endpoint in its OpenAPI contract test included.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from conftest import check_service, run
from update_support import (
    PROJECT,
    TASK,
    commit_all,
    conflict_leftovers,
    copier,
    copy_service,
    released_twice,
    service_env,
)

PACKAGE = Path("src") / "task_tracker"
TEAM_SERVICES = PACKAGE / "application" / "team_services.py"
TEAM_ROUTES = PACKAGE / "interface" / "http" / "team_routers.py"
TEAM_COMMANDS = PACKAGE / "operations" / "team_commands.py"

# A use case over two repositories, committed once: a Project and its first Task.
TEAM_USE_CASES = '''
    def launch(self, name: str, first_task: str) -> tuple[Project, Task]:
        """A new project and its first task, stored together or not at all."""
        with self.uow:
            project = self.uow.repository(Project).save(Project(name=name))
            task = self.uow.repository(Task).save(Task(project_id=project.id, title=first_task))
            self.uow.commit()
        return project, task

    def task_count(self, project_id: UUID) -> tuple[Project, int]:
        """The project with ``project_id`` and how many tasks it has."""
        with self.uow:
            project = self.uow.repository(Project).get_by_id(project_id)
            if project is None:
                raise EntityNotFound("Project", project_id)
            tasks = self.uow.repository(Task).find_by_reference(
                "project_id", project_id, limit=100, offset=0, order_by="created_at"
            )
        return project, len(tasks)
'''
TEAM_SERVICE_IMPORTS = (
    "from ..domain.project import Project\n",
    "from uuid import UUID\n\n"
    "from ..domain.exceptions import EntityNotFound\n"
    "from ..domain.project import Project\n"
    "from ..domain.task import Task\n",
)

# A router of the team's with one endpoint, every status it answers documented.
TEAM_ROUTER = '''

class Launch(BaseModel):
    """A project's name and how many tasks it has."""

    name: str
    tasks: int


launches = APIRouter(prefix="/launches", tags=["Launches"])


@launches.get(
    "/{project_id}",
    responses={
        HTTPStatus.NOT_FOUND: error("No Project has this id"),
        HTTPStatus.SERVICE_UNAVAILABLE: error("The database could not do the work"),
    },
    summary="A project and how many tasks it has",
)
def launch(project_id: UUID, service: TeamServiceDependency) -> Launch:
    """The project's name and its number of tasks."""
    project, tasks = service.task_count(project_id)
    return Launch(name=project.name, tasks=tasks)


ROUTERS.append(launches)
'''

# A command of the team's: launch a project from the command line.
TEAM_COMMAND = (
    "    recent.set_defaults(run=run_recently_changed, database=True)\n",
    """    recent.set_defaults(run=run_recently_changed, database=True)
    launch = commands.add_parser("launch", help="a new project with its first task")
    launch.add_argument("name")
    launch.add_argument("first_task")
    launch.set_defaults(run=run_launch, database=True)
""",
)
RUN_LAUNCH = '''

def run_launch(engine: Engine, options: Namespace) -> int:
    """``launch NAME FIRST_TASK``: prints the new project's id."""
    service = TeamService(SqlAlchemyUnitOfWork(create_session_factory(engine)))
    project, _ = service.launch(options.name, options.first_task)
    print(project.id)
    return 0
'''

# After the update: the use case from Python (and all or nothing: a task the
# domain refuses leaves no project behind), then the endpoint through a TestClient.
CALL_THE_USE_CASE_AND_THE_ENDPOINT = """
import json, sys
from fastapi.testclient import TestClient
from task_tracker.application.team_services import TeamService
from task_tracker.domain.exceptions import ValidationError
from task_tracker.infrastructure.database import create_database_engine, create_session_factory
from task_tracker.infrastructure.unit_of_work import SqlAlchemyUnitOfWork
from task_tracker.interface.http.app import create_app

engine = create_database_engine()
service = TeamService(SqlAlchemyUnitOfWork(create_session_factory(engine)))
project, task = service.launch("From Python", "First task")
assert task.project_id == project.id
try:
    service.launch("Never stored", "x" * 201)
except ValidationError:
    pass
else:
    raise AssertionError("a title of 201 characters was stored")
with TestClient(create_app(engine=engine)) as client:
    answers = {
        name: client.get(f"/launches/{project_id}").json()
        for name, project_id in (("python", project.id), ("cli", sys.argv[1]))
    }
    answers["recent"] = [item["id"] for item in client.get("/recently-changed/projects").json()]
    answers["missing"] = client.get(f"/launches/{task.id}").status_code
answers["python_id"] = str(project.id)
print(json.dumps(answers))
"""

ENTITIES_AFTER = [
    {**PROJECT, "fields": [*PROJECT["fields"], {"name": "budget", "type": "int", "default": 0}]},
    TASK,
    {"name": "Label", "fields": [{"name": "title", "type": "str", "max_length": 80}]},
]


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))


def add_team_code(service: Path) -> None:
    """The team's use case, router and command, in the files the template writes once."""
    services = service / TEAM_SERVICES
    replace_once(services, *TEAM_SERVICE_IMPORTS)
    services.write_text(services.read_text() + TEAM_USE_CASES)
    routes = service / TEAM_ROUTES
    routes.write_text(routes.read_text() + TEAM_ROUTER)
    commands = service / TEAM_COMMANDS
    replace_once(commands, *TEAM_COMMAND)
    commands.write_text(commands.read_text() + RUN_LAUNCH)


def test_team_endpoint_command_and_use_case_survive_an_update(tmp_path: Path) -> None:
    template = released_twice(tmp_path / "template")
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump({"interface": "fastapi"}))
    service = copy_service(template, "v1.0.0", tmp_path / "service", answers)
    add_team_code(service)
    commit_all(service, "Team code: launch a project with its first task")
    team_files = {
        path: (service / path).read_text() for path in (TEAM_SERVICES, TEAM_ROUTES, TEAM_COMMANDS)
    }

    answers.write_text(
        yaml.safe_dump({"interface": "fastapi", "checks": "none", "entities": ENTITIES_AFTER})
    )
    updated = copier(
        "update", "--trust", "--defaults", "--data-file", str(answers), "--vcs-ref", "v1.1.0",
        cwd=service,
    )  # fmt: skip

    assert updated.returncode == 0, updated.stdout
    assert conflict_leftovers(service) == []
    assert {path: (service / path).read_text() for path in team_files} == team_files
    assert (service / PACKAGE / "domain" / "label.py").is_file()
    assert "budget: int = 0" in (service / PACKAGE / "domain" / "project_fields.py").read_text()

    env = service_env(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, env)
    launched = run(
        [sys.executable, "-m", "task_tracker", "launch", "From the CLI", "Plan"], service, env
    )
    cli_project = launched.strip()
    output = run(
        [sys.executable, "-c", CALL_THE_USE_CASE_AND_THE_ENDPOINT, cli_project], service, env
    )
    answers_seen = json.loads(output.strip().splitlines()[-1])

    assert answers_seen["python"] == {"name": "From Python", "tasks": 1}
    assert answers_seen["cli"] == {"name": "From the CLI", "tasks": 1}
    assert answers_seen["recent"] == [answers_seen["python_id"], cli_project]
    assert answers_seen["missing"] == 404

    # Two workers: the suite's HTTP tests wait on a server more than they compute.
    assert check_service(service, "-n", "2") > 0
