"""Builders for beacon bodies and real AWS event shapes used by the tracker tests."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Engine, select

from tracker.models import daily_salts_table, events_table

NOW = dt.datetime(2026, 11, 24, 12, 0, 0, tzinfo=dt.UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CLIENT_IP = "203.0.113.42"


def iso(moment: dt.datetime) -> str:
    """The timestamp as the browser's Date.toISOString() writes it."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    """A fresh client event id."""
    return str(uuid.uuid4())


SAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "search": {"query": "red shoes", "results": 12},
    "filter": {"facet": "brand", "value": "acme", "selected": True, "results": 40},
    "sort": {"sort": "price-asc"},
    "view": {"sku": "TS-1001"},
    "call": {"sku": "TS-1001"},
    "pageview": {"path": "/?q=red", "referrer": "https://example.org/x"},
}


def event(type_: str = "search", *, at: dt.datetime = NOW, **fields: Any) -> dict[str, Any]:
    """One valid event of ``type_`` (sample fields, overridden by ``fields``)."""
    body = {"id": new_id(), "type": type_, "at": iso(at), **SAMPLE_FIELDS[type_]}
    body.update(fields)
    return body


def envelope(*events: dict[str, Any], page: str = "page-0001") -> dict[str, Any]:
    """The request body around ``events``."""
    return {"v": 1, "page": page, "events": list(events)}


def encode(body: Any) -> bytes:
    """JSON bytes as the browser sends them."""
    return json.dumps(body).encode()


def api_gateway_v2_event(body: bytes, *, method: str = "POST", base64_body: bool = False,
                         headers: dict[str, str] | None = None,
                         source_ip: str = CLIENT_IP) -> dict[str, Any]:
    """An API Gateway HTTP API event, payload format 2.0 (header names lower-case)."""
    return {
        "version": "2.0",
        "routeKey": "POST /api/events",
        "rawPath": "/api/events",
        "rawQueryString": "",
        "headers": headers if headers is not None else {
            "accept": "*/*",
            "content-length": str(len(body)),
            "content-type": "text/plain;charset=UTF-8",
            "host": "abc123.execute-api.eu-west-1.amazonaws.com",
            "origin": "https://shop.example.com",
            "user-agent": FIREFOX,
            "x-amzn-trace-id": "Root=1-674301a0-1b2c3d4e5f60718293a4b5c6",
            "x-forwarded-for": source_ip,
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": "/api/events",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": FIREFOX,
            },
            "requestId": "Bd3kXhl5DoEEJ4g=",
            "routeKey": "POST /api/events",
            "stage": "$default",
            "time": "24/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795521600000,
        },
        "body": base64.b64encode(body).decode() if base64_body else body.decode(),
        "isBase64Encoded": base64_body,
    }


def function_url_event(body: bytes, *, method: str = "POST", base64_body: bool = True,
                       headers: dict[str, str] | None = None,
                       source_ip: str = CLIENT_IP) -> dict[str, Any]:
    """A Lambda Function URL event (payload 2.0; Lambda base64-encodes non-text bodies)."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": headers if headers is not None else {
            "sec-fetch-mode": "no-cors",
            "content-length": str(len(body)),
            "x-amzn-tls-version": "TLSv1.3",
            "sec-fetch-site": "cross-site",
            "x-forwarded-proto": "https",
            "origin": "https://shop.example.com",
            "x-forwarded-port": "443",
            "x-forwarded-for": source_ip,
            "accept": "*/*",
            "x-amzn-tls-cipher-suite": "TLS_AES_128_GCM_SHA256",
            "x-amzn-trace-id": "Root=1-674301a0-7a8b9c0d1e2f30415263a7b8",
            "host": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.eu-west-1.on.aws",
            "content-type": "text/plain;charset=UTF-8",
            "accept-encoding": "gzip, deflate, br",
            "user-agent": FIREFOX,
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
            "domainName": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
            "http": {
                "method": method,
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": FIREFOX,
            },
            "requestId": "c7d4b5e6-1f2a-4b3c-9d8e-7f6a5b4c3d2e",
            "routeKey": "$default",
            "stage": "$default",
            "time": "24/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795521600000,
        },
        "body": base64.b64encode(body).decode() if base64_body else body.decode(),
        "isBase64Encoded": base64_body,
    }


def stored_events(engine: Engine) -> list[dict[str, Any]]:
    """Every stored event row as a dict, oldest id first."""
    with engine.connect() as connection:
        rows = connection.execute(select(events_table).order_by(events_table.c.id))
        return [dict(row._mapping) for row in rows]


def stored_salt_days(engine: Engine) -> list[dt.date]:
    """The days that have a salt in the database."""
    with engine.connect() as connection:
        return sorted(connection.execute(select(daily_salts_table.c.day)).scalars())
