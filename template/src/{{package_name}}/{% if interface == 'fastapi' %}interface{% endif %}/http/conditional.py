"""Conditional requests: entity timestamps and versions as HTTP validators (RFC 9110).

- ``ETag`` is the entity's ``cache_version``, quoted: a strong tag that changes
  with every stored change, even two within one microsecond.
- ``Last-Modified`` has one-second resolution, so it cannot tell apart two
  changes within one second. It is ``updated_at`` rounded up to the next whole
  second, and never later than now (RFC 9110 8.8.2.1): while the second of the
  last change has not passed, it is the current second. ``If-Modified-Since``
  is answered 304 only when ``updated_at`` is earlier than the date given; a
  change made after a response is therefore never answered 304 against that
  response's ``Last-Modified``, even within the same second.
- ``If-None-Match``, when given, decides alone (``If-Modified-Since`` is then
  ignored, RFC 9110 13.2.2).
- An ``If-Modified-Since`` that is no valid HTTP date (unparsable, or a moment
  outside what a datetime holds once in UTC) is ignored, as RFC 9110 13.1.3 says:
  the entity is sent.
"""

from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from ...domain.base_entity import BaseTimestampEntity
from ...domain.clock import as_utc, utc_now

ONE_SECOND = timedelta(seconds=1)
ANY = "*"


class PreconditionFailed(Exception):
    """``If-Match`` names no current tag of the entity: the client's copy is stale."""

    def __init__(self, entity: BaseTimestampEntity, if_match: str) -> None:
        super().__init__(
            f"{type(entity).__name__} {entity.id} is at {entity_tag(entity)}, "
            f"not {if_match}: read it again before changing it"
        )


def entity_tag(entity: BaseTimestampEntity) -> str:
    """The strong ``ETag`` of ``entity``: its ``cache_version``, quoted."""
    return f'"{entity.cache_version}"'


def last_modified(entity: BaseTimestampEntity) -> str:
    """The ``Last-Modified`` of ``entity``: ``updated_at`` rounded up to a whole second.

    Never later than now: while that second has not passed, the current second.
    """
    whole = entity.updated_at.replace(microsecond=0) + ONE_SECOND
    return http_date(min(whole, utc_now()))


def http_date(moment: datetime) -> str:
    """``moment`` as an HTTP date (``Mon, 06 May 2024 07:08:09 GMT``), to the second."""
    return format_datetime(as_utc(moment, name="moment").replace(microsecond=0), usegmt=True)


def validators(entity: BaseTimestampEntity) -> dict[str, str]:
    """The ``ETag`` and ``Last-Modified`` headers of a response that carries ``entity``."""
    return {"ETag": entity_tag(entity), "Last-Modified": last_modified(entity)}


def is_not_modified(
    entity: BaseTimestampEntity, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether a GET with these headers is answered 304 Not Modified."""
    if if_none_match is not None:
        return _matches(if_none_match, entity, weak=True)
    since = _parse_http_date(if_modified_since)
    return since is not None and entity.updated_at < since


def require_match(entity: BaseTimestampEntity, if_match: str | None) -> None:
    """Raise PreconditionFailed unless ``if_match`` is absent or names ``entity``'s tag."""
    if if_match is not None and not _matches(if_match, entity, weak=False):
        raise PreconditionFailed(entity, if_match)


def _matches(header: str, entity: BaseTimestampEntity, *, weak: bool) -> bool:
    """Whether the tag list ``header`` names ``entity``'s current tag.

    The weak comparison (``If-None-Match``) ignores a ``W/`` prefix; the strong
    one (``If-Match``) never matches a weak tag.
    """
    if header.strip() == ANY:
        return True
    current = entity_tag(entity)
    for tag in (part.strip() for part in header.split(",")):
        if tag.startswith("W/"):
            if weak and tag[2:] == current:
                return True
        elif tag == current:
            return True
    return False


def _parse_http_date(value: str | None) -> datetime | None:
    """The moment an HTTP date names; None when absent or not a date (the header is ignored)."""
    if value is None:
        return None
    try:
        return as_utc(parsedate_to_datetime(value), name="HTTP date")
    except (TypeError, ValueError, OverflowError):
        return None
