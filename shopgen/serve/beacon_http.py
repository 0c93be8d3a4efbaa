"""A small threaded HTTP server for the beacon endpoint (benchmarks, fault tests, local use).

``answer_beacon_request`` turns one ``http.server`` request into a ``handle_http`` call, so any
``BaseHTTPRequestHandler`` (``shopgen serve``'s too) can answer ``POST /api/events`` with it;
``answer_health_request`` answers ``GET /api/health`` with the tracker's ``handle_health``.

    TRACKER_DATABASE_URL=sqlite:///t.db python -m shopgen.serve.beacon_http --port 8001 --upgrade
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import BinaryIO

from sqlalchemy import Engine

from tracker.handler import HEALTH_PATH, handle_health, handle_http
from tracker.migrate import upgrade_database
from tracker.storage import make_engine
from tracker.validation import MAX_BODY_BYTES

EVENTS_PATH = "/api/events"


REQUEST_TIMEOUT = 10.0  # seconds a client may take to send its request (or read the answer)
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_MAX_LINE = 1024


class BodyError(Exception):
    """The request's body cannot be read as sent: answered with ``status`` and ``reason``."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def read_request_body(request: BaseHTTPRequestHandler) -> tuple[bytes, bool]:
    """The body (Content-Length or chunked) and whether all of it was read.

    At most ``MAX_BODY_BYTES + 1`` bytes are read: enough for ``handle_http`` to answer 413.
    """
    encoding = request.headers.get("Transfer-Encoding", "").strip().lower()
    if encoding == "chunked":
        return _read_chunked(request.rfile, MAX_BODY_BYTES + 1)
    if encoding:
        raise BodyError(501, f"Transfer-Encoding {encoding!r} is not supported; send chunked "
                             "or a Content-Length")
    text = (request.headers.get("Content-Length") or "0").strip()
    if not text.isdigit():
        raise BodyError(400, "Content-Length is not a number of bytes")
    length = int(text)
    if length > MAX_BODY_BYTES:
        return request.rfile.read(MAX_BODY_BYTES + 1), False
    return request.rfile.read(length), True


def _read_chunked(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    body = bytearray()
    while True:
        size_line = stream.readline(_MAX_LINE)
        size_text = size_line.split(b";", 1)[0].strip()  # a chunk extension is ignored
        if not size_line.endswith(b"\n") or not _CHUNK_SIZE.fullmatch(size_text):
            raise BodyError(400, "the chunked body is malformed")
        size = int(size_text, 16)
        if size == 0:
            _skip_trailers(stream)
            return bytes(body), True
        if len(body) + size > limit:
            body += stream.read(limit - len(body))
            return bytes(body), False
        chunk = stream.read(size)
        if len(chunk) < size or stream.readline(_MAX_LINE).strip():
            raise BodyError(400, "the chunked body is malformed")
        body += chunk


def _skip_trailers(stream: BinaryIO) -> None:
    for _ in range(100):
        line = stream.readline(_MAX_LINE)
        if not line.strip():
            return
    raise BodyError(400, "the chunked body has too many trailer fields")


def answer_beacon_request(request: BaseHTTPRequestHandler, engine: Engine | None = None) -> None:
    """Read the request's body, answer it with ``handle_http``, write the response."""
    try:
        body, complete = read_request_body(request) if request.command == "POST" else (
            b"", not _declares_body(request))
    except BodyError as error:
        request.close_connection = True  # where the next request starts is unknown
        payload = json.dumps({"error": str(error)}).encode()
        send_answer(request, error.status, {"Content-Type": "application/json",
                                            "Cache-Control": "no-store"}, payload)
        return
    if not complete:
        # The rest of the body is never read, so the connection can't be reused.
        request.close_connection = True
    status, headers, payload = handle_http(request.command, dict(request.headers.items()), body,
                                           request.client_address[0], engine=engine)
    send_answer(request, status, headers, payload)


def answer_health_request(request: BaseHTTPRequestHandler, engine: Engine | None = None) -> None:
    """Answer ``/api/health`` with the tracker's ``handle_health`` (a request body is not read,
    so the connection is closed after a request that declares one)."""
    if _declares_body(request):
        request.close_connection = True
    status, headers, payload = handle_health(request.command, engine=engine)
    send_answer(request, status, headers, payload)


def is_health_path(path: str) -> bool:
    """Whether the request path (query ignored) is the tracker's health check."""
    return path.split("?", 1)[0] == HEALTH_PATH


def _declares_body(request: BaseHTTPRequestHandler) -> bool:
    length = (request.headers.get("Content-Length") or "0").strip()
    return length != "0" or "Transfer-Encoding" in request.headers


def send_answer(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str],
                payload: bytes) -> None:
    """Write one response (status, headers, body) with its Content-Length."""
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(payload)))
    if request.close_connection:
        request.send_header("Connection", "close")
    request.end_headers()
    if payload and request.command != "HEAD":
        request.wfile.write(payload)


class BeaconServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer answering the beacon endpoint from one engine."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], engine: Engine, path: str = EVENTS_PATH):
        super().__init__(address, BeaconRequestHandler)
        self.engine = engine
        self.endpoint_path = path


class BeaconRequestHandler(BaseHTTPRequestHandler):
    """Routes every method on the endpoint path to the tracker; anything else is 404."""

    protocol_version = "HTTP/1.1"  # keep-alive, as browsers and load generators use it
    timeout = REQUEST_TIMEOUT  # a client that stops sending can't hold a thread forever
    # Headers and body go out in two writes: with Nagle's algorithm the body would wait for
    # the client's delayed ACK of the headers (40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True
    server: BeaconServer

    def _dispatch(self) -> None:
        if is_health_path(self.path):
            answer_health_request(self, self.server.engine)
            return
        if self.path.split("?", 1)[0] != self.server.endpoint_path:
            self.send_error(404)
            return
        answer_beacon_request(self, self.server.engine)

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _dispatch

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silence the default access log: it would print client IP addresses."""


def make_server(host: str, port: int, engine: Engine, path: str = EVENTS_PATH) -> BeaconServer:
    """A beacon server bound to ``host:port`` (port 0 picks a free one)."""
    return BeaconServer((host, port), engine, path)


def main(argv: list[str] | None = None) -> None:
    """Run the beacon server until interrupted; prints its URL once it listens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database-url", default=os.environ.get("TRACKER_DATABASE_URL"))
    parser.add_argument("--upgrade", action="store_true", help="run the migrations first")
    options = parser.parse_args(argv)
    if not options.database_url:
        parser.error("give --database-url or set TRACKER_DATABASE_URL")
    if options.upgrade:
        upgrade_database(options.database_url)
    server = make_server(options.host, options.port, make_engine(options.database_url))
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}{EVENTS_PATH}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
