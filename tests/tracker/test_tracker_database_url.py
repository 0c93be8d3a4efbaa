"""The tracker reads `postgres://` and `postgresql://` (what hosting panels hand out) as
PostgreSQL with psycopg, in the Lambda (TRACKER_DATABASE_URL) and in its migrations."""

from __future__ import annotations

import datetime as dt

import pytest
from pgkit import fresh_postgres_database
from trackerkit import api_gateway_v2_event, encode, envelope, event, stored_events

import tracker.storage
from tracker.handler import handler
from tracker.migrate import upgrade_database
from tracker.storage import make_engine, normalise_database_url


@pytest.mark.parametrize(("given", "read_as"), [
    ("postgres://u:p@db:5432/shop", "postgresql+psycopg://u:p@db:5432/shop"),
    ("  postgresql://u@db/shop\n", "postgresql+psycopg://u@db/shop"),
    ("POSTGRES://u@db/shop", "postgresql+psycopg://u@db/shop"),
    ("postgresql+psycopg://u@db/shop", "postgresql+psycopg://u@db/shop"),
    ("sqlite:////srv/events.sqlite3", "sqlite:////srv/events.sqlite3"),
])
def test_postgres_url_forms_are_read_as_psycopg(given: str, read_as: str) -> None:
    assert normalise_database_url(given) == read_as


@pytest.mark.postgres
def test_lambda_with_a_postgres_scheme_url_stores_events(monkeypatch) -> None:
    with fresh_postgres_database("tracker_url") as url:
        plain = url.replace("postgresql+psycopg://", "postgres://")
        upgrade_database(plain)
        monkeypatch.setenv("TRACKER_DATABASE_URL", plain)
        monkeypatch.setattr(tracker.storage, "_engine", None)  # this test's engine, not cached
        try:
            body = encode(envelope(event("view", at=dt.datetime.now(dt.UTC))))
            response = handler(api_gateway_v2_event(body))
            assert response["statusCode"] == 202, response
        finally:
            engine = tracker.storage._engine
            if engine is not None:
                engine.dispose()
        check = make_engine(plain)
        try:
            assert [row["type"] for row in stored_events(check)] == ["view"]
        finally:
            check.dispose()
