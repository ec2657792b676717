"""TimestampMixin: the created_at / updated_at columns of every entity table."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from .types import UTCDateTime


class TimestampMixin:
    """Non-null UTC timestamps, set by the application; ``updated_at`` is indexed.

    No server defaults, no ``onupdate`` and no triggers: the value the domain
    set is the value stored. ``timestamp_events`` only fills what is left unset.
    """

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
