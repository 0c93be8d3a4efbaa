"""Live reload for `shopgen serve`: the preview's pages get a small script (never the build's
files) that listens to server-sent events and reloads when a rebuild finishes, or shows the
catalog's problems over the page until they are fixed. Standard library only.
"""

from __future__ import annotations

import json
import re
import threading
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

EVENTS_PATH = "/__shopgen/live"
SCRIPT_PATH = "/__shopgen/live.js"
SCRIPT = (Path(__file__).with_name("live.js")).read_bytes()
TAG = f'<script src="{SCRIPT_PATH}" defer></script>'.encode()
KEEPALIVE_SECONDS = 15.0  # a comment line now and then keeps proxies from closing the stream
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


class LiveReload:
    """What the open pages are told: each finished build, and the catalog's problems."""

    def __init__(self) -> None:
        self.build = 0
        self.problems: str | None = None
        self.closed = False
        self._changed = threading.Condition()

    def built(self) -> None:
        """A new build is in place: every open page reloads."""
        with self._changed:
            self.build += 1
            self.problems = None
            self._changed.notify_all()

    def failed(self, problems: str) -> None:
        """The catalog has problems: every open page shows them (once per new text)."""
        with self._changed:
            if problems != self.problems:
                self.problems = problems
                self._changed.notify_all()

    def _moved_on(self, state: tuple[int, str | None]) -> bool:
        return self.closed or (self.build, self.problems) != state

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer an EventSource request: hello, then each change, until the client leaves or
        the server stops."""
        handler.close_connection = True
        handler.send_response(HTTPStatus.OK)
        handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        with self._changed:
            state = (self.build, self.problems)
        try:
            _send(handler, "hello", {"build": state[0], "problems": state[1]})
            while True:
                with self._changed:
                    self._changed.wait_for(partial(self._moved_on, state),
                                           timeout=KEEPALIVE_SECONDS)
                    if self.closed:
                        return
                    now = (self.build, self.problems)
                if now == state:
                    handler.wfile.write(b": keepalive\n\n")
                elif now[0] != state[0]:
                    _send(handler, "reload", {"build": now[0]})
                elif now[1]:
                    _send(handler, "problems", {"problems": now[1]})
                handler.wfile.flush()
                state = now
        except (ConnectionError, TimeoutError):
            return  # the page was closed or reloaded


def _send(handler: BaseHTTPRequestHandler, event: str, data: dict) -> None:
    handler.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
    handler.wfile.flush()


def with_live_script(html: bytes) -> bytes:
    """`html` with the live-reload script before </body> (at the end when it has none)."""
    # The last </body>: an earlier one could sit in a comment or a script's text.
    ends = [match.start() for match in _BODY_END.finditer(html)]
    if not ends:
        return html + TAG
    return html[:ends[-1]] + TAG + html[ends[-1]:]
