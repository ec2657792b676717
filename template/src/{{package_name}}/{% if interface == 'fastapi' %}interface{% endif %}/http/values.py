"""The values requests carry, within the domain's limits (``domain/limits.py``).

Each type states its limits in the OpenAPI document (``minimum``/``maximum``,
``maxLength``, ``enum``, ``pattern``) and refuses exactly what the document
refuses, so a request the document allows is never refused for a value.

- Numbers and booleans are taken only as JSON numbers and booleans ("1" is no
  int, but 2.0 is 2, as JSON Schema says); floats are finite; ints are 32-bit.
- Decimals are JSON strings of at most DECIMAL_DIGITS digits, DECIMAL_PLACES of
  them after the point.
- Dates and datetimes are ISO 8601 strings (never Unix times) whose year lies in
  the limits' range; a datetime names its UTC offset, and one in the first or
  last year of the range is in UTC, so that it stays in range once converted.
- Strings hold none of FORBIDDEN_CHARACTERS: the document says no NUL (``not``
  a ``pattern``); JSON Schema cannot say lone surrogates, which are refused all
  the same. Strings without a ``max_length`` are texts, of at most TEXT_MAX_BYTES
  characters; the domain refuses a text over TEXT_MAX_BYTES bytes of UTF-8.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, Strict, WithJsonSchema

from ...domain.clock import as_utc
from ...domain.limits import (
    DECIMAL_DIGITS,
    DECIMAL_PLACES,
    DECIMAL_WHOLE_DIGITS,
    EARLIEST_DATE,
    EARLIEST_DATETIME,
    FORBIDDEN_CHARACTERS,
    INT_MAX,
    INT_MIN,
    LATEST_DATE,
    LATEST_DATETIME,
    TEXT_MAX_BYTES,
)


def digits_between(low: str, high: str) -> str:
    """A regular expression of the numbers ``low`` to ``high``, both written with as many digits."""
    if len(low) != len(high):
        raise ValueError(f"{low} and {high} must have as many digits")
    if low == high:
        return low
    rest = len(low) - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return f"[{low[0]}-{high[0]}]" + _digits(rest)
    if low[0] == high[0]:
        return low[0] + digits_between(low[1:], high[1:])
    parts = [low[0] + digits_between(low[1:], "9" * rest)]
    if int(low[0]) + 1 < int(high[0]):
        parts.append(
            digits_between(f"{int(low[0]) + 1}{'0' * rest}", f"{int(high[0]) - 1}{'9' * rest}")
        )
    parts.append(high[0] + digits_between("0" * rest, high[1:]))
    return "(?:" + "|".join(parts) + ")"


def _digits(count: int) -> str:
    return {0: "", 1: r"\d"}.get(count, rf"\d{{{count}}}")


def years(first: int, last: int) -> str:
    """A regular expression of the four-digit years ``first`` to ``last``."""
    return digits_between(f"{first:04d}", f"{last:04d}")


def _decimal_pattern() -> str:
    """At most DECIMAL_DIGITS digits: DECIMAL_PLACES after the point, DECIMAL_WHOLE_DIGITS before."""
    shapes = [rf"\d{{1,{DECIMAL_WHOLE_DIGITS}}}"] + [
        rf"\d{{1,{min(DECIMAL_DIGITS - places, DECIMAL_WHOLE_DIGITS)}}}\.\d{{{places}}}"
        for places in range(1, DECIMAL_PLACES + 1)
    ]
    return rf"^-?(?:{'|'.join(shapes)})$"


OFFSET = r"(?:[Zz]|[+-]\d\d:\d\d)"
UTC_OFFSET = r"(?:[Zz]|[+-]00:00)"
DATE_PATTERN = rf"^{years(EARLIEST_DATE.year, LATEST_DATE.year)}-\d\d-\d\d$"
# Years inside the range with any offset; its first and last year in UTC only.
DATETIME_PATTERN = (
    rf"^(?:{years(EARLIEST_DATETIME.year + 1, LATEST_DATETIME.year - 1)}-.*{OFFSET}"
    rf"|(?:{EARLIEST_DATETIME.year}|{LATEST_DATETIME.year})-.*{UTC_OFFSET})$"
)
DECIMAL_PATTERN = _decimal_pattern()
# A string holding NUL matches this pattern; the document says no string does.
NUL = r"\x00"
NUL_CHARACTER = "\x00"


def iso_string(kind: str, pattern: str) -> Callable[[Any], str]:
    """A check that a value is a string matching ``pattern`` (an ISO 8601 ``kind``)."""
    expression = re.compile(pattern)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not expression.search(value):
            raise ValueError(
                f"must be an ISO 8601 {kind} string within the limits "
                f"(pattern {pattern}), got {value!r}"
            )
        return value

    return check


def _storable(value: str) -> str:
    """``value``, checked to hold none of FORBIDDEN_CHARACTERS (JSON can carry them all)."""
    if NUL_CHARACTER in value or not _utf8(value):
        raise ValueError(f"must not hold {FORBIDDEN_CHARACTERS}")
    return value


def _utf8(value: str) -> bool:
    """Whether ``value`` can be written in UTF-8: it holds no lone surrogate."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _integral(value: Any) -> Any:
    """An integral JSON number written with a fraction (``2.0``) as the int it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _in_utc(value: datetime) -> datetime:
    """``value`` in UTC, checked to lie between EARLIEST_DATETIME and LATEST_DATETIME."""
    moment = as_utc(value, name="value")
    if not EARLIEST_DATETIME <= moment <= LATEST_DATETIME:
        raise ValueError(f"must lie between {EARLIEST_DATETIME} and {LATEST_DATETIME}")
    return moment


Int = Annotated[int, Strict(), Field(ge=INT_MIN, le=INT_MAX), BeforeValidator(_integral)]
Float = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Bool = Annotated[bool, Strict()]
Decimal_ = Annotated[
    str,
    Field(pattern=DECIMAL_PATTERN),
    AfterValidator(Decimal),
    WithJsonSchema({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}),
]
Date = Annotated[
    date,
    BeforeValidator(iso_string("date", DATE_PATTERN)),
    Field(ge=EARLIEST_DATE, le=LATEST_DATE),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
Moment = Annotated[
    datetime,
    BeforeValidator(iso_string("date-time", DATETIME_PATTERN)),
    AfterValidator(_in_utc),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}),
]
# The request type of each entity field type (str fields: see :func:`string`).
REQUEST_TYPES: dict[Any, Any] = {
    int: Int,
    float: Float,
    bool: Bool,
    Decimal: Decimal_,
    date: Date,
    datetime: Moment,
}


def string(max_length: int | None) -> Any:
    """A str field of at most ``max_length`` characters; a text without one."""
    limit = TEXT_MAX_BYTES if max_length is None else max_length
    return Annotated[
        str,
        Field(max_length=limit),
        AfterValidator(_storable),
        WithJsonSchema({"type": "string", "maxLength": limit, "not": {"pattern": NUL}}),
    ]


def matching(pattern: str) -> Any:
    """A str that ``pattern`` (a field type's, bounded in length) matches in full."""
    return Annotated[
        str,
        Field(pattern=pattern),
        WithJsonSchema({"type": "string", "pattern": pattern}),
    ]


def choice(choices: tuple[str, ...]) -> Any:
    """An enum field: one of ``choices``."""
    return Literal[choices]
