"""Realistic sample values for the generated tests and docs, per type and per field name.

A field named like a common domain word gets that word's values (``email`` ->
``"ada@example.com"``, ``quantity`` -> ``3``); any other field gets its type's
values (``samples`` of its entry in ``field_types.py``). Every value is Python
source. ``example`` and ``changed`` always differ and fit the field (``max_length``).
"""

from __future__ import annotations

from typing import TypeVar

from .field_types import FIELD_TYPES
from .python_source import py_str

T = TypeVar("T")

# str and text fields, by name or by the last word of the name: (example, changed).
TEXT_BY_NAME: dict[str, tuple[str, str]] = {
    "name": ("Ada Lovelace", "Grace Hopper"),
    "first_name": ("Ada", "Grace"),
    "last_name": ("Lovelace", "Hopper"),
    "username": ("ada", "grace"),
    "title": ("Write the quarterly report", "Review the budget"),
    "email": ("ada@example.com", "grace@example.com"),
    "phone": ("+44 20 7946 0958", "+1 202 555 0143"),
    "code": ("ALPHA-7", "BRAVO-9"),
    "sku": ("SKU-1042", "SKU-2051"),
    "slug": ("quarterly-report", "annual-review"),
    "status": ("open", "closed"),
    "label": ("Urgent", "Later"),
    "tag": ("finance", "travel"),
    "city": ("Lisbon", "Kyoto"),
    "country": ("Portugal", "Japan"),
    "street": ("12 Market Street", "3 Harbour Road"),
    "address": ("12 Market Street, Lisbon", "3 Harbour Road, Kyoto"),
    "postal_code": ("1100-148", "600-8216"),
    "currency": ("EUR", "JPY"),
    "language": ("en", "pt"),
    "color": ("teal", "amber"),
    "url": ("https://example.com/reports", "https://example.com/archive"),
    "path": ("/reports/2024", "/reports/2025"),
    "reference": ("INV-2024-0042", "INV-2024-0043"),
    "tracking": ("1Z999AA10123456784", "1Z999AA10123456785"),
    "description": ("Collects the figures of the quarter", "Summarises the whole year"),
    "summary": ("Figures are on track", "Two figures need a second look"),
    "body": ("The figures are in the shared folder.", "Moved to next week's meeting."),
    "notes": ("Call back after lunch.", "Sent the signed copy."),
    "note": ("Call back after lunch.", "Sent the signed copy."),
    "comment": ("Looks good to me.", "Please add the totals."),
    "message": ("Your order has shipped.", "Your order was delivered."),
}
# int fields by name or last word: (example, changed).
INT_BY_NAME: dict[str, tuple[int, int]] = {
    "quantity": (3, 5),
    "count": (3, 4),
    "priority": (2, 1),
    "rank": (1, 2),
    "position": (1, 2),
    "age": (36, 37),
    "stars": (4, 5),
    "rating": (4, 5),
    "capacity": (120, 200),
    "population": (505_000, 545_000),
    "year": (2024, 2025),
    "minutes": (45, 30),
    "days": (7, 14),
    "seats": (4, 6),
    "stock": (12, 9),
    "score": (87, 92),
}
FLOAT_BY_NAME: dict[str, tuple[float, float]] = {
    "weight": (2.5, 3.75),
    "ratio": (0.25, 0.5),
    "latitude": (38.72, 35.01),
    "longitude": (-9.14, 135.77),
    "score": (8.5, 9.25),
    "temperature": (21.5, 19.0),
    "distance": (12.5, 7.25),
    "amount": (19.99, 24.5),
}
DECIMAL_BY_NAME: dict[str, tuple[str, str]] = {
    "price": ("19.99", "24.50"),
    "amount": ("120.00", "95.50"),
    "total": ("120.00", "95.50"),
    "cost": ("7.25", "8.10"),
    "balance": ("1500.00", "1320.75"),
    "rate": ("0.0725", "0.0650"),
}


def _lookup(table: dict[str, T], name: str) -> T | None:
    """The entry for ``name``, else for its last word(s): ``customer_email`` -> ``email``."""
    words = name.split("_")
    for start in range(len(words)):
        found = table.get("_".join(words[start:]))
        if found is not None:
            return found
    return None


def _fit(text: str, max_length: int | None) -> str:
    return text if max_length is None else text[:max_length]


def text_values(name: str, max_length: int | None) -> tuple[str, str]:
    """(example, changed) plain text for a str or text field."""
    found = _lookup(TEXT_BY_NAME, name)
    if found is None:
        words = name.replace("_", " ")
        found = (f"{words.capitalize()} A", f"{words.capitalize()} B")
    example, changed = (_fit(value, max_length) for value in found)
    if example == changed:
        example, changed = _fit("A" + found[0], max_length), _fit("B" + found[1], max_length)
    return example, changed


def values(
    type_name: str, name: str, max_length: int | None, choices: list[str] | None = None
) -> tuple[str, str]:
    """(example, changed) Python source for a field of ``type_name`` called ``name``.

    An enum field's are its first two ``choices``.
    """
    if choices:
        return py_str(choices[0]), py_str(choices[1])
    if type_name in ("str", "text"):
        example, changed = text_values(name, max_length)
        return py_str(example), py_str(changed)
    if type_name == "int" and (number := _lookup(INT_BY_NAME, name)):
        return str(number[0]), str(number[1])
    if type_name == "float" and (real := _lookup(FLOAT_BY_NAME, name)):
        return repr(real[0]), repr(real[1])
    if type_name == "decimal" and (amount := _lookup(DECIMAL_BY_NAME, name)):
        return f"Decimal({py_str(amount[0])})", f"Decimal({py_str(amount[1])})"
    samples = FIELD_TYPES[type_name].samples
    if samples is None:
        raise ValueError(f"the field type {type_name!r} has no sample values (field_types.py)")
    return samples


def unique_text(name: str, max_length: int | None) -> str:
    """Source of a fresh str value per call of the test factory (``n`` counts calls)."""
    example = text_values(name, max_length)[0]
    room = (max_length or 255) - 7
    if room < 3:
        # Fewer than 10 characters: one CJK ideograph per call (20,902 of them), which
        # fits every max_length (a counter's digits outgrow max_length 1 after 9 calls).
        return "chr(0x4E00 + n % 20902)"
    return "f" + py_str(f"{example[:room]}-{{n}}")
