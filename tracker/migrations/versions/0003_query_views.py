"""SQL views for people who query the database: session_events, sessions, daily_activity,
searches, product_funnel and sources (documented in docs/schema.md).

Days are UTC days and bots are left out of every view. A session is one visitor's events with
no gap over 30 minutes, by receive time (the same rule as `shopgen report`); the visitor hash
rotates every UTC day, so a session also ends at midnight UTC. The SQL differs per dialect
only where it must: the gap between two timestamps and the UTC day of one.

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

VIEWS = ("sources", "product_funnel", "searches", "daily_activity", "sessions",
         "session_events")

# {gap} is true when an event comes more than 30 minutes after the visitor's previous one;
# {day} is the UTC day of a timestamp expression {ts}.
DIALECT = {
    "postgresql": {
        "gap": "received_at - lag(received_at) OVER w > INTERVAL '30 minutes'",
        "day": "CAST(timezone('UTC', {ts}) AS date)",
    },
    "sqlite": {
        "gap": "(julianday(received_at) - julianday(lag(received_at) OVER w)) * 86400 > 1800",
        "day": "date({ts})",
    },
}

SESSION_EVENTS = """
CREATE VIEW session_events AS
WITH marked AS (
    SELECT id, type, page_id, visitor, received_at, client_at, query, results, facet, value,
           selected, sort, sku, channel, source, campaign,
           CASE WHEN lag(received_at) OVER w IS NULL OR {gap} THEN 1 ELSE 0 END AS starts_session
    FROM events
    WHERE NOT is_bot
    WINDOW w AS (PARTITION BY visitor ORDER BY received_at, client_at, id)
)
SELECT marked.*,
       visitor || '-' || sum(starts_session) OVER (
           PARTITION BY visitor ORDER BY received_at, client_at, id ROWS UNBOUNDED PRECEDING
       ) AS session_id
FROM marked
"""

SESSIONS = """
CREATE VIEW sessions AS
SELECT session_id,
       min(visitor) AS visitor,
       {day_of_start} AS day,
       min(received_at) AS started_at,
       max(received_at) AS ended_at,
       max(CASE WHEN starts_session = 1 THEN channel END) AS channel,
       max(CASE WHEN starts_session = 1 THEN source END) AS source,
       max(CASE WHEN starts_session = 1 THEN campaign END) AS campaign,
       count(*) AS events,
       sum(CASE WHEN type = 'pageview' THEN 1 ELSE 0 END) AS pageviews,
       sum(CASE WHEN type = 'search' THEN 1 ELSE 0 END) AS searches,
       sum(CASE WHEN type = 'filter' THEN 1 ELSE 0 END) AS filters,
       sum(CASE WHEN type = 'view' THEN 1 ELSE 0 END) AS views,
       sum(CASE WHEN type = 'call' THEN 1 ELSE 0 END) AS calls,
       max(CASE WHEN type = 'call' THEN 1 ELSE 0 END) AS converted
FROM session_events
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
FROM session_events
WHERE type = 'search'
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
    words = DIALECT["postgresql" if op.get_bind().dialect.name == "postgresql" else "sqlite"]
    op.execute(SESSION_EVENTS.format(gap=words["gap"]))
    op.execute(SESSIONS.format(day_of_start=words["day"].format(ts="min(received_at)")))
    for template, column in ((DAILY_ACTIVITY, "received_at"), (SEARCHES, "received_at"),
                             (PRODUCT_FUNNEL, "e.received_at")):
        op.execute(template.format(day_of_event=words["day"].format(ts=column)))
    op.execute(SOURCES)


def downgrade() -> None:
    """Drop the views, dependants first."""
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
