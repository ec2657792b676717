"""The audit log: which entity was created, changed, deleted or touched, and the conflicts.

Records go to the standard :mod:`logging` logger named :data:`AUDIT_LOGGER`
(``<package>.audit``), one line per entity written:

============================  ========  =============================================
event                         level     message
============================  ========  =============================================
``created``                   INFO      ``created Task <id>``
``changed``                   INFO      ``changed Task <id>: title, status`` (the
                                        fields that changed; none when only
                                        ``updated_at`` moved)
``deleted``                   INFO      ``deleted Task <id>``
``updated_where``             INFO      ``updated_where Task: 12 rows: status``
``parent_touched``            DEBUG     ``parent_touched Project <id>``
``conflict``                  WARNING   ``conflict Task <id>``
============================  ========  =============================================

A record names the entity type, its id and the names of changed fields: never
a value, so no password, token or field marked ``sensitive`` reaches a log.
When someone was acting (``acting_as()``, which the HTTP layer and the command
line set), the record names them after the id: ``changed Task <id> by alice:
title``. Each record also carries these as attributes for structured handlers:
``audit_event``, ``entity``, ``entity_id``, ``actor``, ``fields`` and ``rows``.

Writes are logged when their transaction commits, at the logger's level when
they were written; those of a transaction or savepoint that is rolled back are
not. A conflict is logged when it is raised.
"""

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from ..application.actor import current_actor
from .until_commit import UntilCommit

AUDIT_LOGGER = f"{__name__.split('.')[0]}.audit"
logger = logging.getLogger(AUDIT_LOGGER)


class AuditEvent(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    DELETED = "deleted"
    UPDATED_WHERE = "updated_where"
    PARENT_TOUCHED = "parent_touched"
    CONFLICT = "conflict"


LEVELS = {
    AuditEvent.CREATED: logging.INFO,
    AuditEvent.CHANGED: logging.INFO,
    AuditEvent.DELETED: logging.INFO,
    AuditEvent.UPDATED_WHERE: logging.INFO,
    AuditEvent.PARENT_TOUCHED: logging.DEBUG,
    AuditEvent.CONFLICT: logging.WARNING,
}


@dataclass(frozen=True)
class AuditRecord:
    """One audited write: what happened to which entity; field names, never values."""

    event: AuditEvent
    entity: str
    entity_id: UUID | None = None
    fields: tuple[str, ...] = ()
    rows: int | None = None
    # Who was acting when the write was made; None for no one.
    actor: str | None = field(default_factory=current_actor)

    def log(self) -> None:
        parts = [f"{self.event} {self.entity}"]
        if self.entity_id is not None:
            parts[0] += f" {self.entity_id}"
        if self.actor is not None:
            parts[0] += f" by {self.actor}"
        if self.rows is not None:
            parts.append(f"{self.rows} rows")
        if self.fields:
            parts.append(", ".join(self.fields))
        logger.log(
            LEVELS[self.event],
            ": ".join(parts),
            extra={
                "audit_event": str(self.event),
                "entity": self.entity,
                "entity_id": self.entity_id,
                "actor": self.actor,
                "fields": self.fields,
                "rows": self.rows,
            },
        )


# The records waiting for their transaction to commit.
PENDING = UntilCommit[AuditRecord]("audit_records")


def audited(event: AuditEvent) -> bool:
    """Whether the audit logger takes records of ``event`` (its level allows them)."""
    return logger.isEnabledFor(LEVELS[event])


def audit(session: Session, record: AuditRecord) -> None:
    """Log ``record`` when the transaction of ``session`` commits (a conflict: now).

    A record below the logger's level when it is written is not kept: as with any
    logging call, a level set later does not bring it back.
    """
    if not audited(record.event):
        return
    if record.event is AuditEvent.CONFLICT or not PENDING.add(session, [record]):
        record.log()


def install_audit_listeners(factory: sessionmaker[Session]) -> None:
    """Log the records of ``factory``'s sessions on commit; drop them on rollback."""
    event.listen(factory, "after_commit", log_committed)
    PENDING.install(factory)


def log_committed(session: Session) -> None:
    """``after_commit`` listener: the transaction's writes are in the database."""
    for record in PENDING.take(session):
        record.log()
