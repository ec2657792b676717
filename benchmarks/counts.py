"""The benchmarks in a quick mode, printing the statement counts as JSON (no times).

    python -m benchmarks.counts SERVICE [--backends sqlite postgresql mariadb]

SERVICE is a service generated with the default answers. The domain benchmark
runs a few calls (to prove it runs); each persistence path of the generated
repository runs once per backend on a new database, with its statements
counted. ``tests/test_benchmark_counts.py`` compares the counts with the
expected ones; timings play no part.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import domain, persistence
from .service import Service

# Small, so that the guard stays quick.
GUARD_SIZES = persistence.Sizes(one_by_one=10, unchanged=200, bulk=500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", type=Path)
    parser.add_argument(
        "--backends", nargs="+", choices=persistence.BACKENDS, default=list(persistence.BACKENDS)
    )
    options = parser.parse_args()
    service = Service(options.service)
    domain.run(service, rounds=1, quick=True, log=lambda message: None, repeat=100)
    counted: dict[str, object] = {"sizes": GUARD_SIZES.__dict__}
    for kind in options.backends:
        with persistence.database(kind) as url:
            bench = persistence.Bench(service, kind, url, GUARD_SIZES)
            try:
                counted[kind] = {
                    path: dict(counts)
                    for path, counts in persistence.statement_counts(bench).items()
                }
            finally:
                bench.close()
    print(json.dumps(counted))


if __name__ == "__main__":
    main()
