"""The database people query: docs/schema.md's example queries run on SQLite and PostgreSQL
against the planned sessions (expected results computed from the plan), the products table
written by `shopgen db sync-catalog`, and `shopgen db prune`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from analyticskit import PLANS, store
from click.testing import CliRunner
from pgkit import fresh_postgres_database
from sitekit import write_site
from sqlalchemy import Connection, create_engine, func, select, text

from shopgen.cli import main
from shopgen.report.catalog_sync import sync_catalog, write_products
from tracker import session_days
from tracker.migrate import upgrade_database
from tracker.models import daily_salts_table, events_table, products_table, session_days_table
from tracker.retention import cutoff, prune_events

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
# The products of the plan: TS-4 stays out of the catalog.
CATALOG = {"TS-1": ("acme", "Acme"), "TS-2": ("acme", "Acme"), "TS-3": ("zed", "Zed Co")}


def example_queries() -> dict[str, str]:
    """docs/schema.md's example queries by their heading."""
    text_ = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    part = text_.split("## Example queries", 1)[1]
    found = re.findall(r"^### (.+?)\n.*?```sql\n(.*?)```", part, flags=re.S | re.M)
    return {title.strip(): sql.strip().rstrip(";") for title, sql in found}


def fill(url: str) -> None:
    """The planned sessions and a products table naming three of the four SKUs."""
    store(url)
    engine = create_engine(url)
    rows = [{"sku": sku, "name": f"Product {sku}", "brand": brand, "brand_name": name,
             "category": "c", "category_path": "C", "price": Decimal("10.00"),
             "currency": "EUR", "in_stock": True} for sku, (brand, name) in CATALOG.items()]
    with engine.begin() as connection:
        write_products(connection, rows, NOW)
    engine.dispose()


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite holding the plan."""
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'tracker.sqlite3'}"
    fill(url)
    return url


@pytest.fixture(scope="module")
def postgresql_url() -> Iterator[str]:
    """PostgreSQL holding the plan (its session zone far from UTC)."""
    with fresh_postgres_database("schema_test", timezone="America/Los_Angeles") as url:
        fill(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    """The database holding the plan, of each kind."""
    return request.getfixturevalue(f"{request.param}_url")


def run(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, numbers as floats or ints, days as ISO text."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(sql)).all()
    finally:
        engine.dispose()
    return [tuple(_plain(value) for value in row) for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


HUMANS = [s for s in PLANS if not s.is_bot]


def _events(kind: str):
    for session in HUMANS:
        for (k, fields, _), moment in zip(session.events, session.times(), strict=True):
            if k == kind:
                yield session, fields, moment


def test_the_docs_hold_five_examples() -> None:
    assert list(example_queries()) == [
        "Calls by brand last week", "Zero-result searches by day", "Conversion by channel",
        "Products viewed but never called about", "Search terms that lead to calls"]


def test_calls_by_brand_last_week(url: str) -> None:
    first, last = dt.date(2026, 3, 2), dt.date(2026, 3, 8)
    calls: Counter[str] = Counter()
    for _, fields, moment in _events("call"):
        if first <= moment.date() <= last:
            calls[CATALOG.get(fields["sku"], (None, "(not in the catalog)"))[1]] += 1
    expected = sorted(calls.items(), key=lambda item: (-item[1], item[0]))
    assert run(url, example_queries()["Calls by brand last week"]) == expected


def test_zero_result_searches_by_day(url: str) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for _, fields, moment in _events("search"):
        if fields["results"] == 0:
            counts[(moment.date().isoformat(), fields["query"].strip().lower())] += 1
    expected = sorted(((d, t, n) for (d, t), n in counts.items()),
                      key=lambda row: (row[0], -row[2], row[1]))
    assert run(url, example_queries()["Zero-result searches by day"]) == expected


def test_conversion_by_channel(url: str) -> None:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for session in HUMANS:
        per[session.entry[2]][0] += 1
        per[session.entry[2]][1] += bool(session.count("call"))
    expected = sorted(((c, n, k, round(k / n, 4)) for c, (n, k) in per.items()),
                      key=lambda row: (-row[1], row[0]))
    assert run(url, example_queries()["Conversion by channel"]) == expected


def test_products_viewed_but_never_called(url: str) -> None:
    views = Counter(fields["sku"] for _, fields, _ in _events("view"))
    called = {fields["sku"] for _, fields, _ in _events("call")}
    expected = sorted(((sku, f"Product {sku}" if sku in CATALOG else None, n)
                       for sku, n in views.items() if sku not in called),
                      key=lambda row: (-row[2], row[0]))
    assert run(url, example_queries()["Products viewed but never called about"]) == expected


def test_search_terms_that_lead_to_calls(url: str) -> None:
    terms: Counter[str] = Counter()
    for session in HUMANS:
        if session.count("call"):
            for term in {f["query"].strip().lower() for k, f, _ in session.events
                         if k == "search"} - {""}:
                terms[term] += 1
    expected = sorted(terms.items(), key=lambda item: (-item[1], item[0]))
    assert expected  # the plan has searches in sessions with a call
    assert run(url, example_queries()["Search terms that lead to calls"]) == expected


def test_daily_activity_view(url: str) -> None:
    rows = {row[0]: row for row in run(
        url, "SELECT day, visitors, sessions, converted_sessions, calls FROM daily_activity")}
    for day in {s.start.date() for s in HUMANS}:
        sessions = [s for s in HUMANS if s.start.date() == day]
        visitors = {s.visitor for s in HUMANS
                    if any(m.date() == day for m in s.times())}
        assert rows[day.isoformat()][1:4] == (
            len(visitors), len(sessions), sum(1 for s in sessions if s.count("call")))


# --- products table --------------------------------------------------------------------

def test_sync_catalog_adds_updates_and_marks_removed(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    upgrade_database(url)
    first = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    result = sync_catalog(site, url, now=first)
    assert result.added >= 3 and (result.updated, result.removed) == (0, 0)
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {row.sku: row for row in connection.execute(select(products_table))}
    assert rows["AC-1"].name == "Storm Jacket" and rows["AC-1"].brand_name == "Acme"
    assert rows["AC-1"].category_path == "Clothing > Jackets"
    assert rows["AC-1"].price == Decimal("129.00") and rows["AC-1"].currency == "EUR"
    assert rows["AC-2"].in_stock is False or rows["AC-2"].in_stock == 0
    (site / "products" / "ac-2.yaml").unlink()
    later = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
    again = sync_catalog(site, url, now=later)
    assert (again.added, again.removed) == (0, 1) and again.updated == result.added - 1
    with engine.connect() as connection:
        rows = {row.sku: row for row in connection.execute(select(products_table))}
    engine.dispose()
    assert rows["AC-2"].removed_at is not None  # kept: old events still name it
    assert rows["AC-1"].removed_at is None
    assert str(rows["AC-1"].first_published).startswith("2026-03-01")
    assert str(rows["AC-1"].last_published).startswith("2026-03-05")


def test_cli_sync_catalog_and_its_errors(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    runner = CliRunner()
    missing = runner.invoke(main, ["db", "sync-catalog", "--site", str(site)],
                            env={"TRACKER_DATABASE_URL": url})
    assert missing.exit_code == 1 and "shopgen db upgrade" in missing.output
    upgrade_database(url)
    result = runner.invoke(main, ["db", "sync-catalog", "--site", str(site)],
                           env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "Products table synced:" in result.output and "added" in result.output


# --- retention -------------------------------------------------------------------------

def test_cutoff_ages() -> None:
    now = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    assert cutoff("13m", now) == dt.datetime(2025, 2, 28, 12, tzinfo=dt.UTC)
    assert cutoff("1m", now) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert cutoff("90d", now) == now - dt.timedelta(days=90)
    assert cutoff("2w", now) == now - dt.timedelta(weeks=2)
    assert cutoff("1y", now) == dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql",
                                                         marks=pytest.mark.postgres)])
def test_prune_deletes_old_events_in_batches(kind: str, tmp_path: Path) -> None:
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path / 'prune.sqlite3'}")
    with (fresh_postgres_database("prune_test") if kind == "postgresql" else sqlite) as url:
        store(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(daily_salts_table.insert(), [
                {"day": dt.date(2026, 3, 1), "salt": b"old"},
                {"day": dt.date(2026, 3, 3), "salt": b"new"}])
        before = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)  # inside a day's sessions
        old = sum(1 for s in PLANS for m in s.times() if m < before)
        total = sum(len(s.events) for s in PLANS)
        batches: list[int] = []
        assert prune_events(engine, before, batch=7, progress=batches.append) == old
        assert len(batches) == -(-old // 7) and batches[-1] == old
        with engine.connect() as connection:
            left = connection.execute(select(func.count()).select_from(events_table)).scalar()
            oldest = connection.execute(select(func.min(events_table.c.received_at))).scalar()
            salts = connection.execute(select(daily_salts_table.c.day)).scalars().all()
            totals = _session_days(connection)
        with engine.begin() as connection:  # the sessions' totals, recomputed from scratch
            session_days.rebuild(connection)
            assert _session_days(connection) == totals
        engine.dispose()
        assert left == total - old
        assert str(oldest) >= "2026-03-03 09:30"
        assert totals and min(row[0] for row in totals) == dt.date(2026, 3, 3)
        assert salts == [dt.date(2026, 3, 3)]


def _session_days(connection: Connection) -> list[tuple]:
    return [tuple(row) for row in connection.execute(
        select(session_days_table).order_by(*session_days_table.primary_key.columns))]


def test_cli_prune(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    store(url)  # every event is from March 2026: more than a day ago
    runner = CliRunner()
    bad = runner.invoke(main, ["db", "prune", "--older-than", "13 moons"],
                        env={"TRACKER_DATABASE_URL": url})
    assert bad.exit_code == 2 and "90d, 12w, 13m or 2y" in bad.output
    result = runner.invoke(main, ["db", "prune", "--older-than", "1d"],
                           env={"TRACKER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    total = sum(len(s.events) for s in PLANS)
    assert f"Deleted {total} events received before" in result.output
