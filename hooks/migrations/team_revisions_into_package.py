"""Layout migration: the team's revisions follow the template's into the package.

Releases up to 0.3.0 kept the migration history at the service's root
(``migrations/``); later releases keep it inside the package
(``src/<package>/migrations/``), so that a built wheel can migrate. The update
renders the template's own revisions, ``env.py`` and ``script.py.mako`` in the new
place and removes them from the old one; the revisions the team wrote next to them
are in neither render, so copier would leave them behind, outside the history
Alembic reads. The render itself reads them where they are (the template's next
migration follows the team's head).

Copier runs this twice in every update:

- ``check``, before anything is rendered: it writes nothing. It refuses the update
  when the team edited one of the template's revisions at the old place, which the
  template is about to write anew in the new place (the edit would be lost), naming
  the file and what to do. An edit is a change of the code since the commit that
  added the file (formatting and comments aside: the checks may reformat it).
- ``move``, after the merge and before the checks: each revision file left at the
  old place moves, unchanged, with ``git mv`` into the package's
  ``migrations/versions/``, so that the team's database, which may sit at one of
  them, upgrades.

A service already in the new layout has nothing to check or move, and says so.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import yaml

ANSWERS_FILE = Path(".copier-answers.yml")
OLD_HISTORY = Path("migrations")
OLD_VERSIONS = OLD_HISTORY / "versions"


def git(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=False)


def answers() -> dict[str, object]:
    loaded = yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def template_revisions(recorded: dict[str, object]) -> list[Path]:
    """The revision files the template wrote at the old place (``schema_history``)."""
    history = recorded.get("schema_history")
    entries = history if isinstance(history, list) else []
    return [
        OLD_VERSIONS / f"{entry['revision']}.py"
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("revision"), str)
    ]


def code(source: str) -> str:
    """``source``'s syntax tree: equal for the same code however it is formatted."""
    try:
        return ast.dump(ast.parse(source))
    except SyntaxError:
        return source


def edited_since_written(path: Path) -> bool:
    """True when the code of ``path`` differs from the commit that added it."""
    added = git("log", "--diff-filter=A", "--format=%H", "--", str(path)).stdout.split()
    if not added or not path.is_file():
        return False
    first = git("show", f"{added[-1]}:{path.as_posix()}")
    return first.returncode == 0 and code(first.stdout) != code(path.read_text(encoding="utf-8"))


def check() -> None:
    if not OLD_VERSIONS.is_dir():
        print("Migration layout: the history is in the package already", flush=True)
        return
    edited = [path for path in template_revisions(answers()) if edited_since_written(path)]
    if edited:
        for path in edited:
            print(f"  {path}: edited since the template wrote it", flush=True)
        raise SystemExit(
            "The update moves the migration history from migrations/ into "
            "src/<package>/migrations/ and writes the template's files there anew, so the "
            "edits above would be lost. Put each edit into a revision of your own "
            "(alembic revision -m ...), restore the template's version (git checkout "
            "$(git log --diff-filter=A --format=%h -- <file>) -- <file>), commit, and run "
            "the update again. Nothing was written."
        )
    print("Migration layout: the history moves into the package in this update", flush=True)


def package_versions(recorded: dict[str, object]) -> Path:
    """Where the current layout keeps the history: ``src/<package>/migrations/versions``."""
    package = recorded.get("package_name")
    if not isinstance(package, str) or not package.isidentifier():
        raise SystemExit(
            f"{ANSWERS_FILE}: package_name {package!r} is not a Python package name; "
            "the update needs it to find the migration history"
        )
    return Path("src") / package / "migrations" / "versions"


def move() -> None:
    revisions = sorted(OLD_VERSIONS.glob("*.py")) if OLD_VERSIONS.is_dir() else []
    if not revisions:
        print("Team revisions: none outside the package's migration history", flush=True)
        return
    target_directory = package_versions(answers())
    print(
        f"Team revisions: moving {len(revisions)} from {OLD_VERSIONS}/ to "
        f"{target_directory}/, where the migration history lives",
        flush=True,
    )
    target_directory.mkdir(parents=True, exist_ok=True)
    for source in revisions:
        target = target_directory / source.name
        if target.exists():
            raise SystemExit(
                f"{source}: cannot move the revision to {target}, which exists already; "
                "rename one of them (file and revision id), commit, and run the update again"
            )
        if git("ls-files", "--error-unmatch", str(source)).returncode == 0:
            git("mv", str(source), str(target))
        else:
            source.rename(target)
        print(f"  {source} -> {target}", flush=True)


if __name__ == "__main__":
    stages = {"check": check, "move": move}
    if len(sys.argv) != 2 or sys.argv[1] not in stages:
        raise SystemExit(f"usage: {Path(__file__).name} check|move")
    stages[sys.argv[1]]()
