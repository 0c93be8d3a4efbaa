"""Beacon load benchmark: accepted events/s and p50/p99 latency of POST /api/events on loopback.

For each database (PostgreSQL, then SQLite) a fresh database is made, the server is started
against it (`shopgen serve --site catalog_data`, or with --self-server the tracker's own
ThreadingHTTPServer, `python -m shopgen.serve.beacon_http`), and a bounded load of batches of 10
events (a pageview with a referrer and utm_* tags, classified at ingest, then searches, filters,
views and calls; each batch also looks up its visitor's session) is sent by a fixed number of
client threads (keep-alive http.client connections). Each visitor (a user agent of its own)
sends --per-visitor batches, so the first batch of each visitor looks its session up in the
database and the next ones find it in the server's memory. Target: >= 3,000 accepted
events/s. As the reference, the same number of rows is inserted with SQLAlchemy executemany,
both in one transaction and one transaction per 10 rows (what the endpoint does per request).

The machine's load changes events/s; the CPU the server process and the database's backends
spend per event does not (much): both are printed, from /proc (the server runs here).

    .venv/bin/python benchmarks/beacon.py [--self-server] [--requests 2000] [--clients 8]
                                          [--per-visitor 3]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

from tracker.migrate import upgrade_database
from tracker.models import events_table
from tracker.storage import RequestFacts, event_rows, make_engine
from tracker.validation import ValidEvent

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
BATCH = 10


@contextlib.contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new, migrated database of ``kind``; dropped (or deleted) afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="beacon-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'tracker.sqlite3'}"
            upgrade_database(url)
            yield url
        return
    name = f"tracker_bench_{secrets.token_hex(6)}"
    admin = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{POSTGRES_SERVER}/{name}"
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(url: str, self_server: bool, site: Path) -> Iterator[tuple[int, int]]:
    """Start the server under test against ``url``; yield its port and process id; kill it
    afterwards."""
    port = _free_port()
    env = dict(os.environ, TRACKER_DATABASE_URL=url)
    with tempfile.TemporaryDirectory(prefix="beacon-bench-out-") as out:
        if self_server:
            command = [sys.executable, "-m", "shopgen.serve.beacon_http", "--port", str(port)]
        else:
            command = [str(Path(sys.executable).with_name("shopgen")), "serve", "--site",
                       str(site), "--port", str(port), "--out", out]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120  # `shopgen serve` builds the site first
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"server exited: {process.stderr.read().decode()[-2000:]}")
                with contextlib.suppress(OSError), socket.create_connection(
                        ("127.0.0.1", port), timeout=0.2):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start listening")
                time.sleep(0.1)
            yield port, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _body(page: str) -> bytes:
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = []
    for index in range(BATCH):
        kind = ("pageview", "search", "filter", "view", "call")[index % 5]
        fields = {
            # Classified at ingest (channel, source, campaign), and a session look-up per batch.
            "pageview": {"path": "/?q=tent&utm_source=google&utm_medium=cpc&utm_campaign=spring",
                         "referrer": "https://www.google.com/search"},
            "search": {"query": "red shoes", "results": 12},
            "filter": {"facet": "brand", "value": "acme", "selected": True, "results": 40},
            "view": {"sku": "TS-1001"},
            "call": {"sku": "TS-1001"},
            "sort": {"sort": "price-asc"},
        }[kind]
        events.append({"id": str(uuid.uuid4()), "type": kind, "at": at, **fields})
    return json.dumps({"v": 1, "page": page, "events": events}).encode()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(url: str) -> float:
    """CPU seconds used so far by every PostgreSQL backend connected to ``url``'s database
    (0 for SQLite: it runs inside the server process)."""
    if not url.startswith("postgresql"):
        return 0.0
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalars().all()
    finally:
        engine.dispose()
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def run_load(port: int, requests: int, clients: int,
             per_visitor: int = 3) -> dict[str, float]:
    """Send ``requests`` batches from ``clients`` threads, a new visitor (user agent) every
    ``per_visitor`` batches; return throughput and latencies."""
    latencies: list[float] = []
    accepted = 0
    errors = 0
    lock = threading.Lock()
    remaining = iter(range(requests))

    def client() -> None:
        nonlocal accepted, errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        mine_accepted = mine_errors = sent = 0
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            if sent % per_visitor == 0:
                page, agent = secrets.token_hex(8), f"{USER_AGENT} bench/{secrets.token_hex(4)}"
            sent += 1
            body = _body(page)
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/events", body,
                                   {"Content-Type": "text/plain", "User-Agent": agent})
                response = connection.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close" or \
                        response.version == 10:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                mine_errors += 1
                continue
            mine.append(time.perf_counter() - started)
            if response.status == 202:
                mine_accepted += json.loads(payload)["accepted"]
            else:
                mine_errors += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            accepted += mine_accepted
            errors += mine_errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "events_per_s": accepted / elapsed,
        "accepted": accepted,
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "seconds": elapsed,
    }


def executemany_reference(url: str, rows: int) -> dict[str, float]:
    """Insert ``rows`` rows shaped like the endpoint's with plain SQLAlchemy executemany."""
    now = dt.datetime.now(dt.UTC)
    facts = RequestFacts(page_id="bench", visitor="0" * 32, is_bot=False, received_at=now)
    events = [ValidEvent(id=str(uuid.uuid4()), type="view", at=now, fields={"sku": "TS-1001"})
              for _ in range(rows * 2)]
    all_rows = event_rows(events, facts)
    one, per_batch = all_rows[:rows], all_rows[rows:]
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with engine.begin() as connection:
            connection.execute(insert(events_table), one)
        single = rows / (time.perf_counter() - started)
        started = time.perf_counter()
        for start in range(0, rows, BATCH):
            with engine.begin() as connection:
                connection.execute(insert(events_table), per_batch[start:start + BATCH])
        batched = rows / (time.perf_counter() - started)
    finally:
        engine.dispose()
    return {"one_transaction": single, "per_10_rows": batched}


def count_rows(url: str) -> int:
    """How many events the database holds."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(events_table)).scalar_one()
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one block of figures per database."""
    parser = argparse.ArgumentParser(description="Beacon endpoint load benchmark.")
    parser.add_argument("--self-server", action="store_true",
                        help="use python -m shopgen.serve.beacon_http instead of shopgen serve")
    parser.add_argument("--site", type=Path, default=ROOT / "catalog_data")
    parser.add_argument("--requests", type=int, default=2000, help="batches of 10 to send")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--per-visitor", type=int, default=3,
                        help="batches each visitor sends (its first looks up its session)")
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"],
                        choices=["postgresql", "sqlite"])
    options = parser.parse_args(argv)
    server = "shopgen.serve.beacon_http" if options.self_server else "shopgen serve"
    print(f"server: {server}; {options.requests} requests x {BATCH} events, "
          f"{options.clients} clients, {options.per_visitor} batches a visitor, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for kind in options.databases:
        with fresh_database(kind) as url:
            with running_server(url, options.self_server, options.site) as (port, pid):
                run_load(port, min(100, options.requests), options.clients,
                         options.per_visitor)  # warm-up
                server_cpu, database_cpu = cpu_seconds(pid), backend_cpu_seconds(url)
                result = run_load(port, options.requests, options.clients, options.per_visitor)
                server_cpu = cpu_seconds(pid) - server_cpu
                database_cpu = backend_cpu_seconds(url) - database_cpu
            stored = count_rows(url)
            reference = executemany_reference(url, result["accepted"] or 1000)
        print(f"\n{kind}:")
        print(f"  accepted events/s  {result['events_per_s']:10.0f}   "
              f"({result['accepted']} events in {result['seconds']:.2f} s, "
              f"{result['errors']} errors, {stored} rows stored)")
        print(f"  latency p50 / p99  {result['p50_ms']:7.2f} ms / {result['p99_ms']:.2f} ms")
        events = max(result["accepted"], 1)
        print(f"  CPU per event      {server_cpu / events * 1e6:7.0f} us server process"
              + (f" + {database_cpu / events * 1e6:.0f} us database backends"
                 if kind == "postgresql" else "")
              + f"   (load average {os.getloadavg()[0]:.1f})")
        print(f"  executemany rows/s {reference['one_transaction']:10.0f} (one transaction)"
              f"   {reference['per_10_rows']:.0f} (a transaction per 10 rows)")


if __name__ == "__main__":
    main()
