"""The README's test command: what ``.ci/run`` runs, and what it needs of the shell.

The command runs in a shell where no virtual environment is activated, so the
suite's tools must not come from ``PATH``: uv, pre-commit, ruff, mypy, alembic,
copier and pytest are run through the interpreter (``sys.executable -m``) or from
its directory (``conftest.BIN``). These checks take seconds; the command itself
(the whole suite) is ``.ci/run``'s.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import TEMPLATE_ROOT, UV, run
from update_support import code_blocks

TWO_COMMANDS = "## Two commands"
CI_RUN = TEMPLATE_ROOT / ".ci" / "run"
SERVICES = TEMPLATE_ROOT / ".ci" / "services"
# A PATH with the system's directories only: no virtual environment, no uv of a user's.
SYSTEM_PATH = "/usr/bin:/bin"
# Tools of the test extra, which a test must not name as a command to look up on
# PATH: an argument list that starts with one (not a subscript such as ["ruff"]).
TOOLS = ("uv", "uvx", "pre-commit", "ruff", "mypy", "alembic", "copier", "pytest", "mutmut")
BARE_TOOL = re.compile(rf"(?<![\w\])])\[\s*\"({'|'.join(map(re.escape, TOOLS))})\"\s*[,\]]")
# shutil.which() searches PATH unless it is given one.
WHICH_ON_PATH = re.compile(r"shutil\.which\((?![^)]*\bpath=)")


def readme_test_command() -> str:
    """The README's second command: the second bash block under "Two commands"."""
    blocks = code_blocks(TEMPLATE_ROOT / "README.md", TWO_COMMANDS, "bash")
    return blocks[1]


def test_ci_runs_the_readme_test_command_as_written() -> None:
    block = readme_test_command()
    assert block.count("\n") == 1, f"the README's test command is not one line: {block!r}"
    command = block.strip()
    printed = run(["bash", str(CI_RUN), "--print-command"], TEMPLATE_ROOT)
    assert printed == f"{command}\n"
    # The services first (the same script .ci/run relied on before), then the venv's
    # interpreter: nothing is activated and nothing is looked up on PATH but python3.
    steps = command.split(" && ")
    assert steps[0] == "bash .ci/services"
    assert steps[1] == "python3 -m venv .venv"
    assert steps[2].startswith(".venv/bin/pip install '.[test]'")
    assert steps[-1].startswith(".venv/bin/python -m pytest")
    assert "activate" not in command


def test_the_ci_scripts_parse_and_share_the_services_script() -> None:
    for script in (CI_RUN, SERVICES):
        assert script.stat().st_mode & 0o111, f"{script} is not executable"
        run(["bash", "-n", str(script)], TEMPLATE_ROOT)
    ci_run = CI_RUN.read_text()
    # .ci/run keeps no copy of the services' logic: it runs the README's command.
    for name in ("pg_ctlcluster", "mariadbd", "apt-get", "chromium"):
        assert name not in ci_run, f".ci/run names {name}: that is .ci/services' job"
    services = SERVICES.read_text()
    for name in ("ensure_postgresql", "ensure_mariadb", "ensure_chromium"):
        assert f"{name} ||" in services


def test_no_test_looks_a_tool_up_on_path() -> None:
    found = []
    for path in sorted((TEMPLATE_ROOT / "tests").glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if BARE_TOOL.search(code) or WHICH_ON_PATH.search(code):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == [], "tools looked up on PATH:\n" + "\n".join(found)


# Imports the test modules that run uv the way the suite does, in a process whose
# PATH has no virtual environment, and runs what they would run.
WITHOUT_VENV_ON_PATH = textwrap.dedent(
    """
    import shutil
    import subprocess
    import sys

    sys.path.insert(0, sys.argv[1])
    import conftest
    import test_delivery
    import test_hooks
    import test_mutation

    uv = conftest.UV
    assert test_delivery.UV == test_mutation.UV == uv, (test_delivery.UV, test_mutation.UV)
    subprocess.run([uv, "--version"], check=True)
    # The generated README's `uv ...` lines, run by a shell in the tests' environment.
    subprocess.run(["bash", "-c", "uv --version"], env=test_delivery.tool_env(), check=True)
    # The hook (hooks/run_checks.py) and `make mutate` look uv up on the PATH they get.
    assert shutil.which("uv", path=test_hooks.with_uv()["PATH"]) == uv
    assert shutil.which("uv", path=test_mutation.base_env()["PATH"]) == uv
    for module in ("pre_commit", "ruff", "mypy", "alembic", "copier", "pytest"):
        subprocess.run([sys.executable, "-m", module, "--version"], check=True,
                       stdout=subprocess.DEVNULL)
    print("ok")
    """
)


def test_the_suites_tools_are_found_without_a_virtual_environment_on_path(
    tmp_path: Path,
) -> None:
    assert Path(UV).is_file(), f"{UV} is missing: the test extra installs uv next to python"
    script = tmp_path / "tools.py"
    script.write_text(WITHOUT_VENV_ON_PATH)
    result = subprocess.run(
        [sys.executable, str(script), str(TEMPLATE_ROOT / "tests")],
        cwd=tmp_path,
        env={"PATH": SYSTEM_PATH, "HOME": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("ok"), result.stdout
