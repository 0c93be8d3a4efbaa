"""The benchmarks' web server: `shopgen serve`'s own (shopgen/serve/preview.py), so a page is
measured as customers get it: publish's Content-Type and Cache-Control, text compressed with
brotli or gzip as the browser asks (as CloudFront does), and beacons answered by the tracker
(stored in a throwaway SQLite database). On 127.0.0.1; stops when the `with` block ends.

Usage: with preview(build_dir) as url: ...   (url: "http://127.0.0.1:PORT/")
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from shopgen.serve.compression import choose_encoding, compress, file_headers
from shopgen.serve.preview import make_server
from tracker.migrate import upgrade_database
from tracker.storage import make_engine

CHROMIUM_ACCEPTS = "gzip, deflate, br, zstd"  # Chromium's Accept-Encoding over http://


@contextlib.contextmanager
def preview(root: Path, tracker_path: str = "/api/events") -> Iterator[str]:
    """Serve the build folder `root`; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="bench-events-") as events:
        database = f"sqlite:///{Path(events) / 'events.sqlite3'}"
        upgrade_database(database)
        engine = make_engine(database)
        server = make_server(Path(root), 0, tracker_path, engine, report=lambda *a, **k: None)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/"
        finally:
            server.shutdown()
            server.server_close()
            engine.dispose()


def sent_bytes(relative: str, data: bytes) -> int:
    """How many body bytes the preview sends Chromium for build file `relative` (content
    `data`): compressed by the server's own rules and functions, else the file as it is."""
    _, _, stored, on_the_fly = file_headers(relative, len(data), frozenset())
    encoding = stored or (choose_encoding(CHROMIUM_ACCEPTS) if on_the_fly else None)
    return len(compress(data, encoding)) if encoding else len(data)
