"""The beacon endpoint through handle_http and the Lambda entry, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest
from trackerkit import (
    CLIENT_IP,
    FIREFOX,
    NOW,
    SAMPLE_FIELDS,
    api_gateway_v2_event,
    encode,
    envelope,
    event,
    function_url_event,
    iso,
    new_id,
    stored_events,
)

from tracker import handler as handler_module
from tracker import storage
from tracker.handler import handle_http, handler, viewer_ip
from tracker.storage import make_engine

HEADERS = {"User-Agent": FIREFOX, "Content-Type": "text/plain;charset=UTF-8"}


def post(engine, body, headers=HEADERS, now=NOW):
    status, out_headers, payload = handle_http("POST", headers, body, CLIENT_IP,
                                               engine=engine, now=now)
    return status, out_headers, json.loads(payload) if payload else None


def test_every_event_type_is_stored_with_its_fields(engine):
    events = [event(kind) for kind in SAMPLE_FIELDS]
    status, headers, answer = post(engine, encode(envelope(*events, page="pg-42")))
    assert status == 202
    assert headers["Content-Type"] == "application/json"
    assert answer == {"accepted": 6, "duplicates": 0, "rejected": []}
    rows = {row["id"]: row for row in stored_events(engine)}
    assert len(rows) == 6
    for sent in events:
        row = rows[sent["id"]]
        assert row["type"] == sent["type"]
        assert row["page_id"] == "pg-42"
        assert row["is_bot"] is False
        assert re.fullmatch(r"[0-9a-f]{32}", row["visitor"])
        assert row["client_at"].replace(tzinfo=dt.UTC) == NOW
        assert row["received_at"].replace(tzinfo=dt.UTC) == NOW
        for name, value in SAMPLE_FIELDS[sent["type"]].items():
            assert row[name] == value, name
        unused = {"query", "results", "facet", "value", "selected", "sort", "sku", "path",
                  "referrer"} - set(SAMPLE_FIELDS[sent["type"]])
        assert all(row[name] is None for name in unused)
    # One visitor for one browser; the raw IP and user agent are nowhere in the rows.
    assert len({row["visitor"] for row in rows.values()}) == 1
    dumped = repr(list(rows.values()))
    assert CLIENT_IP not in dumped and "Firefox" not in dumped


def test_api_gateway_v2_event_with_text_body(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    body = encode(envelope(event("view"), event("call")))
    response = handler(api_gateway_v2_event(body), None)
    assert response["statusCode"] == 202
    assert json.loads(response["body"]) == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert response["headers"]["Content-Type"] == "application/json"
    assert {row["type"] for row in stored_events(engine)} == {"view", "call"}


def test_function_url_event_with_base64_body(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    sent = event("search", query="café ☕", results=0)
    response = handler(function_url_event(encode(envelope(sent)), base64_body=True), None)
    assert response["statusCode"] == 202
    [row] = stored_events(engine)
    assert row["query"] == "café ☕" and row["results"] == 0


def test_lambda_visitor_comes_from_source_ip_and_user_agent(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    body = encode(envelope(event("view")))
    handler(api_gateway_v2_event(body, source_ip="198.51.100.1"), None)
    handler(api_gateway_v2_event(encode(envelope(event("view")))), None)
    handler(function_url_event(encode(envelope(event("view")))), None)
    visitors = [row["visitor"] for row in stored_events(engine)]
    assert len(set(visitors)) == 2  # same IP + UA in two event shapes -> one visitor


def test_behind_cloudfront_the_viewer_address_identifies_the_visitor(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    agent = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
    for viewer in ("203.0.113.7:50123", "203.0.113.9:443", "[2001:db8::5]:8080"):
        request = api_gateway_v2_event(encode(envelope(event("view"))),
                                       headers={**agent, "CloudFront-Viewer-Address": viewer},
                                       source_ip="130.176.1.1")  # one CloudFront edge
        assert handler(request, None)["statusCode"] == 202
    visitors = [row["visitor"] for row in stored_events(engine)]
    assert len(set(visitors)) == 3  # three people, not one edge
    assert viewer_ip({"cloudfront-viewer-address": "203.0.113.7:50123"}) == "203.0.113.7"
    assert viewer_ip({"CloudFront-Viewer-Address": "[2001:db8::5]:8080"}) == "2001:db8::5"
    ipv6 = {"CloudFront-Viewer-Address": "2001:db8:cafe::17:46532"}
    assert viewer_ip(ipv6) == "2001:db8:cafe::17"
    assert viewer_ip({"CloudFront-Viewer-Address": "garbage"}) is None
    assert viewer_ip({}) is None


def test_lambda_rejects_bad_base64(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    bad = function_url_event(b"{}")
    bad["body"] = "not base64!!"
    response = handler(bad, None)
    assert response["statusCode"] == 400
    assert "base64" in json.loads(response["body"])["error"]


def test_lambda_wrong_method_and_options(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    response = handler(api_gateway_v2_event(b"", method="GET"), None)
    assert response["statusCode"] == 405
    assert "POST" in response["headers"]["Allow"]
    assert handler(function_url_event(b"", method="OPTIONS"), None)["statusCode"] == 204


def test_lambda_engine_comes_from_environment_and_is_reused(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setattr(storage, "_engine", None)
    first = handler(api_gateway_v2_event(encode(envelope(event("view")))), None)
    engine = storage._engine
    second = handler(api_gateway_v2_event(encode(envelope(event("call")))), None)
    assert first["statusCode"] == second["statusCode"] == 202
    assert engine is not None and storage._engine is engine
    assert len(stored_events(engine)) == 2
    engine.dispose()


def test_header_names_in_any_case(engine):
    for name in ("user-agent", "USER-AGENT", "User-Agent"):
        post(engine, encode(envelope(event("view"))), headers={name: FIREFOX})
    rows = stored_events(engine)
    assert len({row["visitor"] for row in rows}) == 1
    assert not any(row["is_bot"] for row in rows)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD"])
def test_wrong_method_is_405_with_allow(engine, method):
    status, headers, _ = handle_http(method, HEADERS, encode(envelope(event())), CLIENT_IP,
                                     engine=engine, now=NOW)
    assert status == 405
    assert headers["Allow"] == "POST, OPTIONS"
    assert stored_events(engine) == []


def test_options_is_204(engine):
    status, headers, body = handle_http("OPTIONS", {}, b"", CLIENT_IP, engine=engine)
    assert (status, body) == (204, b"")
    assert "POST" in headers["Allow"]


def test_body_over_16_kib_is_413_and_16_kib_is_fine(engine):
    small = envelope(event("search", query="x"))
    text = json.dumps(small)
    exact = (text[:-1] + " " * (16 * 1024 - len(text)) + "}").encode()
    assert len(exact) == 16 * 1024
    assert post(engine, exact)[0] == 202
    status, _, answer = post(engine, exact[:-1] + b" }")
    assert status == 413 and "16384" in answer["error"]
    assert len(stored_events(engine)) == 1


ENVELOPE_REJECTIONS = [
    (b"\xff\xfe{}", "not UTF-8"),
    (b"", "empty"),
    (b"   ", "empty"),
    (b"{not json", "not valid JSON"),
    (b'{"v": NaN, "page": "p", "events": []}', "NaN"),
    (b"[1, 2]", "must be a JSON object"),
    (b'"hello"', "must be a JSON object"),
    (b'{"v": 1, "page": "p", "events": [], "extra": 1}', "unknown field(s): extra"),
    (b'{"page": "p", "events": [{}]}', "v must be 1"),
    (b'{"v": 2, "page": "p", "events": [{}]}', "v must be 1"),
    (b'{"v": true, "page": "p", "events": [{}]}', "v must be 1"),
    (b'{"v": "1", "page": "p", "events": [{}]}', "v must be 1"),
    (b'{"v": 1, "events": [{}]}', "page must be"),
    (b'{"v": 1, "page": "", "events": [{}]}', "page must be"),
    (b'{"v": 1, "page": 7, "events": [{}]}', "page must be"),
    (('{"v": 1, "page": "' + "p" * 65 + '", "events": [{}]}').encode(), "page must be"),
    (b'{"v": 1, "page": "a\\u0000b", "events": [{}]}', "NUL"),
    (b'{"v": 1, "page": "p"}', "events must be a list"),
    (b'{"v": 1, "page": "p", "events": {}}', "events must be a list"),
    (b'{"v": 1, "page": "p", "events": []}', "events must not be empty"),
    (b"[" * 5000 + b"]" * 5000, "not valid JSON"),
    (b'{"v": 1, "page": "p", "events": [' + b"9" * 5000 + b"]}", "not valid JSON"),
]


@pytest.mark.parametrize(("body", "reason"), ENVELOPE_REJECTIONS)
def test_malformed_envelope_is_400_with_reason_and_nothing_stored(engine, body, reason):
    status, _, answer = post(engine, body)
    assert status == 400
    assert reason in answer["error"]
    assert stored_events(engine) == []


def test_more_than_50_events_is_400(engine):
    status, _, answer = post(engine, encode(envelope(*[event("view") for _ in range(51)])))
    assert status == 400 and "at most 50" in answer["error"]
    assert stored_events(engine) == []
    assert post(engine, encode(envelope(*[event("view") for _ in range(50)])))[0] == 202
    assert len(stored_events(engine)) == 50


def _without(name):
    def change(body):
        del body[name]
    return change


def _set(**values):
    def change(body):
        body.update(values)
    return change


LONG = "x" * 2001
EVENT_REJECTIONS = [
    ("search", None, "event must be a JSON object"),
    ("search", _without("id"), "id must be a UUID"),
    ("search", _set(id="not-a-uuid"), "id must be a UUID"),
    ("search", _set(id=12345), "id must be a UUID"),
    ("search", _without("type"), "type must be one of"),
    ("search", _set(type="purchase"), "type must be one of"),
    ("search", _set(type=["search"]), "type must be one of"),
    ("search", _without("at"), "at must be an ISO 8601 UTC timestamp"),
    ("search", _set(at="2026-11-24T14:00:00+02:00"), "at must be an ISO 8601 UTC timestamp"),
    ("search", _set(at="2026-11-24T12:00:00"), "at must be an ISO 8601 UTC timestamp"),
    ("search", _set(at="2026-11-24"), "at must be an ISO 8601 UTC timestamp"),
    ("search", _set(at=1795521600000), "at must be an ISO 8601 UTC timestamp"),
    ("search", _set(at="2026-13-40T12:00:00Z"), "not a real date"),
    ("search", _set(at=iso(NOW + dt.timedelta(days=1, minutes=1))), "1 day in the future"),
    ("search", _set(at=iso(NOW - dt.timedelta(days=30, minutes=1))), "30 days in the past"),
    ("search", _set(colour="red"), "unknown field(s) for search: colour"),
    ("search", _set(sku="TS-1"), "unknown field(s) for search: sku"),
    ("search", _without("query"), "query is required for search"),
    ("search", _set(query="q" * 201), "query must be at most 200"),
    ("search", _set(query=7), "query must be a string"),
    ("search", _set(query="a\x00b"), "NUL"),
    ("search", _set(query="\ud800"), "valid Unicode"),
    ("search", _set(results=-1), "results must be between"),
    ("search", _set(results=2**31), "results must be between"),
    ("search", _set(results=1.5), "results must be an integer"),
    ("search", _set(results=True), "results must be an integer"),
    ("search", _set(results="12"), "results must be an integer"),
    ("filter", _without("facet"), "facet is required for filter"),
    ("filter", _set(facet=""), "facet must not be empty"),
    ("filter", _set(facet="f" * 65), "facet must be at most 64"),
    ("filter", _without("value"), "value is required for filter"),
    ("filter", _set(value="v" * 201), "value must be at most 200"),
    ("filter", _without("selected"), "selected is required for filter"),
    ("filter", _set(selected="yes"), "selected must be true or false"),
    ("filter", _set(selected=1), "selected must be true or false"),
    ("sort", _without("sort"), "sort is required for sort"),
    ("sort", _set(sort="cheapest"), "sort must be one of relevance, price-asc"),
    ("sort", _set(sort=["name"]), "sort must be one of"),
    ("view", _without("sku"), "sku is required for view"),
    ("view", _set(sku="S" * 65), "sku must be at most 64"),
    ("view", _set(sku=""), "sku must not be empty"),
    ("call", _without("sku"), "sku is required for call"),
    ("call", _set(sku={"a": 1}), "sku must be a string"),
    ("call", _set(query="x"), "unknown field(s) for call: query"),
    ("pageview", _without("path"), "path is required for pageview"),
    ("pageview", _set(path=LONG), "path must be at most 2000"),
    ("pageview", _set(referrer=LONG), "referrer must be at most 2000"),
    ("pageview", _set(referrer=5), "referrer must be a string"),
]


@pytest.mark.parametrize(("kind", "change", "reason"), EVENT_REJECTIONS)
def test_invalid_event_is_rejected_with_reason_and_siblings_stored(engine, kind, change, reason):
    before, after = event("view"), event("pageview")
    if change is None:
        bad = ["not", "an", "object"]
    else:
        bad = event(kind)
        change(bad)
    status, _, answer = post(engine, encode(envelope(before, bad, after)))
    assert status == 202
    assert answer["accepted"] == 2 and answer["duplicates"] == 0
    [rejection] = answer["rejected"]
    assert rejection["index"] == 1
    assert reason in rejection["error"]
    assert {row["id"] for row in stored_events(engine)} == {before["id"], after["id"]}


def test_every_problem_of_an_event_is_named():
    from tracker.validation import EventError, validate_event

    with pytest.raises(EventError) as caught:
        validate_event({"id": "x", "type": "view", "at": "yesterday", "sku": "", "zz": 1}, NOW)
    message = str(caught.value)
    for part in ("id must be", "at must be", "unknown field(s) for view: zz", "sku must not"):
        assert part in message


def test_optional_fields_may_be_missing_or_null(engine):
    events = [
        event("search", results=None),
        {key: value for key, value in event("filter").items() if key != "results"},
        event("pageview", referrer=""),
        event("pageview", referrer=None),
    ]
    status, _, answer = post(engine, encode(envelope(*events)))
    assert (status, answer["accepted"], answer["rejected"]) == (202, 4, [])
    rows = stored_events(engine)
    assert all(row["results"] is None and row["referrer"] is None for row in rows)


def test_clock_limits_are_inclusive_enough(engine):
    events = [event("view", at=NOW + dt.timedelta(hours=23)),
              event("view", at=NOW - dt.timedelta(days=29)),
              {**event("view"), "at": "2026-11-24T12:00:00+00:00"},
              {**event("view"), "at": "2026-11-24T12:00:00.123456Z"}]
    status, _, answer = post(engine, encode(envelope(*events)))
    assert (status, answer["accepted"], answer["rejected"]) == (202, 4, [])


def test_duplicates_within_a_batch_are_stored_once(engine):
    first = event("search")
    same = dict(first, query="something else")
    upper = dict(first, id=first["id"].upper())
    status, _, answer = post(engine, encode(envelope(first, same, upper, event("view"))))
    assert (status, answer) == (202, {"accepted": 2, "duplicates": 2, "rejected": []})
    rows = stored_events(engine)
    assert len(rows) == 2
    assert [row["query"] for row in rows if row["id"] == first["id"]] == ["red shoes"]


def test_duplicates_across_batches_are_not_stored_twice(engine):
    batch = envelope(event("view"), event("call"), event("search"))
    assert post(engine, encode(batch))[2] == {"accepted": 3, "duplicates": 0, "rejected": []}
    # The browser resends the same batch, plus one new event.
    resend = dict(batch, events=[*batch["events"], event("sort")])
    later = NOW + dt.timedelta(minutes=5)
    status, _, answer = post(engine, encode(resend), now=later)
    assert (status, answer) == (202, {"accepted": 1, "duplicates": 3, "rejected": []})
    rows = stored_events(engine)
    assert len(rows) == 4
    assert sum(row["received_at"].replace(tzinfo=dt.UTC) == NOW for row in rows) == 3


BOT_AGENTS = [
    "",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "Wget/1.21.3",
    "python-requests/2.32.3",
    "Python-urllib/3.11",
    "Go-http-client/2.0",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Screaming Frog SEO Spider/20.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
]
HUMAN_AGENTS = [
    FIREFOX,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
]


def test_bots_are_answered_202_but_flagged(engine):
    for agent in BOT_AGENTS:
        status, _, answer = post(engine, encode(envelope(event("view"), page=f"p{len(agent)}")),
                                 headers={"user-agent": agent})
        assert status == 202 and answer["accepted"] == 1
    for agent in HUMAN_AGENTS:
        post(engine, encode(envelope(event("view"))), headers={"user-agent": agent})
    post(engine, encode(envelope(event("view"))), headers={})  # no user agent at all
    rows = stored_events(engine)
    assert sum(row["is_bot"] for row in rows) == len(BOT_AGENTS) + 1
    assert sum(not row["is_bot"] for row in rows) == len(HUMAN_AGENTS)


@pytest.mark.parametrize("header", [("Purpose", "prefetch"), ("Sec-Purpose", "prefetch"),
                                    ("sec-purpose", "prefetch;prerender"),
                                    ("X-Moz", "prefetch")])
def test_prefetches_are_flagged_as_bots(engine, header):
    post(engine, encode(envelope(event("view"))), headers={"User-Agent": FIREFOX,
                                                           header[0]: header[1]})
    assert [row["is_bot"] for row in stored_events(engine)] == [True]


def test_unreachable_database_is_503_not_a_crash(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}")
    status, headers, payload = handle_http("POST", HEADERS, encode(envelope(event("view"))),
                                           CLIENT_IP, engine=engine, now=NOW)
    assert status == 503 and "Retry-After" in headers
    assert "storage unavailable" in json.loads(payload)["error"]


def test_all_rejected_needs_no_database(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}")
    status, _, payload = handle_http("POST", HEADERS, encode(envelope({"id": new_id()})),
                                     CLIENT_IP, engine=engine, now=NOW)
    assert status == 202 and json.loads(payload)["accepted"] == 0


def test_base64_text_and_bytes_bodies_give_the_same_rows(engine, monkeypatch):
    monkeypatch.setattr(storage, "_engine", engine)
    body = encode(envelope(event("view", sku="Ünïcode-1")))
    response = handler(api_gateway_v2_event(body, base64_body=False), None)
    again = handler(function_url_event(body, base64_body=True), None)
    assert json.loads(response["body"])["accepted"] == 1
    assert json.loads(again["body"])["duplicates"] == 1
    assert base64.b64decode(function_url_event(body)["body"]) == body
    assert handler_module.ALLOW == "POST, OPTIONS"


@pytest.mark.postgres
@pytest.mark.parametrize("database_kind", ["postgresql"])  # needs a server to close it
def test_connection_closed_by_the_server_is_retried(database_url):
    """A frozen Lambda's pooled connection may be dead when it thaws; the request still works."""
    from sqlalchemy import text

    engine = make_engine(database_url)
    try:
        assert post(engine, encode(envelope(event("view"))))[0] == 202
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killer = make_engine(database_url)
        with killer.connect() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"),
                                      {"pid": pid}).scalar_one()
        killer.dispose()
        status, _, answer = post(engine, encode(envelope(event("call"))))
        assert (status, answer["accepted"]) == (202, 1)
        assert len(stored_events(engine)) == 2
    finally:
        engine.dispose()
