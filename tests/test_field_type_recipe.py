"""docs/developing.md's "Adding a field type", followed literally, makes a clean service.

The test copies the template, makes the recipe's edits with the recipe's own
blocks (the registry entry of a hypothetical ``email`` type and its row of the
generated "Value limits" table; the README and ``copier.yml`` lists are checked
on the template itself by ``tests/test_answers_registry.py``), and generates a
service from the copy whose entity has a unique, an indexed, a nullable and a
defaulted field of the new type (the generated docs show examples of it). The
service must pass ruff, ruff format, mypy --strict and its own suite on SQLite,
HTTP interface included.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import TEMPLATE_ROOT, check_service
from copier import run_copy

RECIPE = TEMPLATE_ROOT / "docs" / "developing.md"
# What `copier copy` reads of the template.
TEMPLATE_PARTS = ("copier.yml", "extensions", "hooks", "template")
BLOCK = re.compile(r"^ *```(\w+)\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)
ENTITIES = [
    {
        "name": "Subscriber",
        "description": "Someone who gets the newsletter",
        "fields": [
            {"name": "login", "type": "email", "unique": True},
            {"name": "backup_address", "type": "email", "index": True},
            {"name": "other_address", "type": "email", "nullable": True},
            {"name": "notify_address", "type": "email", "default": "ops@example.com"},
        ],
    },
    {
        "name": "Delivery",
        "fields": [
            {"name": "subscriber_id", "type": "ref", "to": "Subscriber"},
            {"name": "sent_to", "type": "email", "unique": True, "nullable": True},
        ],
    },
]


def recipe_blocks() -> dict[str, str]:
    """The recipe's code blocks by language, dedented: its entry and its table row."""
    text = RECIPE.read_text(encoding="utf-8")
    section = text[text.index("## Adding a field type\n") :]
    section = section[: section.index("\n## ", 1)]
    blocks = {language: textwrap.dedent(body) for language, body in BLOCK.findall(section)}
    assert set(blocks) == {"python", "markdown"}, "the recipe's blocks changed: update this test"
    return blocks


def add_entry(template: Path, entry: str) -> None:
    """Step 1: the entry, in FIELD_TYPES before the ``ref`` entry (and its comment)."""
    path = template / "extensions" / "answers" / "field_types.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip() == 'name="ref",') - 1
    while lines[at - 1].strip().startswith("#"):
        at -= 1
    lines[at:at] = [textwrap.indent(entry, " " * 8)]
    path.write_text("".join(lines), encoding="utf-8")


def add_limits_row(template: Path, row: str) -> None:
    """Step 2: the row of the generated "Value limits" table, after the uuid, ref row."""
    path = template / "template" / "docs" / "timestamps.md.jinja"
    text = path.read_text(encoding="utf-8")
    [after] = [line for line in text.splitlines() if line.startswith("| `uuid`, `ref` |")]
    path.write_text(text.replace(after + "\n", after + "\n" + row, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recipe")
    template = root / "template"
    for part in TEMPLATE_PARTS:
        source = TEMPLATE_ROOT / part
        if source.is_dir():
            shutil.copytree(source, template / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            template.mkdir(exist_ok=True)
            shutil.copy2(source, template / part)
    blocks = recipe_blocks()
    add_entry(template, blocks["python"])
    add_limits_row(template, blocks["markdown"])
    destination = root / "service"
    run_copy(
        str(template),
        str(destination),
        data={"checks": "none", "interface": "fastapi", "entities": ENTITIES},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return destination


def test_the_service_declares_the_new_type_everywhere(service: Path) -> None:
    package = service / "src" / "task_tracker"
    fields = (package / "domain" / "subscriber_fields.py").read_text()
    assert "require_match(" in fields and "notify_address: str = " in fields
    model = (package / "infrastructure" / "orm" / "subscriber_model.py").read_text()
    assert model.count("String(320)") == 4 and "index=True" in model
    assert "`email`" in (service / "docs" / "timestamps.md").read_text()
    assert "@example.com" in (service / "docs" / "entities" / "subscriber.md").read_text()


def test_the_service_is_clean_and_its_suite_passes_on_sqlite(service: Path) -> None:
    assert check_service(service) > 0
