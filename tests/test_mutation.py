"""The generated service's ``make mutate``: mutmut over the timestamp core, with and without uv.

The runs are restricted to the mutants of ``as_utc()`` (``MUTANTS=...``), so they
take seconds, not the minutes of a full run (``benchmarks/mutation.py``'s job).
The run through uv follows the one without it in the same service: it reuses the
mutants and the map of tests to functions the first run left in ``mutants/``.
uv is the one next to the running interpreter, never one found on ``PATH``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import BIN, UV, generate

CLOCK = "task_tracker.domain.clock.x_as_utc*"
# What `mutmut run NAMES` prints for each named mutant: a status mark and the name.
VERDICT = re.compile(r"^(\S+) (task_tracker\.domain\.clock\.\S+__mutmut_\d+)$", re.MULTILINE)
KILLED = "\N{PARTY POPPER}"
NOT_CHECKED = "?"


def make_mutate(service: Path, *variables: str) -> str:
    result = subprocess.run(
        ["make", "mutate", f"MUTANTS={CLOCK}", *variables],
        cwd=service, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
    return result.stdout


def check_verdicts(output: str) -> None:
    """Every named mutant got a verdict, and the tests killed them."""
    verdicts = {name: mark for mark, name in VERDICT.findall(output)}
    assert verdicts, output
    assert NOT_CHECKED not in verdicts.values(), output
    assert KILLED in verdicts.values(), output


def base_env() -> dict[str, str]:
    """The interpreter's directory (which holds uv) and the system's, no virtualenv."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    return {**env, "PATH": f"{BIN}:/usr/bin:/bin"}


def narrow_to_the_clock_tests(service: Path) -> None:
    """mutmut's runs use the clock's tests only, which kill the mutants named.

    The make target's plumbing is what these tests check; mutmut's first run of
    the whole suite takes minutes (``benchmarks/mutation.py`` makes that run).
    """
    pyproject = service / "pyproject.toml"
    whole = 'pytest_add_cli_args_test_selection = ["tests/"]'
    text = pyproject.read_text()
    assert whole in text
    clock = 'pytest_add_cli_args_test_selection = ["tests/unit/test_clock.py"]'
    pyproject.write_text(text.replace(whole, clock))


def test_make_mutate_runs_mutmut_without_uv_and_through_uv(tmp_path: Path) -> None:
    service = generate(tmp_path / "service")
    narrow_to_the_clock_tests(service)
    assert "mutants/" in (service / ".gitignore").read_text().splitlines()

    # Without uv: UV= empty, mutmut of the interpreter PYTHON names.
    output = make_mutate(service, "UV=", f"PYTHON={sys.executable}")
    assert f"{sys.executable} -m mutmut run {CLOCK}" in output
    check_verdicts(output)
    assert (service / "mutants" / "mutmut-stats.json").is_file()
    assert not (service / ".venv").exists()

    # Through uv, found on PATH (the interpreter's directory): `uv run` makes the
    # service's .venv from uv.lock, mutmut included.
    output = make_mutate(service)
    assert f"{UV} run mutmut run {CLOCK}" in output
    check_verdicts(output)
    assert (service / ".venv" / "bin" / "mutmut").is_file()


def test_make_mutate_fails_when_mutmut_cannot_run(tmp_path: Path) -> None:
    # An interpreter without mutmut: the run stops at once and make exits non-zero.
    service = generate(tmp_path / "service")
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = subprocess.run(
        ["make", "mutate", f"MUTANTS={CLOCK}", "UV=", f"PYTHON={venv / 'bin' / 'python'}"],
        cwd=service, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0, result.stdout
    # The Makefile says so before running anything, and how to get mutmut.
    assert f"{venv / 'bin' / 'python'} cannot import mutmut. Install uv" in result.stdout
    assert "mutmut run" not in result.stdout
