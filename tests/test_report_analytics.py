"""Sessions, traffic sources, conversion, funnels, periods, comparisons and time zones, on
SQLite and PostgreSQL: a generator plans sessions (visitor, entry referrer and UTM tags,
actions, gaps), the tracker's own storage code stores them (classifying each pageview at
ingest), and every expected number is computed here from the plan, not from SQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from analyticskit import DAYS, ENTRIES, PLANS, PlannedSession, in_window, store
from click.testing import CliRunner
from pgkit import fresh_postgres_database

from shopgen.cli import main
from shopgen.report import report_command
from shopgen.report.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "report.schema.json"


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracker database holding PLANS."""
    url = f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'tracker.sqlite3'}"
    store(url)
    return url


@pytest.fixture(scope="module")
def postgresql_url() -> Iterator[str]:
    """A PostgreSQL tracker database holding PLANS (session time zone far from UTC)."""
    with fresh_postgres_database("analytics_test", timezone="Pacific/Auckland") as url:
        store(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest) -> str:
    """The database holding PLANS, of each kind."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site whose shop.yaml names no time zone, with two products."""
    site = tmp_path / "site"
    (site / "products").mkdir(parents=True)
    (site / "shop.yaml").write_text("name: Test\n")
    (site / "brands.yaml").write_text("- id: acme\n  name: Acme\n")
    for sku in ("TS-1", "TS-2"):
        (site / "products" / f"{sku}.yaml").write_text(f"sku: {sku}\nname: P {sku}\nbrand: acme\n")
    return site


def report(site: Path, url: str, since: dt.date = DAYS[0], until: dt.date = DAYS[-1],
           **options: Any) -> dict[str, Any]:
    """The JSON report document."""
    printed: list[str] = []
    report_command(site, database=url, echo=printed.append, fmt="json", since=since,
                   until=until, **options)
    return json.loads("\n".join(printed))


# --- expected numbers, from the plan -------------------------------------------------------

def rate(part: int, whole: int) -> float | None:
    """As the report rounds a rate."""
    return round(part / whole, 4) if whole else None


def expected_days(since: dt.date, until: dt.date, zone: str = "UTC") -> list[dict[str, Any]]:
    """Sessions, conversions and visitors (distinct among the sessions begun) per local day."""
    days = []
    day = since
    while day <= until:
        sessions = [s for s in in_window(day, day, zone)]
        converted = sum(1 for s in sessions if s.count("call"))
        events = sum(len(s.events) for s in sessions)
        days.append({
            "date": day.isoformat(), "visits": len(sessions),
            "visitors": len({s.visitor for s in sessions}),
            "sessions": len(sessions), "pageviews": sum(s.count("pageview") for s in sessions),
            "events_per_session": round(events / len(sessions), 2) if sessions else None,
            "calls": sum(s.count("call") for s in sessions), "converted_sessions": converted,
            "conversion_rate": rate(converted, len(sessions))})
        day += dt.timedelta(days=1)
    return days


def expected_by(sessions: list[PlannedSession], keys: tuple[int, ...]) -> list[dict[str, Any]]:
    """Sessions, searches, views, calls and conversion per entry (channel=2, source=3,
    campaign=4 of the ENTRIES tuple), most sessions first."""
    names = {2: "channel", 3: "source", 4: "campaign"}
    groups: dict[tuple[str, ...], list[PlannedSession]] = defaultdict(list)
    for session in sessions:
        if 4 in keys and session.entry[4] is None:
            continue
        groups[tuple(session.entry[k] or "(none)" for k in keys)].append(session)
    rows = []
    for key, members in groups.items():
        converted = sum(1 for s in members if s.count("call"))
        rows.append({**{names[k]: v for k, v in zip(keys, key, strict=True)},
                     "sessions": len(members),
                     "searches": sum(s.count("search") for s in members),
                     "views": sum(s.count("view") for s in members),
                     "calls": sum(s.count("call") for s in members),
                     "converted_sessions": converted,
                     "conversion_rate": rate(converted, len(members))})
    return sorted(rows, key=lambda r: (-r["sessions"], *(r[names[k]] for k in keys)))


def expected_funnel(sessions: list[PlannedSession]) -> list[dict[str, Any]]:
    """Sessions → searched or filtered → viewed → called, with both shares."""
    engaged = [s for s in sessions if s.count("search") or s.count("filter")]
    viewed = [s for s in engaged if s.count("view")]
    called = [s for s in viewed if s.count("call")]
    counts = [len(sessions), len(engaged), len(viewed), len(called)]
    steps = ("sessions", "searched or filtered", "viewed a product", "clicked to call")
    return [{"step": step, "sessions": n, "share_of_first": rate(n, counts[0]),
             "share_of_previous": rate(n, counts[i - 1] if i else n)}
            for i, (step, n) in enumerate(zip(steps, counts, strict=True))]


def expected_products(sessions: list[PlannedSession]) -> dict[str, tuple[int, int, int, int]]:
    """SKU → (views, sessions viewing, calls, sessions calling)."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for session in sessions:
        views = Counter(f["sku"] for k, f, _ in session.events if k == "view")
        calls = Counter(f["sku"] for k, f, _ in session.events if k == "call")
        for sku in views.keys() | calls.keys():
            row = found[sku]
            row[0] += views[sku]
            row[1] += bool(views[sku])
            row[2] += calls[sku]
            row[3] += bool(calls[sku])
    return {sku: (v, vs, c, cs) for sku, (v, vs, c, cs) in found.items() if v}


# --- tests ---------------------------------------------------------------------------------

def test_the_plan_exercises_every_rule() -> None:
    sessions = in_window(DAYS[0], DAYS[-1])
    assert {s.entry[2] for s in sessions} == {e[2] for e in ENTRIES}  # every channel
    assert len({s.visitor for s in sessions}) < len(sessions)  # visitors with 2+ sessions
    assert any(b - a == 29 for s in sessions
               for (_, _, a), (_, _, b) in zip(s.events, s.events[1:], strict=False))
    assert any(s.count("pageview") > 1 for s in sessions)  # a second page: not the entry
    assert 0 < sum(1 for s in sessions if s.count("call")) < len(sessions)


def test_sessions_conversion_and_days(site: Path, url: str) -> None:
    doc = report(site, url)
    sessions = in_window(DAYS[0], DAYS[-1])
    converted = sum(1 for s in sessions if s.count("call"))
    events = sum(len(s.events) for s in sessions)
    totals = doc["totals"]
    assert (totals["sessions"], totals["visits"]) == (len(sessions), len(sessions))
    assert totals["converted_sessions"] == converted
    assert totals["conversion_rate"] == rate(converted, len(sessions))
    assert totals["events"] == events
    assert totals["events_per_session"] == round(events / len(sessions), 2)
    assert totals["pageviews"] == sum(s.count("pageview") for s in sessions)
    assert doc["days"] == expected_days(DAYS[0], DAYS[-1])
    assert totals["visitors"] == sum(d["visitors"] for d in doc["days"])


def test_traffic_sources(site: Path, url: str) -> None:
    doc = report(site, url)
    sessions = in_window(DAYS[0], DAYS[-1])
    assert doc["channels"] == expected_by(sessions, (2,))
    assert doc["sources"] == expected_by(sessions, (3, 2))
    assert doc["campaigns"] == expected_by(sessions, (4, 3, 2))


def test_funnels_by_session(site: Path, url: str) -> None:
    doc = report(site, url)
    sessions = in_window(DAYS[0], DAYS[-1])
    assert doc["funnel_steps"] == expected_funnel(sessions)
    steps = doc["funnel_steps"]
    assert doc["funnel"]["visits"] == steps[0]["sessions"]
    assert doc["funnel"]["called"] == steps[3]["sessions"]
    found = {r["sku"]: (r["views"], r["view_sessions"], r["calls"], r["call_sessions"])
             for r in doc["product_funnel"]}
    assert found == expected_products(sessions)
    for row in doc["product_funnel"]:
        assert row["call_rate"] == rate(row["call_sessions"], row["view_sessions"])
    assert next(r for r in doc["product_funnel"] if r["sku"] == "TS-1")["name"] == "P TS-1"


def test_days_follow_the_time_zone(site: Path, url: str) -> None:
    utc = report(site, url, DAYS[1], DAYS[1])
    paris = report(site, url, DAYS[1], DAYS[1], tz="Europe/Paris")
    assert paris["timezone"] == "Europe/Paris" and utc["timezone"] == "UTC"
    # The session at 23:30 UTC on March 1st is on March 2nd in Paris.
    late = next(s for s in PLANS if s.visitor == "late-1")
    assert late.start.astimezone(ZoneInfo("Europe/Paris")).date() == DAYS[1]
    assert paris["days"] == expected_days(DAYS[1], DAYS[1], "Europe/Paris")
    assert utc["days"] == expected_days(DAYS[1], DAYS[1])
    assert paris["totals"]["sessions"] == utc["totals"]["sessions"] + 1 - sum(
        1 for s in in_window(DAYS[1], DAYS[1]) if s.start.hour == 23)
    assert paris["days"][0]["converted_sessions"] == utc["days"][0]["converted_sessions"] + 1


def test_shop_yaml_timezone_is_the_default(site: Path, url: str) -> None:
    (site / "shop.yaml").write_text("name: Test\ntimezone: Europe/Paris\n")
    doc = report(site, url, DAYS[1], DAYS[1])
    assert doc["timezone"] == "Europe/Paris"
    assert doc["days"] == expected_days(DAYS[1], DAYS[1], "Europe/Paris")
    assert report(site, url, DAYS[1], DAYS[1], tz="UTC")["timezone"] == "UTC"


@pytest.mark.parametrize(("since", "until", "compare", "before"), [
    (DAYS[3], DAYS[3], "previous", (DAYS[2], DAYS[2])),
    (DAYS[2], DAYS[3], "previous", (DAYS[0], DAYS[1])),
    (DAYS[1], DAYS[3], "previous", (dt.date(2026, 2, 27), DAYS[0])),
    (dt.date(2026, 2, 1), dt.date(2026, 3, 31), "previous",
     (dt.date(2025, 12, 4), dt.date(2026, 1, 31))),  # 59 days each
    (DAYS[0], DAYS[3], "year", (dt.date(2025, 3, 1), dt.date(2025, 3, 4))),
])
def test_comparison_periods(site: Path, url: str, since: dt.date, until: dt.date,
                            compare: str, before: tuple[dt.date, dt.date]) -> None:
    doc = report(site, url, since, until, compare=compare)
    assert doc["compared_with"] == {"since": before[0].isoformat(),
                                    "until": before[1].isoformat()}
    if compare == "previous":
        assert (before[1] - before[0]) == (until - since)  # the same length
    figures = {row["metric"]: row for row in doc["comparison"]}
    now, then = len(in_window(since, until)), len(in_window(*before))
    assert (figures["sessions"]["current"], figures["sessions"]["previous"]) == (now, then)
    assert figures["sessions"]["change_rate"] == (round((now - then) / then, 4) if then
                                                  else None)
    calls_then = sum(s.count("call") for s in in_window(*before))
    assert figures["calls"]["previous"] == calls_then


def test_no_comparison_without_the_option(site: Path, url: str) -> None:
    doc = report(site, url)
    assert doc["comparison"] == [] and doc["compared_with"] is None


@pytest.mark.parametrize("period", ["week", "month"])
def test_series_per_period_add_up_the_days(site: Path, url: str, period: str) -> None:
    doc = report(site, url, dt.date(2026, 2, 20), DAYS[-1], period=period)
    assert doc["period"] == period
    series = doc["series"]
    expected = {"week": [("2026-02-20", "2026-02-22"), ("2026-02-23", "2026-03-01"),
                         ("2026-03-02", "2026-03-04")],
                "month": [("2026-02-20", "2026-02-28"), ("2026-03-01", "2026-03-04")]}[period]
    assert [(r["period_start"], r["period_end"]) for r in series] == expected
    for row in series:
        days = [d for d in doc["days"] if row["period_start"] <= d["date"] <= row["period_end"]]
        assert row["sessions"] == sum(d["sessions"] for d in days)
        assert row["converted_sessions"] == sum(d["converted_sessions"] for d in days)
        assert row["conversion_rate"] == rate(row["converted_sessions"], row["sessions"])


def test_json_matches_its_schema(site: Path, url: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for doc in (report(site, url, compare="previous", period="week", tz="Europe/Paris"),
                report(site, url, dt.date(2025, 1, 1), dt.date(2025, 1, 2))):
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == []
    assert set(schema["required"]) >= {s.key for s in SECTIONS}
    broken = report(site, url)
    broken["totals"]["sessions"] = "many"
    assert not validator.is_valid(broken)


def test_csv_folder_has_one_tidy_file_per_section(site: Path, sqlite_url: str,
                                                   tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    printed: list[str] = []
    report_command(site, database=sqlite_url, echo=printed.append, fmt="csv", output=folder,
                   since=DAYS[0], until=DAYS[-1], compare="previous")
    assert printed == [f"Wrote {len(SECTIONS)} CSV files to {folder}"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s.key}.csv" for s in SECTIONS)
    doc = report(site, sqlite_url, compare="previous")
    for section in SECTIONS:
        with (folder / f"{section.key}.csv").open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        value = doc[section.key]
        expected = [value] if isinstance(value, dict) else value
        keys = [key for key, _ in section.columns]
        assert [list(row) for row in rows[:1]] in ([keys], [])
        as_text = [{k: "" if r.get(k) is None else str(r[k]) for k in keys} for r in expected]
        assert rows == as_text, section.key
    dates = [row["date"] for row in csv.DictReader((folder / "days.csv").open())]
    assert dates == [d.isoformat() for d in DAYS]


def test_bad_options_are_usage_errors(site: Path, sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"TRACKER_DATABASE_URL": sqlite_url}
    for options, word in ((["--tz", "Mars/Olympus"], "Mars/Olympus"),
                          (["--tz", "'; DROP TABLE events; --"], "time zone"),
                          (["--period", "fortnight"], "fortnight"),
                          (["--compare", "lastweek"], "lastweek")):
        result = runner.invoke(main, ["report", "--site", str(site), *options], env=env)
        assert result.exit_code == 2, result.output
        assert word in result.output
    result = runner.invoke(main, ["report", "--site", str(site), "--since", "2026-03-01",
                                  "--until", "2026-03-04", "--tz", "Europe/Paris", "--period",
                                  "week", "--compare", "year", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["compared_with"]["since"] == "2025-03-01"


def test_a_bad_shop_yaml_timezone_is_a_user_error(site: Path, sqlite_url: str) -> None:
    (site / "shop.yaml").write_text("name: Test\ntimezone: Mars/Olympus\n")
    result = CliRunner().invoke(main, ["report", "--site", str(site)],
                                env={"TRACKER_DATABASE_URL": sqlite_url})
    assert result.exit_code == 1
    assert "shop.yaml" in result.output and "Mars/Olympus" in result.output


def test_html_has_sources_conversion_chart_and_comparison(site: Path, sqlite_url: str) -> None:
    printed: list[str] = []
    report_command(site, database=sqlite_url, echo=printed.append, fmt="html", since=DAYS[0],
                   until=DAYS[-1], compare="previous")
    html = "\n".join(printed)
    assert '<svg id="chart-conversion"' in html
    assert html.count('<circle class="dot"') == len(DAYS)
    assert '<section id="channels">' in html and '<section id="sources">' in html
    assert "organic search" in html and "blog.example.org" in html
    assert "Compared with 2026-02-25 to 2026-02-28" in html
    assert "<script" not in html and "https://" not in html  # self-contained
