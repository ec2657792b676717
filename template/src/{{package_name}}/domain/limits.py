"""The values every supported database stores and reads back exactly.

The domain refuses anything outside these limits with a ``ValidationError`` naming
the field and the limit (``validation.py``); the HTTP schemas state the same
limits in the OpenAPI document. The guide's "Value limits" table explains each.
"""

from datetime import UTC, date, datetime

# int fields: an INTEGER column (32 bits on PostgreSQL and MariaDB).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# decimal fields: NUMERIC(20, 6), which keeps 14 digits before the point; at most
# 14 significant digits (the zeros that end a whole number count, those that end
# a fraction do not), which SQLite's REAL keeps exactly too, and at most 6 of
# them after the point.
DECIMAL_DIGITS = 14
DECIMAL_PLACES = 6
# ... and at most 9 before the point: SQLite reads its REAL back with 6 places, which
# is exact only below 10**9 (15 digits in all).
DECIMAL_WHOLE_DIGITS = 9
# text fields: MariaDB's TEXT holds 65,535 bytes of UTF-8.
TEXT_MAX_BYTES = 65_535
# date and datetime fields: MariaDB's DATETIME range; datetimes are compared in UTC.
EARLIEST_DATE = date(1000, 1, 1)
LATEST_DATE = date(9999, 12, 31)
EARLIEST_DATETIME = datetime(1000, 1, 1, tzinfo=UTC)
LATEST_DATETIME = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
# uuid and ref fields: MariaDB's UUID type refuses the UUIDs of variant 0 (NCS,
# not RFC 4122) whose version digit (the 13th hex digit) is 8 to f; uuid4() and
# uuid7() never make one.
FORBIDDEN_UUIDS = "variant 0 (NCS) UUIDs whose version digit is 8 to f"
# Characters no string field stores: NUL (refused by PostgreSQL) and the lone
# surrogates U+D800 to U+DFFF (not encodable in UTF-8).
FORBIDDEN_CHARACTERS = "\x00 and U+D800 to U+DFFF"
