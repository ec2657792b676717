"""The imports of generated modules: fixed ones and those the values in the code call."""

from __future__ import annotations

import re

# Imports the per-entity modules get besides those of their field types, as (module, name).
DATACLASS = ("dataclasses", "dataclass")
# ``field(repr=False)``: a sensitive field's value stays out of the entity's repr.
DATACLASS_FIELD = ("dataclasses", "field")
CLASS_VAR = ("typing", "ClassVar")
ANY = ("typing", "Any")
COUNT = ("itertools", "count")
FOREIGN_KEY = ("sqlalchemy", "ForeignKey")
ENTITY_MODEL = (".entity_model", "EntityModel")
TABLE_OPTIONS = (".entity_model", "TABLE_OPTIONS")
UTC_DATETIME = (".types", "UTCDateTime")
MODEL_BASE = ("base", "Base")
PAGE_SIZE = ("..domain.paging", "DEFAULT_PAGE_SIZE")
FIXED_IMPORTS = [
    DATACLASS,
    DATACLASS_FIELD,
    CLASS_VAR,
    ANY,
    COUNT,
    FOREIGN_KEY,
    ENTITY_MODEL,
    UTC_DATETIME,
    MODEL_BASE,
    PAGE_SIZE,
]

# Standard-library names that generated value sources may use, as (module, name, usage).
VALUE_NAMES = [
    ("datetime", "UTC", "tzinfo=UTC"),
    ("datetime", "UTC", ", UTC)"),
    ("datetime", "date", "date("),
    ("datetime", "date", "date.fromordinal("),
    ("datetime", "datetime", "datetime("),
    ("datetime", "datetime", "datetime.fromtimestamp("),
    ("datetime", "timedelta", "timedelta("),
    ("decimal", "Decimal", "Decimal("),
    ("uuid", "UUID", "UUID("),
    ("uuid", "uuid4", "uuid4("),
]


def names_used_by(sources: list[str]) -> list[tuple[str, str]]:
    """(module, name) of every standard-library name the Python ``sources`` use."""
    text = " ".join(sources)
    return [
        (module, name)
        for module, name, usage in VALUE_NAMES
        if re.search(r"(?<![A-Za-z0-9_])" + re.escape(usage), text)
    ]
