"""Import tests' helpers: a 127.0.0.1 image server (some pictures, some 404s, one that never
answers in time) and fixture files with its address filled in."""

from __future__ import annotations

import collections
import http.server
import io
import threading
import time
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SLOW_SECONDS = 3.0  # the /slow/ answers come after this; tests give the client less time
COLOURS = ["red", "navy", "black", "white", "yellow", "green", "orange", "grey"]


def png(name: str) -> bytes:
    """A small PNG whose colour depends on the name."""
    colour = COLOURS[sum(name.encode()) % len(COLOURS)]
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()


class ImageServer(http.server.ThreadingHTTPServer):
    """/ok/NAME.png: a picture · /missing/…: 404 · /slow/…: too late · /text/…: not a picture.
    `hits` counts the requests per path."""

    daemon_threads = True

    def __init__(self) -> None:
        self.hits: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ImageHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _ImageHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        with self.server.lock:
            self.server.hits[self.path] += 1
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)
        if self.path.startswith(("/ok/", "/slow/")):
            self._answer(200, png(self.path), "image/png")
        elif self.path.startswith("/text/"):
            self._answer(200, b"<html>not a picture</html>", "text/html")
        else:
            self._answer(404, b"not found", "text/plain")

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except ConnectionError:
            pass  # the client gave up waiting (the /slow/ case)


def fixture(name: str, folder: Path, images_url: str = "http://127.0.0.1:9") -> Path:
    """A copy of a fixture file in `folder` with {IMAGES} replaced by the image server's URL."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("{IMAGES}", images_url)
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
