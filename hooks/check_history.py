"""After every update: the service's migration history is one history Alembic can use.

Copier runs this in the service directory once an update has been merged, whatever
the ``checks`` answer. It fails (and so does the update) when:

- a revision file lies outside the history that ``alembic.ini`` configures (an
  orphan: Alembic never reads it), or a revision in the history follows one that
  no file defines, or a revision id is defined twice;
- the history has no head or several heads;
- the team's database is reachable and sits at a revision the history lacks, or
  ``alembic upgrade <its revision>:head --sql`` does not render.

The database is the service's own (``DATABASE_URL`` and ``.env``, read by the
service's settings in its ``.venv``); without a ``.venv`` only the default SQLite
file is read, with Python's sqlite3. Every failure names the file or revision and
the command that fixes it. Revision files are read with :mod:`ast`, never imported.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

NOT_SCANNED = {".git", ".venv", "var", "__pycache__", ".ruff_cache", ".mypy_cache",
               ".pytest_cache", "mutants", "node_modules", "build", "dist"}  # fmt: skip
TITLE = "Checking the migration history"
# alembic.ini's path_separator, which splits version_locations.
SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
# Run in the service's .venv: where its settings put the database, and the revisions it holds.
DATABASE_PROBE = """
import json
from sqlalchemy import inspect, text
from {package}.infrastructure.database import create_database_engine, masked
from {package}.infrastructure.settings import Settings

settings = Settings()
url = settings.database_url
if url is None and settings.sqlite_path.exists():
    url = f"sqlite:///{{settings.sqlite_path}}"
found = {{"database": None if url is None else masked(url)}}
if url is not None:
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            if inspect(connection).has_table("alembic_version"):
                found["revisions"] = list(
                    connection.scalars(text("SELECT version_num FROM alembic_version"))
                )
            else:
                found["revisions"] = []
    except Exception as error:
        found["unreachable"] = str(error).splitlines()[0]
    engine.dispose()
print(json.dumps(found))
"""


# revision id -> (the revisions it follows, its file relative to the service)
Revisions = dict[str, tuple[tuple[str, ...], Path]]


class HistoryError(Exception):
    """What is wrong with the history, and how to fix it."""


def revision_of(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """``(revision, down revisions)`` when ``path`` is an Alembic revision file, else None."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    values: dict[str, object] = {}
    functions = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            functions.add(node.name)
        target = node.targets[0] if isinstance(node, ast.Assign) and node.targets else None
        target = node.target if isinstance(node, ast.AnnAssign) and node.value else target
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            try:
                values[target.id] = ast.literal_eval(node.value)  # type: ignore[union-attr, arg-type]
            except ValueError:
                values[target.id] = None
    revision, down = values.get("revision"), values.get("down_revision", ())
    if not isinstance(revision, str) or "upgrade" not in functions or "down_revision" not in values:
        return None
    parents = (down,) if isinstance(down, str) else tuple(down or ())
    return revision, tuple(str(parent) for parent in parents)


def history_directories(project: Path) -> list[Path]:
    """The ``versions`` directories of the script location in ``alembic.ini``."""
    config = configparser.ConfigParser(defaults={"here": str(project)})
    if not config.read(project / "alembic.ini"):
        raise HistoryError("alembic.ini is missing: the service has no configured history")
    section = config["alembic"]
    locations = section.get("version_locations")
    if locations:
        separator = SEPARATORS.get(section.get("path_separator", "space"), " ")
        parts = [part.strip() for part in locations.split(separator)]
        return [Path(part).resolve() for part in parts if part]
    return [(Path(section.get("script_location", "migrations")) / "versions").resolve()]


def project_files(project: Path) -> list[Path]:
    return sorted(
        path
        for path in project.rglob("*.py")
        if path.is_file() and not NOT_SCANNED.intersection(path.relative_to(project).parts)
    )


def read_history(project: Path) -> tuple[Path, Revisions]:
    """The history's first directory and its revisions; refuses orphans and duplicates."""
    directories = history_directories(project)
    shown = directories[0].relative_to(project)
    revisions: Revisions = {}
    problems: list[str] = []
    for path in project_files(project):
        found = revision_of(path)
        if found is None:
            continue
        relative = path.relative_to(project)
        revision, parents = found
        if path.parent.resolve() not in directories:
            problems.append(
                f"{relative}: revision {revision!r} lies outside the history in {shown}/, "
                f"so Alembic never reads it. Move it there (git mv {relative} {shown}/), "
                "or delete it if it is not a revision, and commit"
            )
        elif revision in revisions:
            problems.append(
                f"{relative}: revision {revision!r} is defined again (first in "
                f"{revisions[revision][1]}); give one of them another revision id"
            )
        else:
            revisions[revision] = (parents, relative)
    for revision, (parents, relative) in revisions.items():
        problems.extend(
            f"{relative}: revision {revision!r} follows {parent!r}, which no file of "
            f"{shown}/ defines; restore that revision's file (git log --all --stat -- "
            f"'*{parent}*' finds it), or set down_revision to the revision it really follows"
            for parent in parents
            if parent not in revisions
        )
    if problems:
        raise HistoryError("\n".join(problems))
    return shown, revisions


def single_head(shown: Path, revisions: Revisions) -> str | None:
    followed = {parent for parents, _ in revisions.values() for parent in parents}
    heads = sorted(set(revisions) - followed)
    if len(heads) > 1:
        raise HistoryError(
            f"the history in {shown}/ has {len(heads)} heads ({', '.join(heads)}): "
            f'join them with .venv/bin/alembic merge -m "merge heads" {" ".join(heads)}, '
            "and commit"
        )
    if revisions and not heads:
        raise HistoryError(f"the history in {shown}/ has no head: its revisions form a cycle")
    return heads[0] if heads else None


def service_python(project: Path) -> Path | None:
    python = project / ".venv" / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    return python if python.exists() else None


def database_state(project: Path, package: str) -> dict[str, object]:
    """Where the service's database is and the revisions it sits at (see DATABASE_PROBE)."""
    python = service_python(project)
    if python is not None:
        probe = DATABASE_PROBE.format(package=package)
        result = subprocess.run(
            [str(python), "-c", probe], cwd=project, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            lines = (result.stderr.strip() or "no output").splitlines()
            return {"unreadable": f"the service's settings could not be read: {lines[-1]}"}
        state: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        return state
    configured = {"DATABASE_URL", "DATA_DIRECTORY"}.intersection(os.environ)
    env_file = project / ".env"
    if env_file.is_file():
        configured |= {
            name
            for name in ("DATABASE_URL", "DATA_DIRECTORY")
            if name in env_file.read_text(encoding="utf-8").upper()
        }
    if configured:
        return {
            "unreadable": f"{' and '.join(sorted(configured))} set, and no .venv to read the "
            "database with (checks: none); run the update with checks lint or all to check it"
        }
    sqlite_file = project / "var" / f"{package}.sqlite3"
    if not sqlite_file.is_file():
        return {"database": None}
    with sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchall()
        rows = connection.execute("SELECT version_num FROM alembic_version") if tables else []
        revisions = [row[0] for row in rows]
    return {"database": f"sqlite:///{sqlite_file}", "revisions": revisions}


def check_database(
    project: Path, package: str, shown: Path, revisions: Revisions, head: str | None
) -> None:
    state = database_state(project, package)
    if "unreadable" in state:
        print(f"  database: not checked ({state['unreadable']})", flush=True)
        return
    database = state.get("database")
    if database is None:
        print("  database: none yet (no DATABASE_URL, no SQLite file)", flush=True)
        return
    if "unreachable" in state:
        reason = state["unreachable"]
        print(f"  database {database}: not reachable, not checked ({reason})", flush=True)
        return
    stored = state.get("revisions")
    current = [str(revision) for revision in stored] if isinstance(stored, list) else []
    unknown = [revision for revision in current if revision not in revisions]
    if unknown:
        raise HistoryError(
            f"the database {database} is at revision {', '.join(map(repr, unknown))}, which no "
            f"file of {shown}/ defines, so alembic upgrade head cannot run. Put the revision's "
            f"file back into {shown}/ (git log --all --stat -- '*{unknown[0]}*' finds it), or, "
            "if the database really matches a revision of the history, record that one with "
            ".venv/bin/alembic stamp --purge <revision>"
        )
    print(f"  database {database}: at {', '.join(current) or 'no revision'}", flush=True)
    python = service_python(project)
    if python is None or head is None or current == [head]:
        return
    start = f"{current[0]}:head" if len(current) == 1 else "head"
    rendered = subprocess.run(
        [str(python), "-m", "alembic", "upgrade", start, "--sql"],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if rendered.returncode != 0:
        last = (rendered.stderr.strip() or "no output").splitlines()[-1]
        raise HistoryError(f"alembic upgrade {start} --sql does not render for {database}: {last}")
    print(f"  alembic upgrade {start} --sql: renders", flush=True)


def main() -> None:
    project = Path.cwd()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    print(f"{TITLE} ...", flush=True)
    try:
        shown, revisions = read_history(project)
        head = single_head(shown, revisions)
        print(f"  {shown}/: {len(revisions)} revisions, head {head}", flush=True)
        check_database(project, str(answers["package_name"]), shown, revisions, head)
    except HistoryError as error:
        for line in str(error).splitlines():
            print(f"  {line}", flush=True)
        print(f"{TITLE}: FAILED", flush=True)
        raise SystemExit(1) from None
    print(f"{TITLE}: ok", flush=True)


if __name__ == "__main__":
    main()
