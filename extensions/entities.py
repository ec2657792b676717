"""Validate and normalise the answers of copier-ddd-service.

Copier loads this module as a Jinja extension (see ``_jinja_extensions`` in
``copier.yml``). It gives the questions their validators and turns the
``entities`` answer into ``entity_specs``: a list of plain dictionaries in
which every name, type, import and sample value the templates need is already
worked out, so the template files stay free of logic.

Every rule raises :class:`AnswerError` with a message that names the offending
value and the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import keyword
import re
import sys
import uuid
from dataclasses import dataclass
from typing import Any

from jinja2.ext import Extension

PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PACKAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

ENTITY_KEYS = frozenset({"name", "description", "fields"})
FIELD_KEYS = frozenset(
    {"name", "type", "max_length", "nullable", "default", "unique", "to", "touch"}
)
DEFAULT_MAX_LENGTH = 255
# PostgreSQL truncates identifiers longer than this; MySQL allows 64.
IDENTIFIER_LIMIT = 63

# Attributes every generated entity already has (BaseTimestampEntity and the
# dataclass machinery) and names the ORM reserves on declarative models.
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "version",
        "touch",
        "cache_version",
        "is_newer_than",
        "get_age_seconds",
        "get_time_since_update_seconds",
        "get_events",
        "updated_event",
        "metadata",
        "registry",
        "mro",
    }
)
# Names the generated modules import or define at module level; a field of the
# same name would shadow them inside the entity and model classes.
SHADOWING_FIELD_NAMES = frozenset(
    {
        "str",
        "int",
        "float",
        "bool",
        "date",
        "datetime",
        "field",
        "dataclass",
        "mapped_column",
        "sa",
        "op",
        "self",
    }
)
# Module names that already exist in the layers the entity modules live in.
RESERVED_MODULE_NAMES = frozenset(
    {
        "base",
        "base_entity",
        "clock",
        "database",
        "entity",
        "events",
        "exceptions",
        "models",
        "timestamp",
        "timestamp_events",
        "timestamp_mixin",
        "touching",
        "types",
        "validation",
    }
)
# Class names the generated modules import or define themselves.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "Base",
        "BaseTimestampEntity",
        "ClassVar",
        "Clock",
        "DatabaseException",
        "Decimal",
        "DomainError",
        "DomainEvent",
        "EntityNotFound",
        "EntityService",
        "FieldUpdated",
        "Mapped",
        "Session",
        "TimestampMixin",
        "TimestampRepositoryMixin",
        "UUID",
        "UTC",
        "UTCDateTime",
        "ValidationError",
    }
)
# Directories and distributions a package of that name would clash with.
RESERVED_PACKAGE_NAMES = frozenset(
    {"tests", "migrations", "docs", "src", "sqlalchemy", "alembic", "pytest", "ruff"}
)
# Suffixes of the classes generated for every entity.
CLASS_SUFFIXES = ("", "Fields", "Updated", "Model", "Repository", "Service")


class AnswerError(ValueError):
    """An answer breaks one of the template's rules."""


@dataclass(frozen=True)
class FieldType:
    """How one answer ``type`` maps onto Python, SQLAlchemy and the tests."""

    python: str
    model: str
    migration: str
    checker: str


FIELD_TYPES: dict[str, FieldType] = {
    "str": FieldType(
        "str", "String({max_length})", "sa.String(length={max_length})", "require_str"
    ),
    "text": FieldType("str", "Text()", "sa.Text()", "require_str"),
    "int": FieldType("int", "Integer()", "sa.Integer()", "require_int"),
    "float": FieldType("float", "Double()", "sa.Double()", "require_float"),
    "decimal": FieldType(
        "Decimal",
        "Numeric(20, 6)",
        "sa.Numeric(precision=20, scale=6)",
        "require_decimal",
    ),
    "bool": FieldType("bool", "Boolean()", "sa.Boolean()", "require_bool"),
    "date": FieldType("date", "Date()", "sa.Date()", "require_date"),
    "datetime": FieldType("datetime", "UTCDateTime()", "UTC_DATETIME", "require_datetime"),
    "uuid": FieldType("UUID", "Uuid()", "sa.Uuid()", "require_uuid"),
    # The id of another declared entity (``to``), with a foreign key and an index.
    "ref": FieldType("UUID", "Uuid()", "sa.Uuid()", "require_uuid"),
}
# The SQLAlchemy names each model type needs imported.
MODEL_IMPORTS = {
    "ref": "Uuid",
    "str": "String",
    "text": "Text",
    "int": "Integer",
    "float": "Double",
    "decimal": "Numeric",
    "bool": "Boolean",
    "date": "Date",
    "uuid": "Uuid",
}
# The standard-library names each Python type needs imported, as (module, name).
PYTHON_IMPORTS = {
    "decimal": ("decimal", "Decimal"),
    "date": ("datetime", "date"),
    "datetime": ("datetime", "datetime"),
    "uuid": ("uuid", "UUID"),
    "ref": ("uuid", "UUID"),
}


def py_str(text: str) -> str:
    """A double-quoted Python string literal, as ruff format writes it."""
    return json.dumps(text, ensure_ascii=False)


LINE_LENGTH = 100


def wrap_call(prefix: str, args: list[str], indent: int) -> str:
    """``prefix(args)`` at ``indent``, exploded one argument a line (magic trailing
    comma) when it would not fit in a line, as ``ruff format`` leaves it."""
    pad = " " * indent
    line = f"{pad}{prefix}({', '.join(args)})"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"{pad}    {arg},\n" for arg in args)
    return f"{pad}{prefix}(\n{inner}{pad})"


def import_line(module: str, names: list[str]) -> str:
    """``from module import a, b``, parenthesised one name a line when too long."""
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    inner = "".join(f"    {name},\n" for name in names)
    return f"from {module} import (\n{inner})"


def snake_case(name: str) -> str:
    """``HTTPServer`` -> ``http_server``; ``OrderLine`` -> ``order_line``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return spaced.lower()


# --- questions other than entities -------------------------------------------------


def project_name_error(value: Any) -> str:
    """Validator message for ``project_name`` ("" when valid)."""
    if not isinstance(value, str) or not value.strip():
        return f"project_name {value!r} is empty: give the service a human name"
    if "\n" in value or len(value) > 100:
        return f"project_name {value!r} must be one line of at most 100 characters"
    return ""


def package_name_default(project_name: Any) -> str:
    """A valid package name derived from the human project name."""
    words = re.findall(r"[a-z0-9]+", str(project_name).lower())
    name = "_".join(words) or "service"
    return name if name[0].isalpha() else f"service_{name}"


def package_name_error(value: Any) -> str:
    """Validator message for ``package_name`` ("" when valid)."""
    if not isinstance(value, str) or not PACKAGE_NAME.match(value):
        return (
            f"package_name {value!r} is not a valid package name: use lower case "
            "letters, digits and underscores, starting with a letter"
        )
    if keyword.iskeyword(value):
        return f"package_name {value!r} is a Python keyword"
    if value in RESERVED_PACKAGE_NAMES or value in sys.stdlib_module_names:
        return (
            f"package_name {value!r} would shadow the module or directory of the same "
            "name; choose another"
        )
    return ""


def one_line_error(value: Any, question: str) -> str:
    """Validator message for free-text answers that end up in files ("" when valid)."""
    if not isinstance(value, str):
        return f"{question} {value!r} must be text"
    if "\n" in value or "\r" in value:
        return f"{question} {value!r} must be one line"
    if "\\" in value or '"""' in value:
        return f'{question} {value!r} must not contain backslashes or """'
    return ""


def author_email_error(value: Any) -> str:
    """Validator message for ``author_email`` ("" when valid)."""
    if not isinstance(value, str) or not EMAIL.match(value):
        return f"author_email {value!r} is not an e-mail address like name@example.com"
    return ""


# --- entities ----------------------------------------------------------------------


def _check_identifier(kind: str, value: Any, pattern: re.Pattern[str], case: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise AnswerError(f"{kind} {value!r} is not a {case} identifier")
    if keyword.iskeyword(value):
        raise AnswerError(f"{kind} {value!r} is a Python keyword")
    return value


def _check_keys(where: str, item: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise AnswerError(
            f"{where} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys are {', '.join(sorted(allowed))}"
        )


def _check_bool(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise AnswerError(f"{where}: {key} {value!r} must be true or false")
    return value


def _default_source(where: str, type_name: str, default: Any, max_length: int | None) -> str:
    """Render a default as Python source, or raise when it does not fit ``type_name``."""

    def unfit() -> AnswerError:
        return AnswerError(f"{where}: default {default!r} is not a valid {type_name}")

    if type_name == "ref":
        raise AnswerError(
            f"{where}: default {default!r} is not allowed; a ref field's default can only be "
            "null (with nullable: true)"
        )

    if type_name in ("str", "text"):
        if not isinstance(default, str):
            raise unfit()
        if max_length is not None and len(default) > max_length:
            raise AnswerError(
                f"{where}: default {default!r} is longer than max_length {max_length}"
            )
        return py_str(default)
    if type_name == "int":
        if isinstance(default, bool) or not isinstance(default, int):
            raise unfit()
        return str(default)
    if type_name == "float":
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            raise unfit()
        return repr(float(default))
    if type_name == "decimal":
        if isinstance(default, bool) or not isinstance(default, (int, float, str)):
            raise unfit()
        try:
            number = decimal.Decimal(str(default))
        except decimal.InvalidOperation as error:
            raise unfit() from error
        if not number.is_finite():
            raise unfit()
        return f"Decimal({py_str(str(number))})"
    if type_name == "bool":
        if not isinstance(default, bool):
            raise unfit()
        return str(default)
    if type_name == "date":
        if isinstance(default, dt.datetime):
            raise unfit()
        if isinstance(default, str):
            try:
                default = dt.date.fromisoformat(default)
            except ValueError as error:
                raise unfit() from error
        if not isinstance(default, dt.date):
            raise unfit()
        return f"date({default.year}, {default.month}, {default.day})"
    if type_name == "datetime":
        if isinstance(default, str):
            try:
                default = dt.datetime.fromisoformat(default)
            except ValueError as error:
                raise unfit() from error
        if not isinstance(default, dt.datetime):
            raise unfit()
        if default.tzinfo is None:
            default = default.replace(tzinfo=dt.UTC)
        utc = default.astimezone(dt.UTC)
        parts = [utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second]
        if utc.microsecond:
            parts.append(utc.microsecond)
        return f"datetime({', '.join(map(str, parts))}, tzinfo=UTC)"
    if type_name == "uuid":
        try:
            value = uuid.UUID(str(default))
        except ValueError as error:
            raise unfit() from error
        return f"UUID({py_str(str(value))})"
    raise unfit()


# Per type: (sample, changed sample, invalid value with the rule it breaks).
def _samples(field: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]]]:
    name, type_name = field["name"], field["type"]
    max_length = field["max_length"]
    if type_name == "str":
        sample = name[:max_length]
        changed = f"new {name}"[:max_length]
        if changed == sample:
            changed = "n" if sample != "n" else "m"
        return (
            py_str(sample),
            py_str(changed),
            [(f'"x" * {max_length + 1}', "too long"), ("42", "not a str")],
        )
    scalar = {
        "text": (py_str(f"{name} text"), py_str(f"new {name} text"), "42", "not a str"),
        "int": ("1", "2", py_str("1"), "not an int"),
        "float": ("1.5", "2.5", py_str("1.5"), "not a float"),
        "decimal": ('Decimal("1.50")', 'Decimal("2.25")', "1.5", "not a Decimal"),
        "bool": ("True", "False", py_str("yes"), "not a bool"),
        "date": (
            "date(2024, 1, 2)",
            "date(2024, 3, 4)",
            py_str("2024-01-02"),
            "not a date",
        ),
        "datetime": (
            "datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)",
            "datetime(2024, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)",
            py_str("2024-01-02"),
            "not a datetime",
        ),
        "uuid": (
            'UUID("12345678-1234-4678-9234-567812345678")',
            'UUID("87654321-4321-4765-8321-876543218765")',
            py_str("not-a-uuid"),
            "not a UUID",
        ),
        # Unit tests only; database tests point references at stored rows.
        "ref": ("uuid4()", "uuid4()", py_str("not-a-uuid"), "not a UUID"),
    }[type_name]
    return scalar[0], scalar[1], [(scalar[2], scalar[3])]


# Values for unique fields: ``n`` is a counter in the generated test factory.
UNIQUE_SAMPLES = {
    "str": ("str(n)", None),
    "int": ("n", "-1"),
    "float": ("n + 0.5", "-0.5"),
    "decimal": ("Decimal(n)", 'Decimal("-1")'),
    "date": ("date(2000, 1, 1) + timedelta(days=n)", "date(1999, 1, 1)"),
    "datetime": (
        "datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=n)",
        "datetime(1999, 1, 1, tzinfo=UTC)",
    ),
    "uuid": ("uuid4()", 'UUID("00000000-0000-4000-8000-000000000001")'),
}


def _parse_reference(
    where: str, name: str, type_name: str, raw: dict[str, Any]
) -> tuple[str | None, bool]:
    """The entity a ref field references and whether saving touches it."""
    if type_name != "ref":
        for key in ("to", "touch"):
            if key in raw:
                raise AnswerError(f"{where}: {key} is only allowed on ref fields, not {type_name}")
        return None, False
    if not name.endswith("_id"):
        raise AnswerError(
            f"{where}: a ref field holds the id of another entity, so its name must end "
            f"in _id (e.g. {name}_id)"
        )
    if "to" not in raw:
        raise AnswerError(f"{where}: a ref field needs to: the name of the entity it references")
    target = raw["to"]
    if not isinstance(target, str) or not PASCAL_CASE.match(target):
        raise AnswerError(f"{where}: to {target!r} must name a declared entity (PascalCase)")
    return target, _check_bool(where, "touch", raw.get("touch", False))


def _parse_field(entity_name: str, index: int, raw: Any) -> dict[str, Any]:
    where = f"entity {entity_name!r}, field #{index}"
    if not isinstance(raw, dict):
        raise AnswerError(f"{where} must be a mapping with name and type, got {raw!r}")
    _check_keys(where, raw, FIELD_KEYS)
    if "name" not in raw:
        raise AnswerError(f"{where} has no name")
    name = _check_identifier(
        f"field name in entity {entity_name!r}", raw["name"], SNAKE_CASE, "snake_case"
    )
    where = f"entity {entity_name!r}, field {name!r}"
    if name in RESERVED_FIELD_NAMES:
        raise AnswerError(
            f"{where}: the name {name!r} is reserved: every entity already has "
            "id, created_at, updated_at, version and the timestamp methods"
        )
    if name in SHADOWING_FIELD_NAMES:
        raise AnswerError(
            f"{where}: the name {name!r} would shadow a type or helper the generated "
            "code uses; choose a more specific name"
        )
    if len(name) > 40:
        raise AnswerError(f"{where}: the name is longer than 40 characters")
    if "type" not in raw:
        raise AnswerError(f"{where} has no type; choose one of {', '.join(FIELD_TYPES)}")
    type_name = raw["type"]
    if type_name not in FIELD_TYPES:
        raise AnswerError(
            f"{where}: unknown type {type_name!r}; choose one of {', '.join(FIELD_TYPES)}"
        )
    nullable = _check_bool(where, "nullable", raw.get("nullable", False))
    unique = _check_bool(where, "unique", raw.get("unique", False))
    target, touch = _parse_reference(where, name, type_name, raw)
    max_length: int | None = None
    if "max_length" in raw:
        if type_name != "str":
            raise AnswerError(f"{where}: max_length is only allowed on str fields, not {type_name}")
        max_length = raw["max_length"]
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise AnswerError(f"{where}: max_length {max_length!r} must be a positive integer")
    elif type_name == "str":
        max_length = DEFAULT_MAX_LENGTH
    if unique and type_name == "ref":
        raise AnswerError(
            f"{where}: unique is not supported on ref fields (one-to-one references); "
            "reference the other way round, or drop unique"
        )
    if unique and type_name in ("text", "bool"):
        raise AnswerError(
            f"{where}: unique is not supported on {type_name} fields "
            "(text cannot be indexed portably, a bool has two values); use a str field"
        )
    default_source: str | None = None
    if "default" in raw:
        if raw["default"] is None:
            if not nullable:
                raise AnswerError(f"{where}: default null needs nullable: true")
            default_source = "None"
        else:
            default_source = _default_source(where, type_name, raw["default"], max_length)
        if unique and default_source != "None":
            raise AnswerError(f"{where}: a unique field cannot have a default")
    elif nullable:
        default_source = "None"
    field_type = FIELD_TYPES[type_name]
    field: dict[str, Any] = {
        "name": name,
        "type": type_name,
        "nullable": nullable,
        "unique": unique,
        "max_length": max_length,
        "default": default_source,
        "python_type": field_type.python + (" | None" if nullable else ""),
        "model_type": field_type.model.format(max_length=max_length),
        "migration_type": field_type.migration.format(max_length=max_length),
        "checker": field_type.checker,
        "unique_constraint": f"uq_{{table}}_{name}",
        "to": target,
        "touch": touch,
        "ref_table": snake_case(target) if target else None,
    }
    check_args = [py_str(name), f"self.{name}"]
    if type_name == "str":
        check_args.append(f"max_length={max_length}")
    if nullable:
        check_args.append("nullable=True")
    model_args = [field["model_type"]]
    if target:
        model_args += [f'ForeignKey("{field["ref_table"]}.id")', "index=True"]
    model_args += ["unique=True"] if unique else []
    field.update(
        check_line=wrap_call(field_type.checker, check_args, 8),
        model_line=wrap_call(
            f"{name}: Mapped[{field['python_type']}] = mapped_column", model_args, 4
        ),
        migration_line=wrap_call(
            "sa.Column",
            [py_str(name), field["migration_type"], f"nullable={nullable}"],
            8,
        ),
        # Adding the column to a table with rows: nullable first, then the default
        # is written into the stored rows, then NOT NULL (see schema_history.py).
        added_column_line=wrap_call(
            "sa.Column", [py_str(name), field["migration_type"], "nullable=True"], 12
        ),
        backfill_column_line=wrap_call("sa.column", [py_str(name), field["migration_type"]], 8),
        not_null_line=wrap_call(
            "batch.alter_column",
            [py_str(name), f"existing_type={field['migration_type']}", "nullable=False"],
            8,
        ),
    )
    sample, changed, invalid = _samples(field)
    if unique:
        sample, unique_changed = UNIQUE_SAMPLES[type_name]
        changed = unique_changed or py_str(f"new {name}"[: max_length or 255])
    if not nullable:
        invalid = [*invalid, ("None", "missing")]
    field.update(sample=sample, changed=changed, invalid=invalid)
    return field


def _add_reference_lines(entity_name: str, table: str, field: dict[str, Any]) -> None:
    """The foreign key and index of a ref field, as migrations write them."""
    name, target_table = field["name"], field["ref_table"]
    foreign_key = f"fk_{table}_{name}_{target_table}"
    if len(foreign_key) > IDENTIFIER_LIMIT:
        raise AnswerError(
            f"entity {entity_name!r}: the foreign key name {foreign_key!r} is longer than the "
            f"{IDENTIFIER_LIMIT}-character identifier limit; shorten the entity or field name"
        )
    index = f"ix_{table}_{name}"
    fk_name, ix_name = f"op.f({py_str(foreign_key)})", f"op.f({py_str(index)})"
    field.update(
        foreign_key=foreign_key,
        index=index,
        foreign_key_line=wrap_call(
            "sa.ForeignKeyConstraint",
            [f"[{py_str(name)}]", f"[{py_str(target_table + '.id')}]", f"name={fk_name}"],
            8,
        ),
        index_line=wrap_call(
            "op.create_index", [ix_name, py_str(table), f"[{py_str(name)}]", "unique=False"], 4
        ),
        added_foreign_key_line=wrap_call(
            "batch.create_foreign_key",
            [fk_name, py_str(target_table), f"[{py_str(name)}]", '["id"]'],
            8,
        ),
        added_index_line=wrap_call(
            "batch.create_index", [ix_name, f"[{py_str(name)}]", "unique=False"], 8
        ),
    )


def _parse_entity(index: int, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise AnswerError(f"entity #{index} must be a mapping with name and fields, got {raw!r}")
    _check_keys(f"entity #{index}", raw, ENTITY_KEYS)
    if "name" not in raw:
        raise AnswerError(f"entity #{index} has no name")
    name = _check_identifier("entity name", raw["name"], PASCAL_CASE, "PascalCase")
    if name in RESERVED_CLASS_NAMES:
        raise AnswerError(
            f"entity name {name!r} is reserved: the generated code already uses a class "
            "of that name"
        )
    snake = snake_case(name)
    if keyword.iskeyword(snake):
        raise AnswerError(
            f"entity name {name!r} maps to the module name {snake!r}, which is a Python keyword"
        )
    if snake in RESERVED_MODULE_NAMES:
        raise AnswerError(
            f"entity name {name!r} maps to the module name {snake!r}, which the generated "
            "layers already use; choose a more specific name"
        )
    if snake.endswith("_fields"):
        raise AnswerError(
            f"entity name {name!r} ends in 'Fields', which the generated module of each "
            "entity's declared fields uses (<entity>_fields.py); choose another name"
        )
    if len(snake) > 40:
        raise AnswerError(f"entity name {name!r} is longer than 40 characters as {snake!r}")
    description = raw.get("description", "")
    if description is None:
        description = ""
    message = one_line_error(description, f"entity {name!r}: description")
    if message:
        raise AnswerError(message)
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise AnswerError(f"entity {name!r} needs a non-empty list of fields")
    fields = [_parse_field(name, number, item) for number, item in enumerate(raw_fields, 1)]
    seen: set[str] = set()
    for field in fields:
        if field["name"] in seen:
            raise AnswerError(f"entity {name!r} declares the field {field['name']!r} twice")
        seen.add(field["name"])
    for field in fields:
        if f"update_{field['name']}" in seen:
            raise AnswerError(
                f"entity {name!r}: field 'update_{field['name']}' collides with the "
                f"update method generated for field {field['name']!r}"
            )
        field["unique_constraint"] = field["unique_constraint"].format(table=snake)
        if field["unique"] and len(field["unique_constraint"]) > IDENTIFIER_LIMIT:
            raise AnswerError(
                f"entity {name!r}: the constraint name {field['unique_constraint']!r} is "
                f"longer than the {IDENTIFIER_LIMIT}-character identifier limit; shorten "
                "the entity or field name"
            )
        if field["to"]:
            _add_reference_lines(name, snake, field)
    types = {field["type"] for field in fields}
    references = [field for field in fields if field["to"]]
    touched_parents = [field for field in fields if field["touch"]]
    utc: tuple[tuple[str, str], ...] = ()
    if any("tzinfo=UTC" in (field["default"] or "") for field in fields):
        utc = (("datetime", "UTC"),)
    return {
        "name": name,
        "snake": snake,
        "table": snake,
        "description": description.strip() or f"A {name} of this service.",
        "fields": fields,
        "domain_imports": _python_imports(
            types, (("dataclasses", "dataclass"), ("typing", "ClassVar"), *utc)
        ),
        "validation_import": import_line(
            ".validation", sorted({field["checker"] for field in fields})
        ),
        "value_imports": _python_imports(types, utc),
        "model_value_imports": _python_imports(
            types, (("typing", "ClassVar"),) if touched_parents else ()
        ),
        "orm_imports": [
            import_line(f".{module}", [name])
            for module, name in sorted(
                {("entity_model", "EntityModel")}
                | ({("types", "UTCDateTime")} if "datetime" in types else set())
                | {(f"{f['ref_table']}_model", f"{f['to']}Model") for f in touched_parents}
            )
        ],
        "index_line": wrap_call(
            "op.create_index",
            [
                f'op.f("ix_{snake}_updated_at")',
                py_str(snake),
                '["updated_at"]',
                "unique=False",
            ],
            4,
        ),
        "repository_class_line": wrap_call(
            f"class {name}Repository",
            [f"TimestampRepositoryMixin[{name}, {name}Model]"],
            0,
        )
        + ":",
        "model_imports": sorted(
            {MODEL_IMPORTS[t] for t in types if t in MODEL_IMPORTS}
            | ({"ForeignKey"} if references else set())
        ),
        "references": references,
        "touched_parents": touched_parents,
        "has_datetime": "datetime" in types,
        "has_unique": any(field["unique"] for field in fields),
        # A field that can hold a short SQL-looking string, for the injection test.
        "text_field": next(
            (
                field["name"]
                for field in fields
                if field["type"] == "text" or (field["type"] == "str" and field["max_length"] >= 32)
            ),
            None,
        ),
    }


def _python_imports(types: set[str], extra: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """``from module import a, b`` lines, sorted the way ruff's isort rule wants."""
    by_module: dict[str, set[str]] = {}
    for module, name in [
        *(PYTHON_IMPORTS[t] for t in types if t in PYTHON_IMPORTS),
        *extra,
    ]:
        by_module.setdefault(module, set()).add(name)
    return [
        import_line(module, sorted(names, key=lambda n: (not n.isupper(), n)))
        for module, names in sorted(by_module.items())
    ]


def parse_entities(value: Any) -> list[dict[str, Any]]:
    """Validate the ``entities`` answer and return the normalised entity specs."""
    if not isinstance(value, list) or not value:
        raise AnswerError(f"entities {value!r} must be a non-empty YAML list of entities")
    entities = [_parse_entity(number, item) for number, item in enumerate(value, 1)]
    class_owner: dict[str, str] = {}
    module_owner: dict[str, str] = {}
    for entity in entities:
        if entity["name"] in module_owner.values():
            raise AnswerError(f"entity {entity['name']!r} is declared twice")
        if entity["snake"] in module_owner:
            raise AnswerError(
                f"entities {module_owner[entity['snake']]!r} and {entity['name']!r} both map "
                f"to the module and table {entity['snake']!r}"
            )
        module_owner[entity["snake"]] = entity["name"]
        for suffix in CLASS_SUFFIXES:
            class_name = entity["name"] + suffix
            if class_name in class_owner:
                raise AnswerError(
                    f"entity {entity['name']!r} generates the class {class_name!r}, which "
                    f"entity {class_owner[class_name]!r} also generates"
                )
            class_owner[class_name] = entity["name"]
    _check_references(entities)
    for entity in entities:
        entity["factory_imports"] = _factory_imports(entity)
        snake, name = entity["snake"], entity["name"]
        entity["factory_import"] = import_line(
            f"tests.factories.{snake}", ["CHANGES", f"new_{snake}", "store_references"]
        )
        contracts = ["RepositoryContract"]
        contracts += ["HostileTextContract"] if entity["text_field"] else []
        contracts += ["ParentTouchContract"] if entity["touched_parents"] else []
        entity["repository_test_class_line"] = (
            wrap_call(f"class Test{name}Repository", contracts, 0) + ":"
        )
        # One import per referenced entity, in the order ruff's isort wants.
        entity["referenced"] = [
            _stored_parent(field)
            for field in sorted(
                {field["ref_table"]: field for field in entity["references"]}.values(),
                key=lambda field: field["ref_table"],
            )
        ]
    return entities


def _stored_parent(field: dict[str, Any]) -> dict[str, Any]:
    """How a test factory stores a row of the entity ``field`` references."""
    table, name = field["ref_table"], field["to"]
    return {
        "table": table,
        "name": name,
        "new_line": wrap_call(
            f"{table} = {table}_factory.new_{table}",
            [f"**{table}_factory.store_references(session)"],
            4,
        ),
        "save_line": wrap_call(f"{name}Repository(session).save", [table], 4),
    }


def _check_references(entities: list[dict[str, Any]]) -> None:
    """Every ref names another declared entity, and the references form no cycle."""
    names = {entity["name"] for entity in entities}
    graph: dict[str, list[str]] = {}
    for entity in entities:
        for field in entity["references"]:
            where = f"entity {entity['name']!r}, field {field['name']!r}"
            if field["to"] == entity["name"]:
                raise AnswerError(f"{where}: to {field['to']!r}: an entity cannot reference itself")
            if field["to"] not in names:
                raise AnswerError(
                    f"{where}: to {field['to']!r} is not a declared entity; declared are "
                    f"{', '.join(sorted(names))}"
                )
        graph[entity["name"]] = [field["to"] for field in entity["references"]]
    cycle = _find_cycle(graph)
    if cycle:
        raise AnswerError(
            f"the references {' -> '.join(cycle)} form a cycle: no order of migrations can "
            "create these tables; drop one of the references"
        )


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A path that returns to its start, following the edges of ``graph``; None if none."""
    path: list[str] = []
    finished: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in finished:
            return None
        if node in path:
            return [*path[path.index(node) :], node]
        path.append(node)
        for successor in graph.get(node, []):
            cycle = visit(successor)
            if cycle:
                return cycle
        path.pop()
        finished.add(node)
        return None

    for node in graph:
        cycle = visit(node)
        if cycle:
            return cycle
    return None


# Standard-library names that generated value sources may use, as (module, name, usage).
VALUE_NAMES = [
    ("datetime", "UTC", "tzinfo=UTC"),
    ("datetime", "date", "date("),
    ("datetime", "datetime", "datetime("),
    ("datetime", "timedelta", "timedelta("),
    ("decimal", "Decimal", "Decimal("),
    ("uuid", "UUID", "UUID("),
    ("uuid", "uuid4", "uuid4("),
]


def _names_used_by(sources: list[str]) -> list[tuple[str, str]]:
    """(module, name) of every standard-library name the Python ``sources`` call."""
    text = " ".join(sources)
    return [
        (module, name)
        for module, name, usage in VALUE_NAMES
        if re.search(r"(?<![A-Za-z0-9_])" + re.escape(usage), text)
    ]


def _factory_imports(entity: dict[str, Any]) -> list[str]:
    """Standard-library imports that the entity's sample values in the test factory use."""
    needed = _names_used_by(
        [
            source
            for field in entity["fields"]
            for source in (field["sample"], field["changed"], *(v for v, _ in field["invalid"]))
        ]
    )
    if entity["has_unique"]:
        needed.append(("itertools", "count"))
    needed.append(("typing", "Any"))
    return _python_imports(set(), tuple(needed))


# --- Values and parents of the docs' examples ------------------------------------
# The docs' examples are run by the generated tests/docs/test_doc_examples.py. Every
# field value they show comes from sample(), and every row they store first so that
# references hold comes from doc_parents().

# How many different values sample() has for a unique field.
DOC_SAMPLE_COUNT = 3
DOC_UNIQUE_VALUES = {
    "int": ["7", "8", "9"],
    "float": ["7.5", "8.5", "9.5"],
    "decimal": ['Decimal("7.25")', 'Decimal("8.25")', 'Decimal("9.25")'],
    "date": ["date(2024, 1, 1)", "date(2024, 1, 2)", "date(2024, 1, 3)"],
    "datetime": [
        "datetime(2024, 1, 1, 9, 0, tzinfo=UTC)",
        "datetime(2024, 1, 2, 9, 0, tzinfo=UTC)",
        "datetime(2024, 1, 3, 9, 0, tzinfo=UTC)",
    ],
    "uuid": [
        'UUID("12345678-1234-4678-9234-567812345678")',
        'UUID("22345678-1234-4678-9234-567812345678")',
        'UUID("32345678-1234-4678-9234-567812345678")',
    ],
}


def _distinct_strings(name: str, max_length: int) -> list[str]:
    """DOC_SAMPLE_COUNT different strings of at most ``max_length`` characters."""
    values: list[str] = []
    for candidate in (name, f"new {name}", f"other {name}", *"abcdefghijklmnopqrstuvwxyz"):
        if candidate[:max_length] not in values:
            values.append(candidate[:max_length])
    return values[:DOC_SAMPLE_COUNT]


def sample(field: dict[str, Any], index: int = 0) -> str:
    """Python source of a value of ``field`` for the docs' examples.

    ``index`` 0 is the value an example creates an entity with, 1 the value it
    changes the field to, 2 the value of a second entity in the same example; a
    unique field has a different value for each. A reference's value is the id of
    the row the example stored before (see doc_parents): ``parent_<table>.id``,
    and ``other_parent_<table>.id`` for index 1.
    """
    if not 0 <= index < DOC_SAMPLE_COUNT:
        raise ValueError(f"sample index {index!r} must be 0, 1 or 2")
    if field["type"] == "ref":
        return f"{'other_parent' if index == 1 else 'parent'}_{field['ref_table']}.id"
    if not field["unique"]:
        return field["changed"] if index == 1 else field["sample"]
    if field["type"] == "str":
        return py_str(_distinct_strings(field["name"], field["max_length"])[index])
    return DOC_UNIQUE_VALUES[field["type"]][index]


def sample_imports(fields: list[dict[str, Any]], *also: str) -> list[str]:
    """Import lines for the samples of ``fields`` and for ``also`` (``"module.name"``)."""
    sources = [sample(field, index) for field in fields for index in range(DOC_SAMPLE_COUNT)]
    names = [*_names_used_by(sources), *(tuple(name.rsplit(".", 1)) for name in also)]
    return _python_imports(set(), tuple(names))


def doc_parents(entity: dict[str, Any], entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows an example of ``entity`` stores first, each before the rows referencing it.

    One per entity that ``entity`` references, and, recursively, per entity those
    rows need: ``{"entity": spec, "fields": the fields the example passes}``, the
    fields without a default (a nullable field defaults to None).
    """
    by_name = {spec["name"]: spec for spec in entities}
    parents: list[dict[str, Any]] = []

    def store(name: str) -> None:
        if any(parent["entity"]["name"] == name for parent in parents):
            return
        spec = by_name[name]
        fields = [field for field in spec["fields"] if field["default"] is None]
        for field in fields:
            if field["type"] == "ref":
                store(field["to"])
        parents.append({"entity": spec, "fields": fields})

    for field in entity["references"]:
        store(field["to"])
    return parents


def backfill_imports(fields: list[dict[str, Any]]) -> list[str]:
    """Standard-library imports a migration needs to write the defaults of ``fields``."""
    return _python_imports(set(), tuple(_names_used_by([f["default"] or "" for f in fields])))


def model_imports(entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(module, name) pairs for ``orm/models.py``, in the order ruff's isort wants."""
    pairs = [("base", "Base")] + [(f"{e['snake']}_model", f"{e['name']}Model") for e in entities]
    return sorted(pairs)


def entity_errors(value: Any) -> str:
    """Validator message for ``entities`` ("" when valid)."""
    try:
        parse_entities(value)
    except AnswerError as error:
        return str(error)
    return ""


def entity_specs(value: Any) -> list[dict[str, Any]]:
    """The normalised entity specs the templates iterate over."""
    return parse_entities(value)


class EntitiesExtension(Extension):
    """Registers the validators and normalisers above as Jinja filters."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            entity_errors=entity_errors,
            entity_specs=entity_specs,
            project_name_error=project_name_error,
            package_name_default=package_name_default,
            package_name_error=package_name_error,
            one_line_error=one_line_error,
            author_email_error=author_email_error,
            py_str=py_str,
            model_imports=model_imports,
            backfill_imports=backfill_imports,
            sample=sample,
            sample_imports=sample_imports,
            doc_parents=doc_parents,
        )
