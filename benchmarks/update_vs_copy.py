"""How long `copier update` takes to add one entity to a 10-entity service, against `copier copy`.

Baseline: `copier copy` of the 11-entity service (the same answers the update
ends with). Measured: `copier update` of a committed 10-entity service that adds
the eleventh entity. Both run the copier CLI in a subprocess with the checks off,
from a temporary git repository of the template's working tree, side by side in
each round. The medians of the rounds and their ratio are printed.

    python benchmarks/update_vs_copy.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from update_support import TemplateRepository, commit_all, copier, git

TAG = "v1.0.0"


def entity(number: int) -> dict[str, object]:
    return {
        "name": f"Item{number}",
        "fields": [
            {"name": "title", "type": "str", "max_length": 120},
            {"name": "quantity", "type": "int", "default": 0},
            {"name": "due_on", "type": "date", "nullable": True},
        ],
    }


def timed(*arguments: str, cwd: Path) -> float:
    started = time.perf_counter()
    result = copier(*arguments, cwd=cwd)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"copier {arguments[0]} failed:\n{result.stdout}")
    return seconds


def one_round(template: Path, work: Path, number: int) -> tuple[float, float]:
    """Seconds of (copy of 11 entities, update from 10 to 11 entities)."""
    ten = work / f"ten-{number}.yml"
    ten.write_text(yaml.safe_dump({"entities": [entity(n) for n in range(1, 11)]}))
    eleven = work / f"eleven-{number}.yml"
    eleven.write_text(yaml.safe_dump({"entities": [entity(n) for n in range(1, 12)]}))
    options = ["--trust", "--defaults", "--quiet", "--vcs-ref", TAG, "--data", "checks=none"]

    copied = work / f"copied-{number}"
    copy_seconds = timed(
        "copy", *options, "--data-file", str(eleven), str(template), str(copied), cwd=work
    )

    service = work / f"service-{number}"
    timed("copy", *options, "--data-file", str(ten), str(template), str(service), cwd=work)
    git(service, "init", "--quiet", "--initial-branch=main")
    commit_all(service, "ten entities")
    update_seconds = timed("update", *options, "--data-file", str(eleven), cwd=service)
    added = sorted(path.name for path in (service / "migrations" / "versions").glob("0011_*"))
    if added != ["0011_create_item11.py"]:
        raise SystemExit(f"the update did not add exactly one migration: {added}")
    return copy_seconds, update_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="update-vs-copy-") as directory:
        work = Path(directory)
        template = TemplateRepository(work / "template")
        template.release_working_tree(TAG)
        copies: list[float] = []
        updates: list[float] = []
        for number in range(1, rounds + 1):
            copy_seconds, update_seconds = one_round(template.path, work, number)
            copies.append(copy_seconds)
            updates.append(update_seconds)
            print(
                f"round {number}/{rounds}: copy {copy_seconds:.2f} s, "
                f"update {update_seconds:.2f} s",
                flush=True,
            )
    copy_median = statistics.median(copies)
    update_median = statistics.median(updates)
    print(f"copier copy (11 entities), median of {rounds}:           {copy_median:.2f} s")
    print(f"copier update (10 -> 11 entities), median of {rounds}:   {update_median:.2f} s")
    print(f"ratio update / copy: {update_median / copy_median:.2f}")


if __name__ == "__main__":
    main()
