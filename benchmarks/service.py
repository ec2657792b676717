"""A service generated from the working tree (default answers), importable from its ``src``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "task_tracker"  # the default answers' package name


def generate_default_service(destination: Path) -> Path:
    """Render the template's working tree with the default answers, checks off."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import generate

    return generate(destination)


class Service:
    """The generated package's modules the benchmarks use."""

    def __init__(self, service: Path) -> None:
        sys.path.insert(0, str(service / "src"))
        self.path = service

        def module(name: str) -> ModuleType:
            return importlib.import_module(f"{PACKAGE}.{name}")

        self.project = module("domain.project").Project
        self.clock = module("domain.clock")
        database = module("infrastructure.database")
        self.create_database_engine = database.create_database_engine
        self.create_session_factory = database.create_session_factory
        models = module("infrastructure.orm.models")
        self.base = models.Base
        self.project_model = module("infrastructure.orm.project_model").ProjectModel
        self.utc_datetime = module("infrastructure.orm.types").UTCDateTime
        self.project_repository = module(
            "infrastructure.repositories.project_repository"
        ).ProjectRepository
