"""Run `shopgen serve` for real, as a subprocess on a free port of 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def shopgen_serve(site: Path, database_url: str, timeout: float = 120) -> Iterator[str]:
    """Start `shopgen serve --port 0` on `site`; yield its base URL; stop it afterwards."""
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "shopgen.cli", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline, output = time.monotonic() + timeout, []
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output.append(line)
            if match := re.search(r"on (http://127\.0\.0\.1:\d+/)", line):
                url = match.group(1)
        assert url, "shopgen serve did not start:\n" + "".join(output)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
