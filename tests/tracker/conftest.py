"""Fixtures: an `engine` on a migrated SQLite file and on a PostgreSQL database of this session.

The PostgreSQL database `tracker_test_<random hex>` is created through the `postgres`
maintenance database and dropped when the session ends, so parallel workers never share one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pgkit import fresh_postgres_database
from sqlalchemy import Engine, create_engine, text

from tracker.migrate import upgrade_database
from tracker.privacy import salt_cache
from tracker.sessions import recent_sessions
from tracker.storage import make_engine


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """A migrated PostgreSQL database for this test session (tables emptied per test)."""
    with fresh_postgres_database("tracker_test") as url:
        upgrade_database(url)
        yield url


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on."""
    return request.param


@pytest.fixture
def database_url(database_kind: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of a migrated, empty tracker database of ``database_kind``."""
    if database_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
        upgrade_database(url)
        return url
    url = request.getfixturevalue("postgres_session_url")
    cleaner = create_engine(url)
    with cleaner.begin() as connection:
        connection.execute(text("TRUNCATE events, daily_salts, session_days"))
    cleaner.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty, migrated tracker database (SQLite file or PostgreSQL)."""
    salt_cache.forget()
    recent_sessions.forget()
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
    salt_cache.forget()


@pytest.fixture
def empty_database_url(database_kind: str, tmp_path) -> Iterator[str]:
    """The URL of a database with no tables at all (for migration tests)."""
    if database_kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with fresh_postgres_database("tracker_test") as url:
        yield url
