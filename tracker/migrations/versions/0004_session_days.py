"""What makes the report fast over millions of events: the session_days table (each
session's totals per UTC day, kept at ingest, filled here from the events already stored:
tracker/session_days.py), and one covering partial index per kind of event the report
groups (tracker/models.py, REPORT_INDEXES), which replace the (type, received_at) index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.models import REPORT_INDEXES
from tracker.session_days import rebuild

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create session_days and fill it from the events; the report's indexes."""
    op.create_table(
        "session_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("is_bot", sa.Boolean(), primary_key=True),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.Column("began", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("campaign", sa.String(100), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("events", "pageviews", "searches", "filters", "views", "calls")),
    )
    rebuild(op.get_bind())
    for name, keys, covered, where in REPORT_INDEXES:
        op.create_index(name, "events", list(keys), postgresql_include=list(covered),
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    op.drop_index("ix_events_type_received_at", table_name="events")


def downgrade() -> None:
    """Drop session_days and the report's indexes; bring back the (type, received_at) one."""
    op.create_index("ix_events_type_received_at", "events", ["type", "received_at"])
    for name, *_ in REPORT_INDEXES:
        op.drop_index(name, table_name="events")
    op.drop_table("session_days")
