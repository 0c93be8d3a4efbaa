"""Storing validated events: one transaction, ids already stored are skipped, not doubled."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from tracker import session_days
from tracker.database_secret import configured_database_url
from tracker.models import events_table
from tracker.sessions import assign_sessions, remember_sessions
from tracker.sources import classify
from tracker.validation import ValidEvent

OPTIONAL_COLUMNS = ("query", "results", "facet", "value", "selected", "sort", "sku", "path",
                    "referrer", "channel", "source", "campaign")


@dataclass(frozen=True)
class RequestFacts:
    """What the server knows about the request the events came in."""

    page_id: str
    visitor: str
    is_bot: bool
    received_at: dt.datetime


def event_rows(events: Sequence[ValidEvent], facts: RequestFacts) -> list[dict[str, Any]]:
    """The rows to insert for ``events`` (every column present, so one multi-row INSERT works)."""
    rows = []
    for item in events:
        row: dict[str, Any] = dict.fromkeys(OPTIONAL_COLUMNS)
        row.update(item.fields)
        if item.type == "pageview":  # classified once, here, so reports need no URL parsing
            source = classify(row["path"], row["referrer"])
            row.update(channel=source.channel, source=source.source, campaign=source.campaign)
        row.update(
            id=item.id,
            type=item.type,
            page_id=facts.page_id,
            visitor=facts.visitor,
            is_bot=facts.is_bot,
            client_at=item.at,
            received_at=facts.received_at,
        )
        rows.append(row)
    return rows


# SQLite: one cached statement run with executemany (SQLAlchemy's "insertmanyvalues" sends a
# single multi-row INSERT ... RETURNING), so nothing is compiled per request.
_SQLITE_INSERT = (sqlite.insert(events_table).on_conflict_do_nothing(index_elements=["id"])
                  .returning(events_table.c.id))

# PostgreSQL: one statement whose text never changes, whatever the batch: the rows arrive as
# one JSON array of objects, which json_to_recordset turns back into typed rows; the rows that
# were new (RETURNING) are added to their sessions' `session_days` rows in the same statement.
# psycopg prepares it on the server from its fifth use on a connection, so a request costs
# one round trip, no SQL parsing, and one json.dumps to send. (A multi-row VALUES list is new
# text for each batch size, and parsing it cost more than the insert; one array per column
# costs psycopg more to send than the JSON.)
_COLUMN_TYPES = {"id": "text", "type": "text", "page_id": "text", "visitor": "text",
                 "is_bot": "boolean", "client_at": "timestamptz", "received_at": "timestamptz",
                 "query": "text", "results": "integer", "facet": "text", "value": "text",
                 "selected": "boolean", "sort": "text", "sku": "text", "path": "text",
                 "referrer": "text", "channel": "text", "source": "text", "campaign": "text",
                 "session_id": "text", "session_start": "boolean"}
_POSTGRESQL_INSERT = (
    f"WITH new AS (INSERT INTO events ({', '.join(_COLUMN_TYPES)}) "
    f"SELECT {', '.join(_COLUMN_TYPES)} FROM json_to_recordset(%(rows)s::json) AS row("
    f"{', '.join(f'{name} {kind}' for name, kind in _COLUMN_TYPES.items())}) "
    "ON CONFLICT (id) DO NOTHING RETURNING *), "
    f"totals AS ({session_days.UPSERT.format(totals=session_days.totals('new', 'postgresql'))}) "
    "SELECT count(*) FROM new"
)


def _insert_postgresql(connection: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` with `_POSTGRESQL_INSERT`; the number of rows that were new."""
    iso: dict[dt.datetime, str] = {}  # a request's rows share their receive time
    batch = [{name: (iso.get(value) or iso.setdefault(value, value.isoformat()))
              if isinstance(value, dt.datetime) else value
              for name in _COLUMN_TYPES for value in (row.get(name),)} for row in rows]
    # Text is sent as UTF-8 (validation keeps NUL and lone surrogates out of every field).
    text = json.dumps(batch, ensure_ascii=False)
    return connection.exec_driver_sql(_POSTGRESQL_INSERT, {"rows": text}).scalar_one()


def insert_new_events(engine: Engine, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows``, skipping ids already stored; commit; return how many were new.

    Each row gets its session first (`tracker.sessions.assign_sessions`: one indexed look-up
    of the visitor's latest event, unless this process stored it in the last 30 minutes); the
    new rows are added to their sessions' `session_days` rows in the same transaction.

    Returns only after the commit, so a caller may acknowledge the events once it returns.
    """
    if not rows:
        return 0
    for attempt in (1, 2):
        try:
            if engine.dialect.name == "postgresql":
                # One statement in autocommit: committed when execute returns, and one round
                # trip instead of BEGIN, INSERT, COMMIT.
                with engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                    assign_sessions(connection, rows)
                    stored = _insert_postgresql(connection, rows)
                    remember_sessions(connection, rows)
                    return stored
            with _writer_lock(engine), engine.begin() as connection:
                assign_sessions(connection, rows)
                new = connection.execute(_SQLITE_INSERT, rows).scalars().all()
                session_days.add_new_events_sqlite(connection, list(new))
                stored = len(new)
            remember_sessions(connection, rows)  # committed: the with block has ended
            return stored
        except DBAPIError as error:
            # A connection the database closed while this Lambda container was frozen: retry
            # once on a fresh one (safe: ids already stored are skipped).
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("unreachable")


_sqlite_writer_locks: dict[int, threading.Lock] = {}


def _writer_lock(engine: Engine) -> threading.Lock | contextlib.nullcontext:
    """SQLite has one writer at a time; threads of this process queue on a lock, in order,
    rather than in SQLite's busy handler, which sleeps in growing steps (a p99 of seconds)."""
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _engine_lock:
        return _sqlite_writer_locks.setdefault(id(engine.pool), threading.Lock())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets report queries read while the beacon writes; synchronous stays FULL (the
    # default) so a committed, acknowledged event survives even a power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# psycopg (3) is the PostgreSQL driver the tracker ships; SQLAlchemy's default for a bare
# postgresql:// is psycopg2, and postgres:// (Heroku, many hosting panels) is no dialect at all.
_POSTGRESQL_SCHEMES = ("postgres://", "postgresql://")
POSTGRESQL_DRIVER_SCHEME = "postgresql+psycopg://"


def normalise_database_url(url: str) -> str:
    """``url`` with ``postgres://`` and ``postgresql://`` read as ``postgresql+psycopg://``."""
    url = url.strip()
    for scheme in _POSTGRESQL_SCHEMES:
        if url.lower().startswith(scheme):
            return POSTGRESQL_DRIVER_SCHEME + url[len(scheme):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for the tracker: recycled connections (Lambda freezes them), SQLite in WAL."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping (a round trip per request): a stale connection is retried instead.
    return create_engine(url, pool_size=10, max_overflow=5, pool_recycle=600)


_engine: Engine | None = None
_engine_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine of this process (one per Lambda container), made on first use from
    TRACKER_DATABASE_URL or the database secret, and reused across invocations."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = make_engine(configured_database_url())
    return _engine
