"""`shopgen serve`: build, serve build/ and the beacon endpoint on 127.0.0.1, rebuild on change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import Engine

from shopgen.build import build_site
from shopgen.catalog import load_shop
from shopgen.errors import ShopgenError


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files from the build folder, plus POST to the tracker endpoint."""

    tracker_path = "/api/events"
    engine: Engine | None = None
    server_version = "shopgen-serve"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._beacon("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._beacon("OPTIONS")

    def _beacon(self, method: str) -> None:
        if self.path.split("?", 1)[0] != self.tracker_path:
            self.send_error(405 if method == "POST" else 404)
            return
        from shopgen.serve.beacon_http import answer_beacon_request

        answer_beacon_request(self, self.engine)

    def end_headers(self) -> None:
        # A preview must always show the latest build.
        if self.command == "GET":
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the build messages matter more in the terminal


def make_server(out_dir: Path, port: int, tracker_path: str, engine: Engine | None):
    """A threaded HTTP server on 127.0.0.1 (port 0 picks a free one)."""
    handler = type("BoundPreviewHandler", (PreviewHandler,),
                   {"tracker_path": tracker_path, "engine": engine})
    return ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(out_dir)))


def watch_and_rebuild(site_dir: Path, out_dir: Path, stop: threading.Event,
                      echo: Callable[..., None], interval: float = 1.0) -> None:
    """Rebuild whenever the catalog or theme changes; a broken catalog keeps the old build."""
    while not stop.wait(interval):
        try:
            result = build_site(site_dir, out_dir, echo=lambda *a, **k: None)
            if not result.skipped:
                echo(f"Rebuilt {result.products} products in {result.seconds:.2f} s.")
        except ShopgenError as error:
            echo(f"Error: {error.format_message()}\n(still serving the previous build)", err=True)


def serve_site(site_dir: Path, out_dir: Path, *, port: int, database: str,
               echo: Callable[..., None]) -> None:
    """Build, then serve until interrupted."""
    from tracker.migrate import upgrade_database
    from tracker.storage import make_engine

    build_site(site_dir, out_dir, echo=echo)
    shop = load_shop(site_dir)
    upgrade_database(database)
    engine = make_engine(database)
    server = make_server(out_dir, port, shop.tracker_endpoint, engine)
    stop = threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, args=(site_dir, out_dir, stop, echo),
                               daemon=True)
    watcher.start()
    host, bound_port = server.server_address[:2]
    echo(f"Serving {out_dir} on http://{host}:{bound_port}/ (events to {shop.tracker_endpoint},"
         f" stored in {engine.url.render_as_string(hide_password=True)}). Ctrl+C stops.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("Stopped.")
    finally:
        stop.set()
        server.server_close()
        engine.dispose()
