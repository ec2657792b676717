"""Argument types of the command line, for ``cli.py`` and the team's commands."""

import getpass
from argparse import ArgumentTypeError

from ..application.actor import ACTOR_LIMIT


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise ArgumentTypeError(f"{value!r} is not a number of seconds of at least 0")
    return number


def actor_name(value: str) -> str:
    if not 0 < len(value) <= ACTOR_LIMIT:
        raise ArgumentTypeError(f"{value!r} is not an actor: 1 to {ACTOR_LIMIT} characters")
    return value


def os_user() -> str | None:
    """The operating system's name of the user running the command; None when it has none."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        return None
    return name[:ACTOR_LIMIT] or None
