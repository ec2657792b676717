"""Mutation testing of the generated timestamp core, published in docs/benchmarks/mutation.md.

    python benchmarks/mutation.py [--output docs/benchmarks] [--sets default rich]

Generates each answer set's service from the working tree (checks off) into a
temporary directory and runs mutmut there with the service's own ``[tool.mutmut]``
(``python -m mutmut run --max-children 2``, the interpreter running this script:
its environment needs the ``test`` and ``bench`` extras). A mutant is killed when a
test fails or times out; every other verdict (survived, no tests, suspicious,
skipped, not checked) is a survivor. Each survivor must be on
``benchmarks/mutation-equivalents.txt``, the mutants judged equivalent (no code
that calls the core can tell them from the original). Exits 1 when a survivor is
not on the list (its diff is printed), when a list entry is no longer a survivor
(the list stays true; one that only timed out still holds, an equivalent mutant can
be slower), or when a set scores below 93 %. The report is written
whatever the outcome. Not part of ``.ci/run``: each set takes 6 to 16 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import generate  # noqa: E402

from benchmarks.harness import machine  # noqa: E402

EQUIVALENTS = ROOT / "benchmarks" / "mutation-equivalents.txt"
TARGET = 0.93
TARGET_TEXT = f"{TARGET * 100:.0f} %"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
PROGRESS_EVERY = 30.0  # seconds between two progress lines of a running set

# Four entities reaching every kind of parent touch: parents touched by their
# children (one of them a child too, one child touching two parent tables at
# once), a cascade two levels deep, a set_null and a restricting reference that
# also touch, and datetime fields beside the stamps.
RICH_ENTITIES: list[dict[str, Any]] = [
    {
        "name": "Customer",
        "fields": [
            {"name": "name", "type": "str", "max_length": 120},
            {"name": "last_seen_at", "type": "datetime", "nullable": True},
        ],
    },
    {
        "name": "Order",
        "fields": [
            {
                "name": "customer_id", "type": "ref", "to": "Customer",
                "touch": True, "on_delete": "cascade",
            },
            {"name": "placed_at", "type": "datetime"},
        ],
    },
    {
        "name": "OrderLine",
        "fields": [
            {
                "name": "order_id", "type": "ref", "to": "Order",
                "touch": True, "on_delete": "cascade",
            },
            {"name": "quantity", "type": "int", "default": 1},
        ],
    },
    {
        "name": "Review",
        "fields": [
            {"name": "body", "type": "text"},
            {
                "name": "customer_id", "type": "ref", "to": "Customer", "nullable": True,
                "touch": True, "on_delete": "set_null",
            },
            {"name": "order_id", "type": "ref", "to": "Order", "touch": True},
        ],
    },
]  # fmt: skip
SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "rich": {"project_name": "Order Desk", "entities": RICH_ENTITIES},
}
ABOUT_SETS = {
    "default": "the default answers: Project and Task (a restrict reference)",
    "rich": "Customer, Order, OrderLine, Review: touch: true on four references (Review "
    "touches two parent tables), cascade two levels deep, set_null, restrict, datetime fields",
}


@dataclass
class SetResult:
    name: str
    package: str
    seconds: float
    statuses: dict[str, str]  # mutant name without the package prefix -> mutmut's status
    diffs: dict[str, str] = field(default_factory=dict)  # unlisted survivors' diffs

    @property
    def killed(self) -> int:
        return sum(status in KILLED for status in self.statuses.values())

    @property
    def score(self) -> float:
        return self.killed / len(self.statuses) if self.statuses else 0.0

    @property
    def survivors(self) -> dict[str, str]:
        return {n: s for n, s in self.statuses.items() if s not in KILLED}

    def modules(self) -> dict[str, tuple[int, int]]:
        """Killed and total mutants per module (``domain.clock``)."""
        counts: dict[str, tuple[int, int]] = {}
        for name, status in self.statuses.items():
            module = name.rsplit(".", 1)[0]
            killed, total = counts.get(module, (0, 0))
            counts[module] = (killed + (status in KILLED), total + 1)
        return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Equivalent:
    name: str
    reason: str
    sets: frozenset[str] | None  # None: every set
    line: int


def read_equivalents(path: Path) -> list[Equivalent]:
    """``[SET[,SET]:]NAME  REASON`` per line; ``#`` starts a comment line."""
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        name, _, reason = text.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {name} has no reason")
        sets = None
        if ":" in name:
            prefix, name = name.split(":", 1)
            sets = frozenset(prefix.split(","))
            if not sets <= SETS.keys():
                raise SystemExit(f"{path.name}:{number}: unknown answer set in {prefix!r}")
        entries.append(Equivalent(name, reason.strip(), sets, number))
    return entries


def mutmut(service: Path, *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "mutmut", *arguments],
        cwd=service, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(
            f"mutmut {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}"
        )
    return result.stdout


def run_set(name: str, work: Path, log: Callable[[str], None]) -> SetResult:
    log(f"{name}: generating the service")
    service = generate(work / name, **SETS[name])
    (package,) = [path.parent.name for path in (service / "src").glob("*/__init__.py")]
    log(f"{name}: mutmut run --max-children 2 in {service}")
    started = time.monotonic()
    output = work / f"{name}-mutmut.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "mutmut", "run", "--max-children", "2"],
            cwd=service, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        while True:
            try:
                process.wait(timeout=PROGRESS_EVERY)
                break
            except subprocess.TimeoutExpired:
                log(f"{name}: {last_progress(output)}")
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(
            f"{name}: mutmut run exited {process.returncode}:\n"
            + output.read_text(encoding="utf-8", errors="replace")[-4000:]
        )
    log(f"{name}: mutmut done in {seconds:.0f} s")
    statuses = {}
    for line in mutmut(service, "results", "--all", "true").splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if mutant:
            statuses[mutant.removeprefix(f"{package}.")] = status
    result = SetResult(name, package, seconds, statuses)
    return result


def last_progress(log_file: Path) -> str:
    """The last status line mutmut drew (it redraws one line with carriage returns)."""
    text = log_file.read_text(encoding="utf-8", errors="replace")
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else "starting"


def judge(
    results: list[SetResult], entries: list[Equivalent], work: Path
) -> tuple[list[str], list[str]]:
    """Unlisted survivors (with their diffs kept on the results) and stale list lines."""
    unlisted: list[str] = []
    stale: list[str] = []
    for result in results:
        listed = {e.name for e in entries if e.sets is None or result.name in e.sets}
        for name, status in result.survivors.items():
            if name not in listed:
                unlisted.append(f"{result.name}: {name} ({status})")
                result.diffs[name] = mutmut(work / result.name, "show", f"{result.package}.{name}")
        for entry in entries:
            applies = entry.sets is None or result.name in entry.sets
            found = result.statuses.get(entry.name, "not a mutant of this set")
            # An equivalent mutant may be slower (a cache it bypasses) and time out on
            # a busy machine: no test failed, so the line still holds.
            if applies and entry.name not in result.survivors and found != "timeout":
                stale.append(
                    f"{EQUIVALENTS.name}:{entry.line}: {entry.name} in {result.name}: {found}"
                )
    return unlisted, stale


def percent(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f} %" if total else "n/a"


def markdown(
    command: str,
    about: dict[str, str],
    results: list[SetResult],
    entries: list[Equivalent],
    problems: list[str],
) -> str:
    lines = [
        "# Mutation testing of the timestamp core",
        "",
        f"Written by `{command}`; do not edit by hand"
        " (see [docs/benchmarks.md](../benchmarks.md)).",
        "mutmut changes the generated timestamp core (`[tool.mutmut]` of",
        "the service's `pyproject.toml`) one edit at a time and runs the service's tests",
        "against each mutant. Killed: a test failed or timed out. The score is killed /",
        f"total; the target is at least {TARGET_TEXT} per answer set, and every survivor",
        "must be on `benchmarks/mutation-equivalents.txt` (equivalent mutants).",
        "",
        "## Run",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in about.items()),
        "",
        "## Scores",
        "",
        "| answer set | entities | killed / total | score | survivors | of which listed "
        "as equivalent | mutmut time |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        listed = {e.name for e in entries if e.sets is None or result.name in e.sets}
        equivalent = sum(name in listed for name in result.survivors)
        lines.append(
            f"| {result.name} | {ABOUT_SETS[result.name]} | {result.killed} / "
            f"{len(result.statuses)} | {percent(result.killed, len(result.statuses))} | "
            f"{len(result.survivors)} | {equivalent} | {result.seconds:.0f} s |"
        )
    modules = sorted({module for result in results for module in result.modules()})
    lines += [
        "",
        "## Per module",
        "",
        "| module | " + " | ".join(result.name for result in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for module in modules:
        cells = []
        for result in results:
            killed, total = result.modules().get(module, (0, 0))
            cells.append(f"{killed} / {total} ({percent(killed, total)})")
        lines.append(f"| `{module}` | " + " | ".join(cells) + " |")
    lines += ["", "## Verdict", ""]
    lines += [f"- {problem}" for problem in problems] or [
        f"Every survivor is listed as equivalent and every set scores at least {TARGET_TEXT}."
    ]
    return "\n".join(lines) + "\n"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks",
        help="where mutation.md goes (default docs/benchmarks)",
    )  # fmt: skip
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    return parser.parse_args()


def main() -> int:
    options = arguments()
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", flush=True)

    command = " ".join(["python benchmarks/mutation.py", shlex.join(sys.argv[1:])]).strip()
    entries = read_equivalents(EQUIVALENTS)
    about = {
        key: value
        for key, value in machine().items()
        if key in {"date", "machine", "load average at start (1, 5, 15 min)", "Python"}
    }
    about["mutmut"] = version("mutmut")
    with tempfile.TemporaryDirectory(prefix="mutation-") as directory:
        work = Path(directory)
        results = [run_set(name, work, log) for name in options.sets]
        unlisted, stale = judge(results, entries, work)
    low = [
        f"{result.name}: score {percent(result.killed, len(result.statuses))} "
        f"is below {TARGET_TEXT}"
        for result in results
        if result.score < TARGET
    ]
    problems = (
        [f"survivor not listed as equivalent: {line}" for line in unlisted]
        + [f"listed but not a survivor: {line}" for line in stale]
        + low
    )
    about["wall time of the run"] = f"{time.monotonic() - started:.0f} s"
    about["command"] = command
    options.output.mkdir(parents=True, exist_ok=True)
    report = options.output / "mutation.md"
    report.write_text(markdown(command, about, results, entries, problems), encoding="utf-8")
    for result in results:
        print(
            f"{result.name}: {result.killed} / {len(result.statuses)} killed "
            f"({percent(result.killed, len(result.statuses))}), "
            f"{len(result.survivors)} survivors"
        )
        for name, diff in result.diffs.items():
            print(f"\n{result.name}: {name} is not listed as equivalent:\n{diff}")
    for problem in problems:
        print(f"FAIL {problem}")
    log(f"wrote {report}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
