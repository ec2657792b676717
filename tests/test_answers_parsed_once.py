"""One ``copier copy`` parses the ``entities`` answer once and builds its specs once.

Copier renders the validators, each question's ``when`` and the computed
``entity_specs`` separately; ``extensions/answers/parsed.py`` keeps the result of
the first. The copies here run in this process under a profiler that counts the
calls of the parser and of the spec builder (the package is loaded afresh by
each render, from a clone of the template, so the functions are recognised by
their source file, not patched).
"""

from __future__ import annotations

import sys
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from conftest import generate
from extension_modules import entity_errors, parsed, specs

# Copier renders a clone of the template: the functions are known by the end of their path.
COUNTED = {
    ("extensions/answers/parse_entities.py", "parse_entities"): "parse",
    ("extensions/answers/specs.py", "entity_specs"): "specs",
}


@contextmanager
def counted_calls() -> Iterator[Counter[str]]:
    """Counts of the calls of the parser and the spec builder while the block runs."""
    counts: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if event == "call":
            code = frame.f_code
            for (path, name), key in COUNTED.items():
                if code.co_name == name and Path(code.co_filename).as_posix().endswith(path):
                    counts[key] += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(previous)


@pytest.mark.parametrize("interface", ["none", "fastapi"])
def test_a_copy_parses_the_entities_once_and_builds_their_specs_once(
    tmp_path: Path, interface: str
) -> None:
    with counted_calls() as counts:
        generate(tmp_path / "service", interface=interface)
    assert (tmp_path / "service" / "src" / "task_tracker" / "domain" / "task.py").is_file()
    assert counts == {"parse": 1, "specs": 1}


def test_the_same_answer_is_parsed_once_and_a_refused_one_keeps_its_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parsed, "_parsed", OrderedDict())
    answer = [{"name": "Note", "fields": [{"name": "body", "type": "text"}]}]
    refused = [{"name": "Note", "fields": [{"name": "body", "type": "blob"}]}]
    with counted_calls() as counts:
        first = parsed.answer(answer).specs()
        assert parsed.answer([dict(item) for item in answer]).specs() is first
        message = entity_errors(refused)
        assert "unknown type 'blob'" in message
        assert entity_errors(refused) == message
    assert counts == {"parse": 2, "specs": 1}
    assert first == specs.entity_specs(parsed.parse_entities(answer))


def test_answers_that_differ_only_in_type_are_parsed_apart() -> None:
    as_int = [{"name": "Note", "fields": [{"name": "body", "type": "str", "max_length": 1}]}]
    as_bool = [{"name": "Note", "fields": [{"name": "body", "type": "str", "max_length": True}]}]
    assert parsed.answer(as_int).error == ""
    assert "max_length" in parsed.answer(as_bool).error
