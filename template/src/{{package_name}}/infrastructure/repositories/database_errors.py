"""How database errors reach the application: as the domain's exceptions."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ...domain.exceptions import ConcurrencyConflict, DatabaseException, ReferencedEntityInUse

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


@contextmanager
def database_errors(
    operation: str, entity_type: str, entity_id: UUID | None = None
) -> Iterator[None]:
    """Raise errors of the block as :class:`DatabaseException`, the driver's as ``__cause__``.

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
        detail = str(getattr(error, "orig", None) or error)
        raise DatabaseException(operation, entity_type, detail, entity_id) from error


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
