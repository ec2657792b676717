"""The Jinja extensions stay split by job: no module of ``extensions/`` over 250 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

EXTENSIONS = Path(__file__).resolve().parents[1] / "extensions"
LIMIT = 250


@pytest.mark.parametrize(
    "module", sorted(EXTENSIONS.rglob("*.py")), ids=lambda path: str(path.relative_to(EXTENSIONS))
)
def test_an_extension_module_is_at_most_250_lines(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{module.relative_to(EXTENSIONS)} has {lines} lines (limit {LIMIT})"
