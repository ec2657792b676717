"""Regression guard of the benchmarks: statement counts, never times.

Runs ``python -m benchmarks.counts`` (the domain and persistence benchmarks in
a quick mode) on a default service, on SQLite, PostgreSQL and MariaDB, and
fails when a path of the generated repository sends more statements of a kind
than stated below. A server that is down fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import TEMPLATE_ROOT, generate

BACKENDS = ("sqlite", "postgresql", "mariadb")

# The most statements of each kind each path may send (a kind not named: none),
# at the sizes of benchmarks/counts.py (10 one-by-one saves, 200 unchanged
# saves, 500 rows in the bulk paths). Lower a ceiling when the code improves.
CEILINGS: dict[str, dict[str, int]] = {
    # per save() of a new entity
    "save_new_each": {"INSERT": 1},
    # per save() of an entity loaded in the same session and changed: no SELECT
    "save_changed_each": {"UPDATE": 1},
    # all 200 save() of entities loaded in the same session and unchanged: nothing
    "save_unchanged_total": {},
    # one save_all() of 500 new entities
    "save_all_new_call": {"INSERT": 1},
    # one stamped update_where() matching 500 rows
    "update_where_call": {"SELECT": 1, "UPDATE": 1},
}


def counted_statements(service: Path) -> dict[str, dict[str, dict[str, int]]]:
    """Statement counts by backend and path, from ``python -m benchmarks.counts``."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.counts", str(service), "--backends", *BACKENDS],
        cwd=TEMPLATE_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    return json.loads(result.stdout.strip().splitlines()[-1])


def regressions(paths: dict[str, dict[str, int]]) -> list[str]:
    found = [f"{path}: not measured" for path in CEILINGS if path not in paths]
    for path, counts in paths.items():
        ceiling = CEILINGS.get(path)
        if ceiling is None:
            found.append(f"{path}: measured, but no ceiling is stated in this test")
            continue
        found += [
            f"{path}: {number} {kind}, at most {ceiling.get(kind, 0)} expected"
            for kind, number in sorted(counts.items())
            if number > ceiling.get(kind, 0)
        ]
    return found


def test_statement_counts_do_not_grow(tmp_path: Path) -> None:
    """One test for the three backends, so that pytest-xdist runs the benchmark once."""
    counted = counted_statements(generate(tmp_path / "service"))
    found = [f"{backend}: {line}" for backend in BACKENDS for line in regressions(counted[backend])]
    assert found == []


def test_a_count_above_its_ceiling_is_a_regression() -> None:
    within = {path: dict(ceiling) for path, ceiling in CEILINGS.items()}
    assert regressions(within) == []
    grown = {**within, "save_new_each": {"INSERT": 1, "SELECT": 1}}
    assert regressions(grown) == ["save_new_each: 1 SELECT, at most 0 expected"]
    assert regressions({}) == [f"{path}: not measured" for path in CEILINGS]
