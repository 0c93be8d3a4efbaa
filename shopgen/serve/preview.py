"""The preview server of `shopgen serve`: build/ and the beacon endpoint on one port.

It is the standard library's threaded server, hardened for a preview that a phone
on the same network may use (``--host``): a listen backlog for bursts of beacons, a timeout per
connection, no client address in the terminal, a styled 404, and a page from the previous
build keeps its hashed assets while and after a rebuild swaps a new build in
(`shopgen.serve.snapshots`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import io
import os
import posixpath
import socket
import socketserver
import sys
import time
import traceback
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from shopgen.errors import ShopgenError
from shopgen.serve.beacon_http import (
    REQUEST_TIMEOUT,
    answer_beacon_request,
    answer_health_request,
    is_health_path,
    send_answer,
)
from shopgen.serve.compression import CompressedBodies, HashedFiles, choose_encoding, file_headers
from shopgen.serve.live_reload import (
    EVENTS_PATH,
    SCRIPT,
    SCRIPT_PATH,
    LiveReload,
    with_live_script,
)
from shopgen.serve.snapshots import BuildSnapshots

Echo = Callable[..., None]
STATIC_METHODS = "GET, HEAD"
SWAP_RETRIES = 5  # tries more when a file vanished because a rebuild swapped the build folder


class PreviewServer(ThreadingHTTPServer):
    """Serves one build folder and the beacon endpoint; see the module's docstring."""

    daemon_threads = True
    # The default (5) resets most of a burst of 100 concurrent beacons; the kernel caps this at
    # net.core.somaxconn.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, out_dir: Path,
                 tracker_path: str, engine: Engine | None, *, report: Echo,
                 request_timeout: float = REQUEST_TIMEOUT, debug: bool = False):
        self.address_family = family
        self.out_dir = out_dir
        self.tracker_path = tracker_path
        self.engine = engine
        self.snapshots: BuildSnapshots | None = None
        self.live: LiveReload | None = None  # set: pages reload after each rebuild
        self.hashed = HashedFiles(out_dir)  # immutable-cached, as publish stores them
        self.compressed = CompressedBodies()
        self.request_timeout = request_timeout
        self.debug = debug
        self.report = report
        super().__init__(address, partial(PreviewHandler, directory=str(out_dir)))

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (reverse DNS): slow or hanging
        # without a network, and only used in a header nobody reads.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        """Say what went wrong, without the client's address (the default prints it)."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the client went away or stalled: nothing to fix here
        self.report(f"Error: unexpected {type(error).__name__} while answering a request: "
                    f"{error}", err=True)
        if self.debug:
            traceback.print_exc()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files from the build (falling back to the kept builds), plus the beacon."""

    server: PreviewServer
    server_version = "shopgen-serve"
    disable_nagle_algorithm = True  # headers and body are two writes (see beacon_http)

    def setup(self) -> None:
        # A client that sends half a request, or never reads the answer, can't hold a thread.
        self.timeout = self.server.request_timeout
        super().setup()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        live, path = self.server.live, self.path.split("?", 1)[0]
        if is_health_path(self.path):
            answer_health_request(self, self.server.engine)  # as the Lambda answers it
        elif self._is_beacon():
            answer_beacon_request(self, self.server.engine)  # 405 with Allow, as the Lambda
        elif live is not None and path == EVENTS_PATH:
            live.stream(self)
        elif live is not None and path == SCRIPT_PATH:
            send_answer(self, HTTPStatus.OK, {"Content-Type": "text/javascript; charset=utf-8"},
                        SCRIPT)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if is_health_path(self.path):
            answer_health_request(self, self.server.engine)
        elif self._is_beacon():
            answer_beacon_request(self, self.server.engine)
        else:
            super().do_HEAD()

    def _other_method(self) -> None:
        if is_health_path(self.path):
            answer_health_request(self, self.server.engine)  # 405 with Allow: GET, HEAD
            return
        if self._is_beacon():
            answer_beacon_request(self, self.server.engine)
            return
        self.close_connection = True  # its body, if any, is not read
        send_answer(self, HTTPStatus.METHOD_NOT_ALLOWED,
                    {"Allow": STATIC_METHODS, "Content-Type": "text/plain; charset=utf-8"},
                    b"Method not allowed\n")

    do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = _other_method

    def _is_beacon(self) -> bool:
        return self.path.split("?", 1)[0] == self.server.tracker_path

    def translate_path(self, path: str) -> str:
        """The file in the build, else in a kept build: hashed assets and images always, any
        file while a rebuild is swapping the build folder."""
        local = super().translate_path(path)
        snapshots = self.server.snapshots
        if snapshots is None or os.path.exists(local):
            return local
        relative = os.path.relpath(local, self.directory)
        found = snapshots.find(relative, any_file=not os.path.isdir(self.directory))
        if found is None:
            return local
        return found + "/" if local.endswith("/") else found

    def send_head(self):  # noqa: ANN201 - http.server's signature
        """A build file with publish's headers, compressed as the CDN would (`compression`);
        a page carries the live-reload script. Folders without their slash and missing files
        are left to SimpleHTTPRequestHandler (redirect, styled 404); an impossible file name
        is a 404, not a crash."""
        for attempt in range(SWAP_RETRIES + 1):
            try:
                found = self._build_file()
                if found is None and os.path.isdir(self.directory):
                    return super().send_head()
            except ValueError:  # e.g. %00 in the path: open() refuses it
                self.send_error(HTTPStatus.NOT_FOUND)
                return None
            if found is not None:
                try:
                    return self._send_build_file(*found)
                except FileNotFoundError:
                    pass  # swapped away between finding and opening it: look again
            if attempt < SWAP_RETRIES:
                time.sleep(0.01)  # a rebuild is swapping the build folder: a few ms
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _build_file(self) -> tuple[str, str] | None:
        """(file on disk, its name in the build as publish names it), or None."""
        url_path = unquote(urlsplit(self.path).path)
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not url_path.endswith("/"):
                return None
            path = os.path.join(path, "index.html")
            url_path += "index.html"
        if not os.path.isfile(path):
            return None
        return path, posixpath.normpath(url_path).lstrip("/")

    def _send_build_file(self, path: str, relative: str) -> io.BytesIO | None:
        try:
            with open(path, "rb") as file:
                stat = os.fstat(file.fileno())
                body = file.read()
        except FileNotFoundError:
            raise  # (send_head looks again: a rebuild swapped the folder meanwhile)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        live = self.server.live is not None and relative.endswith(".html")
        if live:
            body = with_live_script(body)
        content_type, cache_control, stored, on_the_fly = file_headers(
            relative, len(body), self.server.hashed)
        headers = {"Content-Type": content_type, "Cache-Control": cache_control,
                   "Last-Modified": self.date_time_string(int(stat.st_mtime))}
        if on_the_fly:
            headers["Vary"] = "Accept-Encoding"
        if self._not_modified(stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                if name != "Content-Type":
                    self.send_header(name, value)
            self.end_headers()
            return None
        encoding = stored or (choose_encoding(self.headers.get("Accept-Encoding"))
                              if on_the_fly else None)
        if encoding is not None:
            key = (path, stat.st_mtime_ns, stat.st_size, live)
            body = self.server.compressed.get(key, body, encoding)
            headers["Content-Encoding"] = encoding
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _not_modified(self, mtime: float) -> bool:
        """Whether the request's If-Modified-Since covers the file (as http.server judges it;
        If-None-Match, which the preview never answers with, disables it)."""
        since = self.headers.get("If-Modified-Since")
        if since is None or "If-None-Match" in self.headers:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, IndexError, OverflowError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return int(mtime) <= when.timestamp()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No folder listings: a folder without index.html is not a page."""
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """The build's own 404.html for a missing page; http.server's plain errors otherwise."""
        page = self._not_found_page() if code == HTTPStatus.NOT_FOUND else None
        if page is None:
            super().send_error(code, message, explain)
            return
        self.close_connection = True
        send_answer(self, HTTPStatus.NOT_FOUND, {"Content-Type": "text/html; charset=utf-8"},
                    page)

    def _not_found_page(self) -> bytes | None:
        if self.command not in ("GET", "HEAD"):
            return None
        try:
            return Path(self.translate_path("/404.html")).read_bytes()
        except OSError:
            return None

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "cache-control":
            self._cache_control_sent = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        # Build files carry publish's Cache-Control; anything else the preview answers (its
        # 404 page, redirects, the live-reload script) is never cached; the tracker's answers
        # carry its own headers, as the Lambda sends them.
        if (not getattr(self, "_cache_control_sent", False) and not self._is_beacon()
                and not is_health_path(self.path)):
            self.send_header("Cache-Control", "no-store")
        self._cache_control_sent = False
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: http.server's log lines start with the client's IP address."""


def make_server(out_dir: Path, port: int, tracker_path: str, engine: Engine | None, *,
                host: str = "127.0.0.1", report: Echo = print,
                request_timeout: float = REQUEST_TIMEOUT, debug: bool = False) -> PreviewServer:
    """A preview server bound to ``host:port`` (port 0 picks a free one), or a ShopgenError
    saying why it cannot listen there."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise ShopgenError(f"cannot listen on {host}: {error.strerror}") from None
    try:
        return PreviewServer((host, port), family, Path(out_dir), tracker_path, engine,
                             report=report, request_timeout=request_timeout, debug=debug)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ShopgenError(f"port {port} is in use (try --port)") from None
        raise ShopgenError(f"cannot listen on {host} port {port} "
                           f"({error.strerror or error})") from None
