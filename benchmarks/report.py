"""Benchmark `shopgen report` on one million synthetic events in PostgreSQL.

Creates a fresh database `report_bench_<hex>` on 127.0.0.1:5432, migrates it, loads the events
with COPY (40 days of activity, the report covers the last 30; ~5 % bots), runs VACUUM ANALYZE
as autovacuum would, then times the whole report (every section, JSON format) a few times and
prints each section's time. The database is dropped at the end unless --keep.

    .venv/bin/python benchmarks/report.py [--events 1000000] [--runs 3] [--keep | --reuse NAME]
                                          [--sqlite]

Target: the whole report (sessions and sources included) in <= 2 s over 1,000,000 events and
<= 15 s over 10,000,000, on 2 cores. What makes it possible: the tracker cuts sessions and
classifies traffic sources when it stores events (``session_id``, ``session_start``,
``channel``…: tracker/sessions.py, tracker/sources.py), so the report groups by session instead
of sorting every event by visitor and time; sessions and daily visitors come from one scan,
top products and the product funnel from another. The loader stands in for ingest: it COPYs
the events, then cuts their sessions in one SQL pass (`backfill_sessions`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

from shopgen.report import build_report, report_document
from shopgen.report.catalog import ReportCatalog
from shopgen.report.formats import render_report
from shopgen.report.queries import Window, collect_report
from tracker.migrate import upgrade_database
from tracker.models import events_table
from tracker.sessions import backfill_sessions
from tracker.sources import classify

SERVER = "postgres@127.0.0.1:5432"
UNTIL = dt.date(2026, 11, 24)
DAYS_OF_DATA = 40
COLUMNS = ("id", "type", "page_id", "visitor", "is_bot", "client_at", "received_at", "query",
           "results", "facet", "value", "selected", "sort", "sku", "path", "referrer", "channel",
           "source", "campaign")
WORDS = ("red blue black green navy grey jacket shoe shoes boot boots trail running rain "
         "waterproof fleece hat beanie gloves socks tent stove bag backpack rucksack flask "
         "mug lamp watch gps jumper hoodie trousers shorts shirt tee down insulated warm "
         "light kids women men wool cotton canvas").split()
FACETS = {"brand": [f"brand-{n}" for n in range(20)], "colour": WORDS[:6],
          "size": ["XS", "S", "M", "L", "XL", "38", "40", "42", "44", "46"],
          "category": [f"cat-{n}" for n in range(30)]}
SORTS = ("relevance", "price-asc", "price-desc", "name", "newest")
# Where visits come from: (path, referrer, weight), classified as the tracker does at ingest.
ENTRIES = (("/", None, 40), ("/", "https://www.google.com/", 25), ("/", "https://www.bing.com/", 4),
           ("/?utm_source=google&utm_medium=cpc&utm_campaign=spring", None, 8),
           ("/?utm_source=newsletter&utm_medium=email&utm_campaign=nov", None, 5),
           ("/", "https://l.facebook.com/l.php", 6), ("/", "https://blog.example.org/tents", 7),
           ("/?utm_campaign=flyer", None, 5))
# Event types after the visit's pageview, with weights (~8 events a visit on average).
NEXT_TYPES = (("search", 30), ("view", 30), ("filter", 16), ("sort", 6), ("call", 4))


def synthetic_events(count: int, seed: int = 7) -> Iterator[tuple]:
    """`count` events in visits of a pageview plus a few searches, views, filters, sorts and
    calls, spread over DAYS_OF_DATA days ending on UNTIL."""
    rng = random.Random(seed)
    terms = [" ".join(rng.sample(WORDS, rng.choice((1, 1, 2, 2, 3)))) for _ in range(6000)]
    skus = [f"SK-{n:05d}" for n in range(2000)]
    types, weights = zip(*NEXT_TYPES, strict=True)
    entries = [(path, referrer, classify(path, referrer)) for path, referrer, _ in ENTRIES]
    entry_weights = [weight for _, _, weight in ENTRIES]
    start = dt.datetime.combine(UNTIL, dt.time(), tzinfo=dt.UTC) - dt.timedelta(DAYS_OF_DATA - 1)
    made = 0
    while made < count:
        received = start + dt.timedelta(seconds=rng.randrange(DAYS_OF_DATA * 86400))
        page, visitor = uuid.uuid4().hex, f"{rng.randrange(4000):08x}{received:%Y%m%d}"
        is_bot = rng.random() < 0.05
        size = min(count - made, 1 + int(rng.expovariate(1 / 7)))
        for n in range(size):
            kind = "pageview" if n == 0 else rng.choices(types, weights)[0]
            at = received + dt.timedelta(seconds=n * 3)
            row = dict.fromkeys(COLUMNS[7:])
            if kind == "pageview":
                path, referrer, source = rng.choices(entries, entry_weights)[0]
                row.update(path=path, referrer=referrer, channel=source.channel,
                           source=source.source, campaign=source.campaign)
            elif kind == "search":
                term = terms[min(int(rng.paretovariate(1.1)) - 1, len(terms) - 1)]
                row.update(query=term, results=0 if rng.random() < 0.1 else rng.randrange(1, 80))
            elif kind == "filter":
                facet = rng.choice(list(FACETS))
                row.update(facet=facet, value=rng.choice(FACETS[facet]),
                           selected=rng.random() < 0.8, results=rng.randrange(0, 200))
            elif kind == "sort":
                row.update(sort=rng.choice(SORTS))
            else:
                row.update(sku=skus[min(int(rng.paretovariate(1.2)) - 1, len(skus) - 1)])
            yield (str(uuid.uuid4()), kind, page, visitor, is_bot, at, at, *row.values())
        made += size


def load(url_psycopg: str, count: int) -> float:
    """COPY `count` events into the events table; return the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(url_psycopg) as conn:
        with conn.cursor() as cur:
            with cur.copy(f"COPY events ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in synthetic_events(count):
                    copy.write_row(row)
        conn.commit()
    # What the tracker stores per event at ingest: its session (cut here in one SQL pass).
    engine = create_engine(url_psycopg.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        backfill_sessions(connection)
    engine.dispose()
    with psycopg.connect(url_psycopg, autocommit=True) as conn:
        # FULL: the backfill rewrote every row; the tracker writes each row once, so the
        # table it leaves has no such dead rows.
        conn.execute("VACUUM FULL ANALYZE events")
    return time.perf_counter() - started


def load_sqlite(path: Path, count: int) -> float:
    """Insert `count` events into a fresh SQLite file (executemany in batches of 50,000)."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = create_engine(url)
    batch: list[dict] = []
    with engine.begin() as conn:
        for row in synthetic_events(count):
            batch.append(dict(zip(COLUMNS, row, strict=True)))
            if len(batch) == 50_000:
                conn.execute(events_table.insert(), batch)
                batch.clear()
        if batch:
            conn.execute(events_table.insert(), batch)
        backfill_sessions(conn)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def run_sqlite(count: int, runs: int) -> None:
    """The same report on a SQLite file (the database `shopgen serve` uses by default)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.sqlite3"
        print(f"SQLite: loaded {count:,} events in {load_sqlite(path, count):.1f} s")
        window = Window(UNTIL - dt.timedelta(days=29), UNTIL)
        print_runs("whole report on SQLite", [time_report(f"sqlite:///{path}", window, False)
                                              for _ in range(runs)])


def _backend_cpu(conn) -> float:
    """CPU seconds the PostgreSQL backend of ``conn`` has used (it runs on this machine)."""
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU_SECONDS: list[float] = []  # per sequential run: server + client CPU seconds


def time_report(url: str, window: Window, sequential: bool) -> tuple[float, dict[str, float], int]:
    """Seconds for the whole JSON report, each section's seconds, and the output's size.

    Sequential runs also record the CPU seconds spent (database backend + this process) in
    CPU_SECONDS: on a machine shared with other work, wall times vary with the load, the CPU
    a report needs does not."""
    started = time.perf_counter()
    if sequential:  # one connection, one section after the other (for comparison)
        engine = create_engine(url)
        client_cpu = time.process_time()
        with engine.connect() as conn:
            server_cpu = _backend_cpu(conn)
            data = collect_report(conn, window)
            server_cpu = _backend_cpu(conn) - server_cpu
        engine.dispose()
        output = render_report(report_document(data, ReportCatalog()), "json")
        CPU_SECONDS.append(server_cpu + time.process_time() - client_cpu)
        return time.perf_counter() - started, data.timings, len(output)
    else:  # what `shopgen report` does
        data = build_report(url, window, ReportCatalog())
    output = render_report(report_document(data, ReportCatalog()), "json")
    return time.perf_counter() - started, data.timings, len(output)


def print_runs(label: str, runs: list[tuple[float, dict[str, float], int]]) -> None:
    """The whole report's times, then each section's median."""
    totals = [total for total, _, _ in runs]
    print(f"{label} (all sections, JSON, {runs[-1][2]:,} bytes): best {min(totals):.3f} s, "
          f"median {statistics.median(totals):.3f} s, first {totals[0]:.3f} s over "
          f"{len(runs)} runs")
    for section in runs[-1][1]:
        times = [timings[section] for _, timings, _ in runs]
        print(f"  {section:<20} median {statistics.median(times):.3f} s")


def main() -> None:
    """Load the events, time the report, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", metavar="NAME",
                        help="Time the report on a database kept by --keep (no load).")
    parser.add_argument("--sqlite", action="store_true",
                        help="Also time the report on a SQLite file holding the same events.")
    args = parser.parse_args()
    if args.sqlite:
        run_sqlite(args.events, args.runs)
    name = args.reuse or f"report_bench_{secrets.token_hex(4)}"
    admin = create_engine(f"postgresql+psycopg://{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://{SERVER}/{name}"
    try:
        upgrade_database(url)
        if not args.reuse:
            seconds = load(f"postgresql://{SERVER}/{name}", args.events)
            print(f"loaded {args.events:,} events with COPY, sessions, VACUUM FULL ANALYZE in "
                  f"{seconds:.1f} s")
        window = Window(UNTIL - dt.timedelta(days=29), UNTIL)
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the runs")
        print_runs("whole report, shopgen report (3 connections, one snapshot)",
                   [time_report(url, window, False) for _ in range(args.runs)])
        print_runs("whole report, sequential on one connection",
                   [time_report(url, window, True) for _ in range(args.runs)])
        print(f"CPU seconds of the whole report (database + client, sequential runs): best "
              f"{min(CPU_SECONDS):.3f} s, median {statistics.median(CPU_SECONDS):.3f} s; with "
              f"{os.cpu_count()} idle cores and 3 connections the report takes about half that")
        print(f"load average {os.getloadavg()[0]:.1f} after the runs")
        if args.keep or args.reuse:
            print(f"kept database {name}")
    finally:
        if not (args.keep or args.reuse):
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
