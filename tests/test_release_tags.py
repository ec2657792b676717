"""Releases a team can pin: ``tools/releases.txt`` tags a clone, and the README's commands work.

Every release in the CHANGELOG has a line in ``tools/releases.txt``; the README's
command (``python3 tools/tag_releases.py``) tags a fresh clone from it; a service
made at ``v0.1.0`` then updates to the newest release through the tags, Copier
running the ``v0.2.0`` answers-format migration on the way, and the README's
command for a given release checks out that release.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_ROOT, run
from update_support import checks_off, commit_all, copier, git
from upgrade_support import releases

README = TEMPLATE_ROOT / "README.md"
VERSIONS_HEADING = "## Versions and updating a service"


def readme_line(starts_with: str) -> str:
    """The README's one command line under "Versions and updating" starting so."""
    section = README.read_text().split(VERSIONS_HEADING, 1)[1]
    lines = [line for line in section.splitlines() if line.startswith(starts_with)]
    assert lines, f"README.md has no line starting with {starts_with!r} under {VERSIONS_HEADING}"
    return lines[0].split("  #", 1)[0].strip()


def as_run(command: str) -> list[str]:
    """A README command line, with ``python3`` and ``copier`` run by this interpreter."""
    words = command.split()
    if words[0] == "python3":
        return [sys.executable, *words[1:]]
    assert words[0] == "copier", command
    return [sys.executable, "-m", "copier", *words[1:]]


@pytest.fixture(scope="module")
def tagged_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository, tagged as the README says."""
    clone = tmp_path_factory.mktemp("clone") / "copier-ddd-service"
    run(["git", "clone", "--quiet", str(TEMPLATE_ROOT), str(clone)], TEMPLATE_ROOT)
    for tag in git(clone, "tag").split():  # as published: no tags
        git(clone, "tag", "-d", tag)
    output = run(as_run(readme_line("python3 tools/tag_releases.py")), clone)
    for tag, commit in releases():
        assert f"{tag}: tagged {commit[:7]}" in output
    again = run(as_run(readme_line("python3 tools/tag_releases.py")), clone)
    assert again.count("tagged already") == len(releases())
    return clone


def test_every_release_in_the_changelog_is_recorded_at_a_commit_of_this_history() -> None:
    changelog = (TEMPLATE_ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## (\d+\.\d+\.\d+) \(", changelog, re.MULTILINE)
    assert sorted(f"v{version}" for version in versions) == sorted(tag for tag, _ in releases())
    run([sys.executable, "tools/tag_releases.py", "--check"], TEMPLATE_ROOT)


def scaffold(clone: Path, tag: str, service: Path) -> Path:
    copied = copier(
        "copy", "--trust", "--defaults", "--vcs-ref", tag, "--data", checks_off(tag),
        str(clone), str(service), cwd=service.parent,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    git(service, "init", "--quiet", "--initial-branch=main")
    commit_all(service, f"Generated at {tag}")
    return service


def test_a_service_of_the_oldest_release_updates_to_the_newest_through_the_tags(
    tagged_clone: Path, tmp_path: Path
) -> None:
    (oldest, _), (newest, _) = releases()[0], releases()[-1]
    service = scaffold(tagged_clone, oldest, tmp_path / "service")

    updated = copier("update", "--trust", "--defaults", cwd=service)

    assert updated.returncode == 0, updated.stdout
    assert "run_checks False -> checks 'none' (0.2.0 answers format)" in updated.stdout
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["checks"]) == (newest, "none")
    assert "run_checks" not in answers


def test_the_readme_command_for_a_given_release_updates_to_that_release(
    tagged_clone: Path, tmp_path: Path
) -> None:
    command = readme_line("copier update --trust --defaults --vcs-ref ")
    pinned = command.split("--vcs-ref ", 1)[1].split()[0]
    older = [tag for tag, _ in releases() if tag < pinned]
    service = scaffold(tagged_clone, older[-1], tmp_path / "service")

    run(as_run(command), service)

    assert yaml.safe_load((service / ".copier-answers.yml").read_text())["_commit"] == pinned
