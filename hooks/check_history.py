"""After every update: the service's migration history is one history Alembic can use.

Copier runs this in the service directory once an update has been merged, whatever
the ``checks`` answer. It fails (and so does the update) when:

- a revision file lies outside the history that ``alembic.ini`` configures (an
  orphan: Alembic never reads it), or a revision in the history follows one that
  no file defines, or a revision id is defined twice;
- the history has no head or several heads;
- the team's database is reachable and sits at a revision the history lacks, or
  cannot be upgraded to the head: ``alembic upgrade head`` on a copy of a SQLite
  file, ``alembic upgrade <its revision>:head --sql`` on a server.

The database is the service's own: ``DATABASE_URL`` (from the environment, then
``.env``), or else its SQLite file under ``DATA_DIRECTORY`` (default ``var``). A
SQLite file is read with Python's sqlite3; a server through the service's
``.venv`` (its drivers), as is the upgrade. Files are listed with git (what
``.gitignore`` leaves out is not the service's) and read with :mod:`ast`, never
imported. Every failure names the file or revision and the command that fixes it.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

NOT_SCANNED = {".git", ".venv", "var", "__pycache__", ".ruff_cache", ".mypy_cache",
               ".pytest_cache", "mutants", "node_modules", "build", "dist"}  # fmt: skip
TITLE = "Checking the migration history"
# alembic.ini's path_separator, which splits version_locations.
SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
# Run in the service's .venv for a server database: the revisions it sits at.
SERVER_PROBE = """
import json, sys
from sqlalchemy import inspect, text
from {package}.infrastructure.database import create_database_engine

engine = create_database_engine(sys.argv[1])
query = text("SELECT version_num FROM alembic_version")
try:
    with engine.connect() as connection:
        stamped = inspect(connection).has_table("alembic_version")
        found = {{"revisions": list(connection.scalars(query)) if stamped else []}}
except Exception as error:
    found = {{"unreachable": str(error).splitlines()[0]}}
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


def in_history(path: Path, directories: list[Path], recursive: bool) -> bool:
    parent = path.parent.resolve()
    return any(parent == d or (recursive and d in parent.parents) for d in directories)


def history_directories(project: Path) -> tuple[list[Path], bool]:
    """The ``versions`` directories ``alembic.ini`` configures, and whether they recurse."""
    config = configparser.ConfigParser(defaults={"here": str(project)})
    if not config.read(project / "alembic.ini"):
        raise HistoryError("alembic.ini is missing: the service has no configured history")
    section = config["alembic"]
    recursive = section.getboolean("recursive_version_locations", fallback=False)
    locations = section.get("version_locations")
    if locations:
        separator = SEPARATORS.get(section.get("path_separator", "space"), " ")
        parts = [part.strip() for part in locations.split(separator)]
        return [Path(part).resolve() for part in parts if part], recursive
    script_location = Path(section.get("script_location", "migrations"))
    return [(script_location / "versions").resolve()], recursive


def project_files(project: Path) -> list[Path]:
    """The service's Python files as git lists them, tracked or not, ignored ones left out."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.py"],
        cwd=project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sorted(
        project / name
        for name in listed.split("\0")
        if name and not NOT_SCANNED.intersection(Path(name).parts) and (project / name).is_file()
    )


def read_history(project: Path) -> tuple[Path, Revisions]:
    """The history's first directory and its revisions; refuses orphans and duplicates."""
    directories, recursive = history_directories(project)
    shown = directories[0].relative_to(project)
    revisions: Revisions = {}
    problems: list[str] = []
    for path in project_files(project):
        found = revision_of(path)
        if found is None:
            continue
        relative = path.relative_to(project)
        revision, parents = found
        if not in_history(path, directories, recursive):
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


def setting(project: Path, name: str) -> str | None:
    """A setting as the service reads it: the environment first, then ``.env``."""
    if name in os.environ:
        return os.environ[name]
    env_file = project / ".env"
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.is_file() else []
    for line in lines:
        key, equals, value = line.strip().removeprefix("export ").partition("=")
        if equals and key.strip().upper() == name and not key.lstrip().startswith("#"):
            return value.strip().strip("'\"")
    return None


def database_url(project: Path, package: str) -> str | None:
    """The service's database URL (``DATABASE_URL``), or its SQLite file's when that exists."""
    configured = setting(project, "DATABASE_URL")
    if configured:
        return configured
    directory = Path(setting(project, "DATA_DIRECTORY") or "var")
    sqlite_file = (project / directory / f"{package}.sqlite3").resolve()
    return f"sqlite:///{sqlite_file}" if sqlite_file.is_file() else None


def masked(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def stored_revisions(project: Path, package: str, url: str) -> list[str] | str:
    """The revisions the database sits at, or why they could not be read."""
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchall()
            rows = connection.execute("SELECT version_num FROM alembic_version") if tables else []
            return [str(row[0]) for row in rows]
    python = service_python(project)
    if python is None:
        return "no .venv with the service's database driver (checks: none)"
    probe = SERVER_PROBE.format(package=package)
    result = subprocess.run(
        [str(python), "-c", probe, url], cwd=project, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return f"the .venv cannot run the service: {last_line(result.stderr)}"
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if "unreachable" in found:
        return f"not reachable: {found['unreachable']}"
    return [str(revision) for revision in found["revisions"]]


def last_line(output: str) -> str:
    """Alembic's FAILED line, or else the last line of ``output``."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    failed = [line for line in lines if line.startswith("FAILED")]
    return (failed or lines or ["no output"])[-1]


def check_upgrade(project: Path, url: str, current: list[str]) -> None:
    """``alembic upgrade`` from ``current`` to head runs: on a copy of a SQLite file
    (batch migrations cannot render offline there), as ``--sql`` on a server."""
    python = service_python(project)
    if python is None:
        print("  upgrade to head: not tried (no .venv; checks: none)", flush=True)
        return
    with tempfile.TemporaryDirectory() as scratch:
        if url.startswith("sqlite"):
            copy = Path(scratch) / "copy.sqlite3"
            shutil.copyfile(url.split(":///", 1)[1], copy)
            command, what = ["upgrade", "head"], "alembic upgrade head on a copy of the database"
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{copy}"}
        else:
            start = f"{current[0]}:head" if len(current) == 1 else "head"
            command, what = ["upgrade", start, "--sql"], f"alembic upgrade {start} --sql"
            env = {**os.environ, "DATABASE_URL": url}
        result = subprocess.run(
            [str(python), "-m", "alembic", *command],
            cwd=project, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if result.returncode == 0:
        print(f"  {what}: ok", flush=True)
        return
    reason = last_line(result.stdout + "\n" + result.stderr)
    if "ModuleNotFoundError" in reason:
        print(f"  {what}: not tried (the .venv lacks a dependency: {reason})", flush=True)
        return
    raise HistoryError(f"{what} fails: {reason}")


def check_database(
    project: Path, package: str, shown: Path, revisions: Revisions, head: str | None
) -> None:
    url = database_url(project, package)
    if url is None:
        print("  database: none yet (no DATABASE_URL, no SQLite file)", flush=True)
        return
    current = stored_revisions(project, package, url)
    if isinstance(current, str):
        print(f"  database {masked(url)}: not checked ({current})", flush=True)
        return
    unknown = [revision for revision in current if revision not in revisions]
    if unknown:
        raise HistoryError(
            f"the database {masked(url)} is at revision {', '.join(map(repr, unknown))}, which "
            f"no file of {shown}/ defines, so alembic upgrade head cannot run. Put the "
            f"revision's file back into {shown}/ (git log --all --stat -- '*{unknown[0]}*' "
            "finds it), or, if the database really matches a revision of the history, "
            "record that one with .venv/bin/alembic stamp --purge <revision>"
        )
    print(f"  database {masked(url)}: at {', '.join(current) or 'no revision'}", flush=True)
    if head is not None and current != [head]:
        check_upgrade(project, url, current)


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
