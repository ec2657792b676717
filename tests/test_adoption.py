"""Adopting an existing table (``existing_table``) on SQLite, PostgreSQL and MariaDB.

A legacy table with 10,000 rows and a trigger that keeps its ``updated_at`` is
migrated by the generated service's ``alembic upgrade head``: every row keeps its
data and gets an id, a version and timestamps (one stamp; ``created_at`` from the
legacy column where it is set), the trigger is gone, the models match the
database and the service's repositories work on the rows. ``alembic downgrade
base`` gives the table back as it was, trigger included.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import generate, run, server_database
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import mysql

ROWS = 10_000
TABLE = "legacy_customers"
TRIGGER = "legacy_customers_touch"
ANSWERS = {
    "project_name": "Shop Adoption",
    "entities": [
        {
            "name": "Customer",
            "existing_table": TABLE,
            "legacy_created_at": "signed_up_at",
            "legacy_triggers": [TRIGGER],
            "fields": [
                {"name": "email", "type": "str", "max_length": 200, "unique": True},
                {"name": "full_name", "type": "str", "max_length": 120},
                {"name": "signed_up_at", "type": "datetime", "nullable": True},
                {"name": "tier", "type": "enum", "choices": ["basic", "gold"], "index": True},
            ],
        },
        {
            "name": "Order",
            "fields": [
                {"name": "customer_id", "type": "ref", "to": "Customer", "touch": True},
                {"name": "total", "type": "decimal"},
            ],
        },
    ],
}

UTC_DATETIME = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# The legacy updated_at: stamped by the database, by default and by trigger.
NOW = {"postgresql": "now()", "mysql": "CURRENT_TIMESTAMP(6)", "sqlite": "CURRENT_TIMESTAMP"}
TRIGGERS = {
    "postgresql": [
        "CREATE FUNCTION legacy_touch() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$",
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION legacy_touch()",
    ],
    "mysql": [
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW SET NEW.updated_at = UTC_TIMESTAMP(6)",
    ],
    "sqlite": [
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF full_name ON {TABLE} BEGIN "
        f"UPDATE {TABLE} SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
        "WHERE rowid = NEW.rowid; END",
    ],
}
TRIGGER_NAMES = {
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    "mysql": "SELECT trigger_name FROM information_schema.triggers "
    "WHERE trigger_schema = DATABASE()",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
}
LEGACY_SIGNUP = datetime(2015, 3, 1, 9, 30, 0, 123456)

# Run in the service after the upgrade: the models match the adopted database, and
# the repositories read, change and reference the adopted rows.
SERVICE_CHECK = """
import sys
from datetime import timedelta
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from shop_adoption.application.customer_service import CustomerService
from shop_adoption.application.order_service import OrderService
from shop_adoption.infrastructure.database import create_database_engine, create_session_factory
from shop_adoption.infrastructure.orm.customer_model import CustomerModel
from shop_adoption.infrastructure.orm.models import Base
from shop_adoption.infrastructure.repositories.customer_repository import CustomerRepository
from shop_adoption.infrastructure.unit_of_work import SqlAlchemyUnitOfWork
from shop_adoption.migrations.adoption import STATE_TABLE

engine = create_database_engine(sys.argv[1])
with engine.connect() as connection:
    context = MigrationContext.configure(
        connection,
        opts={"include_name": lambda name, kind, _: not (kind == "table" and name == STATE_TABLE)},
    )
    assert compare_metadata(context, Base.metadata) == []
sessions = create_session_factory(engine)
uow = SqlAlchemyUnitOfWork(sessions)
customers = CustomerService(uow)
with sessions() as session:
    row_id = session.scalars(select(CustomerModel.id).order_by(CustomerModel.email)).first()
customer = customers.get(row_id)
stamped = customer.updated_at
assert customer.version == 1 and customer.created_at <= stamped
customers.update(row_id, {"full_name": "Renamed Customer"})
OrderService(uow).create(customer_id=row_id, total=Decimal("10"))
with sessions() as session:
    assert len(CustomerRepository(session).find_stale(timedelta(0))) == 10_000
again = customers.get(row_id)
assert again.full_name == "Renamed Customer" and again.version == 2
assert again.updated_at > stamped
print("service works on the adopted table")
"""


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("adoption") / "service", **ANSWERS)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind: str = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'legacy.db'}"
        return
    with server_database(kind, "ddd_adoption") as database:
        yield database.url


def legacy_table(dialect: str) -> Table:
    """The table as the legacy application made it: no id, version or created_at."""
    return Table(
        TABLE,
        MetaData(),
        Column("email", String(200), nullable=False),
        Column("full_name", String(120), nullable=False),
        Column("signed_up_at", UTC_DATETIME, nullable=True),
        Column("tier", String(5), nullable=False),
        Column("updated_at", UTC_DATETIME, nullable=True, server_default=text(NOW[dialect])),
    )


def legacy_rows() -> list[dict[str, Any]]:
    """Every third row without a sign-up time; the others a second apart."""
    return [
        {
            "email": f"customer{number:05d}@example.com",
            "full_name": f"Customer {number}",
            "signed_up_at": None if number % 3 == 0 else LEGACY_SIGNUP + timedelta(seconds=number),
            "tier": "gold" if number % 7 == 0 else "basic",
        }
        for number in range(ROWS)
    ]


def create_legacy_table(engine: Engine) -> None:
    dialect = engine.dialect.name
    table = legacy_table(dialect)
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(table.insert(), legacy_rows())
        for statement in TRIGGERS[dialect]:
            connection.exec_driver_sql(statement)


def data(engine: Engine) -> list[tuple[Any, ...]]:
    """The legacy columns of every row, in one order."""
    table = legacy_table(engine.dialect.name)
    columns = [table.c.email, table.c.full_name, table.c.signed_up_at, table.c.tier]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(*columns).order_by(table.c.email))]


def triggers(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(text(TRIGGER_NAMES[engine.dialect.name])))


def columns(engine: Engine) -> dict[str, bool]:
    """Column name -> nullable, of the legacy table."""
    return {column["name"]: column["nullable"] for column in inspect(engine).get_columns(TABLE)}


def alembic(service: Path, url: str, *arguments: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    run([sys.executable, "-m", "alembic", *arguments], service, env)


def test_upgrade_adopts_the_legacy_table_and_downgrade_gives_it_back(
    service: Path, database_url: str
) -> None:
    engine = create_engine(database_url)
    try:
        create_legacy_table(engine)
        before, columns_before = data(engine), columns(engine)
        assert triggers(engine) == {TRIGGER}

        alembic(service, database_url, "upgrade", "head")

        assert data(engine) == before
        assert triggers(engine) == set()
        stamped = Table(TABLE, MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            stamps = connection.execute(
                select(
                    func.count(),
                    func.count(stamped.c.id.distinct()),
                    func.min(stamped.c.version),
                    func.max(stamped.c.version),
                    func.count(stamped.c.updated_at.distinct()),
                )
            ).one()
            from_legacy = connection.scalar(
                select(func.count()).where(stamped.c.created_at == stamped.c.signed_up_at)
            )
            from_stamp = connection.scalar(
                select(func.count()).where(
                    stamped.c.signed_up_at.is_(None), stamped.c.created_at == stamped.c.updated_at
                )
            )
        assert tuple(stamps) == (ROWS, ROWS, 1, 1, 1)
        assert from_legacy == ROWS - len(range(0, ROWS, 3))
        assert from_stamp == len(range(0, ROWS, 3))
        assert columns(engine) == {
            **columns_before,
            "updated_at": False,
            **dict.fromkeys(["id", "version", "created_at"], False),
        }

        env = {**os.environ, "PYTHONPATH": str(service / "src")}
        output = run([sys.executable, "-c", SERVICE_CHECK, database_url], service, env)
        assert "service works on the adopted table" in output

        alembic(service, database_url, "downgrade", "base")

        assert columns(engine) == columns_before
        assert triggers(engine) == {TRIGGER}
        assert set(inspect(engine).get_table_names()) == {TABLE, "alembic_version"}
        renamed = data(engine)
        assert len(renamed) == ROWS
        assert [row for row in renamed if row[1] == "Renamed Customer"] != []
        # The restored trigger stamps updated_at again.
        table = legacy_table(engine.dialect.name)
        email = before[1][0]
        with engine.begin() as connection:
            untouched = connection.scalar(select(table.c.updated_at).where(table.c.email == email))
        with engine.begin() as connection:
            connection.execute(
                table.update().where(table.c.email == email).values(full_name="Touched")
            )
        with engine.begin() as connection:
            touched = connection.scalar(select(table.c.updated_at).where(table.c.email == email))
        assert touched != untouched
    finally:
        engine.dispose()
