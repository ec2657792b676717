"""Argument types of the command line, for ``cli.py`` and the team's commands."""

import getpass
from argparse import ArgumentTypeError
from collections.abc import Callable

from ..application.actor import InvalidActor, checked_actor


def whole(value: str) -> int | None:
    """``value`` as a whole number: digits 0-9 only (no sign, space or other script)."""
    return int(value) if value.isascii() and value.isdigit() else None


def positive_int(value: str) -> int:
    number = whole(value)
    if number is None or number < 1:
        raise ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``; the message names both."""

    def parse(value: str) -> int:
        number = whole(value)
        if number is None or not low <= number <= high:
            raise ArgumentTypeError(
                f"{value!r} is not a whole number from {low} to {high} ({what})"
            )
        return number

    return parse


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < float("inf"):
        raise ArgumentTypeError(f"{value!r} is not a number of seconds of at least 0")
    return number


def actor_name(value: str) -> str:
    try:
        return checked_actor(value)
    except InvalidActor as error:
        raise ArgumentTypeError(str(error)) from None


def os_user() -> str | None:
    """The operating system's name of the user running the command; None when it has none.

    Raises InvalidActor, saying to name one with ``--actor``, when that name is no actor.
    """
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        return None
    try:
        return checked_actor(name)
    except InvalidActor as error:
        raise InvalidActor(f"the operating system's user: {error}; name one with --actor") from None
