"""The upgrade matrix: a service of every earlier release, with a team's work, updates to this one.

For each release in ``tools/releases.txt`` whose template differs from the working
tree, a service is scaffolded with the default answers and with a set holding a
field of every type the release had (and a touching reference from 0.3.0). The team
then stores rows in every table, writes a data-fix revision by hand, declares an
index on the Task model and autogenerates its revision, adds a helper to its Task
module and commits. ``copier update --trust --defaults`` (the newest tag, this
working tree) must then exit 0 with nothing done by hand; ``alembic upgrade head``
must run on the team's database and keep every row, the data fix and the index;
the team's revisions must be in the one history and its code unchanged; the
outbox migration, recorded once and after the team's head, must create the outbox's
tables on that database, where the service's code then records its writes; and the
updated service's own tests must pass. The newest earlier release also runs on
PostgreSQL, and one service goes the long way: oldest release, previous release, now.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ARTIFACTS, SERVERS, passed_count, run, server_database
from update_support import (
    TemplateRepository,
    checks_off,
    commit_all,
    conflict_leftovers,
    copier,
    git,
    index_names,
)
from upgrade_support import (
    TEAM_INDEX,
    TEAM_METHOD,
    WRITE_A_PROJECT,
    add_team_work,
    alembic,
    all_row_counts,
    checks_history,
    database_revisions,
    earlier_releases,
    fixed_titles,
    has_old_layout,
    head_revisions,
    outbox_state,
    rich_entities,
    store_rows,
    team_revision_files,
    template_with_releases,
)

EARLIER = earlier_releases()
NEWEST_EARLIER = EARLIER[-1][0]
# The newest release whose revisions live at the root migrations/versions/.
NEWEST_OLD_LAYOUT = [tag for tag, commit in EARLIER if has_old_layout(commit)][-1]
PACKAGE = Path("src") / "task_tracker"
VERSIONS = PACKAGE / "migrations" / "versions"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepository:
    return template_with_releases(tmp_path_factory.mktemp("releases") / "template")


def scaffold(template: TemplateRepository, tag: str, service: Path, rich: bool) -> Path:
    answers = service.parent / f"answers-{tag}.yml"
    answers.write_text(yaml.safe_dump({"entities": rich_entities(tag)} if rich else {}))
    copied = copier(
        "copy", "--trust", "--defaults", "--vcs-ref", tag, "--data", checks_off(tag),
        "--data-file", str(answers), str(template.path), str(service), cwd=service.parent,
    )  # fmt: skip
    assert copied.returncode == 0, copied.stdout
    git(service, "init", "--quiet", "--initial-branch=main")
    commit_all(service, f"Generated at {tag}")
    return service


def update(service: Path, *arguments: str, checked: bool = True) -> str:
    """``copier update --trust --defaults``; ``checked``: the target checks the history.

    The update's wall time joins the service's ``update-seconds`` file, for the report.
    """
    started = time.monotonic()
    updated = copier("update", "--trust", "--defaults", *arguments, cwd=service)
    seconds = service.parent / "update-seconds"
    earlier = f"{seconds.read_text()} + " if seconds.exists() else ""
    seconds.write_text(f"{earlier}{time.monotonic() - started:.1f}")
    assert updated.returncode == 0, updated.stdout
    assert conflict_leftovers(service) == [], updated.stdout
    assert ("Checking the migration history: ok" in updated.stdout) is checked, updated.stdout
    commit_all(service, "Update")
    return updated.stdout


def check_updated(
    service: Path, env: dict[str, str], rows: dict[str, int], test_url: str | None = None
) -> None:
    """The team's database upgrades keeping its rows, fix and index; the suite passes.

    The outbox's tables come with the upgrade when the service had none: the update
    recorded the outbox migration once, last, following the team's head.
    """
    heads = head_revisions(service, env)
    assert heads and len(heads) == 1
    url = env["DATABASE_URL"]
    history = yaml.safe_load((service / ".copier-answers.yml").read_text())["schema_history"]
    outbox = [entry for entry in history if entry["kind"] == "outbox"]
    assert len(outbox) == 1, history
    number = history.index(outbox[0]) + 1
    assert outbox[0] == {"revision": f"{number:04d}_outbox", "kind": "outbox"}
    outbox_before = outbox_state(url)
    if outbox_before is None:
        assert history[-1] == outbox[0], history
        assert heads == [outbox[0]["revision"]]
    alembic(service, env, "upgrade", "head")
    assert database_revisions(url) == heads
    after = all_row_counts(url)
    assert {table: after[table] for table in rows} == rows
    # The outbox migration ran on the database with rows: its tables, one lock row.
    events_before = outbox_before["events"] if outbox_before else []
    assert outbox_state(url) == {"events": events_before, "lock": [1]}
    assert fixed_titles(url) == 1
    assert TEAM_INDEX in index_names(url, "task")
    assert all(name.startswith(str(VERSIONS)) for name in team_revision_files(service)), (
        team_revision_files(service)
    )
    assert len(team_revision_files(service)) == 2
    assert TEAM_METHOD in (service / PACKAGE / "domain" / "task.py").read_text()
    # The service's code writes to the migrated database, and its change to the outbox.
    run([sys.executable, "-c", WRITE_A_PROJECT], service, env)
    assert all_row_counts(url)["project"] == rows["project"] + 1
    assert outbox_state(url) == {"events": [*events_before, ("Project", "created")], "lock": [1]}
    run([sys.executable, "-m", "ruff", "check", "."], service)
    test_env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    if test_url is not None:
        test_env["TEST_DATABASE_URL"] = test_url
    output = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], service, test_env
    )
    assert passed_count(output) > 0
    report(service, f"suite: {passed_count(output)} passed")


def report(service: Path, outcome: str) -> None:
    """One line per scenario in artifacts/: the update's wall time and the suite's result."""
    ARTIFACTS.mkdir(exist_ok=True)
    test = os.environ["PYTEST_CURRENT_TEST"].split("::")[-1].split()[0]
    scenario = re.sub(r"\W+", "-", test.split("[")[-1] if "[" in test else test).strip("-")
    seconds = (service.parent / "update-seconds").read_text()
    (ARTIFACTS / f"upgrade-matrix-{scenario}.txt").write_text(f"update {seconds} s, {outcome}\n")


def team_service(
    template: TemplateRepository, tag: str, tmp_path: Path, rich: bool, database_url: str
) -> tuple[Path, dict[str, str], dict[str, int]]:
    service = scaffold(template, tag, tmp_path / "service", rich)
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": "src"}
    alembic(service, env, "upgrade", "head")
    rows = store_rows(database_url)
    add_team_work(service, env)
    return service, env, rows


@pytest.mark.parametrize("rich", [False, True], ids=["default", "rich"])
@pytest.mark.parametrize("tag", [tag for tag, _ in EARLIER])
def test_a_service_of_an_earlier_release_updates_with_its_team_work_and_data(
    template: TemplateRepository, tmp_path: Path, tag: str, rich: bool
) -> None:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    service, env, rows = team_service(template, tag, tmp_path, rich, url)

    update(service)

    check_updated(service, env, rows)


def test_the_newest_earlier_release_updates_on_postgresql(
    template: TemplateRepository, tmp_path: Path
) -> None:
    with server_database("postgresql", "matrix") as database:
        service, env, rows = team_service(template, NEWEST_EARLIER, tmp_path, True, database.url)

        update(service)

        check_updated(service, env, rows, SERVERS["postgresql"].format(database="postgres"))


def test_the_oldest_release_updates_through_the_previous_one(
    template: TemplateRepository, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    (oldest, _), (previous, previous_commit) = EARLIER[0], EARLIER[-1]
    service, env, rows = team_service(template, oldest, tmp_path, False, url)

    update(service, "--vcs-ref", previous, checked=checks_history(previous_commit))
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["checks"]) == (previous, "none")
    update(service)

    check_updated(service, env, rows)


EDIT = '    op.execute("UPDATE task SET priority = 1 WHERE priority IS NULL")\n'
ORPHAN = """revision = "a1b2c3d4e5f6"
down_revision = "f00dfeedbeef"


def upgrade() -> None:
    pass
"""


@pytest.mark.parametrize("broken", ["edited-template-revision", "team-revision-without-parent"])
def test_a_refused_update_from_the_old_layout_writes_nothing(
    template: TemplateRepository, tmp_path: Path, broken: str
) -> None:
    """Refused before the render (an edit it would lose) or by it: the service is unchanged."""
    service = scaffold(template, NEWEST_OLD_LAYOUT, tmp_path / "service", rich=False)
    old_versions = service / "migrations" / "versions"
    if broken == "edited-template-revision":
        revision = old_versions / "0002_create_task.py"
        source = revision.read_text()
        revision.write_text(
            source.replace("def upgrade() -> None:\n", f"def upgrade() -> None:\n{EDIT}", 1)
        )
        expected = "migrations/versions/0002_create_task.py: edited since the template wrote it"
    else:
        (old_versions / "a1b2c3d4e5f6_team.py").write_text(ORPHAN)
        expected = "follows 'f00dfeedbeef', which no file of"
    commit_all(service, "Team change")
    state = (
        git(service, "rev-parse", "HEAD"),
        git(service, "status", "--porcelain", "--untracked-files=all"),
    )

    updated = copier("update", "--trust", "--defaults", cwd=service)

    assert updated.returncode != 0, updated.stdout
    assert expected in updated.stdout, updated.stdout
    if broken == "edited-template-revision":  # refused by the hook, before the render
        assert "Nothing was written." in updated.stdout
    after = (
        git(service, "rev-parse", "HEAD"),
        git(service, "status", "--porcelain", "--untracked-files=all"),
    )
    assert after == state
