"""Traffic sources on pageviews, sessions on events, and the products table.

Adds ``channel``, ``source`` and ``campaign`` to events and fills them for pageviews already
stored (classified by tracker/sources.py, once per distinct path and referrer); adds
``session_id`` and ``session_start`` and cuts the stored events into sessions
(tracker/sessions.py); adds the ``(visitor, received_at)`` index that finds a visitor's latest
event when new ones are stored; creates ``products`` (`shopgen db sync-catalog` fills it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.sessions import backfill_sessions
from tracker.sources import classify

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _classify_stored_pageviews() -> None:
    """Classify pageviews stored before this migration (one UPDATE per path and referrer)."""
    events = sa.table("events", sa.column("type"), sa.column("path"), sa.column("referrer"),
                      sa.column("channel"), sa.column("source"), sa.column("campaign"))
    connection = op.get_bind()
    pairs = connection.execute(
        sa.select(events.c.path, events.c.referrer).where(events.c.type == "pageview").distinct()
    ).all()
    for path, referrer in pairs:
        found = classify(path, referrer)
        connection.execute(
            events.update()
            .where(events.c.type == "pageview",
                   events.c.path.is_(None) if path is None else events.c.path == path,
                   events.c.referrer.is_(None) if referrer is None
                   else events.c.referrer == referrer)
            .values(channel=found.channel, source=found.source, campaign=found.campaign)
        )


def upgrade() -> None:
    """Add the source columns, the sessions index and the products table."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("channel", sa.String(20), nullable=True))
        batch.add_column(sa.Column("source", sa.String(100), nullable=True))
        batch.add_column(sa.Column("campaign", sa.String(100), nullable=True))
        batch.add_column(sa.Column("session_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("session_start", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    _classify_stored_pageviews()
    backfill_sessions(op.get_bind())
    op.create_index("ix_events_visitor_received_at", "events", ["visitor", "received_at"])
    op.create_table(
        "products",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(100), nullable=True),
        sa.Column("brand_name", sa.Text(), nullable=True),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("category_path", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("first_published", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_published", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Drop what upgrade() added."""
    op.drop_table("products")
    op.drop_index("ix_events_visitor_received_at", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("session_start")
        batch.drop_column("session_id")
        batch.drop_column("campaign")
        batch.drop_column("source")
        batch.drop_column("channel")
