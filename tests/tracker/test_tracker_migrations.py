"""Alembic migrations: from an empty database, re-run idempotently, matching the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from tracker.migrate import alembic_config, upgrade_database, upgrade_engine
from tracker.models import Base

EVENT_COLUMNS = {
    "id": False, "type": False, "page_id": False, "visitor": False, "is_bot": False,
    "client_at": False, "received_at": False, "query": True, "results": True, "facet": True,
    "value": True, "selected": True, "sort": True, "sku": True, "path": True, "referrer": True,
    "channel": True, "source": True, "campaign": True, "session_id": True,
    "session_start": False,
}
INDEXES = {
    "ix_events_received_at": ["received_at"],
    "ix_events_searches": ["received_at"],
    "ix_events_filters": ["received_at"],
    "ix_events_sorts": ["received_at"],
    "ix_events_products": ["type", "received_at"],
    "ix_events_sku": ["sku"],
    "ix_events_visitor_received_at": ["visitor", "received_at"],
}
VIEWS = {"sessions", "daily_activity", "searches", "product_funnel", "sources"}


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_upgrade_from_empty_creates_the_schema(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade_database(empty_database_url)
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == {"events", "daily_salts", "products",
                                                    "session_days", "alembic_version"}
        assert set(inspector.get_view_names()) == VIEWS
        columns = {c["name"]: c["nullable"] for c in inspector.get_columns("events")}
        assert columns == EVENT_COLUMNS
        assert inspector.get_pk_constraint("events")["constrained_columns"] == ["id"]
        assert inspector.get_pk_constraint("daily_salts")["constrained_columns"] == ["day"]
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("events")}
        assert indexes == INDEXES
        lengths = {c["name"]: getattr(c["type"], "length", None)
                   for c in inspector.get_columns("events")}
        assert (lengths["id"], lengths["type"], lengths["page_id"], lengths["visitor"]) == (
            36, 16, 64, 32)
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(empty_database_url):
    upgrade_database(empty_database_url)
    upgrade_database(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            assert [row[0] for row in versions] == [_head()]
            connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    finally:
        engine.dispose()


def test_migrations_match_the_models(empty_database_url):
    upgrade_database(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        upgrade_engine(engine)
        from alembic import command

        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        assert inspect(engine).get_view_names() == []
        upgrade_engine(engine)
        assert {"events", "daily_salts"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_pageviews_stored_before_0002_are_classified(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        upgrade_engine(engine, "0001")
        insert = text(
            "INSERT INTO events (id, type, page_id, visitor, is_bot, client_at, received_at, "
            "path, referrer) VALUES (:id, 'pageview', 'p', 'v', false, :at, :at, :path, :ref)")
        with engine.begin() as connection:
            for n, (path, ref) in enumerate([
                    ("/", "https://www.google.com/"), ("/?utm_source=News&utm_medium=email", None),
                    ("/", None)]):
                connection.execute(insert, {"id": f"e{n}", "at": "2026-03-01 10:00:00",
                                            "path": path, "ref": ref})
        upgrade_engine(engine)
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT id, channel, source, campaign FROM events ORDER BY id")).all()
        assert [tuple(row) for row in found] == [
            ("e0", "organic search", "google.com", None), ("e1", "email", "news", None),
            ("e2", "direct", None, None)]
    finally:
        engine.dispose()


def test_events_stored_before_0004_fill_session_days(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        upgrade_engine(engine, "0003")
        insert = text(
            "INSERT INTO events (id, type, page_id, visitor, is_bot, client_at, received_at, "
            "channel, session_id, session_start) "
            "VALUES (:id, :type, 'p', :visitor, false, :at, :at, :channel, :session, :start)")
        with engine.begin() as connection:
            for id_, kind, visitor, at, channel, session, start in (
                    ("a", "pageview", "v1", "2026-03-01 23:50:00", "social", "s1", True),
                    ("b", "call", "v1", "2026-03-02 00:10:00", None, "s1", False),
                    ("c", "view", "v2", "2026-03-02 08:00:00", None, "s2", True)):
                connection.execute(insert, {"id": id_, "type": kind, "visitor": visitor,
                                            "at": at, "channel": channel, "session": session,
                                            "start": start})
        upgrade_engine(engine)
        with engine.connect() as connection:
            found = connection.execute(text(
                "SELECT day, session_id, channel, events, pageviews, views, calls "
                "FROM session_days ORDER BY day, session_id")).all()
        assert [(str(day), *rest) for day, *rest in found] == [
            ("2026-03-01", "s1", "social", 1, 1, 0, 0), ("2026-03-02", "s1", None, 1, 0, 0, 1),
            ("2026-03-02", "s2", None, 1, 0, 1, 0)]
    finally:
        engine.dispose()
