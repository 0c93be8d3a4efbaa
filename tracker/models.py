"""SQLAlchemy 2 models of the tracker's tables (the schema itself is created by Alembic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the tracker's models."""


# The report's sections by event type, each read from its own partial index holding every
# column it needs (PostgreSQL: INCLUDE), so a section reads only its type's entries of the
# window, in order, instead of every page of the table (an index-only scan). Name, key
# columns, covered columns, predicate.
REPORT_INDEXES = (
    ("ix_events_searches", ("received_at",), ("is_bot", "visitor", "query", "results"),
     "type = 'search'"),
    ("ix_events_filters", ("received_at",), ("is_bot", "visitor", "facet", "value", "selected"),
     "type = 'filter'"),
    ("ix_events_sorts", ("received_at",), ("is_bot", "visitor", "sort"), "type = 'sort'"),
    ("ix_events_products", ("type", "received_at"), ("is_bot", "visitor", "session_id", "sku"),
     "type IN ('view', 'call')"),
)


class Event(Base):
    """One customer activity sent by the browser beacon."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the client's uuid4
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    page_id: Mapped[str] = mapped_column(String(64), nullable=False)
    visitor: Mapped[str] = mapped_column(String(32), nullable=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, nullable=False)
    client_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    query: Mapped[str | None] = mapped_column(Text, nullable=True)
    results: Mapped[int | None] = mapped_column(Integer, nullable=True)
    facet: Mapped[str | None] = mapped_column(String(64), nullable=True)
    value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    selected: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    sort: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sku: Mapped[str | None] = mapped_column(String(64), nullable=True)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    referrer: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A pageview's traffic source, classified at ingest (tracker/sources.py); NULL otherwise.
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    campaign: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The session, cut when stored (tracker/sessions.py), and whether this event began it.
    session_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    session_start: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())

    __table_args__ = (
        Index("ix_events_received_at", "received_at"),
        Index("ix_events_sku", "sku"),
        Index("ix_events_visitor_received_at", "visitor", "received_at"),
        *(Index(name, *keys, postgresql_include=list(covered), postgresql_where=text(where),
                sqlite_where=text(where))
          for name, keys, covered, where in REPORT_INDEXES),
    )


class SessionDay(Base):
    """One session's events of one UTC day (bots apart), added up as they are stored
    (tracker/session_days.py), so a report reads one row per session instead of its events."""

    __tablename__ = "session_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)  # the events' UTC day
    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(32), nullable=False)
    began: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # The session's entry (its first event's channel, source, campaign), when that is here.
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    campaign: Mapped[str | None] = mapped_column(String(100), nullable=True)
    events: Mapped[int] = mapped_column(Integer, nullable=False)
    pageviews: Mapped[int] = mapped_column(Integer, nullable=False)
    searches: Mapped[int] = mapped_column(Integer, nullable=False)
    filters: Mapped[int] = mapped_column(Integer, nullable=False)
    views: Mapped[int] = mapped_column(Integer, nullable=False)
    calls: Mapped[int] = mapped_column(Integer, nullable=False)


class DailySalt(Base):
    """The secret salt of one UTC day for the visitor hash (today's and yesterday's are kept)."""

    __tablename__ = "daily_salts"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class Product(Base):
    """One product of the catalog as last published (`shopgen db sync-catalog` writes it), so
    events join to names, brands and categories in SQL."""

    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    brand: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the brand's id
    brand_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the category id
    category_path: Mapped[str | None] = mapped_column(Text, nullable=True)  # "Outdoor > Tents"
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    in_stock: Mapped[bool] = mapped_column(Boolean, nullable=False)
    first_published: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_published: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # NULL while the product is in the catalog; the time it was first found missing after.
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


events_table = Event.__table__
products_table = Product.__table__
daily_salts_table = DailySalt.__table__
session_days_table = SessionDay.__table__
