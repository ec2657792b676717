"""The post-generation hook: installs, formats, lints and tests the new service."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import TEMPLATE_ROOT

HOOK = TEMPLATE_ROOT / "hooks" / "run_checks.py"


def copier_copy_with_checks(destination: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", "HEAD",
        "--data", "project_name=Hooked Service", str(TEMPLATE_ROOT), str(destination),
    ]  # fmt: skip
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )


def run_hook(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HOOK)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def test_copy_runs_every_check_then_a_failing_test_fails_the_hook(tmp_path: Path) -> None:
    service = tmp_path / "hooked"
    copied = copier_copy_with_checks(service)
    assert copied.returncode == 0, copied.stdout
    for step in ("[2/5] Installing", "[3/5] ruff format: ok", "[4/5] ruff check --fix: ok"):
        assert step in copied.stdout
    assert "[5/5] pytest: ok" in copied.stdout
    assert "All checks passed." in copied.stdout
    assert (service / ".venv").is_dir()

    failing_test = service / "tests" / "unit" / "test_failing.py"
    failing_test.write_text(
        "def test_a_deliberately_broken_rule() -> None:\n    assert 1 + 1 == 3\n"
    )
    checked = run_hook(service)
    assert checked.returncode != 0
    assert "test_a_deliberately_broken_rule" in checked.stdout
    assert "[5/5] pytest: FAILED" in checked.stdout
    assert failing_test.exists() and (service / "pyproject.toml").exists()


def test_the_hook_refuses_a_directory_that_is_not_a_generated_service(tmp_path: Path) -> None:
    result = run_hook(tmp_path)
    assert result.returncode != 0
    assert "is not a generated service" in result.stdout
    assert list(tmp_path.iterdir()) == []
