"""Persistence: the generated repository against raw SQLAlchemy, and against triggers.

Each backend gets a new database (a file for SQLite; ``CREATE DATABASE`` on the
PostgreSQL and MariaDB servers of ``tests/conftest.py``), dropped at the end.
The generated service's tables are created in it and seeded once. Every run
works in its own session and rolls back, so each run sees the same rows.

The raw SQLAlchemy baselines use the same ``projects`` table (the same column
types, ``UTCDateTime`` included) through a plain session without the service's
listeners: ``PlainRow`` is mapped onto it with the same ``version`` column.
"""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, registry, sessionmaker

from .harness import CountResult, Result, alternate, stopwatch
from .service import ROOT, Service

BACKENDS = ("sqlite", "postgresql", "mariadb")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}


@dataclass(frozen=True)
class Sizes:
    one_by_one: int  # saves per run
    unchanged: int  # unchanged saves counted
    bulk: int  # rows of save_all() and update_where()

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        return cls(20, 100, 1_000) if quick else cls(100, 1_000, 10_000)


class PlainRow:
    """A row of ``projects`` as raw SQLAlchemy maps it: no listeners, no domain."""

    id: uuid.UUID
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


@contextmanager
def counted_statements(engine: Engine, *, outbox: bool = False) -> Iterator[Counter[str]]:
    """Count the statements ``engine`` sends, by first keyword (an executemany counts once).

    The outbox's statements (``outbox_work``: its own, the history's) are counted only
    with ``outbox``: what the outbox costs is measured apart, by ``benchmarks/outbox.py``.
    """
    seen: Counter[str] = Counter()

    def count(*arguments: Any) -> None:
        if outbox or not arguments[4].execution_options.get("outbox_work"):
            seen[str(arguments[2]).split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A URL of a new, empty database of ``kind``, dropped on exit."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-sqlite-") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        return
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import server_database

    with server_database(kind, "bench") as made:
        yield made.url


# An operation: given a fresh session, prepares (untimed) and returns the timed part.
Operation = Callable[[Session], Callable[[], None]]


class Bench:
    """One backend's database with the service's tables seeded, and how to time on it."""

    def __init__(self, service: Service, kind: str, url: str, sizes: Sizes) -> None:
        self.service = service
        self.kind = kind
        self.sizes = sizes
        self.engine = service.create_database_engine(url)
        service.base.metadata.create_all(self.engine)
        self.session_factory = service.create_session_factory(self.engine)
        self.plain_factory = sessionmaker(self.engine)
        self.model = service.project_model
        self.table: Table = self.model.__table__
        self.plain = _plain_row_class(self.table)
        self.loaded_ids = self._seed(self.table, "loaded", max(sizes.unchanged, sizes.one_by_one))
        self._seed(self.table, "bulk", sizes.bulk)
        self.triggered: Table | None = None
        self._fresh = 0

    def close(self) -> None:
        self.engine.dispose()

    def server_version(self) -> str:
        with self.engine.connect() as connection:
            if self.kind == "sqlite":
                return connection.execute(text("select sqlite_version()")).scalar_one()
            return str(connection.execute(text("select version()")).scalar_one())

    def fresh(self, prefix: str) -> str:
        self._fresh += 1
        return f"{prefix}-{self._fresh}"

    def _seed(
        self, table: Table, prefix: str, number: int, stamped: bool = True
    ) -> list[uuid.UUID]:
        moment = datetime.now(UTC) - timedelta(days=1)
        ids = [uuid.uuid4() for _ in range(number)]
        rows = [
            {"id": row_id, "name": f"{prefix}-{index}", "description": None, "version": 1}
            | ({"created_at": moment, "updated_at": moment} if stamped else {})
            for index, row_id in enumerate(ids)
        ]
        with self.engine.begin() as connection:
            connection.execute(insert(table), rows)
        return ids

    # --- running -------------------------------------------------------------

    def run_once(self, operation: Operation, plain: bool) -> float:
        session = (self.plain_factory if plain else self.session_factory)()
        try:
            timed = operation(session)
            with stopwatch() as taken:
                timed()
            return taken[0]
        finally:
            session.rollback()
            session.close()

    def count_once(self, operation: Operation, plain: bool) -> Counter[str]:
        session = (self.plain_factory if plain else self.session_factory)()
        try:
            timed = operation(session)
            with counted_statements(self.engine) as seen:
                timed()
            return seen
        finally:
            session.rollback()
            session.close()

    def compare(
        self, variants: dict[str, tuple[Operation, bool]], rounds: int
    ) -> tuple[dict[str, float], dict[str, Counter[str]]]:
        """Median seconds (alternating runs) and the statements of one run, per variant."""
        medians = alternate(
            {
                name: (lambda operation=operation, plain=plain: self.run_once(operation, plain))
                for name, (operation, plain) in variants.items()
            },
            rounds,
        )
        counts = {name: self.count_once(op, plain) for name, (op, plain) in variants.items()}
        return medians, counts

    # --- the operations ------------------------------------------------------

    def save_new(self, number: int) -> Operation:
        def prepare(session: Session) -> Callable[[], None]:
            repository = self.service.project_repository(session)
            entities = [self.service.project(name=self.fresh("new")) for _ in range(number)]

            def timed() -> None:
                for entity in entities:
                    repository.save(entity)

            return timed

        return prepare

    def add_flush(self, number: int) -> Operation:
        plain = self.plain

        def prepare(session: Session) -> Callable[[], None]:
            values = [(uuid.uuid4(), self.fresh("new")) for _ in range(number)]

            def timed() -> None:
                for row_id, name in values:
                    now = datetime.now(UTC)
                    session.add(
                        plain(
                            id=row_id, name=name, description=None, created_at=now, updated_at=now
                        )
                    )
                    session.flush()

            return timed

        return prepare

    def save_loaded(self, number: int, change: bool) -> Operation:
        def prepare(session: Session) -> Callable[[], None]:
            repository = self.service.project_repository(session)
            entities = [repository.get_by_id(row_id) for row_id in self.loaded_ids[:number]]
            if change:
                for entity in entities:
                    entity.update_name(self.fresh("changed"))

            def timed() -> None:
                for entity in entities:
                    repository.save(entity)

            return timed

        return prepare

    def core_update_one_by_one(
        self, number: int, table: Table | None = None, stamp: bool = True
    ) -> Operation:
        table = self.table if table is None else table

        def prepare(session: Session) -> Callable[[], None]:
            ids = self.loaded_ids[:number] if table is self.table else self.triggered_ids[:number]
            rows = session.execute(
                select(table.c.id, table.c.version).where(table.c.id.in_(ids))
            ).all()
            names = [self.fresh("changed") for _ in rows]

            def timed() -> None:
                for (row_id, version), name in zip(rows, names, strict=True):
                    values: dict[str, Any] = {"name": name, "version": version + 1}
                    if stamp:
                        values["updated_at"] = datetime.now(UTC)
                    statement = update(table).where(
                        table.c.id == row_id, table.c.version == version
                    )
                    if session.execute(statement.values(values)).rowcount != 1:
                        raise RuntimeError("a Core UPDATE matched no row")

            return timed

        return prepare

    def save_all_new(self, number: int) -> Operation:
        def prepare(session: Session) -> Callable[[], None]:
            repository = self.service.project_repository(session)
            entities = [self.service.project(name=self.fresh("all")) for _ in range(number)]
            return lambda: repository.save_all(entities)

        return prepare

    def core_insert_many(self, number: int) -> Operation:
        table = self.table

        def prepare(session: Session) -> Callable[[], None]:
            values = [(uuid.uuid4(), self.fresh("all")) for _ in range(number)]

            def timed() -> None:
                now = datetime.now(UTC)
                rows = [
                    {
                        "id": row_id,
                        "name": name,
                        "description": None,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                    for row_id, name in values
                ]
                session.execute(insert(table), rows)

            return timed

        return prepare

    def update_where(self) -> Operation:
        model = self.model
        expected = self.sizes.bulk

        def prepare(session: Session) -> Callable[[], None]:
            repository = self.service.project_repository(session)

            def timed() -> None:
                updated = repository.update_where(
                    [model.name.startswith("bulk-")], {"description": "bulk"}
                )
                if updated != expected:
                    raise RuntimeError(f"update_where() updated {updated} rows, not {expected}")

            return timed

        return prepare

    def core_update_many(self, table: Table | None = None, stamp: bool = True) -> Operation:
        table = self.table if table is None else table
        expected = self.sizes.bulk

        def prepare(session: Session) -> Callable[[], None]:
            def timed() -> None:
                values: dict[str, Any] = {"description": "bulk", "version": table.c.version + 1}
                if stamp:
                    values["updated_at"] = datetime.now(UTC)
                statement = update(table).where(table.c.name.startswith("bulk-")).values(values)
                updated = session.execute(statement).rowcount
                if updated != expected:
                    raise RuntimeError(f"the Core UPDATE updated {updated} rows, not {expected}")

            return timed

        return prepare

    # --- triggers ------------------------------------------------------------

    def create_triggered_table(self) -> None:
        """``projects_triggered``: the columns of ``projects``, stamped by triggers."""
        utc = self.service.utc_datetime
        table = Table(
            "projects_triggered",
            MetaData(),
            Column("id", Uuid, primary_key=True),
            Column("name", String(200), nullable=False, unique=True),
            Column("description", Text, nullable=True),
            Column("created_at", utc(), nullable=False),
            Column("updated_at", utc(), nullable=False, index=True),
            Column("version", Integer, nullable=False),
        )
        table.create(self.engine)
        with self.engine.begin() as connection:
            for statement in TRIGGERS[self.kind]:
                connection.execute(text(statement))
        self.triggered = table
        self.triggered_ids = self._seed(table, "loaded", self.sizes.one_by_one, stamped=False)
        self._seed(table, "bulk", self.sizes.bulk, stamped=False)

    def core_insert_one_by_one(self, number: int, table: Table, stamp: bool) -> Operation:
        def prepare(session: Session) -> Callable[[], None]:
            values = [(uuid.uuid4(), self.fresh("new")) for _ in range(number)]

            def timed() -> None:
                for row_id, name in values:
                    row: dict[str, Any] = {
                        "id": row_id,
                        "name": name,
                        "description": None,
                        "version": 1,
                    }
                    if stamp:
                        row["created_at"] = row["updated_at"] = datetime.now(UTC)
                    session.execute(insert(table).values(row))

            return timed

        return prepare


TRIGGERS = {
    "postgresql": [
        """
        CREATE FUNCTION stamp_projects_triggered() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.created_at := now();
            END IF;
            NEW.updated_at := now();
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER projects_triggered_stamp BEFORE INSERT OR UPDATE ON projects_triggered
        FOR EACH ROW EXECUTE FUNCTION stamp_projects_triggered()
        """,
    ],
    "mariadb": [
        """
        CREATE TRIGGER projects_triggered_insert BEFORE INSERT ON projects_triggered
        FOR EACH ROW SET NEW.created_at = UTC_TIMESTAMP(6), NEW.updated_at = NEW.created_at
        """,
        """
        CREATE TRIGGER projects_triggered_update BEFORE UPDATE ON projects_triggered
        FOR EACH ROW SET NEW.updated_at = UTC_TIMESTAMP(6)
        """,
    ],
}


def _plain_row_class(table: Table) -> type[PlainRow]:
    plain = type("PlainProjectRow", (PlainRow,), {})
    registry().map_imperatively(plain, table, version_id_col=table.c.version)
    return plain


def _statements(
    counts: dict[str, Counter[str]], per: int, labels: dict[str, str]
) -> dict[str, str]:
    """Statements per unit of each variant, e.g. ``{"save()": "1 SELECT, 1 UPDATE"}``."""
    shown: dict[str, str] = {}
    for name, label in labels.items():
        per_unit = Counter({kind: number / per for kind, number in counts[name].items()})
        shown[label] = (
            ", ".join(f"{number:g} {kind}" for kind, number in _ordered(per_unit)) or "none"
        )
    return shown


def _ordered(counts: Counter[Any]) -> list[tuple[str, Any]]:
    order = ["SELECT", "INSERT", "UPDATE", "DELETE"]
    return sorted(
        counts.items(), key=lambda item: (order.index(item[0]) if item[0] in order else 9, item[0])
    )


def statement_counts(bench: Bench) -> dict[str, Counter[str]]:
    """The statements of the generated repository's paths (the regression guard reads these)."""
    sizes = bench.sizes
    return {
        "save_new_each": _divided(
            bench.count_once(bench.save_new(sizes.one_by_one), False), sizes.one_by_one
        ),
        "save_changed_each": _divided(
            bench.count_once(bench.save_loaded(sizes.one_by_one, change=True), False),
            sizes.one_by_one,
        ),
        "save_unchanged_total": bench.count_once(
            bench.save_loaded(sizes.unchanged, change=False), False
        ),
        "save_all_new_call": bench.count_once(bench.save_all_new(sizes.bulk), False),
        "update_where_call": bench.count_once(bench.update_where(), False),
    }


def _divided(counts: Counter[str], by: int) -> Counter[str]:
    return Counter(
        {kind: number // by if number % by == 0 else number / by for kind, number in counts.items()}
    )


def run_backend(
    service: Service, kind: str, rounds: int, quick: bool, log: Callable[[str], None]
) -> tuple[list[Result], list[CountResult], str]:
    sizes = Sizes.of(quick)
    label = LABELS[kind]
    section = f"Persistence on {label}"
    results: list[Result] = []
    count_results: list[CountResult] = []
    with database(kind) as url:
        bench = Bench(service, kind, url, sizes)
        try:
            version = bench.server_version()
            n = sizes.one_by_one

            log(f"{label}: save() of {n} new entities against ORM add()+flush(), {rounds} rounds")
            medians, counts = bench.compare(
                {"save": (bench.save_new(n), False), "orm": (bench.add_flush(n), True)}, rounds
            )
            results.append(Result(
                section, "`save()` of a new entity", "`save()`", "ORM `add()` + `flush()`",
                medians["save"] / n, medians["orm"] / n, "save", rounds,
                statements=_statements(counts, n, {"save": "`save()`", "orm": "ORM"}),
            ))  # fmt: skip

            log(
                f"{label}: save() of {n} loaded changed entities against Core UPDATE, "
                f"{rounds} rounds"
            )
            medians, counts = bench.compare(
                {
                    "save": (bench.save_loaded(n, change=True), False),
                    "core": (bench.core_update_one_by_one(n), True),
                },
                rounds,
            )
            results.append(Result(
                section, "`save()` of a loaded, changed entity", "`save()`",
                "Core `UPDATE ... WHERE id AND version`",
                medians["save"] / n, medians["core"] / n, "save", rounds, target=1.5,
                statements=_statements(counts, n, {"save": "`save()`", "core": "Core"}),
            ))  # fmt: skip
            count_results.append(CountResult(
                section, "`save()` of a loaded, changed entity (statements per save)",
                _divided(counts["save"], n), {"SELECT": 0, "UPDATE": 1},
            ))  # fmt: skip

            unchanged = bench.count_once(bench.save_loaded(sizes.unchanged, change=False), False)
            count_results.append(CountResult(
                section,
                f"{sizes.unchanged:,} `save()` of unchanged entities loaded in the same session",
                unchanged, {"SELECT": 0, "UPDATE": 0, "INSERT": 0},
            ))  # fmt: skip

            bulk = sizes.bulk
            log(
                f"{label}: save_all() of {bulk} new against Core insert() executemany, "
                f"{rounds} rounds"
            )
            medians, counts = bench.compare(
                {
                    "save_all": (bench.save_all_new(bulk), False),
                    "core": (bench.core_insert_many(bulk), True),
                },
                rounds,
            )
            results.append(Result(
                section, f"`save_all()` of {bulk:,} new entities", "`save_all()`",
                "Core `insert()` executemany", medians["save_all"], medians["core"], "call",
                rounds, target=1.3,
                statements=_statements(counts, 1, {"save_all": "`save_all()`", "core": "Core"}),
            ))  # fmt: skip

            log(f"{label}: update_where() of {bulk} rows against Core update(), {rounds} rounds")
            medians, counts = bench.compare(
                {
                    "update_where": (bench.update_where(), False),
                    "core": (bench.core_update_many(), True),
                },
                rounds,
            )
            results.append(Result(
                section, f"stamped `update_where()` of {bulk:,} rows", "`update_where()`",
                "Core `update()` with a literal stamp", medians["update_where"], medians["core"],
                "call", rounds, target=1.2,
                statements=_statements(
                    counts, 1, {"update_where": "`update_where()`", "core": "Core"}
                ),
            ))  # fmt: skip

            if kind in TRIGGERS:
                results.extend(_against_triggers(bench, label, rounds, log))
        finally:
            bench.close()
    return results, count_results, version


def _against_triggers(
    bench: Bench, label: str, rounds: int, log: Callable[[str], None]
) -> list[Result]:
    bench.create_triggered_table()
    assert bench.triggered is not None
    triggered = bench.triggered
    sizes = bench.sizes
    n = sizes.one_by_one
    section = f"Against triggers on {label}"
    trigger_label = {
        "postgresql": "`BEFORE INSERT OR UPDATE` trigger (`now()`)",
        "mariadb": "`BEFORE INSERT` / `BEFORE UPDATE` triggers (`UTC_TIMESTAMP(6)`)",
    }[bench.kind]
    results: list[Result] = []
    cases: list[tuple[str, int, str, dict[str, tuple[Operation, bool]]]] = [
        (f"insert {n} one by one", n, "insert", {
            "trigger": (bench.core_insert_one_by_one(n, triggered, stamp=False), True),
            "core": (bench.core_insert_one_by_one(n, bench.table, stamp=True), True),
            "repository": (bench.save_new(n), False),
        }),
        (f"update {n} one by one", n, "update", {
            "trigger": (bench.core_update_one_by_one(n, triggered, stamp=False), True),
            "core": (bench.core_update_one_by_one(n, stamp=True), True),
            "repository": (bench.save_loaded(n, change=True), False),
        }),
        (f"bulk update of {sizes.bulk:,} rows", 1, "statement", {
            "trigger": (bench.core_update_many(triggered, stamp=False), True),
            "core": (bench.core_update_many(stamp=True), True),
            "repository": (bench.update_where(), False),
        }),
    ]  # fmt: skip
    for title, per, unit, variants in cases:
        log(f"{label}: {title}, application stamping against triggers, {rounds} rounds")
        medians, counts = bench.compare(variants, rounds)
        for name, measured_label in (
            ("core", "Core statement, stamp from the application"),
            ("repository", "generated repository"),
        ):
            results.append(Result(
                section, title, measured_label, trigger_label,
                medians[name] / per, medians["trigger"] / per, unit, rounds,
                statements=_statements(counts, per, {name: "measured", "trigger": "trigger"}),
                note="below 1: application stamping is faster than the trigger",
            ))  # fmt: skip
    return results
