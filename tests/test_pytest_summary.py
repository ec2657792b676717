"""The parser of the generated suites' pytest summaries, on the lines pytest writes."""

from __future__ import annotations

import pytest
from conftest import passed_count


@pytest.mark.parametrize(
    ("summary", "passed"),
    [
        ("12 passed in 3.45s", 12),
        ("1 passed in 0s", 1),
        ("431 passed in 61.02s (0:01:01)", 431),
        ("2049 passed in 3723.50s (1:02:03)", 2049),
    ],
)
def test_only_passed_tests_give_their_count(summary: str, passed: int) -> None:
    output = f"........\n[100%]\n{summary}\n"
    assert passed_count(output) == passed


@pytest.mark.parametrize(
    "summary",
    [
        "1 failed, 11 passed in 3.45s",
        "11 passed, 1 skipped in 3.45s",
        "11 passed, 1 skipped in 61.02s (0:01:01)",
        "11 passed, 1 deselected in 3.45s",
        "11 passed, 1 error in 3.45s",
        "11 passed, 1 xfailed in 3.45s",
        "11 passed, 1 warning in 3.45s",
        "1 error in 0.30s",
        "no tests ran in 0.01s",
        "12 passed in 3.45s trailing",
    ],
)
def test_any_other_outcome_fails(summary: str) -> None:
    with pytest.raises(AssertionError, match="expected only passed tests"):
        passed_count(f"....\n{summary}\n")


def test_empty_output_fails() -> None:
    with pytest.raises(AssertionError, match="expected only passed tests"):
        passed_count("")
