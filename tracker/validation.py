"""Validation of beacon request bodies (the envelope) and of each event in them.

A bad envelope rejects the whole request (400); a bad event only rejects itself, so its
valid siblings are still stored. Every reason names the field it is about. A valid event's
search text, path and referrer come out already stripped of what must not be stored
(tracker/redaction.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.redaction import clean_page_path, clean_referrer, redact_text

MAX_BODY_BYTES = 16 * 1024
MAX_EVENTS = 50
PROTOCOL_VERSION = 1
MAX_FUTURE = dt.timedelta(days=1)
MAX_PAST = dt.timedelta(days=30)
MAX_QUERY = 200
MAX_URL = 2000
MAX_INT = 2**31 - 1  # the `results` column is a 32-bit INTEGER on PostgreSQL

EVENT_TYPES = ("search", "filter", "sort", "view", "call", "pageview")
SORTS = ("relevance", "price-asc", "price-desc", "name", "newest")
COMMON_FIELDS = ("id", "type", "at")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]00:?00)")


class EnvelopeError(ValueError):
    """The request body as a whole is unusable (answered 400, nothing stored)."""


class EventError(ValueError):
    """One event is invalid (reported in `rejected`, its siblings are still stored)."""


@dataclass(frozen=True)
class Envelope:
    """A parsed request body: the page id and the raw, not yet validated, events."""

    page: str
    events: list[Any]


@dataclass(frozen=True)
class ValidEvent:
    """One validated event: its id (lower-case uuid), type, client time (UTC) and fields."""

    id: str
    type: str
    at: dt.datetime
    fields: dict[str, Any] = field(default_factory=dict)


def _text(value: Any, name: str, max_len: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise EventError(f"{name} must be a string")
    if not value and not allow_empty:
        raise EventError(f"{name} must not be empty")
    if len(value) > max_len:
        raise EventError(f"{name} must be at most {max_len} characters")
    # PostgreSQL text can't hold NUL, and lone surrogates can't be encoded as UTF-8.
    if "\x00" in value:
        raise EventError(f"{name} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise EventError(f"{name} must be valid Unicode text") from None
    return value


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventError(f"{name} must be an integer")
    if value < 0 or value > MAX_INT:
        raise EventError(f"{name} must be between 0 and {MAX_INT}")
    return value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise EventError(f"{name} must be true or false")
    return value


def _sort(value: Any, name: str) -> str:
    if value not in SORTS or not isinstance(value, str):
        raise EventError(f"{name} must be one of {', '.join(SORTS)}")
    return value


def _search_text(value: Any, name: str) -> str:
    # Redaction may lengthen the text ("a@b" -> "[email]"); the stored value keeps the limit.
    return redact_text(_text(value, name, MAX_QUERY, allow_empty=True))[:MAX_QUERY]


def _path(value: Any, name: str) -> str:
    return clean_page_path(_text(value, name, MAX_URL))[:MAX_URL]


def _referrer(value: Any, name: str) -> str | None:
    # document.referrer is "" when there is none, and a referrer without a host is not kept:
    # both are stored as NULL.
    referrer = clean_referrer(_text(value, name, MAX_URL, allow_empty=True))
    return referrer[:MAX_URL] if referrer else None


Check = Callable[[Any, str], Any]

# For each event type: field name -> (required, check).
EVENT_FIELDS: dict[str, dict[str, tuple[bool, Check]]] = {
    "search": {
        "query": (True, _search_text),
        "results": (False, _count),
    },
    "filter": {
        "facet": (True, lambda v, n: _text(v, n, 64)),
        "value": (True, lambda v, n: _text(v, n, 200)),
        "selected": (True, _flag),
        "results": (False, _count),
    },
    "sort": {"sort": (True, _sort)},
    "view": {"sku": (True, lambda v, n: _text(v, n, 64))},
    "call": {"sku": (True, lambda v, n: _text(v, n, 64))},
    "pageview": {
        "path": (True, _path),
        "referrer": (False, _referrer),
    },
}


def _reject_constant(name: str) -> None:
    raise EnvelopeError(f"body is not valid JSON: {name} is not allowed")


def parse_envelope(body: bytes) -> Envelope:
    """Parse and check the request body's envelope; raise EnvelopeError with a reason."""
    if len(body) > MAX_BODY_BYTES:
        raise EnvelopeError(f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise EnvelopeError("body is not UTF-8 text") from None
    if not text.strip():
        raise EnvelopeError("body is empty")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except EnvelopeError:
        raise
    except json.JSONDecodeError as error:
        raise EnvelopeError(f"body is not valid JSON: {error.msg} at {error.pos}") from None
    except (ValueError, RecursionError):  # huge integers, absurd nesting
        raise EnvelopeError("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise EnvelopeError("body must be a JSON object")
    unknown = sorted(set(data) - {"v", "page", "events"})
    if unknown:
        raise EnvelopeError(f"unknown field(s): {', '.join(unknown)}")
    version = data.get("v")
    if isinstance(version, bool) or version != PROTOCOL_VERSION:
        raise EnvelopeError(f"v must be {PROTOCOL_VERSION}")
    page = data.get("page")
    if not isinstance(page, str) or not page or len(page) > 64:
        raise EnvelopeError("page must be a non-empty string of at most 64 characters")
    try:
        _text(page, "page", 64)
    except EventError as error:
        raise EnvelopeError(str(error)) from None
    events = data.get("events")
    if not isinstance(events, list):
        raise EnvelopeError("events must be a list")
    if not events:
        raise EnvelopeError("events must not be empty")
    if len(events) > MAX_EVENTS:
        raise EnvelopeError(f"events must hold at most {MAX_EVENTS} events")
    return Envelope(page=page, events=events)


def parse_timestamp(value: Any, now: dt.datetime) -> dt.datetime:
    """An ISO 8601 UTC timestamp no more than a day ahead of or 30 days behind ``now``."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise EventError("at must be an ISO 8601 UTC timestamp like 2026-11-24T12:00:00.000Z")
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EventError("at is not a real date and time") from None
    at = at.astimezone(dt.UTC)
    if at > now + MAX_FUTURE:
        raise EventError("at is more than 1 day in the future")
    if at < now - MAX_PAST:
        raise EventError("at is more than 30 days in the past")
    return at


def validate_event(raw: Any, now: dt.datetime) -> ValidEvent:
    """Check one event of the envelope; raise EventError naming every problem found."""
    if not isinstance(raw, dict):
        raise EventError("event must be a JSON object")
    problems: list[str] = []
    event_id = raw.get("id")
    if not isinstance(event_id, str) or not _UUID.fullmatch(event_id):
        problems.append("id must be a UUID string")
    event_type = raw.get("type")
    if event_type not in EVENT_TYPES or not isinstance(event_type, str):
        problems.append(f"type must be one of {', '.join(EVENT_TYPES)}")
    at = None
    try:
        at = parse_timestamp(raw.get("at"), now)
    except EventError as error:
        problems.append(str(error))
    fields: dict[str, Any] = {}
    if isinstance(event_type, str) and event_type in EVENT_FIELDS:
        spec = EVENT_FIELDS[event_type]
        unknown = sorted(set(raw) - set(COMMON_FIELDS) - set(spec))
        if unknown:
            problems.append(f"unknown field(s) for {event_type}: {', '.join(unknown)}")
        for name, (required, check) in spec.items():
            value = raw.get(name)
            if value is None:
                if required:
                    problems.append(f"{name} is required for {event_type}")
                continue
            try:
                fields[name] = check(value, name)
            except EventError as error:
                problems.append(str(error))
    if problems:
        raise EventError("; ".join(problems))
    assert at is not None and isinstance(event_id, str) and isinstance(event_type, str)
    return ValidEvent(id=event_id.lower(), type=event_type, at=at, fields=fields)
