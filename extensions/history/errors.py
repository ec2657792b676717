"""The error every refusal of the planner raises."""

from __future__ import annotations

from copier.errors import UserMessageError


class SchemaChangeError(UserMessageError, ValueError):
    """The answers, the history or the service's migrations rule out the update."""

    def __init__(self, message: str) -> None:
        UserMessageError.__init__(self, message)
        ValueError.__init__(self, message)
