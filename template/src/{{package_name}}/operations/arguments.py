"""Argument types of the command line, for ``cli.py`` and the team's commands."""

from argparse import ArgumentTypeError


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
