"""Create the events and daily_salts tables.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables and their indexes."""
    op.create_table(
        "events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("page_id", sa.String(64), nullable=False),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("client_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("results", sa.Integer(), nullable=True),
        sa.Column("facet", sa.String(64), nullable=True),
        sa.Column("value", sa.String(200), nullable=True),
        sa.Column("selected", sa.Boolean(), nullable=True),
        sa.Column("sort", sa.String(32), nullable=True),
        sa.Column("sku", sa.String(64), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("referrer", sa.Text(), nullable=True),
    )
    op.create_index("ix_events_received_at", "events", ["received_at"])
    op.create_index("ix_events_type_received_at", "events", ["type", "received_at"])
    op.create_index("ix_events_sku", "events", ["sku"])
    op.create_table(
        "daily_salts",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    """Drop everything upgrade() created."""
    op.drop_table("daily_salts")
    op.drop_index("ix_events_sku", table_name="events")
    op.drop_index("ix_events_type_received_at", table_name="events")
    op.drop_index("ix_events_received_at", table_name="events")
    op.drop_table("events")
