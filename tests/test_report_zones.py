"""Local days in SQL: the day each dialect computes for a UTC receive time equals zoneinfo's,
across daylight-saving changes and in zones with odd offsets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from pgkit import fresh_postgres_database
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, select

from shopgen.report.zones import check_zone, local_day, local_midnight, offset_changes

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
         "Pacific/Chatham", "UTC"]
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
metadata = MetaData()
moments = Table("moments", metadata, Column("n", Integer, primary_key=True),
                Column("at", DateTime(timezone=True), nullable=False))


def instants() -> list[dt.datetime]:
    """Every 20 minutes around each change of every zone, and each noon and midnight."""
    found = set()
    for zone in ZONES:
        for change, _ in offset_changes(START, END, zone)[1:]:
            for minutes in range(-26 * 60, 26 * 60, 20):
                found.add(change + dt.timedelta(minutes=minutes))
    day = START
    while day < END:
        found.update({day, day + dt.timedelta(hours=12), day - dt.timedelta(minutes=30)})
        day += dt.timedelta(days=7)
    return sorted(m for m in found if START <= m < END)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A database holding `instants()`."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'zones.sqlite3'}"
        fill(url)
        yield url
        return
    with fresh_postgres_database("zones_test", timezone="Asia/Tokyo") as url:
        fill(url)
        yield url


def fill(url: str) -> None:
    """Create `moments` and insert every instant."""
    engine = create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(moments.insert(), [{"n": n, "at": at}
                                              for n, at in enumerate(instants())])
    engine.dispose()


@pytest.mark.parametrize("zone", ZONES)
def test_sql_local_day_equals_zoneinfo(url: str, zone: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            day = local_day(moments.c.at, connection.dialect.name, zone, START, END)
            rows = connection.execute(select(moments.c.n, day).order_by(moments.c.n)).all()
    finally:
        engine.dispose()
    expected = [at.astimezone(ZoneInfo(zone)).date() for at in instants()]
    assert [dt.date.fromisoformat(str(d)[:10]) for _, d in rows] == expected


def test_offset_changes_of_paris_in_2026() -> None:
    assert offset_changes(START, END, "Europe/Paris") == [
        (START, 60), (dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC), 120),
        (dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC), 60)]


def test_window_edges_are_local_midnights() -> None:
    assert local_midnight(dt.date(2026, 3, 2), "Europe/Paris") == dt.datetime(
        2026, 3, 1, 23, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2026, 7, 2), "Europe/Paris") == dt.datetime(
        2026, 7, 1, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize("name", ["Mars/Olympus", "'; DROP TABLE events; --", "europe/paris ",
                                  "../etc/passwd", ""])
def test_unknown_zones_are_refused(name: str) -> None:
    assert check_zone(name) is not None
    with pytest.raises(ValueError):
        local_day(moments.c.at, "postgresql", name, START, END)
