"""The test server of a built shop: static files, and the beacons it receives kept in memory."""

from __future__ import annotations

import functools
import http.server
import json
import sys
from pathlib import Path


class ShopServer(http.server.ThreadingHTTPServer):
    """Serves a built site; POSTs to the tracker endpoint are kept in `events`, and each
    answer's path and status in `sent`."""

    daemon_threads = True

    def __init__(self, root: Path):
        self.events: list[dict] = []
        self.sent: list[tuple[str, int]] = []
        handler = functools.partial(_Handler, directory=str(root))
        super().__init__(("127.0.0.1", 0), handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing a connection mid-answer (a page closed while loading) is normal."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.sent.append((self.path, code))
        super().send_response(code, message)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/api/events"):
            self.server.events.extend(json.loads(body)["events"])
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
