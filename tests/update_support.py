"""Helpers for the update tests: a versioned copy of the template, and running copier."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import TEMPLATE_ROOT, run
from packaging.version import Version

GIT_IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]


def git(directory: Path, *arguments: str) -> str:
    return run(["git", *GIT_IDENTITY, *arguments], directory)


def working_tree_files() -> list[str]:
    """The template's files as git sees them, uncommitted changes and new files included."""
    listed = git(TEMPLATE_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [name for name in listed.split("\0") if name and (TEMPLATE_ROOT / name).is_file()]


class TemplateRepository:
    """A git repository of the template, released as successive tagged versions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch=main")

    def release_commit(self, commit: str, tag: str) -> None:
        """Release the template as it was at ``commit`` of the real repository."""
        self._clear()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit],
            cwd=TEMPLATE_ROOT,
            stdout=subprocess.PIPE,
            check=True,
        )
        subprocess.run(["tar", "-x"], cwd=self.path, input=archive.stdout, check=True)
        self._commit(tag)

    def release_working_tree(self, tag: str) -> None:
        """Release the template's working tree, uncommitted changes included."""
        self._clear()
        for name in working_tree_files():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_ROOT / name, target)
        self._commit(tag)

    def edit(self, relative: str, old: str, new: str) -> None:
        """Replace ``old`` (which must occur once) by ``new`` in a template file."""
        path = self.path / relative
        text = path.read_text()
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {relative}"
        path.write_text(text.replace(old, new))

    def release(self, tag: str) -> None:
        """Release the edits made since the last release."""
        self._commit(tag)

    def _clear(self) -> None:
        for child in self.path.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()

    def _commit(self, tag: str) -> None:
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", f"release {tag}")
        git(self.path, "tag", tag)


def copier(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the copier CLI; the caller checks the outcome."""
    return subprocess.run(
        [sys.executable, "-m", "copier", *arguments],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def checks_off(tag: str) -> str:
    """``--data`` that turns the post-generation checks off, in ``tag``'s answers format."""
    return "run_checks=false" if Version(tag.lstrip("v")) < Version("0.2.0") else "checks=none"


def copy_service(template: TemplateRepository, tag: str, destination: Path) -> Path:
    """Copy ``template`` at ``tag`` without checks, and commit the result in a new repository."""
    copied = copier(
        "copy", "--trust", "--defaults", "--vcs-ref", tag, "--data", checks_off(tag),
        str(template.path), str(destination), cwd=destination.parent,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    git(destination, "init", "--quiet", "--initial-branch=main")
    commit_all(destination, f"Generated at {tag}")
    return destination


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", message)


def digests(directory: Path) -> dict[str, str]:
    """SHA-256 of every file directly in ``directory``, by name."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def conflict_leftovers(project: Path) -> list[str]:
    """Conflict markers and .rej files anywhere in the project (outside .git and .venv)."""
    found: list[str] = []
    for path in project.rglob("*"):
        parts = path.relative_to(project).parts
        if not path.is_file() or {".git", ".venv"}.intersection(parts):
            continue
        if path.suffix == ".rej":
            found.append(str(path))
            continue
        lines = path.read_text(errors="replace").splitlines()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines):
            found.append(str(path))
    return found
