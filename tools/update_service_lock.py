"""Write ``template/uv.lock.jinja``: the lock file every generated service starts with.

A service is rendered with its ``uv.lock``, so ``uv sync --frozen`` installs the
versions the template was tested with, without resolving anything at copy time.
Services differ in their own package name and in the ``interface`` answer: with
``fastapi`` they depend on FastAPI and uvicorn (and httpx2 in the dev group). This
locks the default service once per interface, each from the pins of the lock it was
rendered with (so that only what a changed dependency needs moves), the ``fastapi``
one from the other's pins for the packages both use, so that they keep one version,
and writes one template: the packages only the ``fastapi`` lock has, and the blocks
that differ (the project's own), are wrapped in ``{% if interface == "fastapi" %}``.
uv reads the lock's packages regardless of their order. Run this after changing the
dependencies in ``template/pyproject.toml.jinja`` (``--upgrade`` also moves every
pin to the newest release):

    python tools/update_service_lock.py [--upgrade]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]
LOCK_TEMPLATE = TEMPLATE_ROOT / "template" / "uv.lock.jinja"
# The default service's project name, and what stands for it in the template.
PROJECT = 'name = "task-tracker"'
PROJECT_TEMPLATE = "name = \"{{ package_name | replace('_', '-') }}\""
PACKAGE = "\n[[package]]\n"
PACKAGE_NAME = re.compile(r'name = "([^"]+)"\nversion = "([^"]+)"')
FASTAPI = '{% if interface == "fastapi" %}'
# The uv next to the interpreter running this (the template's test extra installs it).
UV = str(Path(sys.executable).parent / "uv")


def lock(service: Path, arguments: list[str], start: str | None = None) -> str:
    """The lock of ``service``: resolved afresh, or from ``start``'s pins when given."""
    path = service / "uv.lock"
    path.unlink(missing_ok=True)
    if start is not None:
        path.write_text(start, encoding="utf-8")
    subprocess.run([UV, "lock", *arguments], cwd=service, check=True)
    text = path.read_text(encoding="utf-8")
    if text.count(PROJECT) != 1 or "{{" in text or "{%" in text:
        raise SystemExit("uv.lock does not name the project exactly once, or holds Jinja syntax")
    return text


def blocks(text: str) -> tuple[str, dict[tuple[str, str], str]]:
    """The lock's header, and each ``[[package]]`` block by (name, version)."""
    header, *bodies = text.split(PACKAGE)
    packages = {}
    for body in bodies:
        match = PACKAGE_NAME.match(body)
        if match is None:
            raise SystemExit(f"a [[package]] block without name and version: {body[:80]!r}")
        packages[match.group(1), match.group(2)] = body
    return header, packages


def overlaid(fastapi: str, plain: str) -> str:
    """``plain``'s lock, plus the packages only ``fastapi`` has, at their pinned versions."""
    header, plain_blocks = blocks(plain)
    names = {name for name, _ in plain_blocks}
    _, fastapi_blocks = blocks(fastapi)
    kept = [body for (name, _), body in fastapi_blocks.items() if name not in names]
    return header + "".join(PACKAGE + body for body in [*plain_blocks.values(), *kept])


def merged(plain: str, fastapi: str) -> str:
    """One template of both locks: what only ``fastapi`` has or changes is conditional."""
    header, plain_blocks = blocks(plain)
    fastapi_header, fastapi_blocks = blocks(fastapi)
    parts = [
        header
        if fastapi_header == header
        else f"{FASTAPI}{fastapi_header}{{% else %}}{header}{{% endif %}}"
    ]
    for key in sorted(plain_blocks.keys() | fastapi_blocks.keys()):
        mine, theirs = plain_blocks.get(key), fastapi_blocks.get(key)
        if mine == theirs:
            parts.append(PACKAGE + str(mine))
        elif mine is None:
            parts.append(f"{FASTAPI}{PACKAGE}{theirs}{{% endif %}}")
        elif theirs is None:
            parts.append(f'{{% if interface != "fastapi" %}}{PACKAGE}{mine}{{% endif %}}')
        else:
            parts.append(f"{FASTAPI}{PACKAGE}{theirs}{{% else %}}{PACKAGE}{mine}{{% endif %}}")
    return "".join(parts)


def main(arguments: list[str]) -> None:
    sys.path.insert(0, str(TEMPLATE_ROOT / "tests"))
    from conftest import generate

    with tempfile.TemporaryDirectory() as directory:
        plain_service = generate(Path(directory) / "plain")
        # From the pins of the lock the service was rendered with, so that only what
        # the changed dependencies need moves (unless --upgrade moves everything).
        plain = lock(plain_service, arguments, start=(plain_service / "uv.lock").read_text())
        fastapi_service = generate(Path(directory) / "fastapi", interface="fastapi")
        start = (
            plain
            if "--upgrade" in arguments
            else overlaid((fastapi_service / "uv.lock").read_text(), plain)
        )
        fastapi = lock(fastapi_service, [], start=start)
    text = merged(plain, fastapi)
    LOCK_TEMPLATE.write_text(text.replace(PROJECT, PROJECT_TEMPLATE), encoding="utf-8")
    print(f"wrote {LOCK_TEMPLATE.relative_to(TEMPLATE_ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
