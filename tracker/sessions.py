"""Sessions, cut when events are stored: one visitor's events with no gap over 30 minutes.

Each stored event carries ``session_id`` and ``session_start`` (true on the session's first
event). When a request's events come in, the visitor's latest stored event says whether they
continue its session (received at most 30 minutes later) or begin a new one, whose id is the
visitor hash and the receive time of its first event. A session also ends at midnight UTC,
when the visitor hash rotates; the rule holds whatever the visitor, so a session lies within
one UTC day (and one row of `session_days` per bot flag). Cutting sessions here, once, saves
every report from sorting all events by visitor and time (it groups by ``session_id``).

Two requests of one visitor that arrive at the same instant after a long pause may both begin
a session (two sessions where one was meant); a browser sends its batches one at a time, so
this is rare and only splits, never merges, sessions.

Each process remembers the session of the visitors it stored last (`RecentSessions`): when a
visitor's latest event seen here is at most 30 minutes old, the session continues whatever
other processes stored meanwhile (their events fall inside the same gap), so no look-up is
needed. Only a visitor unseen here, or seen over 30 minutes ago, costs a query.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
import weakref
from collections import OrderedDict, defaultdict
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.pool import Pool

from tracker.models import events_table

SESSION_GAP = dt.timedelta(minutes=30)


def new_session_id(visitor: str, started: dt.datetime) -> str:
    """The id of a session that ``visitor`` began at ``started`` (UTC)."""
    return f"{visitor}-{started.astimezone(dt.UTC):%Y%m%d%H%M%S%f}"


def _as_utc(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite may hand back the stored text
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _latest(connection: Connection, visitor: str) -> tuple[dt.datetime, str] | None:
    row = connection.execute(
        select(events_table.c.received_at, events_table.c.session_id)
        .where(events_table.c.visitor == visitor)
        .order_by(events_table.c.received_at.desc())
        .limit(1)
    ).first()
    if row is None or row.session_id is None:
        return None
    return _as_utc(row.received_at), row.session_id


class RecentSessions:
    """The latest (receive time, session id) of recently stored visitors, per database, in
    this process (at most `LIMIT` visitors per database; the oldest are forgotten first)."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, OrderedDict[str, tuple[dt.datetime, str]]] = {}

    def get(self, database: str, visitor: str) -> tuple[dt.datetime, str] | None:
        """The visitor's latest event seen here, or None."""
        with self._lock:
            return self._latest.get(database, OrderedDict()).get(visitor)

    def remember(self, database: str, rows: list[dict[str, Any]]) -> None:
        """Note the sessions of ``rows`` once they are stored."""
        with self._lock:
            known = self._latest.setdefault(database, OrderedDict())
            for row in rows:
                received = _as_utc(row["received_at"])
                current = known.get(row["visitor"])
                if current is None or received >= current[0]:
                    known[row["visitor"]] = (received, row["session_id"])
                    known.move_to_end(row["visitor"])
            while len(known) > self.LIMIT:
                known.popitem(last=False)

    def forget(self) -> None:
        """Forget everything (tests that empty the tables use this)."""
        with self._lock:
            self._latest.clear()


recent_sessions = RecentSessions()


_database_keys: weakref.WeakKeyDictionary[Pool, str] = weakref.WeakKeyDictionary()


def _database_key(connection: Connection) -> str:
    """A key per connection pool (so per engine and database) that a later pool never reuses,
    as it might reuse the id() of a pool that is gone."""
    pool = connection.engine.pool
    key = _database_keys.get(pool)
    if key is None:
        key = _database_keys.setdefault(pool, uuid.uuid4().hex)
    return key


def assign_sessions(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Set ``session_id`` and ``session_start`` on each row to insert (in place), continuing
    each visitor's latest session when the gap allows: known to this process, or looked up
    (index: visitor, received_at)."""
    by_visitor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_visitor[row["visitor"]].append(row)
    database = _database_key(connection)
    for visitor, own in by_visitor.items():
        first = min(_as_utc(row["received_at"]) for row in own)
        latest = recent_sessions.get(database, visitor)
        if latest is None or first - latest[0] > SESSION_GAP:
            latest = _latest(connection, visitor)
        last_at, session = latest if latest else (None, None)
        for row in sorted(own, key=lambda r: (r["received_at"], r["client_at"], r["id"])):
            received = _as_utc(row["received_at"])
            starts = (last_at is None or session is None or received - last_at > SESSION_GAP
                      or received.date() != last_at.date())
            if starts:
                session = new_session_id(visitor, received)
            row.update(session_id=session, session_start=starts)
            last_at = received if last_at is None else max(last_at, received)


# {gap}: true when an event comes more than 30 minutes after the visitor's previous one, or
# on another UTC day.
_GAP = {
    "postgresql": "(received_at - lag(received_at) OVER w > INTERVAL '30 minutes' OR "
                  "CAST(timezone('UTC', received_at) AS date) <> "
                  "CAST(timezone('UTC', lag(received_at) OVER w) AS date))",
    "sqlite": "((julianday(received_at) - julianday(lag(received_at) OVER w)) * 86400 > 1800 "
              "OR date(received_at) <> date(lag(received_at) OVER w))",
}

_BACKFILL = """
WITH marked AS (
    SELECT id, visitor, received_at, client_at,
           CASE WHEN lag(received_at) OVER w IS NULL OR {gap} THEN 1 ELSE 0 END AS starts
    FROM events
    WINDOW w AS (PARTITION BY visitor ORDER BY received_at, client_at, id)
), numbered AS (
    SELECT id, starts,
           visitor || '-b' || sum(starts) OVER (
               PARTITION BY visitor ORDER BY received_at, client_at, id
               ROWS UNBOUNDED PRECEDING) AS sid
    FROM marked
)
UPDATE events SET session_id = numbered.sid, session_start = (numbered.starts = 1)
FROM numbered
WHERE events.id = numbered.id
"""


def remember_sessions(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """After ``rows`` are committed: remember their visitors' sessions in this process."""
    recent_sessions.remember(_database_key(connection), rows)


def backfill_sessions(connection: Connection) -> None:
    """Cut sessions in events stored without them (before sessions were kept, or loaded in
    bulk), by the same rule, in SQL; their ids are ``<visitor>-b<n>``."""
    dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
    connection.execute(text(_BACKFILL.format(gap=_GAP[dialect])))
