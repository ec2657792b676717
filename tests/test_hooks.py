"""The post-generation hook: installs, formats, lints and tests the new service.

The hook installs with uv when uv is on ``PATH``: these tests put the uv next to
the running interpreter there, as on a machine where uv is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import BIN, TEMPLATE_ROOT, generate

HOOK = TEMPLATE_ROOT / "hooks" / "run_checks.py"


def with_uv() -> dict[str, str]:
    """The environment, with the interpreter's directory (which holds uv) first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}


def copier_copy_with_checks(destination: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", "HEAD",
        "--data", "project_name=Hooked Service", str(TEMPLATE_ROOT), str(destination),
    ]  # fmt: skip
    return subprocess.run(
        command,
        env=with_uv(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def run_hook(cwd: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HOOK), *mode],
        cwd=cwd,
        env=with_uv(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def test_copy_runs_every_check_then_a_failing_test_fails_the_hook(tmp_path: Path) -> None:
    service = tmp_path / "hooked"
    copied = copier_copy_with_checks(service)
    assert copied.returncode == 0, copied.stdout
    for step in (
        "[1/7] Looking for merge conflicts left by an update: none",
        "[2/7] Virtual environment .venv: made by uv sync",
        "[3/7] Installing the service and its dev group with uv sync (uv.lock): ok",
        "[4/7] ruff format: ok",
        "[5/7] ruff check --fix: ok",
        "[6/7] mypy --strict src: ok",
    ):
        assert step in copied.stdout
    assert "[7/7] pytest: ok" in copied.stdout
    assert "All checks passed." in copied.stdout
    assert (service / ".venv").is_dir()

    failing_test = service / "tests" / "unit" / "test_failing.py"
    failing_test.write_text(
        "def test_a_deliberately_broken_rule() -> None:\n    assert 1 + 1 == 3\n"
    )
    checked = run_hook(service)
    assert checked.returncode != 0
    assert "test_a_deliberately_broken_rule" in checked.stdout
    assert "[7/7] pytest: FAILED" in checked.stdout
    assert failing_test.exists() and (service / "pyproject.toml").exists()

    linted = run_hook(service, "lint")
    assert linted.returncode == 0, linted.stdout
    assert "[6/6] mypy --strict src: ok" in linted.stdout
    assert "] pytest" not in linted.stdout


def test_the_hook_refuses_an_unknown_mode(tmp_path: Path) -> None:
    result = run_hook(generate(tmp_path / "service"), "everything")
    assert result.returncode != 0
    assert "unknown mode 'everything'; expected one of all, lint, none" in result.stdout


def test_conflicts_left_by_an_update_are_named_and_fail_the_hook(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    entity = service / "src" / "task_tracker" / "domain" / "task.py"
    entity.write_text(
        entity.read_text()
        + "<<<<<<< before updating\n    pass\n=======\n    return\n>>>>>>> after updating\n"
    )
    lines = len(entity.read_text().splitlines())
    (service / "README.md.rej").write_text("rejected hunk\n")
    checked = run_hook(service)
    assert checked.returncode == 1
    assert f"src/task_tracker/domain/task.py:{lines - 4}: <<<<<<< before updating" in checked.stdout
    assert f"src/task_tracker/domain/task.py:{lines}: >>>>>>> after updating" in checked.stdout
    assert "README.md.rej: rejected hunks of an update (.rej file)" in checked.stdout
    assert "merge conflicts left by an update: FAILED (3 found" in checked.stdout
    assert not (service / ".venv").exists()


def test_the_hook_refuses_a_directory_that_is_not_a_generated_service(tmp_path: Path) -> None:
    result = run_hook(tmp_path)
    assert result.returncode != 0
    assert "is not a generated service" in result.stdout
    assert list(tmp_path.iterdir()) == []
