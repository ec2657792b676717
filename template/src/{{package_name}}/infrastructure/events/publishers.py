"""Where the relay delivers events: the publishers ``EVENTS_PUBLISHER`` chooses.

A publisher's :meth:`Publisher.publish` returns once the event is delivered
and raises when it is not; the relay then retries it later. The forms of the
setting:

- ``stdout``: one JSON line per event on standard output (the default);
- ``file:<path>``: one JSON line per event appended to the file, on disk
  (``fsync``) before ``publish`` returns;
- ``webhook:<url>``: an HTTP POST of the JSON object per event, with the header
  ``Idempotency-Key: <position>``; an answer other than 2xx is a failure;
- ``entry-point:<name>``: the entry point ``<name>`` of the group
  ``<package>.publishers``, a class or function that returns the publisher.
"""

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from .messages import OutboxMessage

PACKAGE = __name__.split(".")[0]
ENTRY_POINT_GROUP = f"{PACKAGE}.publishers"
ACCEPTED_FORMS = "stdout, file:<path>, webhook:<http(s) url>, entry-point:<name>"
WEBHOOK_TIMEOUT_SECONDS = 10.0


@runtime_checkable
class Publisher(Protocol):
    """Delivers one event; raises when it could not."""

    def publish(self, message: OutboxMessage) -> None: ...


class PublishError(RuntimeError):
    """An event was not delivered; the message says why."""


class StdoutPublisher:
    """One JSON line per event on standard output."""

    def publish(self, message: OutboxMessage) -> None:
        print(message.json_line(), file=sys.stdout, flush=True)


class FilePublisher:
    """One JSON line per event appended to ``path``, on disk before ``publish`` returns."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def publish(self, message: OutboxMessage) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(message.json_line() + "\n")
            file.flush()
            os.fsync(file.fileno())


class _NoRedirects(HTTPRedirectHandler):
    """A redirect is an answer other than 2xx, not a new request."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebhookPublisher:
    """An HTTP POST of each event's JSON object to ``url``; delivered on a 2xx answer."""

    def __init__(self, url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.timeout = timeout
        self._opener = build_opener(_NoRedirects)

    def publish(self, message: OutboxMessage) -> None:
        request = Request(
            self.url,
            data=message.json_line().encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": str(message.position),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except OSError as error:  # URLError, HTTPError (4xx/5xx/3xx), timeouts
            raise PublishError(f"POST {self.url} failed: {error}") from error
        if not 200 <= status < 300:
            raise PublishError(f"POST {self.url} answered {status}")


def check_publisher(value: str) -> str:
    """``value`` when it is a form of ``EVENTS_PUBLISHER``; ValueError naming it otherwise."""
    kind, _, argument = value.partition(":")
    if value == "stdout" or (kind in ("file", "entry-point") and argument.strip()):
        return value
    if kind == "webhook":
        url = urlsplit(argument)
        if url.scheme in ("http", "https") and url.hostname:
            return value
    raise ValueError(f"{value!r} is not a publisher; the accepted forms are {ACCEPTED_FORMS}")


def publisher_from_setting(value: str) -> Publisher:
    """The publisher an ``EVENTS_PUBLISHER`` value names."""
    kind, _, argument = check_publisher(value).partition(":")
    if kind == "file":
        return FilePublisher(Path(argument))
    if kind == "webhook":
        return WebhookPublisher(argument)
    if kind == "entry-point":
        return load_entry_point(argument)
    return StdoutPublisher()


def load_entry_point(name: str) -> Publisher:
    """The publisher the entry point ``name`` of :data:`ENTRY_POINT_GROUP` makes."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        known = sorted(point.name for point in entry_points(group=ENTRY_POINT_GROUP))
        raise PublishError(
            f"no entry point {name!r} in the group {ENTRY_POINT_GROUP}; installed: "
            + (", ".join(known) or "none")
        )
    publisher = next(iter(found)).load()()
    if not isinstance(publisher, Publisher):
        raise PublishError(f"the entry point {name!r} gave {publisher!r}, which has no publish()")
    return publisher
