"""The questions other than ``entities``: each validator returns "" or the refusal."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from typing import Any

from .naming import PACKAGE_NAME

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Directories and distributions a package of that name would clash with.
RESERVED_PACKAGE_NAMES = frozenset(
    {"tests", "migrations", "docs", "src", "sqlalchemy", "alembic", "pytest", "ruff"}
)
# Text answers go into Python docstrings, TOML strings, YAML and Markdown.
TEXT_LIMIT = 200
PROJECT_NAME_LIMIT = 100
# Imports of the generated tests spell out ``<package>.infrastructure.repositories...``.
PACKAGE_NAME_LIMIT = 30
# Docstrings wrap between words; a longer word could not fit a line of generated code.
WORD_LIMIT = 60
# Unicode categories no text answer may hold: control characters (NUL, tab, DEL, ...),
# line and paragraph separators, and lone surrogates (no file encoding can hold them).
REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "a lone surrogate",
}


def text_error(value: Any, question: str, limit: int = TEXT_LIMIT) -> str:
    """Validator message for a one-line text answer ("" when valid)."""
    if not isinstance(value, str):
        return f"{question} {value!r} must be text"
    if "\n" in value or "\r" in value:
        return f"{question} {value!r} must be one line"
    for char in value:
        category = unicodedata.category(char)
        if category in REFUSED_CATEGORIES:
            return (
                f"{question} {value!r} contains {REFUSED_CATEGORIES[category]} "
                f"(U+{ord(char):04X}); use printable characters only"
            )
    if "\\" in value or '"""' in value:
        return f'{question} {value!r} must not contain backslashes or """'
    if value.rstrip().endswith('"'):
        return f'{question} {value!r} must not end with " (it would close a docstring)'
    if len(value) > limit:
        return f"{question} {value!r} is longer than {limit} characters"
    long_words = [word for word in value.split() if len(word) > WORD_LIMIT]
    if long_words:
        return (
            f"{question} {value!r} has a word longer than {WORD_LIMIT} characters "
            f"({long_words[0][:20]}...); generated lines could not wrap it"
        )
    return ""


def one_line_error(value: Any, question: str) -> str:
    """Validator message for ``description`` and ``author_name`` ("" when valid)."""
    return text_error(value, question)


def project_name_error(value: Any) -> str:
    """Validator message for ``project_name`` ("" when valid)."""
    if not isinstance(value, str) or not value.strip():
        return f"project_name {value!r} is empty: give the service a human name"
    if "\n" in value or len(value) > PROJECT_NAME_LIMIT:
        return f"project_name {value!r} must be one line of at most {PROJECT_NAME_LIMIT} characters"
    return text_error(value, "project_name", PROJECT_NAME_LIMIT)


def package_name_default(project_name: Any) -> str:
    """A valid package name derived from the human project name."""
    words = re.findall(r"[a-z0-9]+", str(project_name).lower())
    name = "_".join(words) or "service"
    name = name if name[0].isalpha() else f"service_{name}"
    return name[:PACKAGE_NAME_LIMIT].rstrip("_")


def package_name_error(value: Any) -> str:
    """Validator message for ``package_name`` ("" when valid)."""
    if not isinstance(value, str) or not PACKAGE_NAME.fullmatch(value):
        return (
            f"package_name {value!r} is not a valid package name: use lower case "
            "letters, digits and underscores, starting with a letter"
        )
    if keyword.iskeyword(value):
        return f"package_name {value!r} is a Python keyword"
    if len(value) > PACKAGE_NAME_LIMIT:
        return f"package_name {value!r} is longer than {PACKAGE_NAME_LIMIT} characters"
    if value in RESERVED_PACKAGE_NAMES or value in sys.stdlib_module_names:
        return (
            f"package_name {value!r} would shadow the module or directory of the same "
            "name; choose another"
        )
    return ""


def author_email_error(value: Any) -> str:
    """Validator message for ``author_email`` ("" when valid)."""
    if not isinstance(value, str) or not EMAIL.fullmatch(value):
        return f"author_email {value!r} is not an e-mail address like name@example.com"
    return text_error(value, "author_email")
