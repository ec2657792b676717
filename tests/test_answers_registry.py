"""Direct tests of the field-type registry, the sample values and the entity specs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from extension_modules import field_types, parse_entities, samples, specs

TYPES = field_types.FIELD_TYPES


def test_every_type_has_one_complete_entry() -> None:
    for name, entry in TYPES.items():
        assert entry.name == name
        assert entry.checker.startswith("require_")
        assert entry.doc
        ast.parse(entry.invalid[0], mode="eval")
        assert (entry.unique_refusal is None) or (entry.unique_values is None)
        # The docs' examples need a fresh value for every type that can be unique
        # (str makes its own from the field's name).
        can_be_unique = entry.unique_refusal is None and name != "str"
        assert (entry.doc_unique is not None) == can_be_unique, name
        # Sample values come from the entry unless the name or choices pick them.
        assert (entry.samples is None) == (name in ("str", "text", "enum")), name
        if entry.pattern is not None:
            assert entry.python == "str" and entry.checker == "require_match", name
            re.compile(entry.pattern)


ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_and_the_entities_question_name_every_type() -> None:
    """The lists a new type is added to (docs/developing.md, "Adding a field type")."""
    help_text = yaml.safe_load((ROOT / "copier.yml").read_text())["entities"]["help"]
    listed = re.search(r"type\s+\(([^)]*)\)", help_text)
    assert listed and listed.group(1).replace("\n", " ").split(", ") == list(TYPES)
    readme = (ROOT / "README.md").read_text()
    [comment] = re.findall(r"type: str +# (.* \| .*)", readme)
    assert comment.split(" | ") == list(TYPES)
    column_types = readme[readme.index("Column types:") :].split("\n\n")[0]
    assert [name for name in TYPES if f"`{name}` →" not in column_types] == []


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_every_type_has_two_different_sample_values(type_name: str) -> None:
    choices = ["open", "closed"] if type_name == "enum" else None
    example, changed = samples.values(type_name, "anything", 255, choices)
    ast.parse(example, mode="eval")
    ast.parse(changed, mode="eval")
    assert example != changed or type_name == "ref"


@pytest.mark.parametrize(
    ("type_name", "name", "example"),
    [
        ("str", "email", '"ada@example.com"'),
        ("str", "customer_email", '"ada@example.com"'),
        ("str", "title", '"Write the quarterly report"'),
        ("str", "name", '"Ada Lovelace"'),
        ("int", "quantity", "3"),
        ("decimal", "unit_price", 'Decimal("19.99")'),
        ("float", "weight", "2.5"),
    ],
)
def test_fields_named_like_common_words_get_realistic_values(
    type_name: str, name: str, example: str
) -> None:
    assert samples.values(type_name, name, 255)[0] == example


@pytest.mark.parametrize("name", ["title", "name", "label", "warehouse_zone", "body"])
def test_a_text_sample_is_never_the_field_name_itself(name: str) -> None:
    example, changed = samples.text_values(name, 255)
    assert name not in (example, changed)
    assert example != changed


@pytest.mark.parametrize("max_length", [1, 2, 5, 8, 40])
def test_text_samples_fit_max_length_and_differ(max_length: int) -> None:
    example, changed = samples.text_values("title", max_length)
    assert len(example) <= max_length and len(changed) <= max_length
    assert example != changed


def test_unique_text_samples_are_fresh_per_call_and_fit() -> None:
    source = samples.unique_text("email", 40)
    assert re.fullmatch(r'f"ada@example\.com-\{n\}"', source)
    assert samples.unique_text("code", 5) == "chr(0x4E00 + n % 20902)"


def spec_of(*fields: dict[str, object]) -> dict[str, object]:
    [parsed] = parse_entities([{"name": "Order", "fields": list(fields)}])
    return specs.entity_spec(parsed)


def test_a_uuid_default_becomes_a_module_constant() -> None:
    entity = spec_of(
        {"name": "batch", "type": "uuid", "default": "12345678-1234-5678-1234-567812345678"}
    )
    [field] = entity["fields"]  # type: ignore[misc]
    assert field["constant"] == 'BATCH_DEFAULT = UUID("12345678-1234-5678-1234-567812345678")'
    assert field["default_value"] == "BATCH_DEFAULT"
    assert entity["constants"] == [field]


def test_a_short_literal_default_stays_inline_and_a_long_one_becomes_a_constant() -> None:
    entity = spec_of(
        {"name": "status", "type": "str", "default": "open"},
        {"name": "terms", "type": "str", "default": "Payment is due within thirty days " * 3},
    )
    status, terms = entity["fields"]  # type: ignore[misc]
    assert status["default_value"] == '"open"' and status["constant"] is None
    assert terms["default_value"] == "TERMS_DEFAULT"
    assert terms["constant"].startswith("TERMS_DEFAULT = (\n")


def test_entity_imports_follow_the_types_used() -> None:
    entity = spec_of(
        {"name": "due_on", "type": "date"},
        {"name": "price", "type": "decimal"},
        {"name": "starts_at", "type": "datetime", "default": "2024-01-01T00:00:00Z"},
    )
    assert entity["domain_imports"] == [
        "from dataclasses import dataclass",
        "from datetime import UTC, date, datetime",
        "from decimal import Decimal",
        "from typing import ClassVar",
    ]
    assert entity["model_imports"] == ["Date", "Numeric"]
    assert entity["checkers"] == ["require_date", "require_datetime", "require_decimal"]


def test_the_factory_counts_calls_only_when_a_sample_uses_the_count() -> None:
    assert spec_of({"name": "code", "type": "str", "unique": True})["uses_counter"]
    assert spec_of({"name": "serial", "type": "int", "unique": True})["uses_counter"]
    assert not spec_of({"name": "batch", "type": "uuid", "unique": True})["uses_counter"]
    assert not spec_of({"name": "title", "type": "str"})["uses_counter"]


def test_an_enum_field_gets_its_choices_as_a_constant_column_and_check() -> None:
    entity = spec_of(
        {"name": "status", "type": "enum", "choices": ["open", "in progress"], "default": "open"}
    )
    [field] = entity["fields"]  # type: ignore[misc]
    assert field["choices_constant"] == 'STATUS_CHOICES = ("open", "in progress")'
    assert field["model_type"] == (
        'Enum(*STATUS_CHOICES, name="status", native_enum=False, create_constraint=True)'
    )
    assert field["migration_type"] == (
        'sa.Enum("open", "in progress", name="status", native_enum=False, create_constraint=True)'
    )
    assert field["check_constraint"] == "ck_order_status"
    assert (field["example"], field["changed"]) == ('"open"', '"in progress"')
    assert field["default"] == '"open"'


def test_long_enum_choices_are_written_one_a_line() -> None:
    choices = [f"choice number {n} of many" for n in range(6)]
    entity = spec_of({"name": "stage", "type": "enum", "choices": choices})
    [field] = entity["fields"]  # type: ignore[misc]
    lines = field["choices_constant"].splitlines()
    assert lines[0] == "STAGE_CHOICES = ("
    assert lines[1:-1] == [f'    "{choice}",' for choice in choices]
    assert lines[-1] == ")"
