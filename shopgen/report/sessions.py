"""The report's session queries: sessions, their entry source, the funnel and products per
session (SQLAlchemy Core, the same SQL on SQLite and PostgreSQL but for the local day).

A *session* is one visitor's events with no gap over 30 minutes, by receive time; the tracker
cuts them as it stores the events (``session_id``, ``session_start``: `tracker.sessions`), so
the report only groups by ``session_id``. The visitor hash rotates every UTC day, so a session
also ends at midnight UTC. Only events inside the report's window are read: a session running
across the window's first instant is cut there. A session counts, with all its events, on the
local day it began; its *entry* is its first event, whose channel, source and campaign
(stored on pageviews at ingest) are the session's — a session that begins without a pageview
(a page left open for over 30 minutes, or cut by the window) has none, reported as ``(none)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, case, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from shopgen.report.rows import ProductFunnelRow, SessionGroup, Window
from shopgen.report.zones import local_day
from tracker.models import events_table as events

_SPARE = 2


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def scope(window: Window) -> list[ColumnElement[bool]]:
    """Events received inside the window, bots left out unless asked for."""
    conditions = [events.c.received_at >= window.start, events.c.received_at < window.end]
    if not window.include_bots:
        conditions.append(events.c.is_bot == false())
    return conditions


def _entry(name: str) -> ColumnElement[Any]:
    return func.max(case((events.c.session_start == true(), events.c[name]))).label(name)


def query_session_groups(conn: Connection, window: Window) -> list[SessionGroup]:
    """Sessions grouped by the local day they began and their entry channel, source and
    campaign, with their events and funnel steps (see `SessionGroup`)."""
    dialect = conn.dialect.name
    kinds = ("pageview", "search", "filter", "view", "call")
    per_session = (
        select(
            func.min(events.c.received_at).label("began"),
            *(_entry(name) for name in ("channel", "source", "campaign")),
            func.count().label("events"),
            *(_count_if(events.c.type == kind).label(kind) for kind in kinds),
        )
        .where(*scope(window))
        .group_by(events.c.session_id)
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
    per = (
        select(
            events.c.sku,
            _count_if(events.c.type == "view").label("views"),
            _count_if(events.c.type == "call").label("calls"),
        )
        .where(events.c.type.in_(("view", "call")), *scope(window))
        .group_by(events.c.sku, events.c.session_id)
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
