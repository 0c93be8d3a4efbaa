"""The report's session queries: sessions cut from the events, their entry source, the funnel
and products per session (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL but for the
gap between two timestamps and the local day).

A *session* is one visitor's events with no gap over 30 minutes, in the order the tracker
received them (receive time, then the browser's time within one beacon batch, then id). The
visitor hash rotates every UTC day, so a session also ends at midnight UTC. Only events inside
the report's window are read: a session running across the window's first instant is cut
there. A session counts, with all its events, on the local day it began; its *entry* is its
first event, whose channel, source and campaign (stored on pageviews at ingest) are the
session's — a session that begins without a pageview (a page left open for over 30 minutes)
has none, reported as ``(none)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from shopgen.report.rows import ProductFunnelRow, SessionGroup, Window
from shopgen.report.zones import local_day
from tracker.models import events_table as events

SESSION_GAP = dt.timedelta(minutes=30)
_SPARE = 2


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _longer_than_gap(later: Any, earlier: Any, dialect_name: str) -> ColumnElement[bool]:
    minutes = int(SESSION_GAP.total_seconds() // 60)
    if dialect_name == "postgresql":
        return later - earlier > literal_column(f"interval '{minutes} minutes'")
    # SQLite keeps UTC text; julianday() reads it (fractions of a second included).
    return (func.julianday(later) - func.julianday(earlier)) * 86400 > minutes * 60


def scope(window: Window) -> list[ColumnElement[bool]]:
    """Events received inside the window, bots left out unless asked for."""
    conditions = [events.c.received_at >= window.start, events.c.received_at < window.end]
    if not window.include_bots:
        conditions.append(events.c.is_bot == false())
    return conditions


def session_events(window: Window, dialect_name: str) -> Subquery:
    """The window's events, each with ``starts`` (1 on a session's first event) and
    ``session`` (the session's number among the visitor's sessions)."""
    # No id in the order: ties (one beacon batch) never hold a gap, so they cannot change
    # which session an event is in, and a shorter sort key is a faster sort.
    order = (events.c.received_at, events.c.client_at)
    previous = func.lag(events.c.received_at).over(partition_by=events.c.visitor, order_by=order)
    starts = case(
        (or_(previous.is_(None), _longer_than_gap(events.c.received_at, previous, dialect_name)),
         1),
        else_=0,
    )
    marked = (
        select(events.c.visitor, events.c.received_at, events.c.client_at, events.c.type,
               events.c.channel, events.c.source, events.c.campaign, events.c.sku,
               starts.label("starts"))
        .where(*scope(window))
        .subquery("marked")
    )
    number = func.sum(marked.c.starts).over(
        partition_by=marked.c.visitor,
        order_by=(marked.c.received_at, marked.c.client_at),
        rows=(None, 0),
    )
    return select(marked, number.label("session")).subquery("numbered")


def _entry(numbered: Subquery, name: str) -> ColumnElement[Any]:
    return func.max(case((numbered.c.starts == 1, numbered.c[name]))).label(name)


def query_session_groups(conn: Connection, window: Window) -> list[SessionGroup]:
    """Sessions grouped by the local day they began and their entry channel, source and
    campaign, with their events and funnel steps (see `SessionGroup`)."""
    dialect = conn.dialect.name
    numbered = session_events(window, dialect)
    kinds = ("pageview", "search", "filter", "view", "call")
    per_session = (
        select(
            func.min(numbered.c.received_at).label("began"),
            *(_entry(numbered, name) for name in ("channel", "source", "campaign")),
            func.count().label("events"),
            *(_count_if(numbered.c.type == kind).label(kind) for kind in kinds),
        )
        .group_by(numbered.c.visitor, numbered.c.session)
        .subquery("per_session")
    )
    day = local_day(per_session.c.began, dialect, window.zone, window.start, window.end)
    engaged = or_(per_session.c.search > 0, per_session.c.filter > 0)
    viewed = and_(engaged, per_session.c.view > 0)
    keys = (day, per_session.c.channel, per_session.c.source, per_session.c.campaign)
    stmt = select(
        *keys,
        func.count(),
        *(func.sum(per_session.c[name]) for name in ("events", "pageview", "search", "view",
                                                     "call")),
        _count_if(per_session.c.call > 0),
        _count_if(engaged),
        _count_if(viewed),
        _count_if(and_(viewed, per_session.c.call > 0)),
    ).group_by(*keys)
    return [
        SessionGroup(_as_date(row[0]), row[1], row[2], row[3], *(int(n) for n in row[4:]))
        for row in conn.execute(stmt)
    ]


def query_daily_visitors(conn: Connection, window: Window) -> dict[dt.date, int]:
    """Distinct visitors of each local day that had activity (a visitor active on two days
    counts on both; the hash itself changes every UTC day)."""
    day = local_day(events.c.received_at, conn.dialect.name, window.zone, window.start,
                    window.end)
    per = (
        select(day.label("day"))
        .where(*scope(window))
        .group_by(day, events.c.visitor)
        .subquery()
    )
    stmt = select(per.c.day, func.count()).group_by(per.c.day)
    return {_as_date(found_day): int(count) for found_day, count in conn.execute(stmt)}


def query_product_funnel(conn: Connection, window: Window,
                         limit: int = 100) -> list[ProductFunnelRow]:
    """Per product: views, sessions that viewed it, calls, sessions that called about it;
    most viewed (by sessions) first."""
    numbered = session_events(window, conn.dialect.name)
    per = (
        select(
            numbered.c.sku,
            _count_if(numbered.c.type == "view").label("views"),
            _count_if(numbered.c.type == "call").label("calls"),
        )
        .where(numbered.c.type.in_(("view", "call")))
        .group_by(numbered.c.sku, numbered.c.visitor, numbered.c.session)
        .subquery()
    )
    view_sessions = _count_if(per.c.views > 0).label("view_sessions")
    calls = func.sum(per.c.calls).label("calls")
    stmt = (
        select(per.c.sku, func.sum(per.c.views), view_sessions, calls,
               _count_if(per.c.calls > 0))
        .group_by(per.c.sku)
        .order_by(view_sessions.desc(), calls.desc(), per.c.sku)
        .limit(limit + _SPARE)
    )
    rows = [row for row in conn.execute(stmt) if row[0]][:limit]
    return [ProductFunnelRow(sku, *(int(n) for n in counts)) for sku, *counts in rows]
