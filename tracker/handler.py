"""The beacon endpoint: the Lambda entry (API Gateway HTTP API v2 / Function URL events) and
``handle_http``, the same logic for any HTTP server (``shopgen serve`` uses it).

A 202 is answered only after the events are committed. ``GET /api/health`` is answered by the
same handler. Logs, metrics and traces go through tracker/observability.py: one structured log
line per request with a correlation id, counts and timing only (never the IP address, the user
agent or the search text).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tracker.observability import (
    RequestOutcome,
    Telemetry,
    new_correlation_id,
    reject_reason,
)
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

TELEMETRY = Telemetry.from_environment()

ALLOW = "POST, OPTIONS"
HEALTH_ALLOW = "GET, HEAD"
HEALTH_PATH = "/api/health"
Response = tuple[int, dict[str, str], bytes]


def _json_response(status: int, payload: Any, extra: Mapping[str, str] | None = None) -> Response:
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    headers.update(extra or {})
    return status, headers, json.dumps(payload, separators=(",", ":")).encode()


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
                engine: Engine | None = None, now: dt.datetime | None = None,
                telemetry: Telemetry | None = None,
                correlation_id: str | None = None) -> Response:
    """Answer one beacon request: (status, response headers, response body).

    ``headers`` may use any case. ``engine`` defaults to the process's engine from
    TRACKER_DATABASE_URL; ``now`` (aware, UTC) defaults to the current time. The request is
    logged (and measured, in Lambda) through ``telemetry``, by default the process's.
    """
    outcome = RequestOutcome("events", correlation_id or new_correlation_id())
    telemetry = telemetry or TELEMETRY
    response = _answer_events(method, headers, body, client_ip, engine, now, telemetry, outcome)
    outcome.status = response[0]
    telemetry.report(outcome)
    return response


def _answer_events(method: str, headers: Mapping[str, str], body: bytes, client_ip: str,
                   engine: Engine | None, now: dt.datetime | None, telemetry: Telemetry,
                   outcome: RequestOutcome) -> Response:
    method = method.upper()
    if method == "OPTIONS":
        return 204, {"Allow": ALLOW, "Access-Control-Allow-Methods": ALLOW}, b""
    if method != "POST":
        return _json_response(405, {"error": "method not allowed; use POST"}, {"Allow": ALLOW})
    outcome.request_bytes = len(body)
    if len(body) > MAX_BODY_BYTES:
        return _json_response(413, {"error": f"body is larger than {MAX_BODY_BYTES} bytes"})
    try:
        envelope = parse_envelope(body)
    except EnvelopeError as error:
        return _json_response(400, {"error": str(error)})

    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    valid, duplicates, rejected = _validate_all(envelope.events, now)
    outcome.reject_reasons = [reject_reason(item["error"]) for item in rejected]
    outcome.duplicates = duplicates
    lower = {str(name).lower(): str(value) for name, value in headers.items()}
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
            with telemetry.database_commit(outcome):
                outcome.accepted = insert_new_events(engine, event_rows(valid, facts))
            outcome.duplicates += len(valid) - outcome.accepted
    except (SQLAlchemyError, DBAPIError, RuntimeError) as error:
        outcome.error = type(error).__name__
        return _json_response(503, {"error": "storage unavailable, try again later"},
                              {"Retry-After": "5"})
    return _json_response(202, {"accepted": outcome.accepted, "duplicates": outcome.duplicates,
                                "rejected": rejected})


def handle_health(method: str, *, engine: Engine | None = None,
                  telemetry: Telemetry | None = None,
                  correlation_id: str | None = None) -> Response:
    """Answer ``GET /api/health``: 200 when the database answers and its schema is the one
    this code expects, 503 otherwise. Stores nothing."""
    outcome = RequestOutcome("health", correlation_id or new_correlation_id())
    telemetry = telemetry or TELEMETRY
    if method.upper() in ("GET", "HEAD"):
        response = _answer_health(engine, outcome)
    else:
        response = _json_response(405, {"error": "method not allowed; use GET"},
                                  {"Allow": HEALTH_ALLOW})
    outcome.status = response[0]
    telemetry.report(outcome)
    return response


def _answer_health(engine: Engine | None, outcome: RequestOutcome) -> Response:
    from tracker.health import check_health  # only health requests pay for Alembic's import

    try:
        health = check_health(engine or default_engine())
    except RuntimeError as error:  # no database configured, or its secret unreadable
        # Its message may name the secret: the class is enough here, the logs say more.
        outcome.error = type(error).__name__
        reason = f"database not configured or its secret unreadable ({outcome.error})"
    else:
        if health.ok:
            return _json_response(200, {"status": "ok", "schema": health.schema})
        outcome.error = reason = health.reason
    return _json_response(503, {"status": "unavailable", "reason": reason}, {"Retry-After": "5"})


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


def _request_path(event: Mapping[str, Any]) -> str:
    http = (event.get("requestContext") or {}).get("http") or {}
    return str(event.get("rawPath") or http.get("path") or "")


def _lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """AWS Lambda entry for API Gateway HTTP API (payload 2.0) and Lambda Function URL events."""
    request_context = event.get("requestContext") or {}
    http = request_context.get("http") or {}
    method = str(http.get("method") or "")
    # API Gateway's request id: the same id is in its access logs and X-Ray, so one search
    # finds a request everywhere. A random one when the event has none.
    correlation_id = str(request_context.get("requestId") or "") or new_correlation_id()
    if _request_path(event).rstrip("/").endswith(HEALTH_PATH):
        status, out_headers, payload = handle_health(method, correlation_id=correlation_id)
        if method.upper() == "HEAD":
            payload = b""
        return {"statusCode": status, "headers": out_headers, "body": payload.decode("utf-8")}
    headers = event.get("headers") or {}
    client_ip = viewer_ip(headers) or str(http.get("sourceIp") or "")
    try:
        body = _lambda_body(event)
    except EnvelopeError as error:
        status, out_headers, payload = _json_response(400, {"error": str(error)})
        TELEMETRY.report(RequestOutcome("events", correlation_id, status=400))
    else:
        status, out_headers, payload = handle_http(method, headers, body, client_ip,
                                                   correlation_id=correlation_id)
    return {"statusCode": status, "headers": out_headers, "body": payload.decode("utf-8")}


handler = TELEMETRY.trace_lambda_handler(_lambda_handler)
