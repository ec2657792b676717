"""Field rules shared by all entities; each raises ValidationError naming the field."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from .exceptions import ValidationError


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


def require_str(
    name: str, value: object, *, max_length: int | None = None, nullable: bool = False
) -> None:
    if not _present(name, value, str, "a str", nullable) or max_length is None:
        return
    if isinstance(value, str) and len(value) > max_length:
        raise ValidationError(
            f"{name} must be at most {max_length} characters, got {len(value)}", field=name
        )


def require_int(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, int, "an int", nullable)


def require_float(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, (float, int), "a float", nullable)


def require_decimal(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, Decimal, "a Decimal", nullable)


def require_bool(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, bool, "a bool", nullable)


def require_date(name: str, value: object, *, nullable: bool = False) -> None:
    if _present(name, value, date, "a date", nullable) and isinstance(value, datetime):
        raise ValidationError(f"{name} must be a date, not a datetime", field=name)


def require_datetime(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, datetime, "a datetime", nullable)


def require_uuid(name: str, value: object, *, nullable: bool = False) -> None:
    _present(name, value, UUID, "a UUID", nullable)


def require_choice(
    name: str, value: object, *, choices: Sequence[str], nullable: bool = False
) -> None:
    if _present(name, value, str, "a str", nullable) and value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValidationError(f"{name} must be one of {allowed}, got {value!r}", field=name)
