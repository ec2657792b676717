"""Run every benchmark and write docs/benchmarks/ (README.md table, PNG plots, results.json).

    python benchmarks/run.py [--quick] [--rounds N] [--check-rounds N]
                             [--only generation domain persistence operations]
                             [--backends sqlite ...]

Generation runs the copier CLI on a temporary git repository of the working
tree; domain and persistence import a default service generated from it; the
persistence benchmarks make a new database on each backend and drop it.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import domain, generation, operations, persistence, report  # noqa: E402
from benchmarks.harness import CountResult, Result, machine  # noqa: E402
from benchmarks.service import Service, generate_default_service  # noqa: E402

PARTS = ("generation", "domain", "persistence", "operations")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true",
        help="small sizes and 3 rounds (1 with checks): checks the harness, not for publishing",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, help="alternating rounds per figure (default 5, quick 3)"
    )
    parser.add_argument(
        "--check-rounds", type=int,
        help="rounds of the copy with checks, which installs from the index (default 3, quick 1)",
    )  # fmt: skip
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument(
        "--backends", nargs="+", choices=persistence.BACKENDS, default=list(persistence.BACKENDS)
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "benchmarks",
        help="where the table, plots and results.json go (default docs/benchmarks)",
    )  # fmt: skip
    parser.add_argument(
        "--rerender", type=Path, metavar="RESULTS_JSON",
        help="measure nothing: write the table and plots again from a results.json",
    )  # fmt: skip
    options = parser.parse_args()
    options.rounds = options.rounds or (3 if options.quick else 5)
    options.check_rounds = options.check_rounds or (1 if options.quick else 3)
    if options.rounds < 1 or options.check_rounds < 1:
        parser.error("--rounds and --check-rounds must be at least 1")
    return options


def main() -> None:
    options = arguments()
    if options.rerender:
        about, results, counts = report.load(options.rerender)
        write(options.output, about["command"], about, results, counts, report.copies_of(results))
        return
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", flush=True)

    command = " ".join(["python benchmarks/run.py", shlex.join(sys.argv[1:])]).strip()
    about = machine()
    results: list[Result] = []
    counts: list[CountResult] = []
    copies: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="benchmarks-") as directory:
        work = Path(directory)
        if "generation" in options.only:
            found, copies = generation.run(
                work / "generation", options.rounds, options.quick, options.check_rounds, log
            )
            results += found
        if {"domain", "persistence", "operations"} & set(options.only):
            log("generating the default service")
            service = Service(generate_default_service(work / "service"))
            if "domain" in options.only:
                results += domain.run(service, options.rounds, options.quick, log)
            if "persistence" in options.only:
                for kind in options.backends:
                    found, counted, version = persistence.run_backend(
                        service, kind, options.rounds, options.quick, log
                    )
                    results += found
                    counts += counted
                    if kind != "sqlite":
                        about[f"{persistence.LABELS[kind]} server"] = version
            if "operations" in options.only:
                for kind in options.backends:
                    found, counted = operations.run_backend(
                        service, kind, options.rounds, options.quick, log
                    )
                    results += found
                    counts += counted
    about["wall time of the run"] = f"{time.monotonic() - started:.0f} s"
    about["command"] = command
    write(options.output, command, about, results, counts, copies)
    log(f"wrote {options.output / 'README.md'}, results.json and the plots")


def write(
    output: Path,
    command: str,
    about: dict[str, str],
    results: list[Result],
    counts: list[CountResult],
    copies: dict[int, float],
) -> None:
    output.mkdir(parents=True, exist_ok=True)
    # The measurements first: a run's figures survive a failure to plot them
    # (``--rerender`` writes the rest from this file).
    (output / "results.json").write_text(report.raw(about, results, counts))
    for old in output.glob("*.png"):
        old.unlink()
    plots = report.plot_ratios(results, output)
    if len(copies) > 1:
        plots.append(report.plot_copy_scaling(copies, output))
    (output / "README.md").write_text(report.markdown(command, about, results, counts, plots))
    missed = [r.name for r in results if r.met is False] + [c.name for c in counts if not c.met]
    print(f"{len(missed)} target(s) missed" + "".join(f"\n  - {name}" for name in missed))


if __name__ == "__main__":
    main()
