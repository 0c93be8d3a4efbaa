"""SQL views for people who query the database: sessions, daily_activity, searches,
product_funnel and sources (documented in docs/schema.md).

Days are UTC days and bots are left out of every view. Sessions are the ones the tracker cut
when it stored the events (``session_id``, tracker/sessions.py). Only the UTC day of a
timestamp is written per dialect.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VIEWS = ("sources", "product_funnel", "searches", "daily_activity", "sessions")

# The UTC day of a timestamp expression {ts}.
DAY = {
    "postgresql": "CAST(timezone('UTC', {ts}) AS date)",
    "sqlite": "date({ts})",
}

SESSIONS = """
CREATE VIEW sessions AS
SELECT session_id,
       min(visitor) AS visitor,
       {day_of_start} AS day,
       min(received_at) AS started_at,
       max(received_at) AS ended_at,
       max(CASE WHEN session_start THEN channel END) AS channel,
       max(CASE WHEN session_start THEN source END) AS source,
       max(CASE WHEN session_start THEN campaign END) AS campaign,
       count(*) AS events,
       sum(CASE WHEN type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
       sum(CASE WHEN type = 'search' THEN 1 ELSE 0 END) AS searches,
       sum(CASE WHEN type = 'filter' THEN 1 ELSE 0 END) AS filters,
       sum(CASE WHEN type = 'view' THEN 1 ELSE 0 END) AS views,
       sum(CASE WHEN type = 'call' THEN 1 ELSE 0 END) AS calls,
       max(CASE WHEN type = 'call' THEN 1 ELSE 0 END) AS converted
FROM events
WHERE NOT is_bot AND session_id IS NOT NULL
GROUP BY session_id
"""

DAILY_ACTIVITY = """
CREATE VIEW daily_activity AS
WITH by_day AS (
    SELECT {day_of_event} AS day,
           count(DISTINCT visitor) AS visitors,
           count(DISTINCT page_id) AS page_loads,
           sum(CASE WHEN type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
           sum(CASE WHEN type = 'search' THEN 1 ELSE 0 END) AS searches,
           sum(CASE WHEN type = 'view' THEN 1 ELSE 0 END) AS views,
           sum(CASE WHEN type = 'call' THEN 1 ELSE 0 END) AS calls,
           count(*) AS events
    FROM events
    WHERE NOT is_bot
    GROUP BY {day_of_event}
), session_days AS (
    SELECT day, count(*) AS sessions, sum(converted) AS converted_sessions
    FROM sessions
    GROUP BY day
)
SELECT by_day.day, visitors, page_loads,
       coalesce(session_days.sessions, 0) AS sessions,
       coalesce(session_days.converted_sessions, 0) AS converted_sessions,
       pageviews, searches, views, calls, events
FROM by_day LEFT JOIN session_days ON session_days.day = by_day.day
"""

SEARCHES = """
CREATE VIEW searches AS
SELECT id, session_id, visitor, received_at, {day_of_event} AS day,
       lower(trim(query)) AS term, query, results,
       CASE WHEN results = 0 THEN 1 ELSE 0 END AS found_nothing
FROM events
WHERE type = 'search' AND NOT is_bot
"""

PRODUCT_FUNNEL = """
CREATE VIEW product_funnel AS
SELECT {day_of_event} AS day, e.sku, p.name, p.brand, p.brand_name, p.category_path,
       sum(CASE WHEN e.type = 'view' THEN 1 ELSE 0 END) AS views,
       sum(CASE WHEN e.type = 'call' THEN 1 ELSE 0 END) AS calls,
       count(DISTINCT CASE WHEN e.type = 'view' THEN e.visitor END) AS viewers,
       count(DISTINCT CASE WHEN e.type = 'call' THEN e.visitor END) AS callers
FROM events e LEFT JOIN products p ON p.sku = e.sku
WHERE e.type IN ('view', 'call') AND NOT e.is_bot
GROUP BY {day_of_event}, e.sku, p.name, p.brand, p.brand_name, p.category_path
"""

SOURCES = """
CREATE VIEW sources AS
SELECT day, channel, source, campaign,
       count(*) AS sessions,
       sum(converted) AS converted_sessions,
       sum(pageviews) AS pageviews,
       sum(searches) AS searches,
       sum(views) AS views,
       sum(calls) AS calls
FROM sessions
GROUP BY day, channel, source, campaign
"""


def upgrade() -> None:
    """Create the views."""
    day = DAY["postgresql" if op.get_bind().dialect.name == "postgresql" else "sqlite"]
    op.execute(SESSIONS.format(day_of_start=day.format(ts="min(received_at)")))
    for template, column in ((DAILY_ACTIVITY, "received_at"), (SEARCHES, "received_at"),
                             (PRODUCT_FUNNEL, "e.received_at")):
        op.execute(template.format(day_of_event=day.format(ts=column)))
    op.execute(SOURCES)


def downgrade() -> None:
    """Drop the views, dependants first."""
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
