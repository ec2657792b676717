"""Errors the domain and the layers around it raise."""

from datetime import datetime, timedelta
from uuid import UUID


class DomainError(Exception):
    """Base class of every error this service raises on purpose."""


class ValidationError(DomainError, ValueError):
    """An entity would break one of its rules; ``field`` names the field, when one is at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class EntityNotFound(DomainError, LookupError):
    """No entity of the given type has the given id."""

    def __init__(self, entity_type: str, entity_id: UUID) -> None:
        super().__init__(f"{entity_type} {entity_id} does not exist")
        self.entity_type = entity_type
        self.entity_id = entity_id


class DatabaseException(DomainError):
    """A database operation failed; the driver's error is the ``__cause__``.

    ``entity_id`` names the entity the operation wrote, when it wrote one.
    """

    def __init__(
        self, operation: str, entity_type: str, detail: str, entity_id: UUID | None = None
    ) -> None:
        subject = entity_type if entity_id is None else f"{entity_type} {entity_id}"
        super().__init__(f"{operation} of {subject} failed: {detail}")
        self.operation = operation
        self.entity_type = entity_type
        self.entity_id = entity_id


class ConcurrencyConflict(DatabaseException):
    """The entity changed in the database since it was read (a stale write)."""

    def __init__(self, entity_type: str, entity_id: UUID) -> None:
        super().__init__(
            "save", entity_type, f"{entity_type} {entity_id} was changed by someone else"
        )
        self.entity_id = entity_id


class ReferencedEntityInUse(DatabaseException):
    """The entity cannot be deleted: rows reference it with ``on_delete: restrict``."""

    def __init__(self, entity_type: str, entity_id: UUID) -> None:
        super().__init__(
            "delete",
            entity_type,
            f"{entity_type} {entity_id} is still referenced by rows that restrict its "
            "deletion; delete or change them first",
        )
        self.entity_id = entity_id


class ClockSkewRefused(DomainError):
    """This host's clock and the database's are further apart than the tolerance: no write.

    ``host`` and ``database`` are the two clocks as last read together.
    """

    def __init__(self, host: datetime, database: datetime, tolerance: timedelta) -> None:
        seconds = (host - database).total_seconds()
        way = "ahead of" if seconds > 0 else "behind"
        super().__init__(
            f"writes refused: this host's clock reads {host.isoformat()} and the database's "
            f"{database.isoformat()}, {abs(seconds):.3f} s {way} it, beyond the tolerance of "
            f"{tolerance.total_seconds():g} s (CLOCK_SKEW_TOLERANCE); set the host's clock "
            "right (NTP): writes resume once a new reading agrees"
        )
        self.host = host
        self.database = database
        self.tolerance = tolerance
