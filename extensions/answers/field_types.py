"""The field types: one registry entry per answer ``type`` holds everything about it.

An entry says how the type is declared in Python, stored by SQLAlchemy and
Alembic, validated in the domain, how its default is checked and written, and
which values the generated tests and docs use (``field_type.py`` says what each
attribute means). A new type is an entry here; docs/developing.md ("Adding a
field type") lists what else names the types.
"""

from __future__ import annotations

from . import defaults
from .field_type import FieldType

FIELD_TYPES: dict[str, FieldType] = {
    entry.name: entry
    for entry in (
        FieldType(
            name="str",
            python="str",
            python_import=None,
            column="String({max_length})",
            column_import="String",
            migration="sa.String(length={max_length})",
            checker="require_str",
            invalid=("42", "not a str"),
            parse_default=defaults.text_default,
            unique_values=None,
            unique_refusal=None,
            doc="VARCHAR(max_length)",
        ),
        FieldType(
            name="text",
            python="str",
            python_import=None,
            column="Text()",
            column_import="Text",
            migration="sa.Text()",
            checker="require_text",
            invalid=("42", "not a str"),
            parse_default=defaults.text_default,
            unique_values=None,
            unique_refusal="text cannot be indexed portably; use a str field",
            doc="TEXT",
            index_refusal="MariaDB cannot index TEXT without a prefix length; use a str field",
        ),
        FieldType(
            name="int",
            python="int",
            python_import=None,
            column="Integer()",
            column_import="Integer",
            migration="sa.Integer()",
            checker="require_int",
            invalid=('"1"', "not an int"),
            parse_default=defaults.int_default,
            unique_values=("n", "-1"),
            unique_refusal=None,
            doc="INTEGER (32 bits)",
            samples=("7", "8"),
            doc_unique="uuid4().int % 2**31",
        ),
        FieldType(
            name="float",
            python="float",
            python_import=None,
            column="Double()",
            column_import="Double",
            migration="sa.Double()",
            checker="require_float",
            invalid=('"1.5"', "not a float"),
            parse_default=defaults.float_default,
            unique_values=("n + 0.5", "-0.5"),
            unique_refusal=None,
            doc="DOUBLE PRECISION (DOUBLE on MariaDB)",
            samples=("1.5", "2.5"),
            doc_unique="uuid4().int % 2**40 / 4",
        ),
        FieldType(
            name="decimal",
            python="Decimal",
            python_import=("decimal", "Decimal"),
            column="Numeric(20, 6)",
            column_import="Numeric",
            migration="sa.Numeric(precision=20, scale=6)",
            checker="require_decimal",
            invalid=("1.5", "not a Decimal"),
            parse_default=defaults.decimal_default,
            unique_values=("Decimal(n)", 'Decimal("-1")'),
            unique_refusal=None,
            doc="NUMERIC(20, 6)",
            samples=('Decimal("12.50")', 'Decimal("13.75")'),
            doc_unique="Decimal(uuid4().int % 10**9) / 100",
        ),
        FieldType(
            name="bool",
            python="bool",
            python_import=None,
            column="Boolean()",
            column_import="Boolean",
            migration="sa.Boolean()",
            checker="require_bool",
            invalid=('"yes"', "not a bool"),
            parse_default=defaults.bool_default,
            unique_values=None,
            unique_refusal="a bool has two values",
            doc="BOOLEAN",
            samples=("True", "False"),
        ),
        FieldType(
            name="date",
            python="date",
            python_import=("datetime", "date"),
            column="Date()",
            column_import="Date",
            migration="sa.Date()",
            checker="require_date",
            invalid=('"2024-01-02"', "not a date"),
            parse_default=defaults.date_default,
            unique_values=("date.fromordinal(730120 + n)", "date(1999, 1, 1)"),
            unique_refusal=None,
            doc="DATE",
            samples=("date(2024, 5, 17)", "date(2024, 6, 3)"),
            doc_unique="date(2024, 1, 1) + timedelta(days=uuid4().int % 2_900_000)",
        ),
        FieldType(
            name="datetime",
            python="datetime",
            python_import=("datetime", "datetime"),
            column="UTCDateTime()",
            column_import=None,
            migration="UTC_DATETIME",
            checker="require_datetime",
            invalid=('"2024-01-02"', "not a datetime"),
            parse_default=defaults.datetime_default,
            unique_values=(
                "datetime.fromtimestamp(946684800 + n, UTC)",
                "datetime(1999, 1, 1, tzinfo=UTC)",
            ),
            unique_refusal=None,
            doc="aware UTC with microseconds (UTCDateTime; DATETIME(6) on MariaDB)",
            samples=(
                "datetime(2024, 5, 17, 9, 30, 15, 250000, tzinfo=UTC)",
                "datetime(2024, 6, 3, 14, 5, 45, 125000, tzinfo=UTC)",
            ),
            doc_unique=(
                "datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=uuid4().int % 10**17)"
            ),
        ),
        FieldType(
            name="uuid",
            python="UUID",
            python_import=("uuid", "UUID"),
            column="Uuid()",
            column_import="Uuid",
            migration="sa.Uuid()",
            checker="require_uuid",
            invalid=('"not-a-uuid"', "not a UUID"),
            parse_default=defaults.uuid_default,
            unique_values=("uuid4()", 'UUID("00000000-0000-4000-8000-000000000001")'),
            unique_refusal=None,
            doc="UUID (CHAR(32) on SQLite and MySQL)",
            default_as_constant=True,
            samples=(
                'UUID("6f1c2b9e-4d3a-4f5b-8c7d-9e0a1b2c3d4e")',
                'UUID("a2b3c4d5-e6f7-4a8b-9c0d-1e2f3a4b5c6d")',
            ),
            doc_unique="uuid4()",
        ),
        # One of a fixed list of strings (``choices``): a VARCHAR as long as the longest
        # choice and a CHECK constraint named by the naming convention (ck_<table>_<field>).
        FieldType(
            name="enum",
            python="str",
            python_import=None,
            column='Enum(*{constant}, name="{name}", native_enum=False, create_constraint=True)',
            column_import="Enum",
            migration=(
                'sa.Enum({choices}, name="{name}", native_enum=False, create_constraint=True)'
            ),
            checker="require_choice",
            # Choices never hold "!" (see parse_fields.CHOICE).
            invalid=('"not a choice!"', "not one of the choices"),
            parse_default=defaults.text_default,
            unique_values=None,
            unique_refusal="an enum has a few fixed values",
            doc="VARCHAR(longest choice) with a CHECK constraint on the choices",
        ),
        # The id of another declared entity (``to``), with a foreign key and an index.
        FieldType(
            name="ref",
            python="UUID",
            python_import=("uuid", "UUID"),
            column="Uuid()",
            column_import="Uuid",
            migration="sa.Uuid()",
            checker="require_uuid",
            invalid=('"not-a-uuid"', "not a UUID"),
            parse_default=defaults.no_default,
            unique_values=None,
            unique_refusal=(
                "one-to-one references are not supported; reference the other way round"
            ),
            doc="the referenced entity's id: UUID, a foreign key and an index",
            index_refusal="a ref field is always indexed",
            # Unit tests only; database tests point references at stored rows.
            samples=("uuid4()", "uuid4()"),
        ),
    )
}
