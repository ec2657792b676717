"""The ``entities`` answer parsed once per render: the entities, their specs, or the error.

Copier renders the validators, the ``when`` of each question and the computed
``entity_specs`` separately, and each reads the ``entities`` answer. The package
is loaded afresh for each Jinja environment (one per render: ``copier update``
renders the old and the new template in environments of their own), so this
cache lives as long as one render. It is keyed on the raw answer's ``repr``
(which tells ``1`` from ``True`` and ``"1"``): a render asked about the same
answer again gets the same result, and the few answers an interactive session
tries are each parsed once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from . import specs
from .errors import AnswerError
from .model import Entity
from .parse_entities import parse_entities

# Answers kept per render: the last few an interactive session tried.
KEPT = 8


@dataclass
class Parsed:
    """One ``entities`` answer, parsed: its entities, or the rule it breaks."""

    entities: list[Entity] | None
    error: str
    _specs: list[dict[str, Any]] | None = field(default=None, repr=False)

    def specs(self) -> list[dict[str, Any]]:
        """The entity specs, built on first use; callers read them, never change them.

        Raises:
            AnswerError: the answer breaks a rule (``error``).
        """
        if self.entities is None:
            raise AnswerError(self.error)
        if self._specs is None:
            self._specs = specs.entity_specs(self.entities)
        return self._specs


_parsed: OrderedDict[str, Parsed] = OrderedDict()


def answer(value: Any) -> Parsed:
    """The ``entities`` answer ``value``, parsed on its first use in this render."""
    key = repr(value)
    if key in _parsed:
        _parsed.move_to_end(key)
        return _parsed[key]
    try:
        result = Parsed(parse_entities(value), "")
    except AnswerError as error:
        result = Parsed(None, str(error))
    _parsed[key] = result
    while len(_parsed) > KEPT:
        _parsed.popitem(last=False)
    return result
