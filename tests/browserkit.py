"""How tests start Chromium (Debian's binary, never a downloaded browser) and test servers."""

import contextlib
import socketserver
import threading
from collections.abc import Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def running(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """Serve `server` from a background thread; shut it down and close it afterwards."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
