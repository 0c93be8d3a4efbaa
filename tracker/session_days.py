"""Each session's totals per UTC day, kept as events are stored: the ``session_days`` table.

A report counts sessions by grouping every event of its window by ``session_id``; over ten
million events that is most of its time. ``session_days`` holds, per UTC day, session and bot
flag, what that grouping gives: the first receive time, the visitor, the entry's channel,
source and campaign (from the event that began the session) and the count of events of each
type. Every one of them adds up across parts (min, max, sum), so the report reads these rows
for the UTC days wholly inside its window, groups the events of the partial days at its edges
(a window in Europe/Paris begins at 23:00 UTC) the same way, and adds both up by session:
exactly what grouping all the events gives.

The rows are added to in the statement that stores the events (PostgreSQL: a data-modifying
CTE, still one round trip) or in its transaction (SQLite), counting only the events that were
new, so a resent batch adds nothing. `rebuild` recomputes them from the events (the migration
that created the table, bulk loads); retention recomputes the day it cuts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Date, DateTime, bindparam, text

COLUMNS = ("day", "session_id", "is_bot", "visitor", "began", "channel", "source", "campaign",
           "events", "pageviews", "searches", "filters", "views", "calls")
COUNTED = {"pageviews": "pageview", "searches": "search", "filters": "filter", "views": "view",
           "calls": "call"}
ENTRY = ("channel", "source", "campaign")

# The UTC day of ``received_at``, per dialect.
UTC_DAY = {"postgresql": "CAST(timezone('UTC', received_at) AS date)",
           "sqlite": "date(received_at)"}


def totals(source: str, dialect: str, where: str = "true") -> str:
    """SQL: the rows of ``session_days`` for the events of ``source`` (a table or CTE with the
    events' columns) that match ``where``."""
    day = UTC_DAY[dialect]
    entry = ", ".join(f"max(CASE WHEN session_start THEN {name} END)" for name in ENTRY)
    counts = ", ".join(f"sum(CASE WHEN type = '{kind}' THEN 1 ELSE 0 END)"
                       for kind in COUNTED.values())
    return (f"SELECT {day}, session_id, is_bot, min(visitor), min(received_at), {entry}, "
            f"count(*), {counts} FROM {source} WHERE ({where}) AND session_id IS NOT NULL "
            f"GROUP BY {day}, session_id, is_bot ORDER BY 1, 2, 3")


def _least(name: str) -> str:
    # min() of two values where NULL means "none": SQLite's two-argument min() would be NULL.
    return (f"{name} = CASE WHEN excluded.{name} IS NULL OR session_days.{name} <= "
            f"excluded.{name} THEN session_days.{name} ELSE excluded.{name} END")


def _greatest(name: str) -> str:
    return (f"{name} = CASE WHEN excluded.{name} IS NULL OR session_days.{name} >= "
            f"excluded.{name} THEN session_days.{name} ELSE excluded.{name} END")


UPSERT = (
    f"INSERT INTO session_days ({', '.join(COLUMNS)}) {{totals}} "
    "ON CONFLICT (day, session_id, is_bot) DO UPDATE SET "
    + ", ".join([_least("visitor"), _least("began"), *(_greatest(name) for name in ENTRY),
                 *(f"{name} = session_days.{name} + excluded.{name}"
                   for name in ("events", *COUNTED))])
)


def add_new_events_sqlite(connection: Connection, ids: list[str]) -> None:
    """Add the events just stored with ``ids`` to their sessions' rows (SQLite, inside the
    transaction that stored them)."""
    if ids:
        statement = text(UPSERT.format(totals=totals("events", "sqlite", "id IN :ids")))
        connection.execute(statement.bindparams(bindparam("ids", expanding=True)),
                           {"ids": ids})


def rebuild(connection: Connection, first: dt.date | None = None,
            last: dt.date | None = None) -> None:
    """Recompute ``session_days`` from the events: every day, or only the UTC days ``first``
    to ``last`` (inclusive)."""
    dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
    if dialect == "postgresql":  # group millions of events in memory, not in sorted runs
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
    if first is None or last is None:
        connection.execute(text("DELETE FROM session_days"))
        connection.execute(text(UPSERT.format(totals=totals("events", dialect))))
        return
    days = text("DELETE FROM session_days WHERE day >= :first AND day <= :last").bindparams(
        bindparam("first", type_=Date), bindparam("last", type_=Date))
    connection.execute(days, {"first": first, "last": last})
    events = text(UPSERT.format(totals=totals(
        "events", dialect, "received_at >= :start AND received_at < :end"))).bindparams(
        bindparam("start", type_=DateTime(timezone=True)),
        bindparam("end", type_=DateTime(timezone=True)))
    connection.execute(events, {
        "start": dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
        "end": dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
    })
