"""Every value a generated service accepts reads back exactly; every other one is a named refusal.

One small service with a field of every type is generated once; a script stores
the values a hostile but fair client sent (and the edges of ``domain/limits.py``)
through its repository and service, on SQLite, PostgreSQL and MariaDB, and
reports for each what became of it. The generated suite's own property-based
test (``tests/support/value_contract.py``) runs in ``test_databases.py``.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ADMIN_DATABASE, SERVERS, generate, run, server_database
from sqlalchemy import create_engine, text

VALUE_ENTITIES = [
    {"name": "Parent", "fields": [{"name": "title", "type": "str", "max_length": 5}]},
    {
        "name": "Sample",
        "fields": [
            {"name": "code", "type": "str", "max_length": 40, "unique": True},
            {"name": "label", "type": "str", "default": "unnamed"},
            {"name": "body", "type": "text"},
            {"name": "quantity", "type": "int", "default": 1},
            {"name": "weight", "type": "float", "nullable": True},
            {"name": "price", "type": "decimal", "default": "9.99"},
            {"name": "due_on", "type": "date", "nullable": True},
            {"name": "starts_at", "type": "datetime", "default": "2024-01-01T08:00:00+02:00"},
            {"name": "external_id", "type": "uuid", "unique": True},
            {"name": "status", "type": "enum", "choices": ["draft", "sent"], "default": "draft"},
            {"name": "parent_id", "type": "ref", "to": "Parent", "nullable": True},
        ],
    },
]

# Each case: (field, Python source of the value) -> what must become of it.
REFUSED = {
    "float 1e309": ("weight", 'float("1e309")'),
    "float Infinity": ("weight", 'float("inf")'),
    "float NaN": ("weight", 'float("nan")'),
    "float from an int beyond 2**53": ("weight", "2**53 + 1"),
    "decimal 1e999999": ("price", 'Decimal("1e999999")'),
    "decimal NaN": ("price", 'Decimal("NaN")'),
    "decimal of 30 digits": ("price", 'Decimal("123456789012345678901234567890")'),
    "decimal 99999999999999.999999": ("price", 'Decimal("99999999999999.999999")'),
    "decimal 999999999999999 (15 digits)": ("price", 'Decimal("999999999999999")'),
    "decimal 19.1234567": ("price", 'Decimal("19.1234567")'),
    "decimal 9765624999.7 (10 digits before the point)": ("price", 'Decimal("9765624999.7")'),
    "lone surrogate in a str": ("code", '"a\\ud800b"'),
    "lone surrogate in a text": ("body", '"a\\udfffb"'),
    "lone surrogate in a choice": ("status", '"a\\ud800b"'),
    "NUL in a str": ("label", '"a\\x00b"'),
    "NUL in a text": ("body", '"a\\x00b"'),
    "int 2**31": ("quantity", "2**31"),
    "int -2**31 - 1": ("quantity", "-(2**31) - 1"),
    "text of 65,536 bytes": ("body", '"a" * 65_536'),
    "text of 16,384 emoji (65,536 bytes)": ("body", '"\\U0001f600" * 16_384'),
    "date 0999-12-31": ("due_on", "date(999, 12, 31)"),
    "uuid of variant 0, version digit 8": (
        "external_id",
        'UUID("2f3e9786-a457-8917-352b-e67cdbd76923")',
    ),
    "datetime 0001-01-01T00:00:00+14:00": ("starts_at", "datetime(1, 1, 1, tzinfo=EAST)"),
    "datetime 9999-12-31T23:00:00-14:00": ("starts_at", "datetime(9999, 12, 31, 23, tzinfo=WEST)"),
    "datetime 0999-12-31T23:59:59.999999Z": (
        "starts_at",
        "datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)",
    ),
}
READ_BACK = {
    "decimal 999999999 (9 digits before the point)": ("price", 'Decimal("999999999")'),
    "decimal 99999999.999999": ("price", 'Decimal("99999999.999999")'),
    "decimal -0.000001": ("price", 'Decimal("-0.000001")'),
    "decimal 1.5000000 (zeros after the point)": ("price", 'Decimal("1.5000000")'),
    "float largest": ("weight", "1.7976931348623157e308"),
    "float smallest subnormal": ("weight", "5e-324"),
    "float smallest normal": ("weight", "-2.2250738585072014e-308"),
    "float 0.1": ("weight", "0.1"),
    "float 2**53 as an int": ("weight", "2**53"),
    "int 2**31 - 1": ("quantity", "2**31 - 1"),
    "int -2**31": ("quantity", "-(2**31)"),
    "text of 65,535 bytes": ("body", '"\\u00e9" * 32_767 + "a"'),
    "text of 16,383 emoji": ("body", '"\\U0001f600" * 16_383'),
    "emoji in a str": ("code", '"\\U0001f600\\U0001f4a9"'),
    "date 1000-01-01": ("due_on", "date(1000, 1, 1)"),
    "uuid of variant 0, version digit 7": (
        "external_id",
        'UUID("2f3e9786-a457-7917-352b-e67cdbd76923")',
    ),
    "uuid ffffffff-ffff-ffff-ffff-ffffffffffff": ("external_id", "UUID(int=2**128 - 1)"),
    "date 9999-12-31": ("due_on", "date(9999, 12, 31)"),
    "datetime 1000-01-01T00:00:00Z": ("starts_at", "datetime(1000, 1, 1, tzinfo=UTC)"),
    "datetime 0999-12-31T10:00:00-14:00 (1000 in UTC)": (
        "starts_at",
        "datetime(999, 12, 31, 10, tzinfo=WEST)",
    ),
    "datetime 9999-12-31T23:59:59.999999Z": (
        "starts_at",
        "datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)",
    ),
}

STORE_VALUES = """
import json, sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID, uuid4

from {package}.application.sample_service import SampleService
from {package}.domain.exceptions import ValidationError
from {package}.domain.sample import Sample
from {package}.infrastructure.database import create_database_engine, create_session_factory
from {package}.infrastructure.repositories.sample_repository import SampleRepository
from {package}.infrastructure.unit_of_work import SqlAlchemyUnitOfWork

EAST, WEST = timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))
engine = create_database_engine(sys.argv[1])
factory = create_session_factory(engine)


def fate(action):
    try:
        return action()
    except ValidationError as error:
        return f"refused {{error.field}}"
    except Exception as error:
        return f"{{type(error).__name__}}: {{str(error)[:200]}}"


def base():
    return {{"code": uuid4().hex, "body": "b", "external_id": uuid4()}}


def store(name, value):
    entity = Sample(**base() | {{name: value}})
    SampleService(SqlAlchemyUnitOfWork(factory)).add(entity)
    loaded = SampleService(SqlAlchemyUnitOfWork(factory)).get(entity.id)
    held = value.replace(tzinfo=UTC) if isinstance(value, datetime) and not value.tzinfo else value
    return "equal" if getattr(loaded, name) == held else f"read back {{getattr(loaded, name)!r}}"


def update(name, value):
    entity = Sample(**base())
    getattr(entity, f"update_{{name}}")(value)
    return "accepted"


def list_since(moment):
    with factory() as session:
        SampleRepository(session).list_and_count(updated_since=moment)
    return "listed"


def touch_at(moment):
    Sample(**base()).touch(at=moment)
    return "touched"


cases = {cases}
fates = {{}}
for case, (name, value) in cases.items():
    fates[case] = fate(lambda: store(name, eval(value)))
    fates[case + " (update)"] = fate(lambda: update(name, eval(value)))
overflow = datetime(1, 1, 1, tzinfo=EAST)
fates["list_and_count(updated_since=overflow)"] = fate(lambda: list_since(overflow))
fates["touch(at=overflow)"] = fate(lambda: touch_at(overflow))
engine.dispose()
print(json.dumps(fates))
"""

EXPECTED = (
    {case: f"refused {name}" for case, (name, _) in REFUSED.items()}
    | {f"{case} (update)": f"refused {name}" for case, (name, _) in REFUSED.items()}
    | {case: "equal" for case in READ_BACK}
    | {f"{case} (update)": "accepted" for case in READ_BACK}
    | {
        "list_and_count(updated_since=overflow)": "refused updated_since",
        "touch(at=overflow)": "refused at",
    }
)


@pytest.fixture(scope="module")
def value_service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("values") / "service",
        project_name="Value Limits",
        package_name="value_limits",
        entities=VALUE_ENTITIES,
    )


def service_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": "src"}


def migrate(service: Path, database_url: str) -> None:
    run([sys.executable, "-m", "alembic", "upgrade", "head"], service, service_env(database_url))


def store_values(service: Path, database_url: str, cases: dict[str, tuple[str, str]]) -> object:
    script = STORE_VALUES.format(package="value_limits", cases=repr(cases))
    output = run([sys.executable, "-c", script, database_url], service, service_env(database_url))
    return json.loads(output.splitlines()[-1])


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def migrated_database(
    request: pytest.FixtureRequest, value_service: Path, tmp_path: Path
) -> Iterator[str]:
    """A database of each backend with the service's migrations applied."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'values.sqlite3'}"
        migrate(value_service, url)
        yield url
        return
    with server_database(request.param, "ddd_values") as database:
        migrate(value_service, database.url)
        yield database.url


def test_values_outside_the_limits_are_refused_and_values_inside_read_back_exactly(
    value_service: Path, migrated_database: str
) -> None:
    fates = store_values(value_service, migrated_database, REFUSED | READ_BACK)
    assert fates == EXPECTED


@pytest.fixture
def utf8mb3_database() -> Iterator[str]:
    """A MariaDB database created with CHARACTER SET utf8mb3, dropped after the test."""
    name = f"ddd_utf8mb3_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        SERVERS["mariadb"].format(database=ADMIN_DATABASE["mariadb"]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb3"))
        charset = connection.scalar(
            text(
                "SELECT default_character_set_name FROM information_schema.schemata "
                "WHERE schema_name = :name"
            ),
            {"name": name},
        )
    assert charset == "utf8mb3"
    try:
        yield SERVERS["mariadb"].format(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def test_emoji_read_back_on_a_mariadb_database_created_with_utf8mb3(
    value_service: Path, utf8mb3_database: str
) -> None:
    migrate(value_service, utf8mb3_database)
    # The URL asks for a utf8mb3 connection too: the engine speaks utf8mb4 all the same.
    url = f"{utf8mb3_database}?charset=utf8mb3"
    emoji = {
        "emoji in a str": ("code", '"\\U0001f600\\U0001f4a9"'),
        "emoji in a text": ("body", '"caf\\u00e9 \\U0001f600"'),
    }
    assert store_values(value_service, url, emoji) == {
        "emoji in a str": "equal",
        "emoji in a str (update)": "accepted",
        "emoji in a text": "equal",
        "emoji in a text (update)": "accepted",
        "list_and_count(updated_since=overflow)": "refused updated_since",
        "touch(at=overflow)": "refused at",
    }
