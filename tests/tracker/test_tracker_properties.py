"""Property tests: random bodies thrown at the handler never give a 5xx or an invalid row."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st
from trackerkit import CLIENT_IP, NOW, iso, stored_events

from tracker.handler import handle_http
from tracker.validation import EVENT_FIELDS, EVENT_TYPES, SORTS

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LIMITS = {"query": 200, "facet": 64, "value": 200, "sku": 64, "path": 2000, "referrer": 2000}
OPTIONAL = ("query", "results", "facet", "value", "selected", "sort", "sku", "path", "referrer")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=8,
)
# Mostly inside the accepted clock window, sometimes anywhere around it.
moments = st.one_of(
    st.integers(min_value=-29 * 86400, max_value=23 * 3600),
    st.integers(min_value=-40 * 86400, max_value=3 * 86400),
).map(lambda seconds: NOW + dt.timedelta(seconds=seconds))


def words(**sizes: int) -> st.SearchStrategy[str]:
    """Mostly printable text, sometimes anything (NULs, control characters)."""
    printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), **sizes)
    return st.one_of(printable, printable, printable, st.text(**sizes))


plausible: dict[str, Any] = {
    "id": st.uuids().map(str) | st.sampled_from(["00000000-0000-4000-8000-000000000001"]),
    "type": st.sampled_from(EVENT_TYPES),
    "at": moments.map(iso),
    "query": words(max_size=205),
    "results": st.integers(min_value=-3, max_value=2**31 + 3),
    "facet": words(min_size=1, max_size=66),
    "value": words(min_size=1, max_size=202),
    "selected": st.booleans(),
    "sort": st.sampled_from(SORTS) | words(max_size=10),
    "sku": words(min_size=1, max_size=66),
    "path": words(min_size=1, max_size=30) | words(min_size=1990, max_size=2010),
    "referrer": words(max_size=30),
}
FIXED_IDS = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
             "00000000-0000-4000-8000-00000000000A"]


@st.composite
def near_valid_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of a random type, then up to two random changes (often still valid)."""
    kind = draw(st.sampled_from(EVENT_TYPES))
    body: dict[str, Any] = {
        "id": draw(st.uuids().map(str) | st.sampled_from(FIXED_IDS)),
        "type": kind,
        "at": draw(moments.map(iso)),
    }
    for name in EVENT_FIELDS[kind]:
        body[name] = draw(plausible[name])
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        name = draw(st.sampled_from(sorted(plausible)) | st.text(max_size=6))
        action = draw(st.sampled_from(["drop", "replace", "random"]))
        if action == "drop":
            body.pop(name, None)
        elif action == "replace" and name in plausible:
            body[name] = draw(plausible[name])
        else:
            body[name] = draw(json_values)
    return body


random_events = st.fixed_dictionaries(
    {},
    optional={name: strategy | json_values for name, strategy in plausible.items()},
)
well_formed = st.fixed_dictionaries({
    "v": st.just(1),
    "page": words(min_size=1, max_size=64),
    "events": st.lists(near_valid_events(), min_size=1, max_size=20),
})
random_envelopes = st.fixed_dictionaries(
    {
        "v": st.just(1) | json_values,
        "page": st.text(min_size=1, max_size=66) | json_values,
        "events": st.lists(st.one_of(near_valid_events(), random_events, json_values),
                           max_size=52) | json_values,
    },
    optional={"extra": json_values},
)
bodies = st.one_of(well_formed, well_formed, random_envelopes, json_values)


def assert_every_row_valid(engine) -> None:
    for row in stored_events(engine):
        assert UUID.fullmatch(row["id"]), row
        assert row["type"] in EVENT_TYPES
        assert isinstance(row["page_id"], str) and 1 <= len(row["page_id"]) <= 64
        assert re.fullmatch(r"[0-9a-f]{32}", row["visitor"])
        assert isinstance(row["is_bot"], bool)
        received = row["received_at"].replace(tzinfo=dt.UTC)
        client = row["client_at"].replace(tzinfo=dt.UTC)
        assert received - dt.timedelta(days=30) <= client <= received + dt.timedelta(days=1)
        spec = EVENT_FIELDS[row["type"]]
        for name in OPTIONAL:
            value = row[name]
            if name not in spec:
                assert value is None, (row, name)
                continue
            required = spec[name][0]
            assert value is not None or not required, (row, name)
            if isinstance(value, str):
                assert len(value) <= LIMITS.get(name, 32) and "\x00" not in value
        if row["results"] is not None:
            assert 0 <= row["results"] < 2**31
        if row["type"] == "sort":
            assert row["sort"] in SORTS
        if row["type"] == "filter":
            assert isinstance(row["selected"], bool)


def check_answer(status: int, payload: bytes, sent: Any) -> None:
    assert status in (202, 400, 413), (status, payload)
    answer = json.loads(payload)
    if status == 202:
        assert isinstance(sent, dict)
        note(f"202, accepted {'some' if answer['accepted'] else 'none'}")
        total = answer["accepted"] + answer["duplicates"] + len(answer["rejected"])
        assert total == len(sent["events"])
        assert [r["index"] for r in answer["rejected"]] == sorted(
            r["index"] for r in answer["rejected"])
    else:
        note(f"{status}")
        assert answer["error"]


@SETTINGS
@given(body=bodies, ascii_only=st.booleans())
def test_random_json_bodies(engine, body, ascii_only):
    raw = json.dumps(body, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    status, _, payload = handle_http("POST", {"user-agent": "Mozilla/5.0"}, raw, CLIENT_IP,
                                     engine=engine, now=NOW)
    check_answer(status, payload, body)
    assert_every_row_valid(engine)


@SETTINGS
@given(raw=st.binary(max_size=300) | st.binary(min_size=16300, max_size=16500),
       agent=st.text(max_size=50), ip=st.text(max_size=40))
def test_random_bytes(engine, raw, agent, ip):
    status, _, payload = handle_http("POST", {"User-Agent": agent}, raw, ip, engine=engine,
                                     now=NOW)
    assert status in (202, 400, 413)
    assert json.loads(payload)
    assert_every_row_valid(engine)
