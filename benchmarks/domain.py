"""Domain: ``touch()`` and entity creation, against what a plain dataclass does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from .harness import Result, alternate, timed_loop
from .service import Service

SECTION = "Domain"


@dataclass
class PlainProject:
    """The baseline entity: the same fields, the clock read once, nothing checked."""

    name: str
    description: str | None = None
    id: UUID = field(default_factory=uuid4)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    def __post_init__(self) -> None:
        self.created_at = self.updated_at = datetime.now(UTC)


def run(
    service: Service,
    rounds: int,
    quick: bool,
    log: Callable[[str], None],
    repeat: int | None = None,
) -> list[Result]:
    repeat = repeat or (20_000 if quick else 200_000)
    project = service.project(name="Benchmark", description=None)
    plain = PlainProject(name="Benchmark")

    def bare_assignment() -> None:
        plain.updated_at = datetime.now(UTC)

    log(f"domain: touch() against a bare assignment, {repeat} calls per run, {rounds} rounds")
    touch = alternate(
        {
            "touch": lambda: timed_loop(project.touch, repeat),
            "bare": lambda: timed_loop(bare_assignment, repeat),
        },
        rounds,
    )

    entity = service.project
    log(f"domain: entity creation against a plain dataclass, {repeat} per run, {rounds} rounds")
    creation = alternate(
        {
            "entity": lambda: timed_loop(
                lambda: entity(name="Benchmark", description=None), repeat
            ),
            "plain": lambda: timed_loop(lambda: PlainProject(name="Benchmark"), repeat),
        },
        rounds,
    )
    return [
        Result(
            SECTION, "`entity.touch()`", "`touch()`", "`updated_at = datetime.now(UTC)`",
            touch["touch"] / repeat, touch["bare"] / repeat, "call", rounds, target=1.5,
        ),
        Result(
            SECTION, "creating an entity (`Project(name=..., description=None)`)",
            "`Project(...)`", "dataclass reading the clock once",
            creation["entity"] / repeat, creation["plain"] / repeat, "entity", rounds,
            target=1.5,
        ),
    ]  # fmt: skip
