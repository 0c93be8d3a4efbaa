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

from sqlalchemy import (
    Connection,
    and_,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.elements import ColumnElement

from shopgen.report.rows import ProductFunnelRow, ProductRow, SessionGroup, Window
from shopgen.report.zones import local_day
from tracker.models import events_table as events
from tracker.models import session_days_table as session_days


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


_KINDS = {"pageview": "pageviews", "search": "searches", "filter": "filters", "view": "views",
          "call": "calls"}


def _events_per_session(conditions: list[ColumnElement[bool]]) -> Select[Any]:
    """Per session: its events matching ``conditions`` grouped (the columns of
    `_per_session`)."""
    return (
        select(
            events.c.session_id,
            func.min(events.c.received_at).label("began"),
            func.min(events.c.visitor).label("visitor"),
            *(_entry(name) for name in ("channel", "source", "campaign")),
            func.count().label("events"),
            *(_count_if(events.c.type == kind).label(kind) for kind in _KINDS),
        )
        .where(*conditions)
        .group_by(events.c.session_id)
    )


def _whole_utc_days(window: Window) -> tuple[dt.datetime, dt.datetime] | None:
    """The first and the last-but-one UTC midnights of the UTC days wholly inside the window,
    or None when there are none."""
    first = window.start.astimezone(dt.UTC)
    if first.time() != dt.time():
        first = dt.datetime.combine(first.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    end = window.end.astimezone(dt.UTC)
    end = dt.datetime.combine(end.date(), dt.time(), dt.UTC)
    return (first, end) if first < end else None


def _per_session(window: Window, rolled_up: bool) -> Select[Any] | CompoundSelect:
    """Each session of the window: when it began, its visitor, entry, and events by type.

    With ``rolled_up``, the UTC days wholly inside the window are read from `session_days`
    (one row per session, day and bot flag, kept at ingest: tracker/session_days.py) and only
    the partial days at the window's edges from the events. A session lies within one UTC day
    (the tracker ends sessions at midnight UTC), so each is in one part and, bots left out, in
    one row; with bots, its rows are added up (min, max and sum, as grouping its events)."""
    whole = _whole_utc_days(window) if rolled_up else None
    if whole is None:
        return _events_per_session(scope(window))
    first, end = whole
    days = select(
        session_days.c.session_id, session_days.c.began, session_days.c.visitor,
        session_days.c.channel, session_days.c.source, session_days.c.campaign,
        session_days.c.events, *(session_days.c[column].label(kind)
                                 for kind, column in _KINDS.items()),
    ).where(session_days.c.day >= first.date(), session_days.c.day < end.date())
    edges = or_(and_(events.c.received_at >= window.start, events.c.received_at < first),
                and_(events.c.received_at >= end, events.c.received_at < window.end))
    if not window.include_bots:
        days = days.where(session_days.c.is_bot == false())
        return union_all(days, _events_per_session([edges, events.c.is_bot == false()]))
    parts = union_all(days, _events_per_session([edges])).subquery("parts")
    return select(
        func.min(parts.c.began).label("began"),
        func.min(parts.c.visitor).label("visitor"),
        *(func.max(parts.c[name]).label(name) for name in ("channel", "source", "campaign")),
        func.sum(parts.c.events).label("events"),
        *(func.sum(parts.c[kind]).label(kind) for kind in _KINDS),
    ).group_by(parts.c.session_id)


def query_session_groups(
    conn: Connection, window: Window, rolled_up: bool = True
) -> tuple[list[SessionGroup], dict[dt.date, int]]:
    """Sessions grouped by the local day they began and their entry channel, source and
    campaign, with their events and funnel steps (see `SessionGroup`); and the visitors of
    each day (distinct visitor hashes among the sessions that began that day).

    One statement: the per-session rows (`_per_session`; from `session_days` where it can,
    unless not ``rolled_up``) are a CTE that both groupings read (PostgreSQL materialises a
    CTE read twice)."""
    dialect = conn.dialect.name
    per_session = _per_session(window, rolled_up).cte("per_session")
    day = local_day(per_session.c.began, dialect, window.zone, window.start, window.end)
    engaged = or_(per_session.c.search > 0, per_session.c.filter > 0)
    viewed = and_(engaged, per_session.c.view > 0)
    keys = (day, per_session.c.channel, per_session.c.source, per_session.c.campaign)
    groups = select(
        literal("groups").label("kind"),
        *keys,
        func.count(),
        *(func.sum(per_session.c[name]) for name in ("events", "pageview", "search", "view",
                                                     "call")),
        _count_if(per_session.c.call > 0),
        _count_if(engaged),
        _count_if(viewed),
        _count_if(and_(viewed, per_session.c.call > 0)),
    ).group_by(*keys)
    nothing = null()
    # Distinct (day, visitor) pairs counted per day: hashed, where COUNT(DISTINCT) sorts.
    pairs = select(day.label("day"), per_session.c.visitor).distinct().subquery("pairs")
    visitors = select(
        literal("visitors"), pairs.c.day, nothing, nothing, nothing,
        func.count(), *([literal(0)] * 9),
    ).group_by(pairs.c.day)
    found: list[SessionGroup] = []
    per_day: dict[dt.date, int] = {}
    for row in conn.execute(union_all(groups, visitors)):
        if row[0] == "visitors":
            per_day[_as_date(row[1])] = int(row[5])
        else:
            found.append(SessionGroup(_as_date(row[1]), row[2], row[3], row[4],
                                      *(int(n) for n in row[5:])))
    return found, per_day


def query_products(conn: Connection, window: Window) -> list[tuple[str, int, int, int, int,
                                                                 int]]:
    """Every product viewed or called about: (sku, views, visitors who viewed it, calls,
    sessions that viewed it, sessions that called about it), from one scan; the top products
    and the product funnel are both cut from it."""
    per_session = (
        select(
            events.c.sku.label("sku"),
            events.c.visitor.label("visitor"),
            _count_if(events.c.type == "view").label("views"),
            _count_if(events.c.type == "call").label("calls"),
        )
        .where(events.c.type.in_(("view", "call")), *scope(window))
        .group_by(events.c.sku, events.c.visitor, events.c.session_id)
        .subquery()
    )
    per_visitor = (
        select(
            per_session.c.sku,
            func.sum(per_session.c.views).label("views"),
            func.sum(per_session.c.calls).label("calls"),
            _count_if(per_session.c.views > 0).label("view_sessions"),
            _count_if(per_session.c.calls > 0).label("call_sessions"),
        )
        .group_by(per_session.c.sku, per_session.c.visitor)
        .subquery()
    )
    stmt = select(
        per_visitor.c.sku,
        func.sum(per_visitor.c.views),
        _count_if(per_visitor.c.views > 0),
        func.sum(per_visitor.c.calls),
        func.sum(per_visitor.c.view_sessions),
        func.sum(per_visitor.c.call_sessions),
    ).group_by(per_visitor.c.sku)
    return [(sku, *(int(n) for n in counts)) for sku, *counts in conn.execute(stmt) if sku]


def top_products(products: list[tuple[str, int, int, int, int, int]],
                 limit: int = 25) -> list[ProductRow]:
    """The most viewed products (views, then calls, then SKU)."""
    viewed = [p for p in products if p[1] > 0]
    ranked = sorted(viewed, key=lambda p: (-p[1], -p[3], p[0]))[:limit]
    return [ProductRow(sku, views, viewers, calls) for sku, views, viewers, calls, _, _ in ranked]


def product_funnel(products: list[tuple[str, int, int, int, int, int]],
                   limit: int = 100) -> list[ProductFunnelRow]:
    """Per product, most viewed by sessions first: views, sessions that viewed it, calls,
    sessions that called about it."""
    viewed = [p for p in products if p[4] > 0]
    ranked = sorted(viewed, key=lambda p: (-p[4], -p[3], p[0]))[:limit]
    return [ProductFunnelRow(sku, views, view_sessions, calls, call_sessions)
            for sku, views, _, calls, view_sessions, call_sessions in ranked]
