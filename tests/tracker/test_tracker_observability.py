"""The tracker's logs and metrics, read back from what it printed.

Metrics are CloudWatch embedded metric format (EMF) documents on stdout, parsed here as
CloudWatch would; the log line is Powertools' JSON. Each test gets its own Powertools service
name: Powertools keeps one logging.Logger per service name for the life of the process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from trackerkit import (
    CLIENT_IP,
    FIREFOX,
    NOW,
    api_gateway_v2_event,
    encode,
    envelope,
    event,
    new_id,
)

import tracker.handler
from tracker.handler import handle_http
from tracker.observability import NAMESPACE, REJECT_REASONS, Telemetry, reject_reason
from tracker.storage import make_engine

HEADERS = {"User-Agent": FIREFOX, "Content-Type": "text/plain"}


def telemetry(*, metrics: bool = False) -> tuple[Telemetry, io.StringIO]:
    """A Telemetry writing its log lines to a buffer (metrics, when on, go to stdout)."""
    stream = io.StringIO()
    service = f"tracker-test-{uuid.uuid4().hex[:8]}"
    return Telemetry(service=service, metrics=metrics, level="INFO", stream=stream), stream


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def emf_documents(printed: str) -> list[dict[str, Any]]:
    """Every EMF document in ``printed``: JSON lines with an ``_aws`` key."""
    documents = []
    for line in printed.splitlines():
        if line.startswith("{"):
            document = json.loads(line)
            if "_aws" in document:
                documents.append(document)
    return documents


def value(document: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF document (Powertools writes a list of one value)."""
    found = document[name]
    if isinstance(found, list):
        (found,) = found
    return found


def values(document: dict[str, Any], *names: str) -> tuple[float, ...]:
    return tuple(value(document, name) for name in names)


def dimensions(document: dict[str, Any]) -> list[list[str]]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    return directive["Dimensions"]


def test_one_log_line_per_request_with_counts_and_a_correlation_id(engine) -> None:
    observe, stream = telemetry()
    body = encode(envelope(event("view"), {"bad": 1}, event("view")))
    handle_http("POST", HEADERS, body, CLIENT_IP, engine=engine, telemetry=observe)
    handle_http("POST", HEADERS, b"nope", CLIENT_IP, engine=engine, telemetry=observe)
    handle_http("GET", HEADERS, b"", CLIENT_IP, engine=engine, telemetry=observe,
                correlation_id="given-id")
    first, second, third = log_lines(stream)
    assert (first["status"], first["accepted"], first["duplicates"], first["rejected"]) == (
        202, 2, 0, 1)
    assert first["level"] == "INFO" and first["message"] == "request"
    assert first["service"] == observe.service and first["route"] == "events"
    assert isinstance(first["duration_ms"], float | int)
    assert first["request_bytes"] == len(body) and first["commit_ms"] > 0
    assert (second["status"], third["status"]) == (400, 405)
    assert third["correlation_id"] == "given-id"
    assert len({first["correlation_id"], second["correlation_id"], "given-id"}) == 3


def test_metrics_count_accepted_duplicates_and_rejects_by_reason(engine, capsys) -> None:
    observe, _stream = telemetry(metrics=True)
    seen_before = event("view")
    handle_http("POST", HEADERS, encode(envelope(seen_before)), CLIENT_IP, engine=engine,
                now=NOW, telemetry=observe)
    capsys.readouterr()
    again = event("search")
    # 2 new, 1 repeated in the batch, 1 stored before, 3 rejected (on at, sort and type).
    batch = [event("view"), again, dict(again), seen_before,
             {**event("view"), "at": "yesterday"}, event("sort", sort="cheapest"),
             {"id": new_id(), "type": "nope", "at": "x"}]
    body = encode(envelope(*batch))
    status, _headers, _payload = handle_http("POST", HEADERS, body, CLIENT_IP, engine=engine,
                                             now=NOW, telemetry=observe)
    assert status == 202
    documents = emf_documents(capsys.readouterr().out)
    main = next(d for d in documents if "EventsAccepted" in d)
    assert main["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE
    assert dimensions(main) == [["service"]] and main["service"] == observe.service
    assert values(main, "EventsAccepted", "EventsDuplicate", "EventsRejected") == (2, 2, 3)
    assert value(main, "RequestBytes") == len(body)
    assert value(main, "DatabaseCommitLatency") > 0
    assert values(main, "Responses4xx", "Responses5xx", "DatabaseErrors") == (0, 0, 0)
    by_reason = {d["reason"]: value(d, "EventsRejected") for d in documents if "reason" in d}
    assert by_reason == {"at": 1, "sort": 1, "type": 1}
    for document in documents:
        if "reason" in document:
            assert dimensions(document) == [["service", "reason"]]


def test_a_database_that_is_down_counts_as_a_5xx_and_a_database_error(tmp_path, capsys) -> None:
    observe, stream = telemetry(metrics=True)
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite3'}")
    status, _headers, _payload = handle_http("POST", HEADERS, encode(envelope(event("view"))),
                                             CLIENT_IP, engine=engine, now=NOW,
                                             telemetry=observe)
    assert status == 503
    (main,) = emf_documents(capsys.readouterr().out)
    assert values(main, "Responses5xx", "DatabaseErrors", "EventsAccepted") == (1, 1, 0)
    (line,) = log_lines(stream)
    assert line["level"] == "ERROR" and line["error"] == "OperationalError"


def test_a_malformed_request_counts_as_a_4xx(engine, capsys) -> None:
    observe, _stream = telemetry(metrics=True)
    handle_http("POST", HEADERS, b"{not json", CLIENT_IP, engine=engine, telemetry=observe)
    (main,) = emf_documents(capsys.readouterr().out)
    assert values(main, "Responses4xx", "Responses5xx") == (1, 0)
    assert "EventsAccepted" not in main or value(main, "EventsAccepted") == 0
    assert value(main, "RequestBytes") == len(b"{not json")


def test_lambda_requests_carry_api_gateways_request_id(engine, database_url, monkeypatch,
                                                        capsys) -> None:
    observe, stream = telemetry(metrics=True)
    monkeypatch.setattr(tracker.handler, "TELEMETRY", observe)
    monkeypatch.setattr(tracker.storage, "_engine", engine)
    response = tracker.handler.handler(api_gateway_v2_event(encode(envelope(event("call")))))
    assert response["statusCode"] == 202
    (line,) = log_lines(stream)
    assert line["correlation_id"] == "Bd3kXhl5DoEEJ4g="  # the event's requestContext.requestId
    (main,) = [d for d in emf_documents(capsys.readouterr().out) if "EventsAccepted" in d]
    assert value(main, "EventsAccepted") == 1


HOSTILE_SECRETS = ("jane.doe@example.com", "+44 20 7946 0958", "198.51.100.77",
                   "HostileBrowser/9.9", "secret-page-id", "zz-token-9f8e7d")


def test_no_personal_data_in_logs_or_metrics_for_a_hostile_batch(engine, capsys) -> None:
    observe, stream = telemetry(metrics=True)
    email, phone, ip, agent, page, token = HOSTILE_SECRETS
    batch = [
        event("search", query=f"{email} {phone}"),
        event("search", query=email * 20),  # too long: rejected, its text must not leak
        event("pageview", path=f"/?q={email}&t={token}", referrer=f"https://x.test/?{token}"),
        {"id": new_id(), "type": "search", "at": "now", f"{token}": email},
        {"id": f"{email}", "type": f"{phone}", "at": f"{ip}"},
        f"{email} as a bare string",
    ]
    headers = {"User-Agent": agent, "X-Forwarded-For": ip, "Referer": f"https://x.test/{token}"}
    handle_http("POST", headers, encode(envelope(*batch, page=page)), ip, engine=engine,
                now=NOW, telemetry=observe)
    handle_http("POST", headers, f'{{"v":1,"page":"{email}"'.encode(), ip, engine=engine,
                now=NOW, telemetry=observe)
    printed = capsys.readouterr()
    everything = stream.getvalue() + printed.out + printed.err
    assert everything.strip()
    for secret in HOSTILE_SECRETS:
        assert secret not in everything
    reasons = {d["reason"] for d in emf_documents(printed.out) if "reason" in d}
    assert reasons and reasons <= REJECT_REASONS | {"other"}


@pytest.mark.parametrize(("message", "reason"), [
    ("at is more than 30 days in the past", "at"),
    ("id must be a UUID string; type must be one of search", "id"),
    ("unknown field(s) for search: whatever", "unknown"),
    ("event must be a JSON object", "event"),
    ("jane@example.com must be a string", "other"),
])
def test_reject_reasons_are_a_fixed_vocabulary(message: str, reason: str) -> None:
    assert reject_reason(message) == reason


def test_outside_lambda_metrics_and_tracing_are_off(monkeypatch, capsys, engine) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    observe = Telemetry.from_environment()
    assert not observe.metrics_on and not observe.tracing_on
    handle_http("POST", HEADERS, encode(envelope(event("view"))), CLIENT_IP, engine=engine,
                telemetry=observe)
    assert emf_documents(capsys.readouterr().out) == []


def test_in_lambda_metrics_are_on_and_tracing_follows_the_template(monkeypatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "shop-tracker")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"shop-tracker-{uuid.uuid4().hex[:8]}")
    observe = Telemetry.from_environment()
    assert observe.metrics_on and not observe.tracing_on
    assert observe.service == os.environ["POWERTOOLS_SERVICE_NAME"]


WITHOUT_POWERTOOLS = r"""
import json, sys
sys.modules["aws_lambda_powertools"] = None  # as in a plain `pip install shopgen`
from tracker.handler import handle_http
from tracker.observability import Telemetry
from tracker.storage import make_engine
telemetry = Telemetry(level="INFO", metrics=False)
engine = make_engine(sys.argv[1])
status, _, _ = handle_http("POST", {"User-Agent": "x"}, b"{}", "192.0.2.1", engine=engine,
                           telemetry=telemetry, correlation_id="abc")
print("status", status, file=sys.stderr)
"""


def test_without_powertools_the_same_log_line_is_written(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_POWERTOOLS,
                             f"sqlite:///{tmp_path / 'unused.sqlite3'}"],
                            capture_output=True, text=True, timeout=60, check=True)
    (line,) = [json.loads(text) for text in result.stdout.splitlines()]
    assert "status 400" in result.stderr
    assert (line["status"], line["correlation_id"], line["level"]) == (400, "abc", "INFO")
    assert {"accepted", "duplicates", "rejected", "duration_ms", "service"} <= set(line)


TRACED_INVOCATION = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from trackerkit import api_gateway_v2_event, encode, envelope, event
import tracker.handler
assert tracker.handler.TELEMETRY.tracing_on
body = encode(envelope(event("search", query="jane.doe@example.com")))
print(json.dumps(tracker.handler.handler(api_gateway_v2_event(body))["statusCode"]))
"""


def test_traces_hold_the_handler_and_the_database_commit(tmp_path: Path) -> None:
    """With tracing on (in Lambda, the template's TrackerTracing=Active), the X-Ray SDK sends
    subsegments to the daemon's UDP port: a socket of this test plays the daemon."""
    import socket

    from tracker.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'traced.sqlite3'}"
    upgrade_database(url)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(10)
        env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "shop-tracker",
               "LAMBDA_TASK_ROOT": str(tmp_path), "POWERTOOLS_TRACE_DISABLED": "false",
               "POWERTOOLS_SERVICE_NAME": "shop-tracker", "TRACKER_DATABASE_URL": url,
               "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
               "_X_AMZN_TRACE_ID": "Root=1-674301a0-1b2c3d4e5f60718293a4b5c6;"
                                   "Parent=53995c3f42cd8ad8;Sampled=1"}
        result = subprocess.run([sys.executable, "-c", TRACED_INVOCATION,
                                 str(Path(__file__).parent)], env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "202"
        datagrams = []
        daemon.settimeout(2)
        with contextlib.suppress(TimeoutError):
            while True:
                datagrams.append(daemon.recv(65536).decode())
    documents = [json.loads(d.split("\n", 1)[1]) for d in datagrams]
    names = {document["name"] for document in documents}
    assert "## database commit" in names
    assert any(name.startswith("## ") and "handler" in name for name in names)
    assert "jane.doe@example.com" not in "".join(datagrams)
    assert all(d["trace_id"] == "1-674301a0-1b2c3d4e5f60718293a4b5c6" for d in documents)
