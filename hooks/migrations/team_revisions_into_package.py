"""Layout migration: the team's revisions follow the template's into the package.

Releases up to 0.3.0 kept the migration history at the service's root
(``migrations/versions/``); later releases keep it inside the package
(``src/<package>/migrations/versions/``), so that a built wheel can migrate. An
update moves the template's own revisions itself (they are in the old and the new
render); the revisions the team wrote next to them are in neither, so copier would
leave them behind, outside the history Alembic reads.

Copier runs this in the service directory before every update renders anything.
Each revision file at the old place that the template did not write (it is not in
``schema_history``) moves with ``git mv`` to the package's ``migrations/versions/``,
unchanged, so that the template's next migration follows the team's head and the
team's database, which may sit at one of them, finds it. A service already in the
new layout has nothing to move, and the script says so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ANSWERS_FILE = Path(".copier-answers.yml")
OLD_VERSIONS = Path("migrations") / "versions"


def package_versions(answers: dict[str, object]) -> Path:
    """Where the current layout keeps the history: ``src/<package>/migrations/versions``."""
    package = answers.get("package_name")
    if not isinstance(package, str) or not package.isidentifier():
        raise SystemExit(
            f"{ANSWERS_FILE}: package_name {package!r} is not a Python package name; "
            "the update needs it to find the migration history. Set it, commit, and run "
            "the update again"
        )
    return Path("src") / package / "migrations" / "versions"


def template_revisions(answers: dict[str, object]) -> set[str]:
    """The file names of the revisions the template wrote (``schema_history``)."""
    history = answers.get("schema_history") or []
    if not isinstance(history, list):
        return set()
    return {
        f"{entry['revision']}.py"
        for entry in history
        if isinstance(entry, dict) and isinstance(entry.get("revision"), str)
    }


def team_revisions(answers: dict[str, object]) -> list[Path]:
    """The revision files at the old place that the template did not write."""
    if not OLD_VERSIONS.is_dir():
        return []
    written = template_revisions(answers)
    return sorted(path for path in OLD_VERSIONS.glob("*.py") if path.name not in written)


def move(source: Path, target_directory: Path) -> Path:
    """``git mv`` ``source`` into ``target_directory``; refuses to overwrite a file."""
    target = target_directory / source.name
    if target.exists():
        raise SystemExit(
            f"{source}: cannot move the revision to {target}, which exists already; "
            "rename one of them (file and revision id), commit, and run the update again"
        )
    target_directory.mkdir(parents=True, exist_ok=True)
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if tracked.returncode == 0:
        subprocess.run(["git", "mv", str(source), str(target)], check=True)
    else:
        source.rename(target)
    return target


def main() -> None:
    answers = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8")) or {}
    revisions = team_revisions(answers)
    if not revisions:
        print("Team revisions: none outside the package's migration history", flush=True)
        return
    target_directory = package_versions(answers)
    print(
        f"Team revisions: moving {len(revisions)} from {OLD_VERSIONS}/ to "
        f"{target_directory}/, where the migration history now lives",
        flush=True,
    )
    for source in revisions:
        target = move(source, target_directory)
        print(f"  {source} -> {target}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
