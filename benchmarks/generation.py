"""Generation: `copier copy` and `copier update` of this template, and of copier-uv.

Every copier call runs the copier CLI in a subprocess (as a user runs it), from
a temporary git repository of the template's working tree tagged ``v1.0.0``;
the copier-uv reference is a temporary git repository made from the pinned
copy in ``../shared/bench/copier-uv-1.13.0`` (read there, never copied into
this repository).
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

import yaml

from .harness import Result, alternate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from update_support import TemplateRepository, commit_all, git  # noqa: E402
from update_support import copier as run_copier  # noqa: E402

TAG = "v1.0.0"
COPIER_UV = ROOT.parent / "shared" / "bench" / "copier-uv-1.13.0"
COPIER_UV_TAG = "1.13.0"
COPIER_UV_ANSWERS = ["--data", "project_name=Bench", "--data", "project_description=Bench"]
OPTIONS = ["--trust", "--defaults", "--quiet", "--vcs-ref", TAG]
NO_CHECKS = ["--data", "checks=none"]

SECTION = "Generation"


def entity(number: int) -> dict[str, object]:
    return {
        "name": f"Item{number}",
        "fields": [
            {"name": "title", "type": "str", "max_length": 120},
            {"name": "quantity", "type": "int", "default": 0},
            {"name": "due_on", "type": "date", "nullable": True},
        ],
    }


def copier(*arguments: str, cwd: Path) -> float:
    """Seconds one copier CLI call takes; exits naming the output when it fails."""
    started = time.perf_counter()
    result = run_copier(*arguments, cwd=cwd)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"copier {' '.join(arguments)} failed:\n{result.stdout}")
    return seconds


class Generation:
    """The template and copier-uv as git repositories in ``work``, and fresh destinations."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.template = TemplateRepository(work / "template")
        self.template.release_working_tree(TAG)
        self.copier_uv = self._copier_uv_repository(work / "copier-uv")
        self._numbers = count(1)
        self._answers: dict[int, Path] = {}

    @staticmethod
    def _copier_uv_repository(path: Path) -> Path:
        if not (COPIER_UV / "copier.yml").is_file():
            raise SystemExit(f"the copier-uv reference is missing: {COPIER_UV} has no copier.yml")
        shutil.copytree(COPIER_UV, path)
        for child in [path, *path.rglob("*")]:
            child.chmod(child.stat().st_mode | 0o200)
        git(path, "init", "--quiet", "--initial-branch=main")
        commit_all(path, "copier-uv 1.13.0")
        git(path, "tag", COPIER_UV_TAG)
        return path

    def destination(self, name: str) -> Path:
        return self.work / f"{name}-{next(self._numbers)}"

    def answers(self, entities: int) -> Path:
        """A data file declaring ``entities`` entities (Item1, Item2, ...)."""
        if entities not in self._answers:
            path = self.work / f"entities-{entities}.yml"
            path.write_text(
                yaml.safe_dump({"entities": [entity(n) for n in range(1, entities + 1)]})
            )
            self._answers[entities] = path
        return self._answers[entities]

    # --- the runs: each returns the seconds of its copier call -----------------------

    def copy(self, entities: int | None, checks: bool = False) -> float:
        """``copier copy`` of ``entities`` entities (None: the default answers)."""
        target = self.destination("copy")
        data = [] if entities is None else ["--data-file", str(self.answers(entities))]
        checked = ["--data", "checks=all"] if checks else NO_CHECKS
        try:
            return copier(
                "copy", *OPTIONS, *checked, *data, str(self.template.path), str(target),
                cwd=self.work,
            )  # fmt: skip
        finally:
            shutil.rmtree(target, ignore_errors=True)

    def update_adding_one(self, entities: int) -> float:
        """``copier update`` of a committed ``entities``-entity service adding one more."""
        service = self.destination("service")
        try:
            copier(
                "copy", *OPTIONS, *NO_CHECKS, "--data-file", str(self.answers(entities)),
                str(self.template.path), str(service), cwd=self.work,
            )  # fmt: skip
            git(service, "init", "--quiet", "--initial-branch=main")
            commit_all(service, f"{entities} entities")
            seconds = copier(
                "update", *OPTIONS, *NO_CHECKS, "--data-file", str(self.answers(entities + 1)),
                cwd=service,
            )  # fmt: skip
            (versions,) = service.glob("src/*/migrations/versions")
            added = sorted(path.name for path in versions.iterdir())
            expected = f"{entities + 1:04d}_create_item{entities + 1}.py"
            if expected not in added:
                raise SystemExit(f"the update did not add {expected}: {added}")
            return seconds
        finally:
            shutil.rmtree(service, ignore_errors=True)

    def copier_uv_copy(self) -> float:
        target = self.destination("copier-uv-copy")
        try:
            return copier(
                "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", COPIER_UV_TAG,
                *COPIER_UV_ANSWERS, str(self.copier_uv), str(target), cwd=self.work,
            )  # fmt: skip
        finally:
            shutil.rmtree(target, ignore_errors=True)

    def copier_uv_update(self) -> float:
        """``copier update`` of a committed copier-uv project changing one answer."""
        project = self.destination("copier-uv-project")
        try:
            copier(
                "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", COPIER_UV_TAG,
                *COPIER_UV_ANSWERS, str(self.copier_uv), str(project), cwd=self.work,
            )  # fmt: skip
            git(project, "init", "--quiet", "--initial-branch=main")
            commit_all(project, "copier-uv project")
            seconds = copier(
                "update", "--trust", "--defaults", "--quiet", "--vcs-ref", COPIER_UV_TAG,
                "--data", "project_description=Benchmarked again", cwd=project,
            )  # fmt: skip
            if "Benchmarked again" not in (project / "README.md").read_text():
                raise SystemExit("the copier-uv update did not change the README")
            return seconds
        finally:
            shutil.rmtree(project, ignore_errors=True)


def run(
    work: Path, rounds: int, quick: bool, check_rounds: int, log: Callable[[str], None]
) -> tuple[list[Result], dict[int, float]]:
    """The generation results, and the median seconds of a copy by number of entities."""
    generation = Generation(work)
    results: list[Result] = []

    sizes = (1, 5, 10) if quick else (1, 10, 50, 100)
    log(f"generation: copier copy of {', '.join(map(str, sizes))} entities, {rounds} rounds")
    copies = alternate(
        {size: (lambda size=size: generation.copy(size)) for size in sizes}, rounds, warmup=1
    )
    one = copies[1]
    for size in sizes[1:]:
        results.append(
            Result(
                SECTION, f"`copier copy`, {size} entities, no checks", f"{size} entities",
                "1 entity", copies[size], one, "copy", rounds,
                note=f"{copies[size] / size:.3f} s per entity; "
                f"{(copies[size] - one) / (size - 1) * 1000:.0f} ms per entity past the first",
            )
        )  # fmt: skip
    small, large = sizes[1], sizes[-1]
    results.append(
        Result(
            SECTION, f"seconds per entity past the first, {large} against {small} entities",
            f"{large} entities", f"{small} entities",
            (copies[large] - one) / (large - 1), (copies[small] - one) / (small - 1),
            "entity", rounds, target=1.5,
            note="flat when the ratio is near 1: each entity costs the same however many there are",
        )
    )  # fmt: skip

    log(f"generation: copier copy with checks (default answers), {check_rounds} rounds")
    checked = alternate(
        {
            "checks": lambda: generation.copy(None, checks=True),
            "none": lambda: generation.copy(None),
        },
        check_rounds,
        warmup=0,
    )
    results.append(
        Result(
            SECTION, "`copier copy`, default answers, checks `all`", "checks all",
            "checks none", checked["checks"], checked["none"], "copy", check_rounds,
            note=f"{checked['checks']:.1f} s: venv, pip install from the index, ruff, "
            "mypy --strict, the generated pytest",
        )
    )  # fmt: skip

    log(f"generation: copier update adding one entity to 10, against a copy of 11, {rounds} rounds")
    update = alternate(
        {"update": lambda: generation.update_adding_one(10), "copy": lambda: generation.copy(11)},
        rounds,
    )
    results.append(
        Result(
            SECTION, "`copier update` adding an 11th entity, against `copier copy` of 11",
            "update", "copy", update["update"], update["copy"], "call", rounds, target=2.0,
            note="copier's update renders the template three times (the old version, the "
            "destination, a clean copy of the new one) where a copy renders it once; "
            "copier-uv's ratio (next row) shows the same",
        )
    )  # fmt: skip

    log(f"generation: copier-uv 1.13.0 update against copy, {rounds} rounds")
    reference = alternate(
        {"update": generation.copier_uv_update, "copy": generation.copier_uv_copy}, rounds
    )
    results.append(
        Result(
            SECTION, "reference: copier-uv 1.13.0 `copier update` (one answer changed), "
            "against its `copier copy`", "update", "copy",
            reference["update"], reference["copy"], "call", rounds,
            note=f"copy {reference['copy']:.2f} s, update {reference['update']:.2f} s",
        )
    )  # fmt: skip
    return results, copies
