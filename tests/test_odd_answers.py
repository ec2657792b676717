"""Answers at the edges of the rules are accepted and generate a clean service.

One service batches them all (to keep the suite fast): names at the 40-character
limits, a 30-character package name that sorts after ``tests``, emoji and
typographic quotes in every text answer, an entity whose name starts with ``Test``
(pytest must not collect its classes), characters ruff takes for ASCII look-alikes
(a multiplication sign, an en dash, a Cyrillic a), defaults that become module
constants (a UUID, a long text, a long datetime) and numbers at the edges of their
columns.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import check_service, generate

# 40 characters as snake_case; the first entity, and its modules sort after every
# module of the package they are imported beside (``...repositories.write_counts``).
LONG_ENTITY = "Zbcdefghijklmnopqrstuvwxyzabcdefghijklmn"
# Sorts after ``tests``: the generated tests' imports of the package come before
# their imports of ``tests.support`` all the same, and ruff must find them sorted.
PACKAGE = "z_long_package_name_for_svc_30"


# Characters ruff takes for ASCII look-alikes in docstrings (RUF002), and an emoji
# joined by a zero-width joiner, which does not print.
# (written as escapes: this repository's ruff checks its own strings too).
AMBIGUOUS = (
    "Writers \u00d7 editors \u2013 \u2139 \uff26ullwidth, Cyrillic \u0430, "
    "a family 👩\u200d👩\u200d👧"
)


def forty(letter: str) -> str:
    return f"{letter}_field_name_that_is_exactly_forty_chars"


ODD_ENTITIES: list[dict[str, Any]] = [
    {
        "name": LONG_ENTITY,
        "description": "Tracks every 😀 thing — naïve café, “curly quotes” " + "and more " * 15,
        "fields": [
            {"name": "email_address_code", "type": "str", "max_length": 768, "unique": True},
            {"name": forty("a"), "type": "str", "max_length": 300},
            {
                "name": forty("b"),
                "type": "datetime",
                "nullable": True,
                "default": "2024-12-31T23:59:59.999999+00:00",
            },
            {"name": forty("c"), "type": "uuid", "default": "12345678-1234-5678-1234-567812345678"},
            {
                "name": forty("d"),
                "type": "str",
                "default": "A long default that does not fit one line of code 😀, not at all " * 2,
            },
            {"name": forty("e"), "type": "decimal", "default": "99999999.999999"},
            {"name": forty("f"), "type": "int", "default": 2**31 - 1},
            {"name": forty("g"), "type": "float", "default": -1.7976931348623157e308},
            {"name": forty("h"), "type": "date", "default": "1000-01-01"},
        ],
    },
    {
        "name": "Author",
        "description": AMBIGUOUS,
        "fields": [{"name": "name", "type": "str"}],
    },
    {
        "name": "Testimonial",
        "description": "Quotes from customers 😀",
        "fields": [
            {"name": "body", "type": "text"},
            {"name": "author_id", "type": "ref", "to": "Author", "touch": True},
            {"name": "email", "type": "str", "unique": True},
            {"name": "batch", "type": "uuid", "nullable": True, "default": None},
        ],
    },
]
ANSWERS: dict[str, Any] = {
    "project_name": "Emoji 😀 Service",
    "description": "Does things 😀 with “quotes” and \u2018apostrophes\u2019",
    "author_name": "Zoë Ångström 😀",
    "package_name": PACKAGE,
    "entities": ODD_ENTITIES,
    # The text answers reach the HTTP app's title and description, and the long
    # names its modules and tests.
    "interface": "fastapi",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("odd") / "service", **ANSWERS)


def test_the_odd_but_valid_answers_generate_a_clean_service(service: Path) -> None:
    passed = check_service(service)
    assert passed > 30 * len(ODD_ENTITIES)


def test_text_answers_with_emoji_are_valid_toml_and_yaml(service: Path) -> None:
    project = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["description"] == ANSWERS["description"]
    assert project["authors"][0]["name"] == ANSWERS["author_name"]
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert recorded["description"] == ANSWERS["description"]
    assert ANSWERS["project_name"] in (service / "README.md").read_text(encoding="utf-8")


def test_call_and_long_defaults_are_module_constants(service: Path) -> None:
    fields = (
        service / "src" / PACKAGE / "domain" / "zbcdefghijklmnopqrstuvwxyzabcdefghijklmn_fields.py"
    )
    text = fields.read_text(encoding="utf-8")
    assert f'{forty("c").upper()}_DEFAULT = UUID("12345678-1234-5678-1234-567812345678")' in text
    assert f"{forty('d').upper()}_DEFAULT = (" in text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_characters_ruff_finds_ambiguous_are_kept_and_allowed(service: Path) -> None:
    lint = tomllib.loads((service / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    allowed = set(lint["lint"]["allowed-confusables"])
    assert {"\u00d7", "\u2013", "\u2139", "\uff26", "\u0430", "\u200d", "😀"} <= allowed
    assert all(not char.isascii() for char in allowed)
    author = (service / "src" / PACKAGE / "domain" / "author.py").read_text(encoding="utf-8")
    assert f'"""{AMBIGUOUS}"""' in author
