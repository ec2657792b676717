"""The reserved names, declared in one place, cover what a generated service really uses.

``extensions/answers/reserved.py`` declares them (the answers never read the
template back); this test looks at a generated service from the outside (its
files, its classes at run time and its modules' imports) so that a name or a
file the templates start to use cannot slip past, and no declared file or class
is one the service does not have.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import generate
from extension_modules import naming, reserved

ENTITIES = [
    {"name": "Project", "fields": [{"name": "name", "type": "str"}]},
    {
        "name": "Task",
        "fields": [
            {"name": "project_id", "type": "ref", "to": "Project", "touch": True},
            {"name": "due_at", "type": "datetime", "default": "2024-01-01T00:00:00Z"},
            {"name": "batch", "type": "uuid", "default": "12345678-1234-5678-1234-567812345678"},
            {"name": "price", "type": "decimal", "nullable": True},
            {"name": "due_on", "type": "date", "nullable": True},
        ],
    },
]
ATTRIBUTES = """
import json, sys
from tracker.domain.task import Task
from tracker.infrastructure.orm.models import TaskModel
print(json.dumps(sorted(set(dir(Task)) | set(dir(TaskModel)))))
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("reserved") / "service",
        package_name="tracker",
        entities=ENTITIES,
        interface="fastapi",
    )


def test_every_attribute_of_the_generated_classes_is_reserved_or_a_declared_field(
    service: Path,
) -> None:
    output = subprocess.run(
        [sys.executable, "-c", ATTRIBUTES],
        cwd=service / "src",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    declared = {field["name"] for field in ENTITIES[1]["fields"]}  # type: ignore[index]
    methods = {f"update_{name}" for name in declared}
    attributes = {name for name in json.loads(output) if naming.SNAKE_CASE.fullmatch(name)}
    assert attributes - declared - methods - reserved.FIELD_NAMES == set()


def module_names(path: Path) -> set[str]:
    """Names a module imports or defines at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


def task_modules(service: Path) -> list[Path]:
    """The Python modules generated for the entity Task in ``service``."""
    return [
        service / path.replace("<package>", "tracker")
        for path in reserved.entity_paths("task")
        if path.endswith(".py")
    ]


def test_every_name_in_the_per_entity_modules_is_reserved_or_generated_for_an_entity(
    service: Path,
) -> None:
    paths = task_modules(service)
    assert len(paths) >= 8
    generated = set(reserved.entity_classes("Task")) | set(reserved.entity_classes("Project"))
    generated |= {"ProjectRepository", "TaskRepository", "ProjectModel", "TaskModel"}
    classes = {
        name
        for path in paths
        for name in module_names(path)
        if naming.PASCAL_CASE.fullmatch(name) and not name.startswith("Test")
    }
    assert classes - generated - reserved.class_names() == set()


def class_body_names(path: Path) -> set[str]:
    """Names the class bodies of a module read while the class is built (not in methods)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if not isinstance(statement, ast.FunctionDef):
                    names |= {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
    return names


def test_every_lower_case_name_the_field_classes_read_is_reserved(service: Path) -> None:
    modules = [
        service / "src/tracker/domain/task_fields.py",
        service / "src/tracker/infrastructure/orm/task_model.py",
    ]
    names = {
        name
        for path in modules
        for name in module_names(path) & class_body_names(path)
        if naming.SNAKE_CASE.fullmatch(name)
    }
    assert names, "the field classes read no module name: the test looks at the wrong modules"
    assert names - reserved.shadowing_names() == set()


def service_files(service: Path) -> set[str]:
    """The service's files, the package directory written ``<package>``."""
    return {
        path.relative_to(service).as_posix().replace("src/tracker/", "src/<package>/", 1)
        for path in service.rglob("*")
        if path.is_file() and not {".git", "__pycache__"} & set(path.parts)
    }


def test_the_declared_entity_files_are_the_files_generated_for_each_entity(
    service: Path,
) -> None:
    """Every file named after an entity (its history's migrations aside) is declared."""
    files = service_files(service)
    for snake in ("task", "project"):
        named = {
            path
            for path in files
            if snake in re.split(r"[/_.]", path) and "/migrations/versions/" not in path
        }
        assert named == set(reserved.entity_paths(snake))


def test_every_fixed_file_an_entity_file_could_be_is_declared(service: Path) -> None:
    files = service_files(service) - {
        path for snake in ("task", "project") for path in reserved.entity_paths(snake)
    }
    could_be = set()
    for pattern in reserved.ENTITY_FILES:
        shape = re.compile(re.escape(pattern).replace(re.escape("{snake}"), r"[a-z][a-z0-9_]*"))
        could_be |= {path for path in files if shape.fullmatch(path)}
    assert could_be == reserved.FIXED_FILES


def test_the_declared_entity_classes_are_the_classes_generated_for_an_entity(
    service: Path,
) -> None:
    modules = task_modules(service)
    classes = {name for path in modules for name in module_names(path) if name.startswith("Task")}
    assert classes == set(reserved.entity_classes("Task"))
