"""Benchmark `shopgen report` on millions of synthetic events in PostgreSQL.

Creates a fresh database `report_bench_<hex>` on 127.0.0.1:5432, migrates it, generates the
events in SQL (one INSERT … SELECT over generate_series, see `generate_sql`: 40 days of visits,
each a session with an entry pageview from a referrer or utm_* tags, then searches, views,
filters, sorts and calls; ~5 % bots; the report covers the last 30 days), builds the indexes,
fills session_days as ingest would, runs VACUUM ANALYZE as autovacuum would, then times the
whole report (every section, JSON format) a few times and prints each section's time and the
CPU seconds it needed (wall times depend on the machine's load, CPU seconds much less). The
database is dropped at the end unless --keep.

    .venv/bin/python benchmarks/report.py [--events 1000000] [--runs 3] [--keep | --reuse NAME]
                                          [--sqlite]

Target: the whole report (sessions and sources included) in <= 2 s over 1,000,000 events and
<= 15 s over 10,000,000, on 2 cores. What makes it possible: the tracker cuts sessions and
classifies traffic sources when it stores events (tracker/sessions.py, tracker/sources.py) and
adds each session up per UTC day (`session_days`, tracker/session_days.py), so the sessions
section reads one row per session (the events only for the partial UTC days at the window's
edges); the other sections read their event type from its own covering partial index (an
index-only scan: tracker/models.py, REPORT_INDEXES) instead of every page of the table.
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
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text

from shopgen.report import build_report, report_document
from shopgen.report.catalog import ReportCatalog
from shopgen.report.formats import render_report
from shopgen.report.queries import Window, collect_report
from tracker import session_days
from tracker.migrate import upgrade_database
from tracker.models import events_table
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


def _uniform(key: str, salt: int) -> str:
    """SQL: a uniform number in [0, 1) drawn from the integer expression ``key`` (a hash, so
    the events are the same on every run and nothing is materialised to keep them stable)."""
    return f"((hashint8extended(({key})::bigint, {salt}) & 4294967295)::float8 / 4294967296.0)"


def _pick(draw: str, weights: list[int]) -> str:
    """SQL: the index (0-based) of a choice with ``weights``, for a uniform ``draw``."""
    total, cumulative, branches = sum(weights), 0, []
    for index, weight in enumerate(weights[:-1]):
        cumulative += weight
        branches.append(f"WHEN {draw} < {cumulative / total!r} THEN {index}")
    return f"(CASE {' '.join(branches)} ELSE {len(weights) - 1} END)"


def _array(values) -> str:
    quoted = ", ".join("NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
                       for v in values)
    return f"(ARRAY[{quoted}]::text[])"


def _pareto_index(draw: str, alpha: float, size: int) -> str:
    """SQL: a 1-based index into ``size`` items, popular first (random.paretovariate)."""
    return f"least({size}, floor(power(1 - {draw}, {-1 / alpha!r})))::int"


MAX_EVENTS_PER_VISIT = 60  # at most 20 s apart: a visit lasts under 20 minutes
VISIT_SIZE = f"least({MAX_EVENTS_PER_VISIT}, 1 + floor(-ln(1 - {_uniform('v', 4)}) * 7))::int"


def generate_sql() -> str:
    """One INSERT … SELECT that makes the events of %(visits)s visits over DAYS_OF_DATA days
    ending on UNTIL, day after day (as the tracker would have stored them), %(count)s in all.

    Each visit is one session, cut as the tracker cuts them: a visitor hash (md5, like the
    tracker's 32 hex characters) is new every day and has one or two visits that day, one in
    the morning band (00:00–10:50 UTC) and one in the evening band (12:00–22:50), each under
    20 minutes, so two visits of a visitor are always more than 30 minutes apart. A visit is a
    pageview (its entry: referrer and utm_* tags from ENTRIES, classified as at ingest) and
    then searches, views, filters, sorts and calls (NEXT_TYPES), ~8 events on average; 5 % of
    visits are bots. Search terms and products are Pareto-distributed (a long tail)."""
    rng = random.Random(7)
    terms = [" ".join(rng.sample(WORDS, rng.choice((1, 1, 2, 2, 3)))) for _ in range(6000)]
    entries = [(path, referrer, classify(path, referrer)) for path, referrer, _ in ENTRIES]
    entry = _pick(_uniform("v", 5), [weight for _, _, weight in ENTRIES])
    types, weights = zip(*NEXT_TYPES, strict=True)
    kind = _pick(_uniform("key", 7), list(weights))
    facet = _pick(_uniform("key", 11), [1] * len(FACETS))
    facet_value = "CASE " + " ".join(
        f"WHEN {facet} = {index} THEN {_array(values)}[1 + floor({_uniform('key', 12)} * "
        f"{len(values)})::int]" for index, values in enumerate(FACETS.values())) + " END"
    first = dt.datetime.combine(UNTIL, dt.time()) - dt.timedelta(DAYS_OF_DATA - 1)
    return f"""
INSERT INTO events ({', '.join(COLUMNS)}, session_id, session_start)
SELECT md5(key::text)::uuid::text, kind, page_id, visitor, is_bot, at, at,
       CASE WHEN kind = 'search' THEN {_array(terms)}[{_pareto_index(_uniform('key', 8), 1.1,
                                                                     len(terms))}] END,
       CASE WHEN kind = 'search' THEN CASE WHEN {_uniform('key', 9)} < 0.1 THEN 0
                                          ELSE 1 + floor({_uniform('key', 10)} * 79)::int END
            WHEN kind = 'filter' THEN floor({_uniform('key', 10)} * 200)::int END,
       CASE WHEN kind = 'filter' THEN {_array(FACETS)}[1 + {facet}] END,
       CASE WHEN kind = 'filter' THEN {facet_value} END,
       CASE WHEN kind = 'filter' THEN {_uniform('key', 13)} < 0.8 END,
       CASE WHEN kind = 'sort' THEN
           {_array(SORTS)}[1 + floor({_uniform('key', 14)} * {len(SORTS)})::int] END,
       CASE WHEN kind IN ('view', 'call') THEN
           'SK-' || lpad(({_pareto_index(_uniform('key', 15), 1.2, 2000)} - 1)::text, 5, '0') END,
       CASE WHEN kind = 'pageview' THEN {_array(e[0] for e in entries)}[1 + entry] END,
       CASE WHEN kind = 'pageview' THEN {_array(e[1] for e in entries)}[1 + entry] END,
       CASE WHEN kind = 'pageview' THEN {_array(e[2].channel for e in entries)}[1 + entry] END,
       CASE WHEN kind = 'pageview' THEN {_array(e[2].source for e in entries)}[1 + entry] END,
       CASE WHEN kind = 'pageview' THEN {_array(e[2].campaign for e in entries)}[1 + entry] END,
       visitor || '-' || to_char(began AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'), n = 0
FROM (
    SELECT visit.*, n, visit.v * 64 + n AS key,
           began + n * step AS at,
           CASE WHEN n = 0 THEN 'pageview'
                ELSE {_array(types)}[1 + {kind.replace('key', '(visit.v * 64 + n)')}] END AS kind
    FROM (
        SELECT v, day, md5(day || ':' || (v - first_of_day) * 3 / 4) AS visitor,
               md5('page:' || v) AS page_id, {_uniform('v', 3)} < 0.05 AS is_bot,
               {VISIT_SIZE} AS size, {entry} AS entry,
               (3 + floor({_uniform('v', 6)} * 17)) * INTERVAL '1 second' AS step,
               TIMESTAMPTZ '{first:%Y-%m-%d} 00:00:00+00' + day * INTERVAL '1 day'
                 + (mod(v - first_of_day, 2) * 12 + floor({_uniform('v', 1)} * 10))
                   * INTERVAL '1 hour'
                 + date_trunc('milliseconds', {_uniform('v', 2)} * INTERVAL '30 minutes') AS began
        FROM (
            SELECT v, v * {DAYS_OF_DATA} / %(visits)s AS day,
                   ((v * {DAYS_OF_DATA} / %(visits)s) * %(visits)s + {DAYS_OF_DATA} - 1)
                     / {DAYS_OF_DATA} AS first_of_day
            FROM generate_series(0::bigint, %(visits)s - 1) AS v
        ) AS numbered
    ) AS visit
    CROSS JOIN LATERAL generate_series(0, visit.size - 1) AS n
) AS event
LIMIT %(count)s
"""


VISITS_FOR = f"""
SELECT min(v) + 1 FROM (
    SELECT v, sum({VISIT_SIZE}) OVER (ORDER BY v) AS made
    FROM generate_series(0::bigint, %(count)s) AS v
) AS running WHERE made >= %(count)s
"""


def load(url_psycopg: str, count: int) -> float:
    """Generate `count` events in the database (one INSERT … SELECT, the events table's
    indexes built afterwards, session_days filled from them, then VACUUM ANALYZE as
    autovacuum would); return the seconds."""
    started = time.perf_counter()
    with psycopg.connect(url_psycopg, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        visits = conn.execute(VISITS_FOR, {"count": count}).fetchone()[0]
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' "
            "AND indexname <> 'events_pkey'").fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("ALTER TABLE events DROP CONSTRAINT events_pkey")
        conn.execute(generate_sql(), {"visits": visits, "count": count})
        print(f"  generated {count:,} events in {visits:,} visits "
              f"({time.perf_counter() - started:.1f} s)")
        conn.execute("ALTER TABLE events ADD PRIMARY KEY (id)")
        for _, definition in indexes:
            conn.execute(definition)
    # The tracker adds each stored event to its session's row of session_days; here it is
    # done for all of them at once.
    engine = create_engine(url_psycopg.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        session_days.rebuild(connection)
    engine.dispose()
    with psycopg.connect(url_psycopg, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE events")
        conn.execute("VACUUM ANALYZE session_days")
    return time.perf_counter() - started


def copy_to_sqlite(url_psycopg: str, path: Path) -> float:
    """Copy the PostgreSQL database's events into a fresh SQLite file; return the seconds."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = create_engine(url)
    names = [*COLUMNS, "session_id", "session_start"]
    with psycopg.connect(url_psycopg) as source, engine.begin() as conn:
        cursor = source.cursor(name="events")  # server side: streamed, not all in memory
        cursor.execute(f"SELECT {', '.join(names)} FROM events")
        while batch := cursor.fetchmany(50_000):
            conn.execute(events_table.insert(), [dict(zip(names, row, strict=True))
                                                 for row in batch])
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def run_sqlite(url_psycopg: str, runs: int) -> None:
    """The same report over the same events on a SQLite file (what `shopgen serve` uses)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.sqlite3"
        print(f"SQLite: copied the events in {copy_to_sqlite(url_psycopg, path):.1f} s")
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


def print_what_makes_it_fast(url_psycopg: str) -> None:
    """The pre-aggregated rows and the report's indexes, as the database holds them."""
    with psycopg.connect(url_psycopg) as conn:
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        sessions = conn.execute("SELECT count(*) FROM session_days").fetchone()[0]
        indexes = conn.execute(
            "SELECT indexname, pg_size_pretty(pg_relation_size(indexname::regclass)) "
            "FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname").fetchall()
    print(f"pre-aggregated: session_days, {sessions:,} rows for {events:,} events (kept at "
          "ingest; the sessions section reads it for whole UTC days)")
    print("indexes on events: " + ", ".join(f"{name} ({size})" for name, size in indexes))


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
    name = args.reuse or f"report_bench_{secrets.token_hex(4)}"
    admin = create_engine(f"postgresql+psycopg://{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://{SERVER}/{name}"
    try:
        upgrade_database(url)
        if args.reuse:  # a newer migration may have added to it: statistics, as autovacuum
            with psycopg.connect(f"postgresql://{SERVER}/{name}", autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE session_days")
        else:
            seconds = load(f"postgresql://{SERVER}/{name}", args.events)
            print(f"loaded {args.events:,} events (generated in SQL, indexed, VACUUM ANALYZE) "
                  f"in {seconds:.1f} s")
        if args.sqlite:
            run_sqlite(f"postgresql://{SERVER}/{name}", args.runs)
        window = Window(UNTIL - dt.timedelta(days=29), UNTIL)
        print_what_makes_it_fast(f"postgresql://{SERVER}/{name}")
        target = "2 s" if args.events <= 1_000_000 else "15 s" if args.events <= 10_000_000 else "?"
        print(f"target: the whole report in <= {target} over {args.events:,} events")
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
