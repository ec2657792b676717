"""The root README is a user's page: its contents, its links, and its answers-file command.

The maintainers' material (developing the template, adding a field type, releases,
benchmarks) lives under ``docs/``, linked from the README. The README's command for
a service of one's own runs here as written, on the answers file the repository
ships, and the service it makes is clean.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import TEMPLATE_ROOT, generate, run
from update_support import code_blocks

README = TEMPLATE_ROOT / "README.md"
# The hand-written pages next to it (docs/benchmarks/ is written by benchmarks/run.py).
PAGES = [
    README,
    TEMPLATE_ROOT / "docs" / "developing.md",
    TEMPLATE_ROOT / "docs" / "benchmarks.md",
    TEMPLATE_ROOT / "docs" / "timestamp-rules.md",
]
CONTENTS = "## Contents"
OWN_SERVICE = "## Your own service from an answers file"
ANSWERS_FILE = TEMPLATE_ROOT / "docs" / "examples" / "answers.yml"
HEADING = re.compile(r"^(#{2,3}) (.+)$", re.MULTILINE)
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as ``-``."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def headings(page: Path) -> list[tuple[int, str]]:
    """(level, title) of the ``##`` and ``###`` headings outside code blocks."""
    text = FENCED.sub("", page.read_text())
    return [(len(marks), title) for marks, title in HEADING.findall(text)]


def test_the_readme_starts_with_contents_that_match_its_headings() -> None:
    for page in (README, TEMPLATE_ROOT / "docs" / "developing.md"):
        text = page.read_text()
        assert text.index(CONTENTS) < text.index("\n## ", text.index(CONTENTS) + 1), page
        listed = text.split(CONTENTS + "\n", 1)[1].split("\n#", 1)[0]
        entries = re.findall(r"^( *)- \[(.+)\]\(#([^)]+)\)$", listed, re.MULTILINE)
        expected = [
            (level, title, anchor(title))
            for level, title in headings(page)
            if title != CONTENTS.removeprefix("## ")
        ]
        assert [(2 + len(indent) // 2, title, link) for indent, title, link in entries] == (
            expected
        ), page


def test_every_relative_link_leads_to_a_file_and_a_heading() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(FENCED.sub("", page.read_text())):
            if re.match(r"[a-z]+://", target):
                continue
            path, _, fragment = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif fragment and fragment not in {anchor(title) for _, title in headings(linked)}:
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_maintainers_material_lives_under_docs() -> None:
    readme_titles = {title for _, title in headings(README)}
    developing = {title for _, title in headings(TEMPLATE_ROOT / "docs" / "developing.md")}
    maintainers = {"Adding a field type", "Releasing the template", "Running the suite"}
    assert readme_titles.isdisjoint(maintainers | {"Benchmarks", "Developing the template"})
    assert maintainers <= developing
    assert "python3 benchmarks/run.py" not in README.read_text()
    assert "benchmarks/run.py" in (TEMPLATE_ROOT / "docs" / "benchmarks.md").read_text()
    for page in ("docs/developing.md", "docs/benchmarks.md", "docs/timestamp-rules.md"):
        assert f"]({page})" in README.read_text(), f"the README does not link {page}"


def working_tree_clone(destination: Path) -> Path:
    """A clone of this repository with the working tree's changes, as a user's clone."""
    run(["git", "clone", "--quiet", str(TEMPLATE_ROOT), str(destination)], TEMPLATE_ROOT)
    changed = subprocess.run(
        ["git", "ls-files", "--modified", "--others", "--exclude-standard", "-z"],
        cwd=TEMPLATE_ROOT, stdout=subprocess.PIPE, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, changed):
        if (TEMPLATE_ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / name, destination / name)
    return destination


def test_the_readme_command_scaffolds_a_clean_service_from_the_answers_file(
    tmp_path: Path,
) -> None:
    [block] = code_blocks(README, OWN_SERVICE, "bash")[:1]
    assert "--data-file my-answers.yml" in block
    assert block.splitlines()[0].startswith("cp docs/examples/answers.yml my-answers.yml")
    clone = working_tree_clone(tmp_path / "copier-ddd-service")
    # The first command's .venv/bin/copier: copier of this environment.
    copier = clone / ".venv" / "bin" / "copier"
    copier.parent.mkdir(parents=True)
    copier.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m copier "$@"\n')
    copier.chmod(0o755)
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "TEST_DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH"}
        },
        # The checks find the uv next to this interpreter, as the suite does.
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    # As written: the copy runs every check of `checks: all` (install, ruff format,
    # ruff check --fix, mypy --strict, the generated tests) and fails on any.
    copied = run(["bash", "-e", "-c", block], clone, env)
    assert "All checks passed." in copied
    service = tmp_path / "my-service"
    answers = yaml.safe_load(ANSWERS_FILE.read_text())
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert recorded["entities"] == answers["entities"]
    assert recorded["project_name"] == answers["project_name"]
    # Clean as rendered: the checks' ruff format and ruff check --fix changed nothing.
    rendered = generate(tmp_path / "rendered", **{**answers, "checks": "none"})
    differing = [
        str(path.relative_to(rendered))
        for path in sorted(rendered.rglob("*.py"))
        if path.read_bytes() != (service / path.relative_to(rendered)).read_bytes()
    ]
    assert differing == []
