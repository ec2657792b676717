"""Generate services from several answer sets and run their full checks."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import check_service, generate, passed_count, run, versions_of

ALL_TYPES_FIELDS: list[dict[str, Any]] = [
    {"name": "code", "type": "str", "max_length": 40, "unique": True},
    {"name": "label", "type": "str", "default": "unnamed"},
    {"name": "notes", "type": "text", "nullable": True},
    {"name": "quantity", "type": "int", "default": 1},
    {"name": "weight", "type": "float", "nullable": True},
    {"name": "price", "type": "decimal", "default": "9.99"},
    {"name": "active", "type": "bool", "default": True},
    {"name": "due_on", "type": "date", "nullable": True},
    {"name": "starts_at", "type": "datetime", "default": "2024-01-01T08:00:00+02:00"},
    {"name": "external_id", "type": "uuid", "unique": True},
    {"name": "serial", "type": "int", "unique": True},
    {"name": "released_on", "type": "date", "default": "2020-02-29"},
    {"name": "reference", "type": "uuid", "nullable": True, "default": None},
]

TWELVE_ENTITIES = [
    # Customer, Supplier and Review keep their rows' history: every type, a sensitive
    # field, a reference emptied on delete. Customer names who created and changed it,
    # and refuses a write made for no one.
    {
        "name": "Customer",
        "description": "Someone who orders",
        "history": True,
        "actor_columns": True,
        "require_actor": True,
        "fields": ALL_TYPES_FIELDS,
    },
    {
        "name": "Supplier",
        "history": True,
        "fields": [
            {"name": "name", "type": "str", "max_length": 120},
            # Sensitive by its name, and by its answer: neither reaches a log or a repr.
            {"name": "api_token", "type": "str", "nullable": True},
            {"name": "bank_account", "type": "str", "max_length": 34, "sensitive": True},
        ],
    },
    {
        "name": "Product",
        "fields": [
            {"name": "sku", "type": "str", "unique": True},
            {"name": "price", "type": "decimal"},
        ],
    },
    {
        "name": "Warehouse",
        "fields": [
            {"name": "city", "type": "str", "index": True},
            {"name": "capacity", "type": "int", "nullable": True},
        ],
    },
    {
        "name": "Shipment",
        "fields": [
            {
                "name": "warehouse_id",
                "type": "ref",
                "to": "Warehouse",
                "touch": True,
                "on_delete": "restrict",
            },
            {"name": "shipped_at", "type": "datetime"},
            {"name": "tracking", "type": "uuid"},
        ],
    },
    {
        "name": "Invoice",
        "fields": [
            # Deleting a customer deletes its invoices, and their payments with them.
            {
                "name": "customer_id",
                "type": "ref",
                "to": "Customer",
                "touch": True,
                "on_delete": "cascade",
            },
            {"name": "total", "type": "decimal", "default": 0},
            {"name": "paid", "type": "bool", "default": False},
            {
                "name": "status",
                "type": "enum",
                "choices": ["draft", "sent", "paid in full"],
                "default": "draft",
                "index": True,
            },
        ],
    },
    {
        "name": "Payment",
        "indexes": [{"fields": ["invoice_id", "received_on"]}],
        "fields": [
            {
                "name": "invoice_id",
                "type": "ref",
                "to": "Invoice",
                "touch": True,
                "on_delete": "cascade",
            },
            {"name": "amount", "type": "float"},
            {"name": "received_on", "type": "date"},
        ],
    },
    {
        "name": "Review",
        "history": True,
        "fields": [
            {"name": "body", "type": "text"},
            {"name": "stars", "type": "int", "default": 5, "index": True},
            {"name": "product_id", "type": "ref", "to": "Product", "touch": True},
            {
                "name": "customer_id",
                "type": "ref",
                "to": "Customer",
                "nullable": True,
                "on_delete": "set_null",
            },
        ],
    },
    {
        "name": "Coupon",
        "indexes": [
            {"fields": ["customer_id", "kind"]},
            {"fields": ["code", "expires_at"], "unique": True},
        ],
        "fields": [
            {"name": "code", "type": "str", "max_length": 12, "unique": True},
            {"name": "expires_at", "type": "datetime", "nullable": True},
            {"name": "customer_id", "type": "ref", "to": "Customer", "nullable": True},
            {
                "name": "kind",
                "type": "enum",
                "choices": ["percent", "fixed-amount"],
                "nullable": True,
            },
        ],
    },
    {"name": "HTTPEndpoint", "fields": [{"name": "path", "type": "str", "max_length": 2000}]},
    {"name": "AuditNote", "fields": [{"name": "text_value", "type": "text", "nullable": True}]},
    {
        "name": "Region",
        "fields": [
            {"name": "name", "type": "str", "max_length": 1},
            {"name": "population", "type": "int", "nullable": True},
            {
                "name": "zone",
                "type": "enum",
                "choices": [
                    "north-east coast",
                    "south-west highlands",
                    "central.valley",
                    "island_territories",
                    "Far North 2",
                ],
            },
        ],
    },
]

SQL_RESERVED = [
    {
        "name": "Order",
        "fields": [
            # Declared before User: its migration must still come after User's.
            {"name": "user_id", "type": "ref", "to": "User", "touch": True},
            {"name": "order", "type": "int"},
            {"name": "group", "type": "str", "max_length": 50, "index": True},
            {"name": "select", "type": "bool", "default": False},
            {"name": "case", "type": "enum", "choices": ["open", "closed"], "default": "open"},
        ],
    },
    {
        "name": "User",
        "fields": [
            {"name": "user", "type": "str", "unique": True},
            {"name": "key", "type": "uuid", "nullable": True},
        ],
    },
    {
        "name": "Group",
        "fields": [
            {"name": "type", "type": "str"},
            {"name": "match", "type": "text", "nullable": True},
            {
                "name": "select_id",
                "type": "ref",
                "to": "Select",
                "nullable": True,
                "on_delete": "set_null",
            },
        ],
    },
    {
        "name": "Select",
        "fields": [
            {"name": "where", "type": "date", "nullable": True},
            {"name": "table", "type": "int", "default": 0},
        ],
    },
    {
        # Adopts an existing table (see test_adoption.py) whose name is an SQL reserved word.
        "name": "Account",
        "existing_table": "grant",
        "legacy_created_at": "opened_at",
        "legacy_triggers": ["trigger"],
        "indexes": [{"fields": ["owner", "state"]}],
        "fields": [
            {"name": "owner", "type": "str", "max_length": 80},
            {"name": "opened_at", "type": "datetime", "nullable": True},
            {"name": "state", "type": "enum", "choices": ["open", "closed"], "default": "open"},
            {"name": "limit", "type": "int", "index": True},
            {"name": "user_id", "type": "ref", "to": "User", "nullable": True},
        ],
    },
    {
        "name": "Key",
        "fields": [
            {"name": "index", "type": "str", "max_length": 64},
            {"name": "account_id", "type": "ref", "to": "Account", "touch": True},
        ],
    },
]

SCENARIOS = {
    "default-answers": {},
    "default-answers-http": {"interface": "fastapi"},
    "one-entity-one-field": {
        "project_name": "Note Keeper",
        "entities": [{"name": "Note", "fields": [{"name": "body", "type": "text"}]}],
    },
    "twelve-entities-every-type-and-option": {
        "project_name": "Shop Backend",
        "package_name": "shop_backend",
        "entities": TWELVE_ENTITIES,
        "interface": "fastapi",
    },
    "sql-reserved-words": {"project_name": "Reserved Words", "entities": SQL_RESERVED},
}


@pytest.mark.parametrize("answers", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_generated_service_passes_ruff_and_its_own_tests(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    service = generate(tmp_path / "service", **answers)
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    package = recorded["package_name"]
    entities = recorded["entities"]
    migrations = sorted((versions_of(service)).glob("*.py"))
    # One per entity, one per entity with history: true (its history table), then the
    # shared tables' (the outbox of changes), once.
    steps = len(entities) + sum(1 for entity in entities if entity.get("history")) + 1
    assert len(migrations) == steps
    assert migrations[-1].name == f"{steps:04d}_outbox.py"
    for entity_file in ("domain", "infrastructure/orm", "infrastructure/repositories"):
        assert (service / "src" / package / entity_file).is_dir()
    passed = check_service(service)
    # Every entity contributes its unit and repository contract tests.
    assert passed > 30 * len(entities)


def test_interface_none_generates_no_http_files_or_dependencies(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    http = sorted(
        str(path.relative_to(service)) for path in service.rglob("*") if "http" in path.name
    )
    assert http == []
    pyproject = (service / "pyproject.toml").read_text()
    lock = (service / "uv.lock").read_text()
    for package in ("fastapi", "uvicorn", "httpx2", "starlette"):
        assert f'"{package}' not in pyproject and f'name = "{package}"' not in lock
    assert "interface/http" not in (service / "README.md").read_text()


def migration_chain(service: Path) -> dict[str, str | None]:
    """revision -> down_revision of every migration file of ``service``."""
    chain: dict[str, str | None] = {}
    for path in (versions_of(service)).glob("*.py"):
        module = ast.parse(path.read_text())
        values = {
            node.target.id: ast.literal_eval(node.value)
            for node in module.body
            if isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
            and node.target.id in {"revision", "down_revision"}
        }
        chain[values["revision"]] = values["down_revision"]
    return chain


def test_migrations_form_one_chain_in_declaration_order(tmp_path: Path) -> None:
    chain = migration_chain(generate(tmp_path / "service", entities=TWELVE_ENTITIES))
    ordered = sorted(chain)
    assert chain[ordered[0]] is None
    assert [chain[revision] for revision in ordered[1:]] == ordered[:-1]
    assert ordered[0].endswith("_customer")
    # After every entity's table, the history tables (of the entities with history:
    # true, in declaration order), then the outbox's: the head.
    kept = [entity["name"].lower() for entity in TWELVE_ENTITIES if entity.get("history")]
    tables = len(TWELVE_ENTITIES)
    assert ordered[tables - 1].endswith("_region")
    assert [revision.split("_", 2)[2] for revision in ordered[tables:-1]] == kept
    assert ordered[-1] == f"{tables + len(kept) + 1:04d}_outbox"


def test_a_referenced_entity_gets_its_table_before_the_entities_that_reference_it(
    tmp_path: Path,
) -> None:
    # Order references User and is declared first; Group references Select, declared after it.
    chain = migration_chain(generate(tmp_path / "service", entities=SQL_RESERVED))
    assert sorted(chain) == [
        "0001_create_user",
        "0002_create_order",
        "0003_create_select",
        "0004_create_group",
        "0005_adopt_grant",
        "0006_create_key",
        "0007_outbox",
    ]
    assert chain["0002_create_order"] == "0001_create_user"
    order = (versions_of(tmp_path / "service") / "0002_create_order.py").read_text()
    assert 'sa.ForeignKeyConstraint(["user_id"], ["user.id"]' in order
    assert 'op.create_index(op.f("ix_order_user_id"), "order", ["user_id"]' in order


def test_revision_ids_are_deterministic(tmp_path: Path) -> None:
    first = generate(tmp_path / "first", entities=TWELVE_ENTITIES)
    second = generate(tmp_path / "second", entities=TWELVE_ENTITIES)
    for path in (versions_of(first)).glob("*.py"):
        assert path.read_bytes() == (versions_of(second) / path.name).read_bytes()


def test_generated_code_has_no_todo_legacy_compat_or_fallback_paths(tmp_path: Path) -> None:
    service = generate(tmp_path / "service", entities=TWELVE_ENTITIES)
    pattern = re.compile(r"legacy|compat|fallback|TODO", re.IGNORECASE)
    hits = [
        f"{path.relative_to(service)}:{number}: {line.strip()}"
        for path in sorted(service.rglob("*"))
        if path.is_file() and path.suffix != ".png"  # the report screenshot in docs/
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


def test_doc_examples_run_for_an_entity_made_of_references(tmp_path: Path) -> None:
    # Pet's example changes its only field, a reference: it stores a second Owner
    # for it. Owner's one-character unique name still gets a new value per row.
    owner_name = {"name": "n", "type": "str", "max_length": 1, "unique": True}
    owner_reference = {"name": "owner_id", "type": "ref", "to": "Owner", "touch": True}
    service = generate(
        tmp_path / "service",
        entities=[
            {"name": "Owner", "fields": [owner_name]},
            {"name": "Pet", "fields": [owner_reference]},
        ],
    )
    pet_page = (service / "docs" / "entities" / "pet.md").read_text()
    assert (
        "other_parent_owner = OwnerService(uow).create(\n"
        "    n=chr(0x4E00 + uuid4().int % 20_992)," in pet_page
    )
    assert 'service.update(entity.id, {"owner_id": other_parent_owner.id})' in pet_page
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/docs"]
    # The README, the two guides and two entity pages, the timestamp guide's three
    # example tests, and the check that every page has examples.
    assert passed_count(run(command, service)) == 9


# One entity, not named like the default answers' Project and Task, with a unique
# field of every type that can be unique (a short string among them).
BRANCH_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "type": "str", "unique": True},
    {"name": "initials", "type": "str", "max_length": 4, "unique": True},
    {"name": "number", "type": "int", "unique": True},
    {"name": "floor_area", "type": "float", "unique": True},
    {"name": "budget", "type": "decimal", "unique": True},
    {"name": "opened_on", "type": "date", "unique": True},
    {"name": "opened_at", "type": "datetime", "unique": True},
    {"name": "ledger", "type": "uuid", "unique": True},
]


@pytest.fixture(scope="module")
def branch_service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("branch") / "service",
        project_name="Bank Offices",
        entities=[{"name": "Branch", "fields": BRANCH_FIELDS}],
        interface="fastapi",
    )


def test_doc_pages_name_only_the_services_own_entities(branch_service: Path) -> None:
    pages = [branch_service / "README.md", *sorted((branch_service / "docs").rglob("*.md"))]
    # The default answers' entities, as names (TaskService, ProjectModel), as fields
    # (project_id) and as words for rows (saving 100 tasks); "the project" is the service.
    default_names = re.compile(
        r"\b(?:Project|Task)\w*|\b(?:project|task)_id\b|\b(?:projects|tasks)\b"
    )
    hits = [
        f"{page.relative_to(branch_service)}:{number}: {line.strip()}"
        for page in pages
        for number, line in enumerate(page.read_text().splitlines(), 1)
        if default_names.search(line)
    ]
    assert hits == []
    assert '"Branch": {' in (branch_service / "docs" / "operations.md").read_text()


def test_doc_examples_run_twice_on_one_database(branch_service: Path) -> None:
    # Every unique field gets a new value each run: name=f"Ada Lovelace {uuid4().hex[:8]}".
    readme = (branch_service / "README.md").read_text()
    assert 'name=f"Ada Lovelace {uuid4().hex[:8]}",' in readme
    assert "initials=chr(0x4E00 + uuid4().int % 20_992)," in readme
    test_module = (branch_service / "tests" / "docs" / "test_doc_examples.py").read_text()
    assert "for run in (1, 2):" in test_module
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/docs"]
    # README, the three guides, one entity page, three example tests, the page check.
    assert passed_count(run(command, branch_service)) == 9
