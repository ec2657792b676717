"""cProfile of one benchmarked path of the generated code: where its time goes.

    python benchmarks/profile_path.py {touch,create,save_new,save_changed,save_unchanged,
                                  save_all,update_where} [--backend sqlite] [--top 25]

Generates a default service from the working tree, runs the path as the
benchmark does (quick sizes) under cProfile and prints the top entries by
internal time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import persistence  # noqa: E402
from benchmarks.service import Service, generate_default_service  # noqa: E402

PATHS = (
    "touch",
    "create",
    "save_new",
    "save_changed",
    "save_unchanged",
    "save_all",
    "update_where",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=PATHS)
    parser.add_argument("--backend", choices=persistence.BACKENDS, default="sqlite")
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="benchmark-profile-") as directory:
        service = Service(generate_default_service(Path(directory) / "service"))
        profiler = cProfile.Profile()
        if options.path in ("touch", "create"):
            project = service.project(name="Benchmark", description=None)
            profiler.enable()
            for _ in range(100_000):
                if options.path == "touch":
                    project.touch()
                else:
                    service.project(name="Benchmark", description=None)
            profiler.disable()
        else:
            sizes = persistence.Sizes(one_by_one=500, unchanged=500, bulk=10_000)
            with persistence.database(options.backend) as url:
                bench = persistence.Bench(service, options.backend, url, sizes)
                try:
                    operation = {
                        "save_new": bench.save_new(sizes.one_by_one),
                        "save_changed": bench.save_loaded(sizes.one_by_one, change=True),
                        "save_unchanged": bench.save_loaded(sizes.unchanged, change=False),
                        "save_all": bench.save_all_new(sizes.bulk),
                        "update_where": bench.update_where(),
                    }[options.path]
                    session = bench.session_factory()
                    timed = operation(session)
                    profiler.enable()
                    timed()
                    profiler.disable()
                    session.rollback()
                    session.close()
                finally:
                    bench.close()
    for order in ("tottime", "cumulative"):
        print(f"--- by {order} ---")
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(options.top)


if __name__ == "__main__":
    main()
