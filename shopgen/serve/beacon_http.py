"""A small threaded HTTP server for the beacon endpoint (benchmarks, fault tests, local use).

``answer_beacon_request`` turns one ``http.server`` request into a ``handle_http`` call, so any
``BaseHTTPRequestHandler`` (``shopgen serve``'s too) can answer ``POST /api/events`` with it.

    TRACKER_DATABASE_URL=sqlite:///t.db python -m shopgen.serve.beacon_http --port 8001 --upgrade
"""

from __future__ import annotations

import argparse
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import Engine

from tracker.handler import handle_http
from tracker.migrate import upgrade_database
from tracker.storage import make_engine
from tracker.validation import MAX_BODY_BYTES

EVENTS_PATH = "/api/events"


def answer_beacon_request(request: BaseHTTPRequestHandler, engine: Engine | None = None) -> None:
    """Read the request's body, answer it with ``handle_http``, write the response."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = -1
    if length > MAX_BODY_BYTES:
        # Read just enough for handle_http to answer 413; the rest is never read, so the
        # connection can't be reused.
        body = request.rfile.read(MAX_BODY_BYTES + 1)
        request.close_connection = True
    elif length < 0:
        body = b""
        request.close_connection = True
    else:
        body = request.rfile.read(length)
    status, headers, payload = handle_http(request.command, dict(request.headers.items()), body,
                                           request.client_address[0], engine=engine)
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
    server: BeaconServer

    def _dispatch(self) -> None:
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
