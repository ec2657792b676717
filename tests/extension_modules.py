"""The ``extensions/answers`` package, imported for direct unit tests of its modules."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extensions"))

from answers import (
    defaults,
    entity_errors,
    field_types,
    http_path_errors,
    imports,
    naming,
    parsed,
    python_source,
    questions,
    references,
    reserved,
    samples,
    specs,
)
from answers.errors import AnswerError
from answers.parse_entities import parse_entities

__all__ = [
    "AnswerError",
    "defaults",
    "entity_errors",
    "field_types",
    "http_path_errors",
    "imports",
    "naming",
    "parse_entities",
    "parsed",
    "python_source",
    "questions",
    "references",
    "reserved",
    "samples",
    "specs",
]
