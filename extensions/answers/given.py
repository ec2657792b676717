"""The answers given with ``--data`` or ``--data-file``: refused as a Copier user message.

Copier takes such an answer after rendering its question's ``when``, and refuses a
bad one with a bare ``ValueError``, which its command line prints as a traceback.
Every asked question's ``when`` in ``copier.yml`` is therefore :func:`checked`: it
runs the question's own validator from ``copier.yml`` (and its choices) on the given
answer (or, with ``--defaults``, the default) first, and refuses with Copier's
message as a :class:`~copier.errors.UserMessageError`, printed alone, before
anything is written. It also refuses a key that names no question (a misspelling
would otherwise be dropped silently), naming the closest question.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from copier.errors import UserMessageError
from jinja2 import pass_context
from jinja2.runtime import Context

COPIER_YML = Path(__file__).resolve().parents[2] / "copier.yml"
# Not questions, yet Copier hands them back on update: the answers file records them
# (``schema_history``: see extensions/history/). Keys starting with ``_`` are Copier's.
RECORDED = frozenset({"schema_history"})


class AnswerRefused(UserMessageError, ValueError):
    """A given answer is refused; the message names the key or question, the value and rule."""

    def __init__(self, message: str) -> None:
        UserMessageError.__init__(self, message)
        ValueError.__init__(self, message)


@cache
def questions() -> dict[str, dict[str, Any]]:
    """The questions of ``copier.yml``, by name, in order (computed ones included)."""
    config = yaml.safe_load(COPIER_YML.read_text(encoding="utf-8"))
    return {name: details for name, details in config.items() if not name.startswith("_")}


def asked() -> list[str]:
    """The questions an answer can be given to: all but the computed ones (``when: false``)."""
    return [name for name, details in questions().items() if details.get("when") is not False]


def unknown_key_error(key: str) -> str:
    """Why ``key`` is no answer, with the closest question."""
    if key in questions():
        return f"{key!r} (worked out by the template from the other answers, never given)"
    close = difflib.get_close_matches(key, asked(), n=1, cutoff=0.6)
    return f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key)


def refuse_unknown_keys(data: Mapping[str, Any], user_defaults: Mapping[str, Any]) -> None:
    """Refuse the keys of ``data`` that are no question, no recorded key and not Copier's.

    ``user_defaults`` (Copier's settings) may hold keys of other templates: Copier
    passes them back as data on update.
    """
    allowed = {*asked(), *RECORDED, *user_defaults}
    unknown = [str(key) for key in data if not str(key).startswith("_") and key not in allowed]
    if unknown:
        raise AnswerRefused(
            f"unknown answer(s) {'; '.join(map(unknown_key_error, unknown))}: the template "
            f"asks no such question; its questions are {', '.join(asked())}"
        )


def as_text(value: Any) -> str:
    """A ``type: str`` answer as Copier reads it."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{value!r} is not text")


def as_parsed(load: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A ``type: yaml`` or ``json`` answer as Copier reads it: a string is parsed."""

    def parse(value: Any) -> Any:
        return load(value) if isinstance(value, str) else value

    return parse


READERS: dict[str, Callable[[Any], Any]] = {
    "str": as_text,
    "yaml": as_parsed(yaml.safe_load),
    "json": as_parsed(json.loads),
}


def choice_error(question: str, details: Mapping[str, Any], answer: Any) -> str:
    """Copier's message for an answer outside the question's choices ("" when inside)."""
    choices = details.get("choices")
    if not choices:
        return ""
    values = list(choices.values()) if isinstance(choices, Mapping) else list(choices)
    if answer in values:
        return ""
    return f"Invalid choice for {question!r}: {answer!r} is not in {values}"


def answer_error(context: Context, question: str, value: Any) -> str:
    """Copier's message refusing ``value`` for ``question`` ("" when Copier takes it)."""
    details = questions()[question]
    try:
        answer = READERS.get(details.get("type", "yaml"), as_parsed(yaml.safe_load))(value)
    except (ValueError, yaml.YAMLError) as error:
        return f"Validation error for question {question!r}: {error}"
    if message := choice_error(question, details, answer):
        return message
    validator = details.get("validator")
    if not validator:
        return ""
    try:
        template = context.environment.from_string(validator)
        message = template.render({**context.get_all(), question: answer}).strip()
    except Exception as error:  # Copier reports any error of a validator as its message
        message = str(error)
    return f"Validation error for question {question!r}: {message}" if message else ""


def taken_without_asking(context: Context, question: str) -> list[Any]:
    """The answer Copier takes for ``question`` without asking, in a list; [] if it asks.

    A given answer, else with ``--defaults`` and no answer recorded, the default
    (Copier validates it too: a default worked out from another answer can break a rule).
    """
    conf = context["_copier_conf"]
    if question in conf["data"]:
        return [conf["data"][question]]
    default = questions()[question].get("default")
    if not conf["defaults"] or question in context or default is None:
        return []
    if isinstance(default, str):
        return [context.environment.from_string(default).render(context.get_all())]
    return [default]


@pass_context
def checked(context: Context, question: str) -> bool:
    """True once the given answers are known and the one ``question`` takes is valid.

    Raises:
        AnswerRefused: an unknown key, or the answer ``question`` takes unasked is refused.
    """
    conf = context["_copier_conf"]
    refuse_unknown_keys(conf["data"], conf["user_defaults"])
    for answer in taken_without_asking(context, question):
        if message := answer_error(context, question, answer):
            raise AnswerRefused(message)
    return True
