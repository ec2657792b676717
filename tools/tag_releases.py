"""Tag the template's releases in this clone, from ``tools/releases.txt``.

Each line of the file is ``vX.Y.Z <commit>``. A missing tag is made (a lightweight
tag, as Copier reads them); a tag already at its commit is left alone; a tag at
another commit, a commit this clone lacks, or a version with no section in
``CHANGELOG.md`` stops the script before it tags anything, naming the line.

    python3 tools/tag_releases.py          # tag every release
    python3 tools/tag_releases.py --check  # only check the file against the clone
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASES = ROOT / "tools" / "releases.txt"
LINE = re.compile(r"v(?P<version>\d+\.\d+\.\d+) (?P<commit>[0-9a-f]{40})")


def git(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )


def releases() -> list[tuple[str, str]]:
    """``(tag, commit)`` of every line of the releases file, oldest first."""
    found: list[tuple[str, str]] = []
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for number, text in enumerate(RELEASES.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip() or text.startswith("#"):
            continue
        match = LINE.fullmatch(text.strip())
        where = f"{RELEASES.relative_to(ROOT)}:{number}"
        if match is None:
            raise SystemExit(f"{where}: {text!r} is not 'vX.Y.Z <40-hex commit>'")
        version, commit = match["version"], match["commit"]
        if f"\n## {version} (" not in changelog:
            raise SystemExit(f"{where}: CHANGELOG.md has no section '## {version} (<date>)'")
        if git("cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
            raise SystemExit(
                f"{where}: commit {commit} is not in this clone; fetch the full history "
                "(git fetch --unshallow) and run this again"
            )
        tagged = git("rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}")
        if tagged.returncode == 0 and tagged.stdout.strip() != commit:
            raise SystemExit(
                f"{where}: tag v{version} is at {tagged.stdout.strip()}, not {commit}; "
                f"delete it (git tag -d v{version}) and run this again"
            )
        found.append((f"v{version}", commit))
    return found


def main(arguments: list[str]) -> None:
    listed = releases()
    if arguments == ["--check"]:
        print(f"{RELEASES.relative_to(ROOT)}: {len(listed)} releases, all in this clone")
        return
    for tag, commit in listed:
        if git("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}").returncode == 0:
            print(f"{tag}: tagged already ({commit[:7]})")
            continue
        made = git("tag", tag, commit)
        if made.returncode != 0:
            raise SystemExit(f"{tag}: git tag failed: {made.stderr.strip()}")
        print(f"{tag}: tagged {commit[:7]}")


if __name__ == "__main__":
    main(sys.argv[1:])
