"""Random valid answer sets, each of which must generate a clean service.

A seeded generator draws entity sets with every field type and option, names at the
length limits, package names that sort before and after ``tests``, text with emoji,
references and defaults at the edges of their columns. Set ``ANSWERS_SEED`` to
replay a run (the seed is printed in every failure message) and ``ANSWER_SETS``
to draw more sets than the 20 of a CI run.

To stay affordable on two cores, the answer sets are rendered from a plain copy
of the template (no git clone per render), ruff runs once over all services,
mypy runs once over all their packages, and the generated test suites run for a
few of the services only (the first and the one with the most fields). About
half the sets answer ``interface: fastapi``.
"""

from __future__ import annotations

import os
import random
import shutil
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import TEMPLATE_ROOT, run
from copier import run_copy
from extension_modules import entity_errors, http_path_errors, naming, questions

# 20 sets a run keep CI inside its budget; ``ANSWER_SETS=200`` draws more by hand.
SETS = int(os.environ.get("ANSWER_SETS", "20"))
SEED = int(os.environ.get("ANSWERS_SEED", random.SystemRandom().randrange(10**9)))
TYPES = ["str", "text", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "enum"]
# Enum choices, the longest allowed among them.
CHOICES = ["open", "in progress", "done", "on-hold", "v1.2", "x", "A" * 64, "Review_2 b"]
WORDS = [
    "order",
    "line",
    "item",
    "customer",
    "invoice",
    "email",
    "title",
    "name",
    "price",
    "quantity",
    "weight",
    "due",
    "on",
    "at",
    "code",
    "note",
    "status",
    "total",
    "batch",
]
TEXT = ["Tracks orders 😀", "Café — naïve “façade”", "Plain words only", "数据 and ünïcödé"]


def package_prefix(index: int) -> str:
    """``svc`` or ``zoo`` in turn: package names that sort before and after ``tests``.

    The generated tests import from the package and from ``tests.support``; ruff
    must find both orders sorted.
    """
    return "svc" if index % 2 == 0 else "zoo"


class Draw:
    """Random answers from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def word(self) -> str:
        return self.random.choice(WORDS)

    def snake(self, limit: int) -> str:
        """A snake_case name, often exactly ``limit`` characters long."""
        name = "_".join(self.word() for _ in range(self.random.randint(1, 6)))
        if self.random.random() < 0.4:
            name = (name + "_" + "x" * limit)[:limit]
        return name[:limit].rstrip("_")

    def pascal(self, limit: int) -> str:
        return "".join(part.capitalize() for part in self.snake(limit).split("_"))

    def default(self, type_name: str, max_length: int, choices: list[str]) -> Any:
        edge = self.random.random() < 0.5
        if type_name == "enum":
            return self.random.choice(choices)
        return {
            "str": ("😀 " + "w" * max_length)[:max_length] if edge else "todo",
            "text": "A long text default " * 8 if edge else "",
            "int": self.random.choice([2**31 - 1, -(2**31)]) if edge else 0,
            "float": -1.7976931348623157e308 if edge else 0.5,
            "decimal": "-99999999.999999" if edge else "0.000001",
            "bool": self.random.random() < 0.5,
            "date": "9999-12-31" if edge else "1000-01-01",
            "datetime": "2024-02-29T23:59:59.999999-05:00",
            "uuid": "12345678-1234-5678-1234-567812345678",
        }[type_name]

    def field(self, taken: set[str]) -> dict[str, Any]:
        type_name = self.random.choice(TYPES)
        # An enum's CHECK constraint ck_<table>_<field> must fit 63 characters too.
        name = self.snake(naming.NAME_LIMIT if type_name != "enum" else 20)
        while name in taken or not name:
            name = self.snake(naming.NAME_LIMIT) + "_" + self.random.choice(string.ascii_lowercase)
        field: dict[str, Any] = {"name": name[: naming.NAME_LIMIT], "type": type_name}
        max_length = self.random.choice([1, 40, 255, 768])
        if type_name == "str":
            field["max_length"] = max_length
        choices = self.random.sample(CHOICES, self.random.randint(2, len(CHOICES)))
        if type_name == "enum":
            field["choices"] = choices
        roll = self.random.random()
        if roll < 0.25:
            field["nullable"] = True
            field["default"] = (
                None if self.random.random() < 0.5 else self.default(type_name, max_length, choices)
            )
        elif roll < 0.55:
            field["default"] = self.default(type_name, max_length, choices)
        elif roll < 0.62 and type_name not in ("text", "bool", "enum"):
            field["unique"] = True
        # ix_<table>_<field> must fit 63 characters: short names only.
        indexable = type_name != "text" and not field.get("unique") and len(field["name"]) <= 20
        if indexable and self.random.random() < 0.3:
            field["index"] = True
        return field

    def answers(self, index: int) -> dict[str, Any]:
        entities: list[dict[str, Any]] = []
        for _ in range(self.random.randint(1, 3)):
            taken: set[str] = set()
            fields = []
            for _ in range(self.random.randint(1, 6)):
                field = self.field(taken)
                taken.add(field["name"])
                fields.append(field)
            entity = {"name": self.pascal(naming.NAME_LIMIT), "fields": fields}
            if entities and self.random.random() < 0.7:
                parent = self.random.choice(entities)
                nullable = self.random.random() < 0.3
                reference = {
                    "name": "parent_id",
                    "type": "ref",
                    "to": parent["name"],
                    "touch": self.random.random() < 0.5,
                    "nullable": nullable,
                }
                # None: the default (restrict); set_null only where the reference may be null.
                actions = [None, "restrict", "cascade", *(["set_null"] if nullable else [])]
                on_delete = self.random.choice(actions)
                if on_delete:
                    reference["on_delete"] = on_delete
                fields.append(reference)
            if self.random.random() < 0.5:
                entity["description"] = self.random.choice(TEXT) + " word" * self.random.randint(
                    0, 30
                )
            entities.append(entity)
        return {
            "project_name": self.random.choice(TEXT),
            "package_name": f"{package_prefix(index)}_{index}_" + "p" * self.random.randint(0, 22),
            "description": self.random.choice(TEXT),
            "author_name": self.random.choice(TEXT),
            "entities": entities,
            # Drawn last, so that a seed draws the same entities as before the question.
            "interface": self.random.choice(["none", "fastapi"]),
        }


def valid_answer_sets(seed: int) -> list[dict[str, Any]]:
    """``SETS`` answer sets the validators accept; most draws are valid already."""
    draw, found, tries = Draw(seed), [], 0
    while len(found) < SETS:
        tries += 1
        answers = draw.answers(len(found))
        if (
            not entity_errors(answers["entities"])
            and not questions.package_name_error(answers["package_name"])
            and (answers["interface"] == "none" or not http_path_errors(answers["entities"]))
        ):
            found.append(answers)
    assert tries < 3 * SETS, f"seed {seed}: only {SETS} of {tries} draws were valid"
    names = sorted(answers["package_name"] for answers in found)
    assert names[0] < "tests" < names[-1], names
    return found


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree of the template without git: copier renders it without cloning."""
    copy = tmp_path_factory.mktemp("template") / "template"
    skipped = {".git", ".venv", "tests", "benchmarks", ".ci"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        top = Path(directory) == TEMPLATE_ROOT
        return {n for n in names if n == "__pycache__" or (top and n in skipped)}

    shutil.copytree(TEMPLATE_ROOT, copy, ignore=ignore)
    return copy


def test_random_valid_answer_sets_generate_clean_services(
    plain_template: Path, tmp_path: Path
) -> None:
    context = f"ANSWERS_SEED={SEED}"
    answer_sets = valid_answer_sets(SEED)
    services = []
    for index, answers in enumerate(answer_sets):
        destination = tmp_path / f"service_{index}"
        try:
            run_copy(
                str(plain_template),
                str(destination),
                data={"checks": "none", **answers},
                defaults=True,
                unsafe=True,
                quiet=True,
            )
        except Exception as error:  # the seed makes any failure reproducible
            raise AssertionError(f"{context}: answer set #{index} {answers!r}: {error}") from error
        services.append(destination)
    for command in (["format", "--check"], ["check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *map(str, services)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert result.returncode == 0, f"{context}: ruff {command}:\n{result.stdout}{result.stderr}"
    mypy_path = os.pathsep.join(str(service / "src") for service in services)
    packages = [arg for answers in answer_sets for arg in ("-p", answers["package_name"])]
    # In tmp_path, so that no cache lands in the template while other tests copy it.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": mypy_path},
    )
    assert result.returncode == 0, f"{context}: mypy --strict:\n{result.stdout}{result.stderr}"
    largest = max(
        range(SETS), key=lambda i: sum(len(e["fields"]) for e in answer_sets[i]["entities"])
    )
    for index in sorted({0, largest}):
        try:
            output = run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], services[index]
            )
        except AssertionError as error:
            raise AssertionError(
                f"{context}: answer set #{index} {answer_sets[index]!r}: {error}"
            ) from error
        assert " passed in " in output.strip().splitlines()[-1], f"{context}: {output[-2000:]}"
