"""Answers given with --data / --data-file are refused on the command line, cleanly.

A key that names no question (a misspelling) is refused with the closest question,
and a refused answer (or default, with ``--defaults``) prints copier's "Validation
error for question ..." line alone: no traceback, a non-zero exit, nothing written,
on ``copier copy`` and on ``copier update``. The keys copier hands back itself
(``_src_path``, ``_commit``, ``schema_history``, its settings' defaults) pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE_ROOT
from copier import run_copy
from copier.errors import UserMessageError
from update_support import TemplateRepository, copier, copy_service, git, released_twice

pytestmark = pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")

TYPOS = {
    "entites": [{"name": "Order", "fields": [{"name": "total", "type": "int"}]}],
    "projct_name": "Shop",
}
TYPOS_REFUSED = [
    "unknown answer(s)",
    "'entites' (did you mean 'entities'?)",
    "'projct_name' (did you mean 'project_name'?)",
    "the template asks no such question",
]


def copy_cli(tmp_path: Path, *data: str) -> tuple[int, str, Path]:
    """``copier copy`` of the working tree with ``data`` arguments: exit code, output, target."""
    destination = tmp_path / "service"
    copied = copier(
        "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", "--data", "checks=none", *data,
        str(TEMPLATE_ROOT), str(destination), cwd=tmp_path,
    )  # fmt: skip
    return copied.returncode, copied.stdout, destination


def nothing_written(destination: Path) -> bool:
    return not destination.exists() or not any(destination.iterdir())


def test_misspelled_keys_of_a_data_file_are_refused_with_the_closest_questions(
    tmp_path: Path,
) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump(TYPOS))

    code, output, destination = copy_cli(tmp_path, "--data-file", str(answers))

    assert code != 0, output
    assert all(fragment in output for fragment in TYPOS_REFUSED), output
    assert "Traceback" not in output, output
    assert nothing_written(destination)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("interfase=fastapi", "'interfase' (did you mean 'interface'?)"),
        ("entity_specs=[]", "'entity_specs' (worked out by the template from the other answers"),
        (
            "entities=[{name: task, fields: [{name: title, type: str}]}]",
            "Validation error for question 'entities': entity name 'task' is not a PascalCase "
            "identifier",
        ),
        ("interface=flask", "Invalid choice for 'interface': 'flask' is not in"),
        # The default package name worked out from this project name is refused.
        (
            "project_name=Tests",
            "Validation error for question 'package_name': package_name 'tests' would shadow",
        ),
    ],
    ids=["misspelled-key", "computed-key", "invalid-entity", "invalid-choice", "refused-default"],
)
def test_a_refused_data_answer_prints_its_message_alone(
    tmp_path: Path, data: str, message: str
) -> None:
    code, output, destination = copy_cli(tmp_path, "--data", data)

    assert code != 0, output
    assert message in output, output
    assert "Traceback" not in output, output
    assert nothing_written(destination)


def test_the_recorded_schema_history_is_taken_as_data(tmp_path: Path) -> None:
    destination = tmp_path / "service"

    run_copy(
        str(TEMPLATE_ROOT), str(destination), vcs_ref="HEAD", defaults=True, unsafe=True,
        quiet=True, data={"checks": "none", "schema_history": []},
    )  # fmt: skip

    assert (destination / ".copier-answers.yml").is_file()


def test_an_api_caller_gets_a_user_message_for_an_unknown_key(tmp_path: Path) -> None:
    with pytest.raises(UserMessageError, match=r"'projct_name' \(did you mean 'project_name'\?\)"):
        run_copy(
            str(TEMPLATE_ROOT), str(tmp_path / "service"), vcs_ref="HEAD", defaults=True,
            unsafe=True, quiet=True, data={"checks": "none", "projct_name": "Shop"},
        )  # fmt: skip


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> TemplateRepository:
    return released_twice(tmp_path_factory.mktemp("given") / "template")


def test_an_update_refuses_a_misspelled_key_and_changes_nothing(
    released: TemplateRepository, tmp_path: Path
) -> None:
    service = copy_service(released, "v1.0.0", tmp_path / "service")
    answers = tmp_path / "answers.yml"
    answers.write_text(yaml.safe_dump(TYPOS))

    updated = copier(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", "--data-file", str(answers),
        cwd=service,
    )  # fmt: skip

    assert updated.returncode != 0, updated.stdout
    assert all(fragment in updated.stdout for fragment in TYPOS_REFUSED), updated.stdout
    assert "Traceback" not in updated.stdout, updated.stdout
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == "v1.0.0"


def test_an_update_takes_the_keys_copier_hands_back(
    released: TemplateRepository, tmp_path: Path
) -> None:
    service = copy_service(released, "v1.0.0", tmp_path / "service")
    # Copier's settings may hold defaults of other templates; on update it hands
    # them back as data, beside _src_path, _commit and schema_history.
    settings = tmp_path / "settings.yml"
    settings.write_text(yaml.safe_dump({"defaults": {"github_user": "someone"}}))

    updated = copier(
        "update", "--trust", "--defaults", "--vcs-ref", "v1.1.0", "--data", "interface=fastapi",
        cwd=service, env={**os.environ, "COPIER_SETTINGS_PATH": str(settings)},
    )  # fmt: skip

    assert updated.returncode == 0, updated.stdout
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == "v1.1.0"
    assert recorded["interface"] == "fastapi"
    assert "github_user" not in recorded
