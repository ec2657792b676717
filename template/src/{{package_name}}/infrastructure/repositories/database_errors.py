"""How database errors reach the application: as the domain's exceptions."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ...domain.exceptions import ConcurrencyConflict, DatabaseException
from .write_counts import count_writes

# SQLSTATE of a serialization failure: PostgreSQL under REPEATABLE READ or
# SERIALIZABLE when a row changed after the snapshot; MySQL/MariaDB report a
# deadlock (error 1213) with it.
SERIALIZATION_FAILURE = "40001"
MYSQL_DEADLOCK = 1213


@contextmanager
def database_errors(
    operation: str, entity_type: str, entity_id: UUID | None = None
) -> Iterator[None]:
    """Raise errors of the block as :class:`DatabaseException`, the driver's as ``__cause__``.

    With ``entity_id``, a stale write or a lost race with a concurrent writer is
    a :class:`ConcurrencyConflict` naming that entity; every conflict is counted.
    """
    try:
        with _translated(operation, entity_type, entity_id):
            yield
    except ConcurrencyConflict:
        count_writes(entity_type, "conflict")
        raise


@contextmanager
def _translated(operation: str, entity_type: str, entity_id: UUID | None) -> Iterator[None]:
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
        raise DatabaseException(operation, entity_type, detail) from error


def lost_a_race(error: SQLAlchemyError) -> bool:
    """Whether ``error`` says the transaction lost a race with a concurrent writer."""
    driver_error = getattr(error, "orig", None)
    if getattr(driver_error, "sqlstate", None) == SERIALIZATION_FAILURE:
        return True
    arguments: tuple[object, ...] = getattr(driver_error, "args", ())
    return arguments[:1] == (MYSQL_DEADLOCK,)
