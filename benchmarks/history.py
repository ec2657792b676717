"""What keeping the rows' history costs: one changed row a commit, and 10,000 at once.

    python benchmarks/history.py [--rounds N] [--backends sqlite postgresql mariadb]
                                 [--output docs/benchmarks/history.md]

Two services are generated from the working tree with the default entities
(Project and Task), checks off: one where both entities have ``history: true``,
one where neither does, under different package names so that both import in
one process. It is what this command gives, once with ``history: true`` added
to each entity of the data file and once without:

    copier copy --trust --defaults --vcs-ref HEAD --data checks=none \\
        --data package_name=... --data-file entities.yml . <destination>

Each variant gets a database of its own (same tables, same rows; the history
variant has ``project_history`` and ``task_history`` too), with the service's own
session factory (timestamps, audit, outbox and, where declared, history):

- **per write**: transactions that each load a task, change its title, save it
  and commit, with history against without (target <= 1.5x);
- **per 10,000-row update_where**: one transaction that sets ``priority`` on all
  10,000 stored tasks with ``TaskRepository.update_where()`` and commits, with
  history against without (target <= 1.5x).

Every figure is the median of interleaved runs: per write, ``--rounds`` x 16 runs
of 25 transactions a variant; per update_where, ``--rounds`` runs a variant.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import alternate, format_counts, machine  # noqa: E402
from benchmarks.persistence import BACKENDS, LABELS, counted_statements, database  # noqa: E402

WRITES = 200  # tasks the per-write runs change, in turn
WRITES_A_RUN = 25
SHORT_RUNS = 16  # runs a variant per round: --rounds 5 makes 80
BULK = 10_000  # tasks the update_where() changes
TARGET = 1.5

# The variants: the package each one's service is generated under, and whether its
# entities keep their history. "history" first: ratios are history / none.
VARIANTS = {"history": "tracker_history", "none": "tracker_plain"}


def default_entities() -> list[dict[str, Any]]:
    """The ``entities`` answer's default in copier.yml: Project and Task."""
    import yaml

    questions = yaml.safe_load((ROOT / "copier.yml").read_text())
    return questions["entities"]["default"]


def generate_service(destination: Path, answers: dict[str, Any]) -> Path:
    """Render the template's working tree with ``answers`` (data, as --data-file gives
    them) over the defaults, checks off: what ``generate_default_service`` does with
    the default answers."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import generate

    return generate(destination, **answers)


def generate_variants(directory: Path) -> dict[str, Path]:
    """The two services: both entities with ``history: true``, and neither."""
    entities = default_entities()
    services = {}
    for variant, package in VARIANTS.items():
        kept = [{**entity, "history": True} for entity in entities]
        answers = {
            "package_name": package,
            "entities": kept if variant == "history" else entities,
        }
        services[variant] = generate_service(directory / package, answers)
    return services


def modules(service: Path, package: str) -> dict[str, Any]:
    """The generated service's names the benchmark uses."""
    if str(service / "src") not in sys.path:
        sys.path.insert(0, str(service / "src"))

    def module(name: str) -> Any:
        return importlib.import_module(f"{package}.{name}")

    names = {
        "Project": module("domain.project").Project,
        "Task": module("domain.task").Task,
        "database": module("infrastructure.database"),
        "Base": module("infrastructure.orm.models").Base,
        "HISTORY_TABLES": module("infrastructure.orm.models").HISTORY_TABLES,
        "TaskModel": module("infrastructure.orm.task_model").TaskModel,
        "ProjectRepository": module(
            "infrastructure.repositories.project_repository"
        ).ProjectRepository,
        "TaskRepository": module("infrastructure.repositories.task_repository").TaskRepository,
    }
    return names


def interleaved(
    runs: dict[str, Callable[[], float]], rounds: int, warmup: int
) -> tuple[dict[str, float], list[float]]:
    """``alternate()``'s medians, and the ratio history / none of each round's pair of runs.

    Both variants run once a round, back to back: a round's ratio is untouched by a
    slow patch of the (shared) machine longer than the round, so their spread shows
    how much of a difference between the medians is the machine's.
    """
    taken: dict[str, list[float]] = {variant: [] for variant in runs}

    def kept(variant: str) -> Callable[[], float]:
        def run() -> float:
            seconds = runs[variant]()
            taken[variant].append(seconds)
            return seconds

        return run

    medians = alternate({variant: kept(variant) for variant in runs}, rounds, warmup=warmup)
    pairs = zip(taken["history"][warmup:], taken["none"][warmup:], strict=True)
    return medians, [history / none for history, none in pairs]


class Side:
    """One variant on one backend: its service, its own database, its engine and factory."""

    def __init__(self, variant: str, names: dict[str, Any], url: str) -> None:
        self.variant = variant
        self.names = names
        self.engine = names["database"].create_database_engine(url)
        names["Base"].metadata.create_all(self.engine)
        self.factory = names["database"].create_session_factory(self.engine)
        self.keeps_history = bool(names["HISTORY_TABLES"])

    def close(self) -> None:
        self.engine.dispose()

    def server_version(self) -> str:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return str(connection.execute(text("select version()")).scalar_one())

    def seed(self, tasks: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
        """One project and ``tasks`` tasks of it, saved with ``save_all()`` and committed."""
        names = self.names
        with self.factory.begin() as session:
            project = names["Project"](name=f"project-{uuid.uuid4()}")
            names["ProjectRepository"](session).save(project)
            batch = [names["Task"](project_id=project.id, title=f"t{n}") for n in range(tasks)]
            names["TaskRepository"](session).save_all(batch)
        return project.id, [task.id for task in batch]

    def history_rows(self) -> int:
        """Rows in the task history table (0 when the variant keeps none)."""
        from sqlalchemy import func, select

        tables = [
            table for table in self.names["HISTORY_TABLES"].values() if table.name == "task_history"
        ]
        if not tables:
            return 0
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(tables[0])).scalar_one()


def per_write(sides: dict[str, Side], rounds: int) -> dict[str, Any]:
    """Median seconds per committed save of a changed task, with and without history.

    Short runs of ``WRITES_A_RUN`` transactions, ``SHORT_RUNS`` of them a round, the
    variants interleaved run by run, as ``benchmarks/outbox.py`` does.
    """
    ids = {variant: side.seed(WRITES)[1] for variant, side in sides.items()}
    counter = iter(range(10**9))

    def write(side: Side, task_id: uuid.UUID) -> None:
        with side.factory.begin() as session:
            repository = side.names["TaskRepository"](session)
            task = repository.get_by_id(task_id)
            task.update_title(f"title-{next(counter)}")
            repository.save(task)

    def run(side: Side, task_ids: list[uuid.UUID]) -> Callable[[], float]:
        runs = iter(range(10**9))

        def timed() -> float:
            start = next(runs) * WRITES_A_RUN % len(task_ids)
            batch = task_ids[start : start + WRITES_A_RUN]
            started = time.perf_counter()
            for task_id in batch:
                write(side, task_id)
            return (time.perf_counter() - started) / len(batch)

        return timed

    medians, ratios = interleaved(
        {variant: run(side, ids[variant]) for variant, side in sides.items()},
        rounds * SHORT_RUNS,
        warmup=4,
    )
    statements = {}
    for variant, side in sides.items():
        with counted_statements(side.engine, outbox=True) as seen:
            write(side, ids[variant][0])
        statements[variant] = format_counts(seen)
    history = sides["history"]
    with history.factory() as session:
        kept = history.names["TaskRepository"](session).history(ids["history"][0])
    assert len(kept) >= 2, f"task history not kept: {kept!r}"
    return {"seconds": medians, "ratios": ratios, "statements": statements}


def bulk_update(sides: dict[str, Side], rounds: int) -> dict[str, Any]:
    """Median seconds of one committed ``update_where()`` of ``BULK`` tasks, by variant."""
    projects = {variant: side.seed(BULK)[0] for variant, side in sides.items()}
    counter = iter(range(1, 10**9))
    before = sides["history"].history_rows()

    def update(side: Side, project_id: uuid.UUID) -> float:
        task_model = side.names["TaskModel"]
        started = time.perf_counter()
        with side.factory.begin() as session:
            repository = side.names["TaskRepository"](session)
            rows = repository.update_where(
                [task_model.project_id == project_id], {"priority": next(counter)}
            )
        elapsed = time.perf_counter() - started
        assert rows == BULK, f"update_where() updated {rows} rows, not {BULK}"
        return elapsed

    def run(side: Side, project_id: uuid.UUID) -> Callable[[], float]:
        return lambda: update(side, project_id)

    medians, ratios = interleaved(
        {variant: run(side, projects[variant]) for variant, side in sides.items()},
        rounds,
        warmup=1,
    )
    kept = sides["history"].history_rows() - before
    assert kept == BULK * (rounds + 1), f"{kept} history rows for {rounds + 1} updates"
    statements = {}
    for variant, side in sides.items():
        with counted_statements(side.engine, outbox=True) as seen:
            update(side, projects[variant])
        statements[variant] = format_counts(seen)
    return {"seconds": medians, "ratios": ratios, "statements": statements}


@contextmanager
def backend_sides(backend: str, names: dict[str, dict[str, Any]]) -> Iterator[dict[str, Side]]:
    """Each variant on a new database of ``backend``, dropped on exit."""
    with database(backend) as with_url, database(backend) as without_url:
        urls = {"history": with_url, "none": without_url}
        sides = {variant: Side(variant, names[variant], urls[variant]) for variant in VARIANTS}
        try:
            yield sides
        finally:
            for side in sides.values():
                side.close()


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1e3
    return f"{milliseconds:.0f} ms" if milliseconds >= 100 else f"{milliseconds:.2f} ms"


def table(figures: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| backend | with history | without | ratio | target met "
        "| the rounds' ratios: median (least, most) |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for backend, figure in figures.items():
        seconds = figure["seconds"]
        ratio = seconds["history"] / seconds["none"]
        ratios = figure["ratios"]
        spread = f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}x, {max(ratios):.2f}x)"
        lines.append(
            f"| {LABELS[backend]} | {_ms(seconds['history'])} | {_ms(seconds['none'])} "
            f"| {ratio:.2f}x | {'yes' if ratio <= TARGET else '**no**'} | {spread} |"
        )
    return lines


def statements_table(figures: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| backend | with history | without |",
        "| --- | --- | --- |",
    ]
    for backend, figure in figures.items():
        statements = figure["statements"]
        lines.append(f"| {LABELS[backend]} | {statements['history']} | {statements['none']} |")
    return lines


def render(
    writes: dict[str, dict[str, Any]],
    bulk: dict[str, dict[str, Any]],
    rounds: int,
    about: dict[str, str],
    wall: float,
    command: str,
) -> str:
    lines = [
        "# Row history: what it costs",
        "",
        "Measured by `python benchmarks/history.py` on two services generated from the",
        "working tree with the default entities (Project and Task), checks off: one where",
        "both entities have `history: true`, one where neither does. Each variant has a",
        "database of its own and the service's own session factory (timestamps, audit,",
        "outbox, and the history where declared); the runs of the two are interleaved.",
        "",
        *(f"- {key}: {value}" for key, value in about.items()),
        f"- wall time of the run: {wall:.0f} s",
        f"- command: `{command}`",
        "",
        "The ratio is the median with history over the median without; the target is",
        "judged on it. The last column pairs each round's two runs (run back to back)",
        "and gives the median, least and most of those pairs' ratios: on a machine shared",
        "with other work, a wide spread says how much of a ratio is the machine's.",
        "",
        f"## Per write (target: at most {TARGET}x without history)",
        "",
        "A transaction that reads a task, changes its title, saves and commits: the",
        f"medians of {rounds * SHORT_RUNS} runs of {WRITES_A_RUN} transactions a variant, "
        "interleaved",
        "run by run. The commit's outbox step writes the changes it received into the",
        "history tables too: saving a task touches its project (`touch: true`), so each",
        "commit adds two history rows, one to `task_history` and one to",
        "`project_history`, each copied by the database from the row as the commit finds",
        "it (`INSERT ... SELECT`, one statement each).",
        "",
        *table(writes),
        "",
        "Statements of one such transaction, the outbox's and the history's included:",
        "",
        *statements_table(writes),
        "",
        f"## Per {BULK:,}-row `update_where()` (target: at most {TARGET}x without history)",
        "",
        f"{BULK:,} tasks stored (one project), then one transaction doing",
        '`TaskRepository(session).update_where([TaskModel.project_id == id], {"priority": n})`',
        f"on all of them, and its commit: the medians of {rounds} runs a variant,",
        "interleaved. The outbox receives the same 10,000 changes in both variants; with",
        "history, the commit also has the database copy the 10,000 rows into",
        "`task_history` (`INSERT ... SELECT`, two statements of 5,000 ids each).",
        "",
        *table(bulk),
        "",
        "Statements of one such transaction, the outbox's and the history's included (an",
        "executemany counts once):",
        "",
        *statements_table(bulk),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "history.md")
    options = parser.parse_args()
    if options.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {options.rounds}")
    started = time.perf_counter()
    about = machine()
    writes: dict[str, dict[str, Any]] = {}
    bulk: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-history-") as directory:
        print("generating the two services ...", file=sys.stderr, flush=True)
        services = generate_variants(Path(directory))
        names = {
            variant: modules(services[variant], package) for variant, package in VARIANTS.items()
        }
        for backend in options.backends:
            print(f"{backend}: per write ...", file=sys.stderr, flush=True)
            with backend_sides(backend, names) as sides:
                if backend != "sqlite":
                    about[f"{LABELS[backend]} server"] = sides["none"].server_version()
                writes[backend] = per_write(sides, options.rounds)
            print(f"{backend}: update_where() of {BULK:,} rows ...", file=sys.stderr, flush=True)
            with backend_sides(backend, names) as sides:
                bulk[backend] = bulk_update(sides, options.rounds)
    wall = time.perf_counter() - started
    command = " ".join(["python", "benchmarks/history.py", *sys.argv[1:]])
    text = render(writes, bulk, options.rounds, about, wall, command)
    options.output.write_text(text)
    print(text)
    ratios = [
        figure["seconds"]["history"] / figure["seconds"]["none"]
        for figure in (*writes.values(), *bulk.values())
    ]
    print(f"median ratio over all figures: {statistics.median(ratios):.2f}x", file=sys.stderr)


if __name__ == "__main__":
    main()
