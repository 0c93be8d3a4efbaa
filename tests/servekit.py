"""Run `shopgen serve` for real, as a subprocess on a free port of 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ServeProcess:
    """A running `shopgen serve`: its base URL and every line it printed so far."""

    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        """What the server printed (stdout and stderr) up to now."""
        return "".join(self.lines)


@contextlib.contextmanager
def serve_process(site: Path, database_url: str, *args: str, timeout: float = 120,
                  until: str = "Serving ") -> Iterator[ServeProcess]:
    """Start `shopgen serve --port 0 ARGS…` on `site`; yield it once it printed a line holding
    ``until`` (by default: once it serves); stop it (SIGTERM) afterwards.

    After the block, ``lines`` holds everything it printed, up to its exit.
    """
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "shopgen.cli", "serve", "--site", str(site), "--port", "0",
         *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    started = threading.Event()
    reader = threading.Thread(target=_read_lines, args=(process, lines, started, until),
                              daemon=True)
    reader.start()
    try:
        started.wait(timeout)
        assert any(until in line for line in lines), \
            f"shopgen serve printed no {until!r}:\n" + "".join(lines)
        match = re.search(r"on (http://127\.0\.0\.1:\d+/)", "".join(lines))
        yield ServeProcess(match.group(1) if match else "", lines)
    finally:
        process.terminate()
        try:  # (a rebuild under way finishes first: seconds on a loaded machine)
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()  # (no server outlives its test)
            process.wait()
            raise
        finally:
            reader.join(timeout=10)


def _read_lines(process: subprocess.Popen, lines: list[str], started: threading.Event,
                until: str) -> None:
    for line in process.stdout:
        lines.append(line)
        if until in line:
            started.set()
    started.set()  # it exited before serving


@contextlib.contextmanager
def shopgen_serve(site: Path, database_url: str, timeout: float = 120) -> Iterator[str]:
    """Start `shopgen serve --port 0` on `site`; yield its base URL; stop it afterwards."""
    with serve_process(site, database_url, timeout=timeout) as served:
        yield served.url


def wait_until(condition, seconds: float = 30, step: float = 0.2) -> bool:
    """Poll ``condition()`` until it is true or ``seconds`` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


@contextlib.contextmanager
def in_thread(server) -> Iterator[None]:
    """Run an http.server `server` in a daemon thread for the block; shut it down after."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
