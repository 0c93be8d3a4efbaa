"""SQLAlchemy 2 models of the tracker's tables (the schema itself is created by Alembic)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the tracker's models."""


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

    __table_args__ = (
        Index("ix_events_received_at", "received_at"),
        Index("ix_events_type_received_at", "type", "received_at"),
        Index("ix_events_sku", "sku"),
    )


class DailySalt(Base):
    """The secret salt of one UTC day for the visitor hash (today's and yesterday's are kept)."""

    __tablename__ = "daily_salts"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


events_table = Event.__table__
daily_salts_table = DailySalt.__table__
