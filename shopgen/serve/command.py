"""`shopgen serve`: build, serve the build and the beacon endpoint (preview.py), rebuild on
change (watch.py), until Ctrl+C or SIGTERM, and then leave no folder behind."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from shopgen.build import build_site
from shopgen.catalog import load_shop
from shopgen.serve.live_reload import LiveReload
from shopgen.serve.preview import Echo, PreviewServer, make_server
from shopgen.serve.snapshots import BuildSnapshots
from shopgen.serve.watch import watch_and_rebuild


def serve_site(site_dir: Path, out_dir: Path, *, port: int, database: str, echo: Echo,
               host: str = "127.0.0.1", debug: bool = False) -> None:
    """Check the database and the port, build, then serve until interrupted."""
    from shopgen.database import database_errors, safe_url, upgrade_tracker_database
    from tracker.storage import make_engine

    shop = load_shop(site_dir)
    upgrade_tracker_database(database)
    with database_errors(database):
        engine = make_engine(database)
    live = LiveReload()
    with _sigterm_as_interrupt():  # from the first build on: cut short, it leaves a folder
        try:
            with make_server(out_dir, port, shop.tracker_endpoint, engine, host=host,
                             report=echo, debug=debug) as server:
                build_site(site_dir, out_dir, echo=echo)
                with _kept_builds(server, out_dir) as snapshots:
                    server.live = live

                    def rebuilt() -> None:
                        snapshots.take()
                        live.built()

                    with _rebuilding(site_dir, out_dir, echo, rebuilt, live.failed, debug):
                        echo(f"Serving {out_dir} on {_address(server)} (events to "
                             f"{shop.tracker_endpoint}, stored in {safe_url(database)}). "
                             "Ctrl+C stops.")
                        server.serve_forever()
        except KeyboardInterrupt:
            echo("Stopped.")
        finally:
            live.close()
            engine.dispose()


def _address(server: PreviewServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


@contextmanager
def _kept_builds(server: PreviewServer, out_dir: Path) -> Iterator[BuildSnapshots]:
    """The builds a page loaded before a rebuild still asks files of, from the one in
    ``out_dir`` on; deleted at the end."""
    snapshots = server.snapshots = BuildSnapshots(out_dir)
    try:
        snapshots.take()
        yield snapshots
    finally:
        snapshots.close()


@contextmanager
def _rebuilding(site_dir: Path, out_dir: Path, echo: Echo, rebuilt: Callable[[], None],
                failed: Callable[[str], None], debug: bool) -> Iterator[None]:
    """Rebuild on every change made once the block has begun. At its end a rebuild under way
    finishes (and keeps its build) before anything is cleaned up: cut short, it leaves folders
    behind."""
    stop, watching = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_and_rebuild, daemon=True,
                               args=(site_dir, out_dir, stop, echo),
                               kwargs={"rebuilt": rebuilt, "failed": failed,
                                       "watching": watching, "debug": debug})
    watcher.start()
    try:
        watching.wait()
        yield
    finally:
        stop.set()
        watcher.join()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the server like Ctrl+C does, so the kept builds are cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
