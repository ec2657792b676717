"""How database errors reach the application: as the domain's exceptions."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ...domain.exceptions import ConcurrencyConflict, DatabaseException, ReferencedEntityInUse
from ..database import MIGRATE_COMMAND

# SQLSTATE of a serialization failure: PostgreSQL under REPEATABLE READ or
# SERIALIZABLE when a row changed after the snapshot; MySQL/MariaDB report a
# deadlock (error 1213) with it.
SERIALIZATION_FAILURE = "40001"
MYSQL_DEADLOCK = 1213
# A foreign key refused a write: PostgreSQL's SQLSTATE, MySQL/MariaDB's error when
# a referenced row is deleted, and SQLite's message (it has no error codes of its own).
FOREIGN_KEY_VIOLATION = "23503"
MYSQL_ROW_IS_REFERENCED = 1451
SQLITE_FOREIGN_KEY_FAILED = "FOREIGN KEY constraint failed"
# The database lacks a table or column of the models (not migrated, or migrated
# to an older revision): PostgreSQL's SQLSTATEs for an undefined table and column,
# MySQL/MariaDB's errors 1146 (no such table) and 1054 (unknown column), and
# SQLite's messages.
POSTGRESQL_UNDEFINED = frozenset({"42P01", "42703"})
MYSQL_UNDEFINED = frozenset({1146, 1054})
SQLITE_UNDEFINED = ("no such table", "no such column", "has no column named")


@contextmanager
def database_errors(
    operation: str, entity_type: str, entity_id: UUID | None = None
) -> Iterator[None]:
    """Raise errors of the block as :class:`DatabaseException`, the driver's as ``__cause__``.

    The message is :func:`describe`'s: it names the migration command when the
    schema lacks a table or column.

    With ``entity_id``, the exception names that entity, and a stale write or a
    lost race with a concurrent writer is a :class:`ConcurrencyConflict`.
    """
    try:
        yield
    except StaleDataError as error:
        if entity_id is None:
            raise DatabaseException(operation, entity_type, str(error)) from error
        raise ConcurrencyConflict(entity_type, entity_id) from error
    except SQLAlchemyError as error:
        if entity_id is not None and lost_a_race(error):
            raise ConcurrencyConflict(entity_type, entity_id) from error
        raise DatabaseException(operation, entity_type, describe(error), entity_id) from error


def describe(error: SQLAlchemyError) -> str:
    """The driver's message of ``error``, and the command that fixes a schema behind the models."""
    detail = str(getattr(error, "orig", None) or error)
    if not schema_behind(error):
        return detail
    return (
        f"{detail}; the database's schema is missing or older than the service's: migrate it "
        f"with `{MIGRATE_COMMAND}` (or `alembic upgrade head` in the project directory)"
    )


def schema_behind(error: SQLAlchemyError) -> bool:
    """Whether ``error`` says a table or column of the models does not exist."""
    driver_error = getattr(error, "orig", None)
    if getattr(driver_error, "sqlstate", None) in POSTGRESQL_UNDEFINED:
        return True
    arguments: tuple[object, ...] = getattr(driver_error, "args", ())
    if any(arguments[:1] == (code,) for code in MYSQL_UNDEFINED):
        return True
    return any(message in str(driver_error) for message in SQLITE_UNDEFINED)


def lost_a_race(error: SQLAlchemyError) -> bool:
    """Whether ``error`` says the transaction lost a race with a concurrent writer."""
    driver_error = getattr(error, "orig", None)
    if getattr(driver_error, "sqlstate", None) == SERIALIZATION_FAILURE:
        return True
    arguments: tuple[object, ...] = getattr(driver_error, "args", ())
    return arguments[:1] == (MYSQL_DEADLOCK,)


@contextmanager
def refused_while_referenced(entity_type: str, entity_id: UUID) -> Iterator[None]:
    """Raise a delete that a restricting foreign key refuses as :class:`ReferencedEntityInUse`."""
    try:
        yield
    except IntegrityError as error:
        if still_referenced(error):
            raise ReferencedEntityInUse(entity_type, entity_id) from error
        raise


def still_referenced(error: IntegrityError) -> bool:
    """Whether ``error`` is a foreign key refusing the delete of a referenced row."""
    driver_error = error.orig
    if getattr(driver_error, "sqlstate", None) == FOREIGN_KEY_VIOLATION:
        return True
    arguments: tuple[object, ...] = getattr(driver_error, "args", ())
    return arguments[:1] == (MYSQL_ROW_IS_REFERENCED,) or SQLITE_FOREIGN_KEY_FAILED in str(
        driver_error
    )
