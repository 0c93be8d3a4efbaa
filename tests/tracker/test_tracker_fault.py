"""Fault test: kill -9 the beacon server mid-load, restart it; every 202 must be in the database.

The server is `python -m shopgen.serve.beacon_http` (the ThreadingHTTPServer around handle_http), a
real subprocess; load comes from client threads resending a batch until it is acknowledged,
as a browser may.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from trackerkit import FIREFOX, encode, envelope, event, stored_events

from tracker.storage import make_engine

ROOT = Path(__file__).resolve().parents[2]


def start_server(database_url: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "shopgen.serve.beacon_http", "--port", "0", "--database-url",
         database_url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("listening on http://127.0.0.1:"), (line, process.stderr.read())
    port = int(line.rsplit(":", 1)[1].split("/", 1)[0])
    return process, port


class Load:
    """Client threads posting batches of 10 new events; a batch is resent until answered."""

    def __init__(self, port: int, threads: int = 4) -> None:
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acknowledged: set[str] = set()
        self.failures = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        connection = None
        while not self.stop.is_set():
            batch = [event("view", at=dt.datetime.now(dt.UTC)) for _ in range(10)]
            ids = {item["id"] for item in batch}
            with self.lock:
                self.sent |= ids
            body = encode(envelope(*batch))
            while not self.stop.is_set():
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                timeout=5)
                    connection.request("POST", "/api/events", body,
                                       {"Content-Type": "text/plain", "User-Agent": FIREFOX})
                    response = connection.getresponse()
                    answer = json.loads(response.read())
                except (OSError, http.client.HTTPException, ValueError):
                    with self.lock:
                        self.failures += 1
                    if connection is not None:
                        connection.close()
                    connection = None
                    time.sleep(0.01)
                    continue
                if response.status == 202:
                    assert answer["accepted"] + answer["duplicates"] == 10, answer
                    with self.lock:
                        self.acknowledged |= ids
                    break
        if connection is not None:
            connection.close()

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def test_kill_9_mid_load_loses_no_acknowledged_event(database_url):
    first, port = start_server(database_url)
    second = None
    load = Load(port)
    try:
        for thread in load.threads:
            thread.start()
        deadline = time.monotonic() + 30
        while load.count() < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert load.count() >= 300, "the server never took load"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = load.count()
        second, load.port = start_server(database_url)
        deadline = time.monotonic() + 30
        while load.count() < at_kill + 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        load.stop.set()
        for thread in load.threads:
            thread.join(timeout=10)
    finally:
        load.stop.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    assert load.count() >= at_kill + 300, "the restarted server never took load"
    assert load.failures > 0, "the kill did not interrupt any request"
    engine = make_engine(database_url)
    try:
        stored = [row["id"] for row in stored_events(engine)]
    finally:
        engine.dispose()
    assert len(stored) == len(set(stored))
    missing = load.acknowledged - set(stored)
    assert not missing, f"{len(missing)} acknowledged events lost"
    assert set(stored) <= load.sent
