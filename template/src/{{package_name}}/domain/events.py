"""Domain events that entities record and application code collects."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened to an entity."""

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    entity_id: UUID


@dataclass(frozen=True, kw_only=True)
class FieldUpdated(DomainEvent):
    """One field of an entity changed; each entity type has its own subclass."""

    field_name: str
    old_value: object
    new_value: object
    updated_at: datetime
