"""Post-generation checks of a freshly generated service.

Copier runs this from ``_tasks`` inside the destination directory. It installs
the service into its own ``.venv``, formats and lints it with ruff, then runs
its tests. Each step prints a line when it starts and one with its result; a
failing step shows its output and makes the script (and so copier) exit
non-zero. Generated files are left in place either way.

Every command is an argument list: no answer ever passes through a shell.
"""

from __future__ import annotations

import subprocess
import sys
import time
import venv
from pathlib import Path

STEPS_TOTAL = 5


def venv_python(project: Path) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return project / ".venv" / scripts / "python"


def run_step(number: int, title: str, command: list[str], project: Path) -> None:
    print(f"[{number}/{STEPS_TOTAL}] {title} ...", flush=True)
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
            f"[{number}/{STEPS_TOTAL}] {title}: FAILED (exit {result.returncode}, {seconds:.1f} s)",
            flush=True,
        )
        raise SystemExit(result.returncode)
    print(f"[{number}/{STEPS_TOTAL}] {title}: ok ({seconds:.1f} s)", flush=True)


def main() -> None:
    project = Path.cwd()
    if (
        not (project / "pyproject.toml").is_file()
        or not (project / ".copier-answers.yml").is_file()
    ):
        raise SystemExit(f"run_checks: {project} is not a generated service; nothing checked")
    python = venv_python(project)
    print(f"Checking the generated service in {project}", flush=True)
    if python.exists():
        print(f"[1/{STEPS_TOTAL}] Virtual environment .venv: exists, reused", flush=True)
    else:
        print(f"[1/{STEPS_TOTAL}] Creating the virtual environment .venv ...", flush=True)
        venv.create(project / ".venv", with_pip=True)
        print(f"[1/{STEPS_TOTAL}] Creating the virtual environment .venv: ok", flush=True)
    pip = [
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    run_step(
        2,
        "Installing the service and its dev dependencies",
        [*pip, "-e", ".[dev]"],
        project,
    )
    ruff = [str(python), "-m", "ruff"]
    run_step(3, "ruff format", [*ruff, "format", "."], project)
    run_step(4, "ruff check --fix", [*ruff, "check", "--fix", "."], project)
    run_step(5, "pytest", [str(python), "-m", "pytest", "-q"], project)
    print("All checks passed.", flush=True)


if __name__ == "__main__":
    main()
