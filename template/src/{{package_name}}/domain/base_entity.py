"""BaseTimestampEntity: the one place that decides created_at and updated_at."""

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, NamedTuple, Self, get_args, get_type_hints
from uuid import UUID, uuid4

from .clock import RESOLUTION, as_utc, next_updated_at, utc_now
from .events import DomainEvent, FieldUpdated
from .exceptions import ValidationError
from .touching import touching_suppressed

# Microseconds since this instant make the timestamp part of ``cache_version``.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The constructor's default for a timestamp that was not given: a new entity
# replaces it with one reading of the clock. Compared by identity, never stored.
NOT_GIVEN: Final = datetime.min.replace(tzinfo=UTC)


class ConstructorFields(NamedTuple):
    """The fields an entity class's constructor takes, and its declared datetime fields."""

    names: tuple[str, ...]
    datetimes: tuple[str, ...]


# The two timestamps, which the constructor settles before the declared datetimes.
TIMESTAMPS = ("created_at", "updated_at")

# Worked out once per entity class, on first use.
CONSTRUCTOR_FIELDS: dict[type, ConstructorFields] = {}


@dataclass(kw_only=True)
class BaseTimestampEntity:
    """An entity whose timestamps are always aware UTC and only ever move forward.

    A new entity (constructed without timestamps) reads the clock once, so
    ``created_at == updated_at``; given only one, the other takes its value.
    Naive datetimes are taken as UTC; aware ones in other zones are converted.
    """

    # Not a test class, though pytest collects names starting with Test (Testimonial...).
    __test__ = False

    updated_event: ClassVar[type[FieldUpdated]] = FieldUpdated

    id: UUID = field(default_factory=uuid4)
    created_at: datetime = NOT_GIVEN
    updated_at: datetime = NOT_GIVEN
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        created_at, updated_at = self.created_at, self.updated_at
        if created_at is NOT_GIVEN and updated_at is NOT_GIVEN:
            # A new entity: one reading of the clock, already aware UTC.
            self.created_at = self.updated_at = utc_now()
        else:
            self._settle_given_timestamps(created_at, updated_at)
        for name in self._constructor_fields().datetimes:
            value = getattr(self, name)
            if isinstance(value, datetime):
                setattr(self, name, as_utc(value, name=name))
        self._validate_entity()

    def _settle_given_timestamps(self, created_at: datetime, updated_at: datetime) -> None:
        """Given only one timestamp, the other takes its value; both end aware UTC."""
        if created_at is NOT_GIVEN:
            created_at = updated_at
        elif updated_at is NOT_GIVEN:
            updated_at = created_at
        self.created_at = as_utc(created_at, name="created_at")
        self.updated_at = as_utc(updated_at, name="updated_at")
        if self.updated_at < self.created_at:
            raise ValidationError(
                f"updated_at {self.updated_at.isoformat()} is earlier than "
                f"created_at {self.created_at.isoformat()}"
            )

    @classmethod
    def from_stored(cls, **values: Any) -> Self:
        """The entity a stored row holds, with its timestamps exactly as stored.

        Unlike the constructor, it accepts an ``updated_at`` earlier than
        ``created_at`` (a row written by hand or before this service managed the
        table): refusing it would fail every listing that meets the row. The
        repository logs a warning for such a row; the entity's next ``touch()``
        moves ``updated_at`` to at least ``created_at``.
        """
        stored_updated_at = values["updated_at"]
        if stored_updated_at >= values["created_at"]:
            return cls(**values)
        entity = cls(**{**values, "updated_at": values["created_at"]})
        entity.updated_at = as_utc(stored_updated_at, name="updated_at")
        return entity

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The names of the fields the constructor takes: the persistent state."""
        return cls._constructor_fields().names

    @classmethod
    def _constructor_fields(cls) -> ConstructorFields:
        known = CONSTRUCTOR_FIELDS.get(cls)
        if known is None:
            hints = get_type_hints(cls)
            names = tuple(item.name for item in fields(cls) if item.init)
            datetimes = tuple(
                name
                for name in names
                if name not in TIMESTAMPS and datetime in (hints[name], *get_args(hints[name]))
            )
            known = CONSTRUCTOR_FIELDS[cls] = ConstructorFields(names, datetimes)
        return known

    @property
    def cache_version(self) -> str:
        """A token that changes whenever the stored entity does: ``<id>-<version>-<µs>``.

        Built from ``id``, ``version`` and ``updated_at`` (microseconds since the
        epoch), so it suits an HTTP ``ETag``; ``updated_at`` itself suits
        ``Last-Modified``.
        """
        microseconds = (self.updated_at - EPOCH) // RESOLUTION
        return f"{self.id.hex}-{self.version}-{microseconds}"

    def touch(self, at: datetime | None = None) -> None:
        """Move ``updated_at`` to now (or to ``at``), always strictly forward.

        See :func:`~.clock.next_updated_at`, the rule every write follows.
        """
        self.updated_at = next_updated_at(self.updated_at, self.created_at, at)

    def is_newer_than(self, moment: datetime) -> bool:
        """Whether the entity changed after ``moment`` (naive means UTC)."""
        return self.updated_at > as_utc(moment, name="moment")

    def get_age_seconds(self) -> float:
        """Seconds since the entity was created."""
        return (utc_now() - self.created_at).total_seconds()

    def get_time_since_update_seconds(self) -> float:
        """Seconds since the entity last changed."""
        return (utc_now() - self.updated_at).total_seconds()

    def get_events(self) -> list[DomainEvent]:
        """The events recorded since the last call, oldest first; the list is drained."""
        events, self._events = self._events, []
        return events

    def _raise_event(self, event: DomainEvent) -> None:
        self._events.append(event)

    def _validate_entity(self) -> None:
        """Raise ValidationError if a rule is broken; entities override this."""

    def _update_field(self, name: str, value: object) -> None:
        """Set one field, validate, touch and record an ``updated_event``.

        An invalid value leaves the entity as it was; the value it already has
        changes nothing. Inside ``no_touching()`` the field changes and the event
        is recorded, but ``updated_at`` stays.
        """
        if isinstance(value, datetime):
            value = as_utc(value, name=name)
        old_value = getattr(self, name)
        setattr(self, name, value)
        try:
            self._validate_entity()
        except ValidationError:
            setattr(self, name, old_value)
            raise
        if type(value) is type(old_value) and value == old_value:
            return
        if not touching_suppressed():
            self.touch()
        self._raise_event(
            self.updated_event(
                entity_id=self.id,
                field_name=name,
                old_value=old_value,
                new_value=value,
                updated_at=self.updated_at,
            )
        )
