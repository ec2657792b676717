"""The generated package is typed for the code that imports it (PEP 561)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import generate, run

# A module of another project that uses the service's entities: with the
# timestamps typed as datetime, their difference is a timedelta.
CONSUMER = '''\
"""How long tasks have been worked on."""

from datetime import timedelta
from typing import assert_type

from task_tracker.domain.task import Task


def time_in_progress(task: Task) -> timedelta:
    return assert_type(task.updated_at - task.created_at, timedelta)
'''


def mypy_strict(module: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on ``module``, with ``site`` on the path like installed packages."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", module.name],
        cwd=module.parent,
        env={**os.environ, "PYTHONPATH": str(site)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def test_a_consumer_type_checks_against_the_installed_package(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "--no-deps", "--no-build-isolation", "--target", str(site), str(service)], tmp_path)
    marker = site / "task_tracker" / "py.typed"
    assert marker.is_file(), "the built package does not include py.typed"
    consumer = tmp_path / "consumer" / "lifetimes.py"
    consumer.parent.mkdir()
    consumer.write_text(CONSUMER)
    assert len(CONSUMER.splitlines()) == 10

    checked = mypy_strict(consumer, site)
    assert checked.returncode == 0, checked.stdout
    assert "Success: no issues found in 1 source file" in checked.stdout

    # The check goes through the installed package: without the marker mypy ignores it.
    marker.unlink()
    unmarked = mypy_strict(consumer, site)
    assert unmarked.returncode == 1, unmarked.stdout
    assert "missing library stubs or py.typed marker" in unmarked.stdout
