"""Answers-format migrations: a service made by the oldest supported release updates cleanly.

0.1.0 asked `run_checks` (true/false); 0.2.0 asks `checks` (all, lint, none).
The migration in `hooks/migrations/v0_2_0_checks_answer.py` rewrites the answer
before the update renders anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from update_support import TemplateRepository, commit_all, conflict_leftovers, copier, git

# The oldest release a service can update from: the commit tagged v0.1.0.
OLDEST_RELEASE = ("v0.1.0", "d3023c483b8907cc8bb9f40c3176fa2e1f7b892f")


@pytest.mark.parametrize(("run_checks", "checks"), [("true", "all"), ("false", "none")])
def test_an_update_from_the_oldest_release_migrates_run_checks_to_checks(
    tmp_path: Path, run_checks: str, checks: str
) -> None:
    tag, commit = OLDEST_RELEASE
    template = TemplateRepository(tmp_path / "template")
    template.release_commit(commit, tag)
    template.release_working_tree("v0.2.0")
    service = tmp_path / "service"
    copied = copier(
        "copy", "--trust", "--defaults", "--skip-tasks", "--vcs-ref", tag,
        "--data", f"run_checks={run_checks}", str(template.path), str(service), cwd=tmp_path,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["run_checks"] is (
        run_checks == "true"
    )
    git(service, "init", "--quiet", "--initial-branch=main")
    commit_all(service, f"Generated at {tag}")

    updated = copier("update", "--trust", "--defaults", cwd=service)

    assert updated.returncode == 0, updated.stdout
    assert f"run_checks {run_checks == 'true'} -> checks {checks!r}" in updated.stdout
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0"
    assert answers["checks"] == checks
    assert "run_checks" not in answers
    assert [entry["revision"] for entry in answers["schema_history"]] == [
        "0001_create_project",
        "0002_create_task",
        "0003_outbox",
    ]
    # The checks follow the migrated answer: once after the merge, or not at all.
    assert updated.stdout.count("Checking the generated service in") == (checks == "all")
    if checks == "all":
        assert "All checks passed." in updated.stdout
    assert conflict_leftovers(service) == []
