"""The preview server's HTTP edges, on a real socket of 127.0.0.1: methods, chunked bodies,
slow clients, missing pages, and what it prints."""

from __future__ import annotations

import datetime as dt
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from servekit import in_thread

from shopgen.build import build_site
from shopgen.serve.preview import PreviewServer, make_server
from tracker.handler import ALLOW
from tracker.migrate import upgrade_database
from tracker.storage import make_engine

EVENTS = "/api/events"


@pytest.fixture
def preview(tiny_site: Path, tmp_path: Path) -> Iterator[tuple[PreviewServer, list[str]]]:
    """The tiny shop built and served in this process (short request timeout); yields the
    server and the lines it reported."""
    out = tmp_path / "build"
    build_site(tiny_site, out, echo=lambda *a, **k: None)
    database = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    upgrade_database(database)
    engine = make_engine(database)
    reported: list[str] = []
    server = make_server(out, 0, EVENTS, engine, request_timeout=0.5,
                         report=lambda message, **_: reported.append(message))
    try:
        with in_thread(server):
            yield server, reported
    finally:
        engine.dispose()


def exchange(server: PreviewServer, request: bytes, source: str = "127.0.0.1") -> bytes:
    """Send ``request`` raw, return everything the server answers until it closes."""
    with socket.create_connection(server.server_address[:2], timeout=10,
                                  source_address=(source, 0)) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def header(answer: bytes, name: str) -> str | None:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def body_of(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


def beacon_body(count: int = 1) -> bytes:
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = [{"id": str(uuid.uuid4()), "type": "view", "at": at, "sku": "AC-1"}
              for _ in range(count)]
    return json.dumps({"v": 1, "page": "page-1", "events": events}).encode()


def chunked(body: bytes, size: int = 100) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def stored_count(server: PreviewServer) -> int:
    with server.engine.connect() as connection:
        return connection.execute(sa.text("select count(*) from events")).scalar_one()


def test_get_on_the_beacon_path_is_405_with_allow_post(preview) -> None:
    server, _ = preview
    answer = exchange(server, b"GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(answer) == 405
    assert header(answer, "Allow") == ALLOW and "POST" in ALLOW  # as the Lambda answers


def test_health_check_is_answered_by_the_tracker(preview) -> None:
    server, _reported = preview
    answer = exchange(server, b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 200 and header(answer, "Cache-Control") == "no-store"
    assert json.loads(body_of(answer))["status"] == "ok"
    assert stored_count(server) == 0
    answer = exchange(server, b"POST /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                              b"Connection: close\r\n\r\n")
    assert status_of(answer) == 405 and header(answer, "Allow") == "GET, HEAD"


def test_chunked_beacon_body_is_accepted(preview) -> None:
    server, _ = preview
    request = (b"POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked(beacon_body(3)))
    answer = exchange(server, request)
    assert status_of(answer) == 202, answer
    assert json.loads(body_of(answer))["accepted"] == 3
    assert stored_count(server) == 3


def test_chunked_beacon_body_over_16_kib_is_413(preview) -> None:
    server, _ = preview
    request = (b"POST /api/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               + chunked(b"x" * 20_000, size=4096))
    answer = exchange(server, request)
    assert status_of(answer) == 413
    assert stored_count(server) == 0


def test_malformed_chunked_body_is_400(preview) -> None:
    server, _ = preview
    request = (b"POST /api/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"zz\r\nnot hex\r\n0\r\n\r\n")
    assert status_of(exchange(server, request)) == 400


def test_half_sent_request_times_out(preview) -> None:
    server, _ = preview
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(b"POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                           b"\r\n{\"v\": 1")
        # The server (0.5 s timeout) drops the connection; without a timeout this recv would
        # wait its full 10 s and raise.
        assert connection.recv(65536) == b""


def test_missing_page_gets_the_styled_404(preview) -> None:
    server, _ = preview
    answer = exchange(server, b"GET /no/such/page/ HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 404
    assert header(answer, "Content-Type") == "text/html; charset=utf-8"
    page = body_of(answer).decode()
    assert "Page not found" in page and "Tiny Test Shop" in page and "/assets/style-" in page


def test_folder_without_index_is_a_404_not_a_listing(preview) -> None:
    server, _ = preview
    answer = exchange(server, b"GET /assets/ HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 404 and b"Page not found" in body_of(answer)


def test_post_to_a_page_is_405_with_allow_get(preview) -> None:
    server, _ = preview
    answer = exchange(server, b"POST /index.html HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi")
    assert status_of(answer) == 405 and header(answer, "Allow") == "GET, HEAD"


def test_nul_byte_in_the_path_is_a_404_and_reports_nothing(preview) -> None:
    server, reported = preview
    answer = exchange(server, b"GET /%00 HTTP/1.0\r\n\r\n", source="127.0.0.2")
    assert status_of(answer) == 404
    assert reported == []


def test_client_address_never_reported(preview, capfd: pytest.CaptureFixture[str]) -> None:
    server, reported = preview
    requests = [b"GET /%00 HTTP/1.0\r\n\r\n", b"NONSENSE\r\n\r\n", b"GET / HTTP/1.0\r\n",
                b"BREW /coffee HTTP/1.0\r\n\r\n", b"GET /" + b"a" * 70_000 + b" HTTP/1.0\r\n\r\n"]
    for request in requests:
        exchange(server, request, source="127.0.0.2")
    printed = capfd.readouterr()
    assert "127.0.0.2" not in printed.out + printed.err + "".join(reported)


def test_host_names_the_address_listened_on(tmp_path: Path) -> None:
    server = make_server(tmp_path, 0, EVENTS, None, host="127.0.0.1")
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()
