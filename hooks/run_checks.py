"""Post-generation checks of a generated service, after `copier copy` or `copier update`.

Copier runs this inside the destination directory: from ``_tasks`` after a copy,
and from ``_migrations`` once after an update has been merged, whatever the
``checks`` answer (``none`` runs the conflict check alone). It first looks
for merge conflicts an update left (conflict markers, ``.rej`` files) and names
each; then it installs the service into its own ``.venv``, formats and lints it
with ruff, type-checks it with mypy (``--strict``) and runs its tests. The install
uses uv when it is on the PATH (``uv sync``: the versions of ``uv.lock``, the
dev group), and otherwise ``venv`` and pip (the service in editable mode and the
dev group read from ``pyproject.toml``); the step's title says which. Each step
prints a line when it starts and one with its result; a failing step shows its
output and makes the script (and so copier) exit non-zero. Generated files are
left in place either way.

Every command is an argument list: no answer ever passes through a shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

# What each mode (the `checks` answer) runs after the conflict check and the install.
MODES = {
    "all": ("ruff format", "ruff check --fix", "mypy --strict src", "pytest"),
    "lint": ("ruff format", "ruff check --fix", "mypy --strict src"),
}
# `checks: none`: the conflict check alone. It runs after every update whatever
# `checks` says, so that no update passes over a conflict it left.
CONFLICTS_ONLY = "none"
# Lines Copier's merge writes around a conflict; `=======` alone also underlines Markdown.
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
# uv checks the package index's certificate against the system's certificates, as pip
# does, not only against the roots it bundles: behind a TLS-inspecting proxy, whose
# certificate authority only the system knows, it could download nothing otherwise.
os.environ.setdefault("UV_NATIVE_TLS", "1")
# Directories that hold no generated or team files.
NOT_SCANNED = {".git", ".venv", "var", "__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache"}


def venv_python(project: Path) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return project / ".venv" / scripts / "python"


def dev_requirements(project: Path) -> list[str]:
    """The ``dev`` dependency group of the service's ``pyproject.toml``."""
    with (project / "pyproject.toml").open("rb") as file:
        groups = tomllib.load(file).get("dependency-groups", {})
    return [requirement for requirement in groups.get("dev", []) if isinstance(requirement, str)]


def install(project: Path, total: int) -> None:
    """Steps 2 and 3: the service's ``.venv`` with the service and its dev group."""
    uv = shutil.which("uv")
    if uv is not None:
        print(f"[2/{total}] Virtual environment .venv: made by uv sync ({uv})", flush=True)
        title = "Installing the service and its dev group with uv sync (uv.lock)"
        run_step((3, total), title, [uv, "sync", "--quiet"], project)
        return
    python = venv_python(project)
    if python.exists():
        print(f"[2/{total}] Virtual environment .venv: exists, reused (uv not found)", flush=True)
    else:
        print(f"[2/{total}] Creating the virtual environment .venv (uv not found) ...", flush=True)
        venv.create(project / ".venv", with_pip=True)
        print(f"[2/{total}] Creating the virtual environment .venv: ok", flush=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    title = "Installing the service and its dev group with pip (uv not found)"
    run_step((3, total), title, [*pip, "-e", ".", *dev_requirements(project)], project)


def run_step(step: tuple[int, int], title: str, command: list[str], project: Path) -> None:
    number, total = step
    print(f"[{number}/{total}] {title} ...", flush=True)
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        print(result.stdout, flush=True)
        print(
            f"[{number}/{total}] {title}: FAILED (exit {result.returncode}, {seconds:.1f} s)",
            flush=True,
        )
        raise SystemExit(result.returncode)
    print(f"[{number}/{total}] {title}: ok ({seconds:.1f} s)", flush=True)


def project_files(project: Path) -> list[Path]:
    """Every file of the project, outside tool and virtual-environment directories."""
    return sorted(
        path
        for path in project.rglob("*")
        if path.is_file() and not NOT_SCANNED.intersection(path.relative_to(project).parts)
    )


def merge_conflicts(project: Path) -> list[str]:
    """``file:line`` of every conflict marker, and every ``.rej`` file, in the project."""
    found: list[str] = []
    for path in project_files(project):
        relative = path.relative_to(project)
        if path.suffix == ".rej":
            found.append(f"{relative}: rejected hunks of an update (.rej file)")
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        found.extend(
            f"{relative}:{number}: {line.strip()}"
            for number, line in enumerate(lines, 1)
            if line.startswith(CONFLICT_MARKERS)
        )
    return found


def check_merge_conflicts(project: Path, total: int) -> None:
    title = "Looking for merge conflicts left by an update"
    print(f"[1/{total}] {title} ...", flush=True)
    conflicts = merge_conflicts(project)
    if conflicts:
        for conflict in conflicts:
            print(f"  {conflict}", flush=True)
        print(
            f"[1/{total}] {title}: FAILED ({len(conflicts)} found; resolve them and run "
            "the checks again, or undo the update as the README's 'Recovering from an "
            "interrupted or conflicted update' shows)",
            flush=True,
        )
        raise SystemExit(1)
    print(f"[1/{total}] {title}: none", flush=True)


def main(mode: str) -> None:
    if mode not in MODES and mode != CONFLICTS_ONLY:
        expected = ", ".join([*MODES, CONFLICTS_ONLY])
        raise SystemExit(f"run_checks: unknown mode {mode!r}; expected one of {expected}")
    project = Path.cwd()
    if (
        not (project / "pyproject.toml").is_file()
        or not (project / ".copier-answers.yml").is_file()
    ):
        raise SystemExit(f"run_checks: {project} is not a generated service; nothing checked")
    if mode == CONFLICTS_ONLY:
        print(f"Looking for merge conflicts in {project} (checks: none)", flush=True)
        check_merge_conflicts(project, 1)
        return
    total = 3 + len(MODES[mode])
    python = venv_python(project)
    print(f"Checking the generated service in {project} ({mode})", flush=True)
    check_merge_conflicts(project, total)
    install(project, total)
    commands = {
        "ruff format": [str(python), "-m", "ruff", "format", "."],
        "ruff check --fix": [str(python), "-m", "ruff", "check", "--fix", "."],
        "mypy --strict src": [str(python), "-m", "mypy", "--strict", "src"],
        "pytest": [str(python), "-m", "pytest", "-q"],
    }
    for number, title in enumerate(MODES[mode], 4):
        run_step((number, total), title, commands[title], project)
    print("All checks passed.", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
