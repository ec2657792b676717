"""The service's own migration history: its revisions, read with :mod:`ast`, and its head.

The team writes revisions of its own in the same ``src/<package>/migrations/versions/``
directory (releases up to 0.3.0 kept the history at the root ``migrations/versions/``;
an update from one reads the team's revisions there, and moves them after the merge:
``hooks/migrations/team_revisions_into_package.py``). A new migration of the
template follows the single head of that history as it is when the template
renders into the service, whoever wrote that head; several heads are refused,
naming them and the ``alembic merge`` command that joins them. The revisions are never imported.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from .errors import SchemaChangeError
from .records import REVISION_LIMIT

# Where the service keeps its revisions, the template's and the team's: inside
# its package (src/<package>/migrations/versions), so a built wheel can migrate.
VERSIONS_PATTERN = "src/*/migrations/versions"
# Where releases up to 0.3.0 kept it.
ROOT_VERSIONS = Path("migrations") / "versions"

# A revision the template's next migration may follow (any head, the team's included).
PARENT_REVISION = re.compile(r"[A-Za-z0-9_]+")


def _assigned_literals(path: Path) -> dict[str, Any]:
    """The module-level ``revision`` and ``down_revision`` of a revision file, unexecuted."""
    values: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            values[target.id] = ast.literal_eval(value)
    return values


def _read_revision(path: Path, shown: Path) -> tuple[str, tuple[str, ...]]:
    """``(revision, its down revisions)`` of the revision file ``path`` (``shown`` in messages)."""
    rule = (
        "the template reads each revision file's `revision` (a string) and `down_revision` "
        "(None, a string or a tuple of strings) as literal values to find the head its next "
        "migration follows"
    )
    try:
        values = _assigned_literals(path)
    except (SyntaxError, ValueError, UnicodeDecodeError) as error:
        raise SchemaChangeError(f"{shown} cannot be read ({error}); {rule}") from error
    revision = values.get("revision")
    down = values.get("down_revision")
    parents = (down,) if isinstance(down, str) else down or ()
    if (
        not isinstance(revision, str)
        or not isinstance(parents, tuple | list)
        or not all(isinstance(parent, str) for parent in parents)
    ):
        raise SchemaChangeError(
            f"{shown} has revision {revision!r} and down_revision {down!r}; {rule}"
        )
    return revision, tuple(parents)


def versions_directory(destination: Any) -> Path | None:
    """The service's ``src/<package>/migrations/versions``, relative to ``destination``.

    None where it does not exist yet (a new service, and the temporary renders an
    update makes next to the service).
    """
    if destination is None:
        return None
    found = sorted(Path(destination).glob(VERSIONS_PATTERN))
    if len(found) > 1:
        shown = ", ".join(str(path.relative_to(destination)) for path in found)
        raise SchemaChangeError(
            f"the service has {len(found)} migration histories ({shown}); a service has one "
            "package under src/ and one history in it"
        )
    return found[0].relative_to(destination) if found else None


def service_revisions(destination: Any) -> dict[str, tuple[tuple[str, ...], str]]:
    """Every revision in the service's migration history: id -> (down revisions, file).

    The file is shown relative to the service (``src/<package>/migrations/versions/...``).
    Empty where the history does not exist yet.
    """
    if destination is None:
        return {}
    directories = [versions_directory(destination), ROOT_VERSIONS]
    revisions: dict[str, tuple[tuple[str, ...], str]] = {}
    files = [
        (directory / path.name, path)
        for directory in directories
        if directory is not None
        for path in sorted((Path(destination) / directory).glob("*.py"))
    ]
    for shown, path in files:
        revision, parents = _read_revision(path, shown)
        if revision in revisions:
            raise SchemaChangeError(
                f"revision {revision!r} is defined twice, in {revisions[revision][1]} "
                f"and {shown}; give one of them another revision id"
            )
        revisions[revision] = (parents, str(shown))
    return revisions


def history_directory(revisions: dict[str, tuple[tuple[str, ...], str]]) -> str:
    """The directory of ``revisions``' files, for messages."""
    return str(Path(next(iter(revisions.values()))[1]).parent) if revisions else "versions"


def single_head(
    revisions: dict[str, tuple[tuple[str, ...], str]], recorded: frozenset[str] = frozenset()
) -> str:
    """The one revision of ``revisions`` that no other revision follows; refuses several.

    A parent must be one of ``revisions`` or of ``recorded``, the template's own
    revisions (an update from a release that kept them elsewhere renders them anew).
    """
    for revision, (parents, shown) in revisions.items():
        for parent in parents:
            if parent not in revisions and parent not in recorded:
                raise SchemaChangeError(
                    f"{shown}: revision {revision!r} follows {parent!r}, which no file of "
                    f"{history_directory(revisions)}/ defines; restore that revision's file "
                    f"(git log --all --stat -- '*{parent}*' finds it), or set down_revision to "
                    "the revision it really follows, commit, and run the update again"
                )
    followed = {parent for parents, _ in revisions.values() for parent in parents}
    heads = sorted(set(revisions) - followed)
    if len(heads) != 1:
        found = f"{len(heads)} heads ({', '.join(heads)})" if heads else "no head (a cycle)"
        raise SchemaChangeError(
            f"the migration history in {history_directory(revisions)}/ has {found}: Alembic "
            "cannot upgrade to one head, and the template cannot tell which revision its next "
            "migration follows. Merge the heads into one revision, commit it, and run the update "
            f'again: .venv/bin/alembic merge -m "merge heads" {" ".join(heads) or "heads"}'
        )
    head = heads[0]
    if len(head) > REVISION_LIMIT or not PARENT_REVISION.fullmatch(head):
        raise SchemaChangeError(
            f"the head revision {head!r} ({revisions[head][1]}) is not a revision "
            f"id the template can follow: letters, digits and _, at most {REVISION_LIMIT} "
            "characters (Alembic's alembic_version column). Add a revision with such an id "
            "on top of it, commit, and run the update again"
        )
    return head
