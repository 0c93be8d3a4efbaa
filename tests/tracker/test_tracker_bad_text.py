"""Bodies that are not text, or hold lone surrogates: a 400 (or a rejected event), never a
500, nothing invalid stored, and valid batches around them still stored. SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json

import pytest
from trackerkit import (
    CLIENT_IP,
    FIREFOX,
    NOW,
    api_gateway_v2_event,
    encode,
    envelope,
    event,
    function_url_event,
    stored_events,
)

from tracker import storage
from tracker.handler import handle_http, handler

HEADERS = {"User-Agent": FIREFOX, "Content-Type": "text/plain;charset=UTF-8"}
LONE = "\ud800"  # a high surrogate with no low one: not encodable as UTF-8


def post(engine, body: bytes, headers=HEADERS, client_ip=CLIENT_IP):
    """handle_http's status and decoded JSON answer."""
    status, _, payload = handle_http("POST", headers, body, client_ip, engine=engine, now=NOW)
    return status, json.loads(payload)


def escaped(body) -> bytes:
    """JSON with every non-ASCII character escaped: a lone surrogate becomes ``\\ud800``."""
    return json.dumps(body, ensure_ascii=True).encode("ascii")


def assert_rows_are_valid_text(engine) -> None:
    """Every stored text is encodable as UTF-8 (PostgreSQL would refuse it otherwise)."""
    for row in stored_events(engine):
        for value in row.values():
            if isinstance(value, str):
                value.encode("utf-8")


def _store_around(engine, bad: bytes) -> tuple[int, dict]:
    """Post a valid batch, ``bad``, then another valid batch; both valid batches are stored."""
    before, after = event("view"), event("search")
    assert post(engine, encode(envelope(before)))[0] == 202
    answer = post(engine, bad)
    assert post(engine, encode(envelope(after)))[0] == 202
    assert {before["id"], after["id"]} <= {row["id"] for row in stored_events(engine)}
    assert_rows_are_valid_text(engine)
    return answer


@pytest.mark.parametrize("body", [
    b"\xff\xfe",
    b'{"v": 1, "page": "p", "events": [{"query": "\xff"}]}',
    b'{"v": 1, "page": "p\xed\xa0\x80", "events": []}',  # a surrogate encoded as if UTF-8
    b"\xc3",  # a truncated two-byte sequence
])
def test_invalid_utf8_body_is_400_and_valid_batches_around_it_are_stored(engine, body):
    status, answer = _store_around(engine, body)
    assert status == 400 and "not UTF-8" in answer["error"]
    assert len(stored_events(engine)) == 2


FIELDS_OF = {"search": ["query"], "filter": ["facet", "value"], "view": ["sku"],
             "call": ["sku"], "pageview": ["path", "referrer"]}
SURROGATE_FIELDS = [(kind, name) for kind, names in FIELDS_OF.items() for name in names]


@pytest.mark.parametrize(("kind", "name"), SURROGATE_FIELDS)
def test_escaped_lone_surrogate_in_a_field_rejects_only_that_event(engine, kind, name):
    sibling, bad = event("view"), event(kind, **{name: f"red {LONE} shoes"})
    status, answer = _store_around(engine, escaped(envelope(bad, sibling)))
    assert status == 202
    assert answer["accepted"] == 1
    [rejection] = answer["rejected"]
    assert rejection == {"index": 0, "error": f"{name} must be valid Unicode text"}
    assert bad["id"] not in {row["id"] for row in stored_events(engine)}
    assert len(stored_events(engine)) == 3


@pytest.mark.parametrize("change", [
    {"id": LONE}, {"type": LONE}, {"at": LONE}, {LONE: "x"}, {"sort": LONE},
])
def test_escaped_lone_surrogate_in_id_type_time_or_key_rejects_only_that_event(engine, change):
    bad = {**event("sort"), **change}
    status, answer = _store_around(engine, escaped(envelope(bad, event("view"))))
    assert status == 202 and answer["accepted"] == 1
    assert [rejection["index"] for rejection in answer["rejected"]] == [0]
    assert len(stored_events(engine)) == 3


@pytest.mark.parametrize("body", [
    {"v": 1, "page": LONE, "events": [event("view")]},
    {"v": 1, "page": "p", "events": [event("view")], LONE: 1},
    {"v": LONE, "page": "p", "events": [event("view")]},
])
def test_escaped_lone_surrogate_in_the_envelope_is_400(engine, body):
    status, answer = _store_around(engine, escaped(body))
    assert status == 400 and answer["error"]
    assert len(stored_events(engine)) == 2


def test_lone_surrogate_in_user_agent_or_address_is_still_a_visitor(engine):
    assert post(engine, encode(envelope(event("view"))), {"User-Agent": LONE})[0] == 202
    assert post(engine, encode(envelope(event("view"))), HEADERS, client_ip=LONE)[0] == 202
    assert len(stored_events(engine)) == 2
    assert_rows_are_valid_text(engine)


def _lambda(event_: dict) -> tuple[int, dict]:
    response = handler(event_, None)
    return response["statusCode"], json.loads(response["body"])


def _lambda_with_body(body, *, base64_body: bool) -> dict:
    request = api_gateway_v2_event(b"{}", base64_body=base64_body)
    request["body"] = body
    return request


LAMBDA_REJECTIONS = [
    (_lambda_with_body('{"v": 1, "page": "' + LONE + '", "events": []}', base64_body=False),
     "not UTF-8"),
    (_lambda_with_body("\udcff\udcfe", base64_body=False), "not UTF-8"),
    (_lambda_with_body(base64.b64encode(b"\xff\xfe").decode(), base64_body=True), "not UTF-8"),
    (_lambda_with_body("not base64!!", base64_body=True), "not valid base64"),
    (_lambda_with_body("e30", base64_body=True), "not valid base64"),  # padding missing
    (_lambda_with_body("e30é=", base64_body=True), "not valid base64"),
    (_lambda_with_body(12345, base64_body=False), "must be text"),
    (_lambda_with_body(["a"], base64_body=True), "must be text"),
]


@pytest.mark.parametrize(("request_", "reason"), LAMBDA_REJECTIONS)
def test_lambda_body_that_is_not_utf8_text_is_400(engine, monkeypatch, request_, reason):
    monkeypatch.setattr(storage, "_engine", engine)
    before, after = event("view"), event("call")
    assert _lambda(function_url_event(encode(envelope(before))))[0] == 202
    status, answer = _lambda(request_)
    assert status == 400 and reason in answer["error"]
    assert _lambda(api_gateway_v2_event(encode(envelope(after))))[0] == 202
    assert {row["id"] for row in stored_events(engine)} == {before["id"], after["id"]}


@pytest.mark.parametrize("base64_body", [False, True])
def test_lambda_escaped_lone_surrogate_rejects_only_that_event(engine, monkeypatch, base64_body):
    monkeypatch.setattr(storage, "_engine", engine)
    good, bad = event("view"), event("search", query=LONE)
    status, answer = _lambda(function_url_event(escaped(envelope(bad, good)),
                                                base64_body=base64_body))
    assert status == 202 and answer["accepted"] == 1
    assert answer["rejected"] == [{"index": 0, "error": "query must be valid Unicode text"}]
    assert [row["id"] for row in stored_events(engine)] == [good["id"]]


def test_lambda_lone_surrogate_in_headers_is_still_stored(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    request = api_gateway_v2_event(encode(envelope(event("view"))),
                                   headers={"user-agent": LONE,
                                            "cloudfront-viewer-address": f"{LONE}:443"},
                                   source_ip=LONE)
    assert _lambda(request)[0] == 202
    assert len(stored_events(engine)) == 1
    assert_rows_are_valid_text(engine)
