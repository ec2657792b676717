"""Names: what counts as an entity or field name, and the names derived from them."""

from __future__ import annotations

import keyword
import re
from typing import Any

from .errors import AnswerError

# ``fullmatch``: a ``$`` anchor would let a trailing newline through.
PASCAL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*")
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
PACKAGE_NAME = re.compile(r"[a-z][a-z0-9_]*")

# The longest entity (as snake_case) and field name.
NAME_LIMIT = 40
# PostgreSQL truncates identifiers longer than this; MySQL allows 64.
IDENTIFIER_LIMIT = 63


def snake_case(name: str) -> str:
    """``HTTPServer`` -> ``http_server``; ``OrderLine`` -> ``order_line``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return spaced.lower()


def check_identifier(kind: str, value: Any, pattern: re.Pattern[str], case: str) -> str:
    """``value`` when it is a ``case`` identifier and not a keyword; else AnswerError."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise AnswerError(f"{kind} {value!r} is not a {case} identifier")
    if keyword.iskeyword(value):
        raise AnswerError(f"{kind} {value!r} is a Python keyword")
    return value


def constraint_name(where: str, kind: str, name: str) -> str:
    """``name`` when it fits the identifier limit of every backend; else AnswerError."""
    if len(name) > IDENTIFIER_LIMIT:
        raise AnswerError(
            f"{where}: the {kind} name {name!r} is longer than the "
            f"{IDENTIFIER_LIMIT}-character identifier limit; shorten the entity or field name"
        )
    return name


def unique_constraint(table: str, field: str) -> str:
    return f"uq_{table}_{field}"


def check_constraint(table: str, field: str) -> str:
    return f"ck_{table}_{field}"


def choices_constant(field: str) -> str:
    """The module constant that holds an enum's choices: ``status`` -> ``STATUS_CHOICES``."""
    return f"{field.upper()}_CHOICES"


def foreign_key(table: str, field: str, target_table: str) -> str:
    return f"fk_{table}_{field}_{target_table}"


def index_name(table: str, field: str) -> str:
    return f"ix_{table}_{field}"


def composite_index_name(table: str, fields: list[str], unique: bool) -> str:
    """``ix_<table>_<a>_<b>``, or ``uq_...`` for a unique one (the naming convention's)."""
    return f"{'uq' if unique else 'ix'}_{table}_{'_'.join(fields)}"


def constant_name(field: str) -> str:
    """The module constant that holds a field's default: ``title`` -> ``TITLE_DEFAULT``."""
    return f"{field.upper()}_DEFAULT"


def plural(word: str) -> str:
    """``task`` -> ``tasks``, ``status`` -> ``statuses``, ``category`` -> ``categories``."""
    if re.search(r"(s|x|z|ch|sh)$", word):
        return f"{word}es"
    if re.search(r"[^aeiou]y$", word):
        return f"{word[:-1]}ies"
    return f"{word}s"


def http_path(snake: str) -> str:
    """Where the HTTP interface serves an entity: ``audit_note`` -> ``/audit-notes``."""
    *words, last = snake.split("_")
    return "/" + "-".join([*words, plural(last)])
