"""Answers-format migration to 0.2.0: the boolean `run_checks` became `checks`.

0.1.0 asked `run_checks` (true/false); 0.2.0 asks `checks` (all, lint or none).
Copier runs this in the service directory before an update from a version older
than 0.2.0 renders anything: `run_checks: true` becomes `checks: all`, `false`
becomes `checks: none`. An answers file that already has `checks` is left alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ANSWERS_FILE = Path(".copier-answers.yml")
HEADER = "# Changes here will be overwritten by Copier; re-answer with `copier update`.\n"


def migrate(answers: dict[str, object]) -> dict[str, object]:
    """``answers`` in the 0.2.0 format."""
    if "run_checks" not in answers:
        return answers
    migrated = {key: value for key, value in answers.items() if key != "run_checks"}
    run_checks = answers["run_checks"]
    if not isinstance(run_checks, bool):
        raise SystemExit(
            f"{ANSWERS_FILE}: run_checks {run_checks!r} must be true or false; "
            "set it, then run the update again"
        )
    migrated.setdefault("checks", "all" if run_checks else "none")
    return migrated


def main() -> None:
    answers = yaml.safe_load(ANSWERS_FILE.read_text())
    migrated = migrate(answers)
    if migrated is answers:
        print(f"{ANSWERS_FILE}: already in the 0.2.0 format", flush=True)
        return
    ANSWERS_FILE.write_text(HEADER + yaml.safe_dump(migrated, sort_keys=False))
    print(
        f"{ANSWERS_FILE}: run_checks {answers['run_checks']!r} -> checks "
        f"{migrated['checks']!r} (0.2.0 answers format)",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
