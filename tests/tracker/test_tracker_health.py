"""GET /api/health: 200 with the database reachable and at the expected migration, else 503."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from trackerkit import api_gateway_v2_event, stored_events, stored_salt_days

import tracker.handler
import tracker.storage
from tracker.handler import handle_health
from tracker.health import expected_schema
from tracker.storage import make_engine


def health(engine) -> tuple[int, dict]:
    status, headers, payload = handle_health("GET", engine=engine)
    assert headers["Cache-Control"] == "no-store"
    return status, json.loads(payload)


def table_names(url: str) -> set[str]:
    from sqlalchemy import inspect

    engine = create_engine(tracker.storage.normalise_database_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_healthy_database_is_200_and_nothing_is_stored(engine) -> None:
    status, answer = health(engine)
    assert status == 200
    assert answer == {"status": "ok", "schema": expected_schema()}
    assert stored_events(engine) == [] and stored_salt_days(engine) == []


def test_database_without_the_schema_is_503_and_stays_empty(empty_database_url) -> None:
    engine = make_engine(empty_database_url)
    try:
        status, answer = health(engine)
    finally:
        engine.dispose()
    assert status == 503 and answer["status"] == "unavailable"
    assert "shopgen db upgrade" in answer["reason"]
    assert table_names(empty_database_url) == set()


def test_database_at_another_migration_is_503(engine) -> None:
    set_version = text("UPDATE alembic_version SET version_num = :version")
    with engine.begin() as connection:
        connection.execute(set_version, {"version": "0000_older"})
    try:
        status, answer = health(engine)
    finally:  # the PostgreSQL database is shared by this session's tests
        with engine.begin() as connection:
            connection.execute(set_version, {"version": expected_schema()})
    assert status == 503
    assert "0000_older" in answer["reason"] and expected_schema() in answer["reason"]


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/missing-dir/db.sqlite3",
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=5",
                 marks=pytest.mark.postgres),
], ids=["sqlite", "postgresql"])
def test_database_that_is_down_is_503_without_its_error_text(url: str, tmp_path) -> None:
    engine = make_engine(url.format(tmp=tmp_path))
    try:
        status, answer = health(engine)
    finally:
        engine.dispose()
    assert status == 503 and answer["reason"].startswith("database unreachable")
    assert "127.0.0.1" not in answer["reason"] and "missing-dir" not in answer["reason"]


def test_other_methods_are_405(engine) -> None:
    status, headers, _payload = handle_health("POST", engine=engine)
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_the_lambda_answers_health_on_its_path(engine, monkeypatch) -> None:
    monkeypatch.setattr(tracker.storage, "_engine", engine)
    event = api_gateway_v2_event(b"", method="GET")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/health"
    response = tracker.handler.handler(event)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["status"] == "ok"
    assert stored_events(engine) == []
