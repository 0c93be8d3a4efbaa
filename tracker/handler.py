"""The beacon endpoint: the Lambda entry (API Gateway HTTP API v2 / Function URL events) and
``handle_http``, the same logic for any HTTP server (``shopgen serve`` uses it).

A 202 is answered only after the events are committed. One JSON log line per request, with
counts and timing only: never the IP address or the user agent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tracker.privacy import is_bot, salt_cache, visitor_hash
from tracker.storage import RequestFacts, default_engine, event_rows, insert_new_events
from tracker.validation import (
    MAX_BODY_BYTES,
    EnvelopeError,
    EventError,
    ValidEvent,
    parse_envelope,
    validate_event,
)

log = logging.getLogger("tracker.requests")
log.setLevel(logging.INFO)  # Lambda's root logger defaults to WARNING; CloudWatch wants these

ALLOW = "POST, OPTIONS"
Response = tuple[int, dict[str, str], bytes]


def _json_response(status: int, payload: Any, extra: Mapping[str, str] | None = None) -> Response:
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    headers.update(extra or {})
    return status, headers, json.dumps(payload, separators=(",", ":")).encode()


def _log(status: int, started: float, accepted: int = 0, duplicates: int = 0,
         rejected: int = 0, error: str | None = None) -> None:
    line: dict[str, Any] = {
        "status": status,
        "accepted": accepted,
        "duplicates": duplicates,
        "rejected": rejected,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    if error:
        line["error"] = error
    log.log(logging.ERROR if status >= 500 else logging.INFO, json.dumps(line))


def _validate_all(raw_events: list[Any], now: dt.datetime) -> tuple[list[ValidEvent], int,
                                                                     list[dict[str, Any]]]:
    """Valid events (first of each id), in-batch duplicate count, and the rejections."""
    valid: list[ValidEvent] = []
    seen: set[str] = set()
    duplicates = 0
    rejected: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_events):
        try:
            item = validate_event(raw, now)
        except EventError as error:
            rejected.append({"index": index, "error": str(error)})
            continue
        if item.id in seen:
            duplicates += 1
            continue
        seen.add(item.id)
        valid.append(item)
    return valid, duplicates, rejected


def handle_http(method: str, headers: Mapping[str, str], body: bytes, client_ip: str, *,
                engine: Engine | None = None, now: dt.datetime | None = None) -> Response:
    """Answer one beacon request: (status, response headers, response body).

    ``headers`` may use any case. ``engine`` defaults to the process's engine from
    TRACKER_DATABASE_URL; ``now`` (aware, UTC) defaults to the current time.
    """
    started = time.perf_counter()
    method = method.upper()
    if method == "OPTIONS":
        _log(204, started)
        return 204, {"Allow": ALLOW, "Access-Control-Allow-Methods": ALLOW}, b""
    if method != "POST":
        _log(405, started)
        return _json_response(405, {"error": "method not allowed; use POST"}, {"Allow": ALLOW})
    if len(body) > MAX_BODY_BYTES:
        _log(413, started)
        return _json_response(413, {"error": f"body is larger than {MAX_BODY_BYTES} bytes"})
    try:
        envelope = parse_envelope(body)
    except EnvelopeError as error:
        _log(400, started)
        return _json_response(400, {"error": str(error)})

    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    valid, duplicates, rejected = _validate_all(envelope.events, now)
    lower = {str(name).lower(): str(value) for name, value in headers.items()}
    accepted = 0
    try:
        engine = engine or default_engine()
        if valid:
            salt = salt_cache.salt_for(engine, now.date())
            facts = RequestFacts(
                page_id=envelope.page,
                visitor=visitor_hash(salt, lower.get("user-agent", ""), client_ip),
                is_bot=is_bot(lower),
                received_at=now,
            )
            accepted = insert_new_events(engine, event_rows(valid, facts))
            duplicates += len(valid) - accepted
    except (SQLAlchemyError, DBAPIError, RuntimeError) as error:
        _log(503, started, rejected=len(rejected), error=type(error).__name__)
        return _json_response(503, {"error": "storage unavailable, try again later"},
                              {"Retry-After": "5"})
    _log(202, started, accepted, duplicates, len(rejected))
    return _json_response(202, {"accepted": accepted, "duplicates": duplicates,
                                "rejected": rejected})


def _lambda_body(event: Mapping[str, Any]) -> bytes:
    """The request body's bytes; raise EnvelopeError when it is not base64 or not text.

    A text body holding a lone surrogate (the event's JSON may carry one as ``\\ud800``) can't
    be UTF-8 bytes: it is refused here, as a 400, rather than crash the encoder.
    """
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise EnvelopeError("body must be text")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise EnvelopeError("body is not valid base64") from None
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        raise EnvelopeError("body is not UTF-8 text") from None


def viewer_ip(headers: Mapping[str, str]) -> str | None:
    """The visitor's address when CloudFront forwards it (`CloudFront-Viewer-Address: ip:port`).

    Behind the distribution, the request's source address is CloudFront's edge, which would
    give every visitor of one edge the same visitor hash.
    """
    value = next((v for k, v in headers.items() if k.lower() == "cloudfront-viewer-address"), "")
    address, _, port = str(value).strip().rpartition(":")
    return address.strip("[]") or None if port.isdigit() else None


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """AWS Lambda entry for API Gateway HTTP API (payload 2.0) and Lambda Function URL events."""
    http = (event.get("requestContext") or {}).get("http") or {}
    method = str(http.get("method") or "")
    headers = event.get("headers") or {}
    client_ip = viewer_ip(headers) or str(http.get("sourceIp") or "")
    try:
        body = _lambda_body(event)
    except EnvelopeError as error:
        status, out_headers, payload = _json_response(400, {"error": str(error)})
        _log(400, time.perf_counter())
    else:
        status, out_headers, payload = handle_http(method, headers, body, client_ip)
    return {"statusCode": status, "headers": out_headers, "body": payload.decode("utf-8")}
