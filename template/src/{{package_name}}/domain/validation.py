"""Field rules shared by all entities; each raises ValidationError naming the field.

Besides its type, every value must lie inside what every supported database
stores and reads back exactly (``limits.py``): a value outside is refused here,
never rounded, clipped or left for the database to fail on.
"""

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import RESERVED_NCS, UUID

from .clock import as_utc
from .exceptions import ValidationError
from .limits import (
    DECIMAL_DIGITS,
    DECIMAL_PLACES,
    DECIMAL_WHOLE_DIGITS,
    EARLIEST_DATE,
    EARLIEST_DATETIME,
    FORBIDDEN_CHARACTERS,
    FORBIDDEN_UUIDS,
    INT_MAX,
    INT_MIN,
    LATEST_DATE,
    LATEST_DATETIME,
    TEXT_MAX_BYTES,
)

# The characters of FORBIDDEN_CHARACTERS.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def _present(
    name: str, value: object, expected: type | tuple[type, ...], label: str, nullable: bool
) -> bool:
    """Check presence and type; True when there is a value to check further."""
    if value is None:
        if nullable:
            return False
        raise ValidationError(f"{name} is required", field=name)
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise ValidationError(f"{name} must be {label}, got {value!r}", field=name)
    return True


def _storable_str(name: str, value: object, nullable: bool) -> str | None:
    """``value`` when it is a str every database stores; None for an allowed None.

    No NUL and no lone surrogate: no database stores them.
    """
    if not isinstance(value, str):
        _present(name, value, str, "a str", nullable)
        return None
    found = FORBIDDEN.search(value)
    if found:
        raise ValidationError(
            f"{name} must not contain {FORBIDDEN_CHARACTERS}; found {found.group()!r} "
            f"at position {found.start()}",
            field=name,
        )
    return value


def require_str(
    name: str, value: object, *, max_length: int | None = None, nullable: bool = False
) -> None:
    text = _storable_str(name, value, nullable)
    if text is not None and max_length is not None and len(text) > max_length:
        raise ValidationError(
            f"{name} must be at most {max_length} characters, got {len(text)}", field=name
        )


def require_text(name: str, value: object, *, nullable: bool = False) -> None:
    text = _storable_str(name, value, nullable)
    # A character is at most 4 bytes in UTF-8: a short text needs no encoding to measure.
    if text is None or len(text) * 4 <= TEXT_MAX_BYTES:
        return
    size = len(text.encode())
    if size > TEXT_MAX_BYTES:
        raise ValidationError(
            f"{name} must be at most {TEXT_MAX_BYTES} bytes in UTF-8, got {size}", field=name
        )


def require_int(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, int, "an int", nullable) or not isinstance(value, int):
        return
    if not INT_MIN <= value <= INT_MAX:
        raise ValidationError(
            f"{name} must be from {INT_MIN} to {INT_MAX} (a 32-bit INTEGER), got {value}",
            field=name,
        )


def require_float(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, (float, int), "a float", nullable):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite float, got {value!r}", field=name)
    if isinstance(value, int) and not _exact_float(value):
        raise ValidationError(
            f"{name} must be a number a float holds exactly, got the int {value}", field=name
        )


def _exact_float(value: int) -> bool:
    try:
        return float(value) == value
    except OverflowError:
        return False


def require_decimal(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, Decimal, "a Decimal", nullable) or not isinstance(value, Decimal):
        return
    if not value.is_finite():
        raise ValidationError(f"{name} must be a finite Decimal, got {value}", field=name)
    digits, places = decimal_shape(value)
    if digits > DECIMAL_DIGITS or places > DECIMAL_PLACES:
        raise ValidationError(
            f"{name} must have at most {DECIMAL_DIGITS} significant digits and "
            f"{DECIMAL_PLACES} after the point, got {value} ({digits} and {places}); "
            "it is refused, never rounded",
            field=name,
        )
    if value.adjusted() >= DECIMAL_WHOLE_DIGITS:
        raise ValidationError(
            f"{name} must have at most {DECIMAL_WHOLE_DIGITS} digits before the point, got {value}",
            field=name,
        )


def decimal_shape(value: Decimal) -> tuple[int, int]:
    """Significant digits and digits after the point of a finite ``value``.

    The zeros that end a fraction do not count (``1.50`` is ``1.5``); those that
    end a whole number do (``1E+20`` has 21 digits).
    """
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return 1, 0
    kept = len(digits)
    while kept > 1 and digits[kept - 1] == 0 and exponent + len(digits) - kept < 0:
        kept -= 1
    exponent += len(digits) - kept
    return kept + max(0, exponent), max(0, -exponent)


def require_bool(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, bool, "a bool", nullable)


def require_date(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, date, "a date", nullable) or not isinstance(value, date):
        return
    if isinstance(value, datetime):
        raise ValidationError(f"{name} must be a date, not a datetime", field=name)
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"{name} must be from {EARLIEST_DATE} to {LATEST_DATE}, got {value}", field=name
        )


def require_datetime(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, datetime, "a datetime", nullable):
        return
    assert isinstance(value, datetime)
    if not EARLIEST_DATETIME <= as_utc(value, name=name) <= LATEST_DATETIME:
        raise ValidationError(
            f"{name} must be from {EARLIEST_DATETIME.isoformat()} to "
            f"{LATEST_DATETIME.isoformat()} in UTC, got {value.isoformat()}",
            field=name,
        )


def require_uuid(name: str, value: object, *, nullable: bool = False) -> None:
    if not _present(name, value, UUID, "a UUID", nullable) or not isinstance(value, UUID):
        return
    if value.variant == RESERVED_NCS and value.hex[12] in "89abcdef":
        raise ValidationError(
            f"{name} must not be one of the {FORBIDDEN_UUIDS}, got {value}", field=name
        )


def require_choice(
    name: str, value: object, *, choices: Sequence[str], nullable: bool = False
) -> None:
    if _storable_str(name, value, nullable) is None:
        return
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValidationError(f"{name} must be one of {allowed}, got {value!r}", field=name)


def require_match(name: str, value: object, *, pattern: str, nullable: bool = False) -> None:
    """A str that ``pattern`` matches in full (the field type's pattern)."""
    if not _present(name, value, str, "a str", nullable) or not isinstance(value, str):
        return
    if re.fullmatch(pattern, value) is None:
        raise ValidationError(f"{name} must match {pattern}, got {value!r}", field=name)
