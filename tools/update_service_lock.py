"""Write ``template/uv.lock.jinja``: the lock file every generated service starts with.

A service is rendered with its ``uv.lock``, so ``uv sync --frozen`` installs the
versions the template was tested with, without resolving anything at copy time.
Every service has the same dependencies; only its own package name differs, and
uv reads the lock's packages regardless of their order. Run this after changing
the dependencies in ``template/pyproject.toml.jinja`` (``--upgrade`` also moves
every pin to the newest release):

    python tools/update_service_lock.py [--upgrade]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
LOCK_TEMPLATE = TEMPLATE_ROOT / "template" / "uv.lock.jinja"
# The default service's project name, and what stands for it in the template.
PROJECT = 'name = "task-tracker"'
PROJECT_TEMPLATE = "name = \"{{ package_name | replace('_', '-') }}\""


def main(arguments: list[str]) -> None:
    sys.path.insert(0, str(TEMPLATE_ROOT / "tests"))
    from conftest import generate

    with tempfile.TemporaryDirectory() as directory:
        service = generate(Path(directory) / "service")
        lock = service / "uv.lock"
        lock.unlink(missing_ok=True)
        subprocess.run(["uv", "lock", *arguments], cwd=service, check=True)
        text = lock.read_text(encoding="utf-8")
    if text.count(PROJECT) != 1 or "{{" in text or "{%" in text:
        raise SystemExit("uv.lock does not name the project exactly once, or holds Jinja syntax")
    LOCK_TEMPLATE.write_text(text.replace(PROJECT, PROJECT_TEMPLATE), encoding="utf-8")
    print(f"wrote {LOCK_TEMPLATE.relative_to(TEMPLATE_ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
