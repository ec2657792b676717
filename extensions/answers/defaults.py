"""Field defaults: each parser checks an answer's ``default`` and returns its Python source.

A parser raises ``ValueError`` with the rule the value breaks; the caller names
the entity, the field and the value. Every rule keeps the value inside what the
column stores on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import uuid
from typing import Any

from .python_source import py_str

# INTEGER is 32 bits on every backend.
INT_RANGE = (-(2**31), 2**31 - 1)
# As the service's domain/limits.py: NUMERIC(20, 6) and SQLite's REAL keep at most
# 14 significant digits exactly, at most 6 of them after the point.
DECIMAL_DIGITS, DECIMAL_PLACES, DECIMAL_WHOLE_DIGITS = 14, 6, 9
# As domain/limits.py: no database stores NUL or a lone surrogate.
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
# DATE and DATETIME(6) on MariaDB hold the years 1000 to 9999.
YEARS = (1000, 9999)


def _not_a(type_name: str) -> ValueError:
    return ValueError(f"is not a valid {type_name}")


def text_default(value: Any, max_length: int | None) -> str:
    if not isinstance(value, str):
        raise _not_a("str")
    if FORBIDDEN.search(value):
        raise ValueError("holds NUL or a lone surrogate, which no database stores")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"is longer than max_length {max_length}")
    return py_str(value)


def int_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _not_a("int")
    low, high = INT_RANGE
    if not low <= value <= high:
        raise ValueError(
            f"is outside the 32-bit INTEGER range {low} to {high}; use a decimal field "
            "for larger numbers"
        )
    return str(value)


def float_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _not_a("float")
    if not math.isfinite(value):
        raise ValueError("is not a finite number; the databases cannot all store inf or nan")
    # As ruff format writes a float: ``1e+300`` -> ``1e300``.
    return repr(float(value)).replace("e+", "e")


def decimal_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _not_a("decimal")
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation as error:
        raise _not_a("decimal") from error
    if not number.is_finite():
        raise _not_a("decimal")
    significant, places = _decimal_shape(number)
    whole_digits = number.adjusted() + 1
    if (
        places > DECIMAL_PLACES
        or significant > DECIMAL_DIGITS
        or whole_digits > DECIMAL_WHOLE_DIGITS
    ):
        raise ValueError(
            f"does not fit NUMERIC(20, 6) exactly on every database: at most {DECIMAL_DIGITS} "
            f"significant digits, {DECIMAL_PLACES} of them after the point and at most "
            f"{DECIMAL_WHOLE_DIGITS} before it"
        )
    return f"Decimal({py_str(str(number))})"


def _decimal_shape(number: decimal.Decimal) -> tuple[int, int]:
    """Significant digits and digits after the point, as the domain counts them.

    The zeros that end a fraction do not count; those that end a whole number do.
    """
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return 1, 0
    kept = len(digits)
    while digits[kept - 1] == 0 and exponent + len(digits) - kept < 0:
        kept -= 1
    exponent += len(digits) - kept
    return kept + max(0, exponent), max(0, -exponent)


def bool_default(value: Any, max_length: int | None) -> str:
    if not isinstance(value, bool):
        raise _not_a("bool")
    return str(value)


def _check_year(year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"is outside the years {YEARS[0]} to {YEARS[1]} every database stores")


def date_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, dt.datetime):
        raise _not_a("date")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as error:
            raise _not_a("date") from error
    if not isinstance(value, dt.date):
        raise _not_a("date")
    _check_year(value.year)
    return f"date({value.year}, {value.month}, {value.day})"


def datetime_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise _not_a("datetime") from error
    if not isinstance(value, dt.datetime):
        raise _not_a("datetime")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    _check_year(value.year)
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError as error:
        raise ValueError(f"is outside the years {YEARS[0]} to {YEARS[1]} in UTC") from error
    _check_year(utc.year)
    parts = [utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second]
    if utc.microsecond:
        parts.append(utc.microsecond)
    return f"datetime({', '.join(map(str, parts))}, tzinfo=UTC)"


def uuid_default(value: Any, max_length: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, uuid.UUID)):
        raise _not_a("uuid")
    try:
        parsed = uuid.UUID(str(value))
    except ValueError as error:
        raise _not_a("uuid") from error
    return f"UUID({py_str(str(parsed))})"


def no_default(value: Any, max_length: int | None) -> str:
    raise ValueError("is not allowed; a ref field's default can only be null (with nullable: true)")
