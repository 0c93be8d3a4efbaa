"""`shopgen report` on a known set of events, on SQLite and on PostgreSQL: every section's numbers
against hand-computed values, every format parsed back, the empty cases and the CLI wiring.

The PostgreSQL database `report_test_<random hex>` is created through the `postgres` database
for this test session (each xdist worker has its own) and dropped at the end. Its default time
zone is set to America/New_York, so a day computed in the session's zone instead of UTC shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pgkit import fresh_postgres_database
from sqlalchemy import create_engine

from shopgen.cli import main
from shopgen.errors import ShopgenError
from shopgen.report import report_command, resolve_window
from shopgen.report.parallel import collect_report_concurrently
from shopgen.report.queries import Window, collect_report
from tracker.migrate import upgrade_database
from tracker.storage import insert_new_events, make_engine

SINCE, UNTIL = dt.date(2026, 3, 1), dt.date(2026, 3, 3)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> dt.datetime:
    """A receive time in March 2026, UTC."""
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=dt.UTC)


# One visit (page load) per entry: (page, visitor, is_bot, received_at, [(type, fields), …]).
VISITS: list[tuple[str, str, bool, dt.datetime, list[tuple[str, dict[str, Any]]]]] = [
    ("p0", "v5", False, at(28, 23, 59, 59, month=2), [  # the day before the window
        ("pageview", {"path": "/"}), ("search", {"query": "red shoes", "results": 3})]),
    ("p1", "v1", False, at(1, 10), [
        ("pageview", {"path": "/", "referrer": "https://example.org/"}),
        ("search", {"query": "Red Shoes ", "results": 5}),
        ("search", {"query": "red shoes", "results": 3}),
        ("view", {"sku": "TS-1"}),
        ("call", {"sku": "TS-1"}),
        ("filter", {"facet": "brand", "value": "acme", "selected": True, "results": 4}),
        ("filter", {"facet": "brand", "value": "acme", "selected": False, "results": 10}),
        ("sort", {"sort": "price-asc"})]),
    ("p2", "v2", False, at(1, 11), [
        ("pageview", {"path": "/"}),
        ("search", {"query": "sheo", "results": 0}),
        ("search", {"query": "RED shoes", "results": 4}),
        ("view", {"sku": "TS-2"})]),
    ("p9", "b1", True, at(1, 12), [  # a bot: left out unless include_bots
        ("pageview", {"path": "/"}), ("search", {"query": "red shoes", "results": 3}),
        ("view", {"sku": "TS-1"}), ("call", {"sku": "TS-1"})]),
    ("p3", "v1", False, at(1, 15), [  # the same visitor's second page load, no search
        ("pageview", {"path": "/?product=TS-1"}), ("view", {"sku": "TS-1"}),
        ("call", {"sku": "TS-1"})]),
    ("p4", "v3", False, at(2, 1, 30), [  # still March 1st in New York
        ("pageview", {"path": "/"}),
        ("search", {"query": "sheo", "results": 0}),
        ("search", {"query": "blu", "results": 0}),
        ("filter", {"facet": "colour", "value": "red", "selected": True, "results": 2}),
        ("filter", {"facet": "brand", "value": "acme", "selected": True, "results": 1}),
        ("sort", {"sort": "price-asc"}),
        ("sort", {"sort": "newest"})]),
    ("p5", "v4", False, at(2, 20), [
        ("pageview", {"path": "/"}),
        ("search", {"query": "hat", "results": 2}),
        ("search", {"query": "   ", "results": 9}),  # blank: counted, but not a term
        ("view", {"sku": "TS-3"}),
        ("view", {"sku": "TS-999"}),  # not in the catalog: brand "(unknown)"
        ("call", {"sku": "TS-999"})]),
    ("p6", "v6", False, at(4, 0), [  # the day after the window
        ("pageview", {"path": "/"}), ("view", {"sku": "TS-1"})]),
]

COLUMNS = ("query", "results", "facet", "value", "selected", "sort", "sku", "path", "referrer")


def event_rows() -> list[dict[str, Any]]:
    """The rows of VISITS, as the tracker's storage inserts them."""
    rows = []
    for page, visitor, is_bot, received, events in VISITS:
        for n, (type_, fields) in enumerate(events):
            row = dict.fromkeys(COLUMNS)
            row.update(fields)
            row.update(id=f"{page}-{n:02d}-{secrets.token_hex(4)}", type=type_, page_id=page,
                       visitor=visitor, is_bot=is_bot,
                       client_at=received - dt.timedelta(seconds=5 - n), received_at=received)
            rows.append(row)
    return rows


def populate(url: str) -> None:
    """Migrate, insert every event, then resend some: the duplicates must not be stored."""
    upgrade_database(url)
    engine = make_engine(url)
    try:
        rows = event_rows()
        assert insert_new_events(engine, rows) == len(rows)
        assert insert_new_events(engine, rows[5:12]) == 0  # a browser resending a batch
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite tracker database holding VISITS."""
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'tracker.sqlite3'}"
    populate(url)
    return url


@pytest.fixture(scope="session")
def postgresql_report_url() -> Iterator[str]:
    """A PostgreSQL tracker database holding VISITS."""
    with fresh_postgres_database("report_test", timezone="America/New_York") as url:
        populate(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def report_url(request: pytest.FixtureRequest) -> str:
    """The URL of a database holding VISITS, on each kind of database."""
    return request.getfixturevalue(f"{request.param}_report_url")


def write_catalog(site: Path) -> Path:
    """A small catalog: TS-1 and TS-3 by Acme, TS-2 by Zed Co (TS-999 is not in it)."""
    (site / "products").mkdir(parents=True, exist_ok=True)
    (site / "shop.yaml").write_text("name: Test\nsearch:\n  synonyms:\n    tee: [tshirt]\n")
    (site / "brands.yaml").write_text("- id: acme\n  name: Acme\n- id: zed\n  name: Zed Co\n")
    products = [("TS-1", "Red Shoe", "acme"), ("TS-2", "Blue Hat", "zed"),
                ("TS-3", "Green Sneaker", "acme")]
    for sku, name, brand in products:
        (site / "products" / f"{sku.lower()}.yaml").write_text(
            f"sku: {sku}\nname: {name}\nbrand: {brand}\ndescription: A fine {name.lower()}.\n"
            "colours: [Red, Blue]\nprice: '10.00'\n")
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder with the small catalog."""
    return write_catalog(tmp_path / "site")


def run_report(site: Path, url: str, fmt: str = "json", **options: Any) -> str:
    """The report's text as the command prints it."""
    printed: list[str] = []
    options.setdefault("since", SINCE)
    options.setdefault("until", UNTIL)
    report_command(site, database=url, echo=printed.append, fmt=fmt, **options)
    return "\n".join(printed)


def test_every_section_matches_hand_computed_numbers(site: Path, report_url: str) -> None:
    doc = json.loads(run_report(site, report_url))
    # Version 2 keeps every key of version 1 (in order) and adds the analytics sections.
    assert list(doc) == ["version", "since", "until", "timezone", "period", "compared_with",
                         "include_bots", "generated_at", "empty", "message", "totals",
                         "comparison", "days", "series", "channels", "sources", "campaigns",
                         "funnel_steps", "product_funnel", "top_searches", "no_result_searches",
                         "top_products", "filters", "sorts", "calls_by_product",
                         "calls_by_brand", "funnel"]
    assert (doc["version"], doc["since"], doc["until"]) == (2, "2026-03-01", "2026-03-03")
    assert doc["empty"] is False and doc["message"] is None and doc["include_bots"] is False
    # "visits" are now sessions (v1 counted page loads): v1's two page loads 5 h apart are two
    # sessions, so the numbers are the same here.
    assert doc["totals"] == {"events": 28, "visits": 5, "sessions": 5, "visitors": 4,
                             "pageviews": 5, "searches": 8, "views": 5, "calls": 3,
                             "converted_sessions": 3, "conversion_rate": 0.6,
                             "events_per_session": 5.6}
    assert [{k: d[k] for k in ("date", "visitors", "visits", "pageviews")}
            for d in doc["days"]] == [
        {"date": "2026-03-01", "visitors": 2, "visits": 3, "pageviews": 3},
        {"date": "2026-03-02", "visitors": 2, "visits": 2, "pageviews": 2},
        {"date": "2026-03-03", "visitors": 0, "visits": 0, "pageviews": 0},
    ]
    assert doc["top_searches"] == [
        {"query": "red shoes", "searches": 3, "visitors": 2, "average_results": 4.0},
        {"query": "sheo", "searches": 2, "visitors": 2, "average_results": 0.0},
        {"query": "blu", "searches": 1, "visitors": 1, "average_results": 0.0},
        {"query": "hat", "searches": 1, "visitors": 1, "average_results": 2.0},
    ]
    last = "2026-03-02T01:30:00+00:00"
    assert doc["no_result_searches"] == [
        {"query": "sheo", "searches": 2, "visitors": 2, "last_searched": last},
        {"query": "blu", "searches": 1, "visitors": 1, "last_searched": last},
    ]
    assert doc["top_products"] == [
        {"sku": "TS-1", "name": "Red Shoe", "brand": "Acme", "views": 2, "visitors": 1,
         "calls": 2, "view_to_call_rate": 1.0},
        {"sku": "TS-999", "name": None, "brand": "(unknown)", "views": 1, "visitors": 1,
         "calls": 1, "view_to_call_rate": 1.0},
        {"sku": "TS-2", "name": "Blue Hat", "brand": "Zed Co", "views": 1, "visitors": 1,
         "calls": 0, "view_to_call_rate": 0.0},
        {"sku": "TS-3", "name": "Green Sneaker", "brand": "Acme", "views": 1, "visitors": 1,
         "calls": 0, "view_to_call_rate": 0.0},
    ]
    assert doc["filters"] == [
        {"facet": "brand", "value": "acme", "uses": 2, "visitors": 2},
        {"facet": "colour", "value": "red", "uses": 1, "visitors": 1},
    ]
    assert doc["sorts"] == [{"sort": "price-asc", "uses": 2, "visitors": 2},
                            {"sort": "newest", "uses": 1, "visitors": 1}]
    assert doc["calls_by_product"] == [
        {"sku": "TS-1", "name": "Red Shoe", "brand": "Acme", "calls": 2, "visitors": 1},
        {"sku": "TS-999", "name": None, "brand": "(unknown)", "calls": 1, "visitors": 1},
    ]
    assert doc["calls_by_brand"] == [
        {"brand": "acme", "name": "Acme", "calls": 2, "visitors": 1, "products": 1},
        {"brand": "(unknown)", "name": "(unknown)", "calls": 1, "visitors": 1, "products": 1},
    ]
    assert doc["funnel"] == {"visits": 5, "searched": 4, "viewed": 3, "called": 2,
                             "search_rate": 0.8, "view_rate": 0.75, "call_rate": 0.6667}


def test_bots_count_only_when_asked(site: Path, report_url: str) -> None:
    doc = json.loads(run_report(site, report_url, include_bots=True))
    assert doc["include_bots"] is True
    assert {k: doc["days"][0][k] for k in ("date", "visitors", "visits", "pageviews")} == {
        "date": "2026-03-01", "visitors": 3, "visits": 4, "pageviews": 4}
    assert doc["top_searches"][0] == {"query": "red shoes", "searches": 4, "visitors": 3,
                                      "average_results": 3.75}
    assert doc["top_products"][0] == {
        "sku": "TS-1", "name": "Red Shoe", "brand": "Acme", "views": 3, "visitors": 2,
        "calls": 3, "view_to_call_rate": 1.0}
    assert doc["calls_by_brand"][0] == {"brand": "acme", "name": "Acme", "calls": 3,
                                        "visitors": 2, "products": 1}
    funnel = doc["funnel"]
    assert (funnel["visits"], funnel["searched"], funnel["viewed"], funnel["called"]) == (
        6, 5, 4, 3)


def test_window_edges_are_whole_utc_days(site: Path, report_url: str) -> None:
    doc = json.loads(run_report(site, report_url, since=dt.date(2026, 2, 28),
                                until=dt.date(2026, 3, 4)))
    dates = {d["date"]: d["pageviews"] for d in doc["days"]}
    assert dates["2026-02-28"] == 1 and dates["2026-03-04"] == 1
    assert doc["totals"]["visits"] == 7
    assert doc["top_searches"][0]["searches"] == 4  # p0's "red shoes" on Feb 28th
    one_day = json.loads(run_report(site, report_url, since=dt.date(2026, 3, 2),
                                    until=dt.date(2026, 3, 2)))
    assert [d["date"] for d in one_day["days"]] == ["2026-03-02"]
    assert one_day["totals"]["visits"] == 2


def test_a_window_without_activity_says_so(site: Path, report_url: str) -> None:
    since, until = dt.date(2025, 1, 1), dt.date(2025, 1, 31)
    table = run_report(site, report_url, fmt="table", since=since, until=until)
    assert "No activity recorded between 2025-01-01 and 2025-01-31." in table
    doc = json.loads(run_report(site, report_url, since=since, until=until))
    assert doc["empty"] is True
    assert doc["message"] == "No activity recorded between 2025-01-01 and 2025-01-31."
    assert doc["top_searches"] == [] and doc["funnel"]["visits"] == 0
    assert len(doc["days"]) == 31 and {d["visitors"] for d in doc["days"]} == {0}


def test_an_empty_database_says_so_plainly(site: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade_database(url)
    table = run_report(site, url, fmt="table")
    assert "No activity recorded between 2026-03-01 and 2026-03-03." in table
    assert "Top searches" not in table
    html = run_report(site, url, fmt="html")
    assert "No activity recorded between 2026-03-01 and 2026-03-03." in html
    out = tmp_path / "r.json"
    printed: list[str] = []
    report_command(site, database=url, echo=printed.append, since=SINCE, until=UNTIL,
                   fmt="json", output=out)
    assert json.loads(out.read_text())["empty"] is True
    assert printed[-1] == "No activity recorded between 2026-03-01 and 2026-03-03."


def test_table_format_is_readable(site: Path, sqlite_report_url: str) -> None:
    table = run_report(site, sqlite_report_url, fmt="table")
    for title in ("Sessions, visitors and conversion per day", "Top searches",
                  "Searches with no result", "Most viewed products", "Filter use", "Sort use",
                  "Call clicks per product", "Call clicks per brand", "Funnel per session",
                  "Traffic sources: channels", "Products: views → calls, per session"):
        assert title in table
    red_shoes = next(line for line in table.splitlines() if "red shoes" in line)
    assert red_shoes.split() == ["red", "shoes", "3", "2", "4.00"]
    ts1 = next(line for line in table.splitlines() if "TS-1 " in line)
    assert ts1.split()[-1] == "100.0%"


def test_csv_parses_one_block_per_section(site: Path, sqlite_report_url: str) -> None:
    rows = list(csv.reader(io.StringIO(run_report(site, sqlite_report_url, fmt="csv"))))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    sections = {}
    for block in blocks:
        header, *body = block
        assert header[0] == "section"
        assert {r[0] for r in body} <= {body[0][0]} if body else True
        if body:  # an empty section (no --compare, no campaign) is its header alone
            sections[body[0][0]] = [dict(zip(header, r, strict=True)) for r in body]
    assert list(sections) == ["totals", "days", "series", "channels", "sources",
                              "funnel_steps", "product_funnel", "top_searches",
                              "no_result_searches", "top_products", "filters", "sorts",
                              "calls_by_product", "calls_by_brand", "funnel"]
    assert len(blocks) == 17  # every section has its block
    assert sections["top_searches"][0] == {"section": "top_searches", "query": "red shoes",
                                           "searches": "3", "visitors": "2",
                                           "average_results": "4.0"}
    assert sections["top_products"][1]["name"] == ""  # TS-999: not in the catalog
    assert sections["funnel"][0]["call_rate"] == "0.6667"
    assert [d["pageviews"] for d in sections["days"]] == ["3", "2", "0"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_with_svg_charts(site: Path, sqlite_report_url: str) -> None:
    html = run_report(site, sqlite_report_url, fmt="html")
    parser = _Collector()
    parser.feed(html)
    parser.close()
    svg_ids = {attrs.get("id") for tag, attrs in parser.tags if tag == "svg"}
    assert {"chart-days", "chart-searches", "chart-products"} <= svg_ids
    assert sum(1 for tag, _ in parser.tags if tag == "rect") >= 3 + 4 + 4
    for tag, attrs in parser.tags:
        assert tag not in ("script", "link", "img", "iframe")
        for name in ("src", "href", "xlink:href", "action"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http://", "https://", "//")), (tag, name, value)
    assert "http://" not in html and "https://" not in html
    text_content = " ".join(parser.text)
    assert "red shoes" in text_content and "Red Shoe" in text_content
    assert "5 sessions → 4 searched or filtered" in text_content


def test_html_escapes_what_customers_typed(site: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 't.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    row = dict.fromkeys(COLUMNS)
    row.update(id="x1", type="search", page_id="p", visitor="v", is_bot=False,
               client_at=at(1, 9), received_at=at(1, 9),
               query='<script>alert(1)</script><img src="https://evil.example/x">', results=0)
    insert_new_events(engine, [row])
    engine.dispose()
    html = run_report(site, url, fmt="html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_output_file_and_json_round_trip(site: Path, tmp_path: Path,
                                         sqlite_report_url: str) -> None:
    out = tmp_path / "out" / "report.json"
    printed: list[str] = []
    report_command(site, database=sqlite_report_url, echo=printed.append, since=SINCE,
                   until=UNTIL, fmt="json", output=out)
    assert printed == [f"Wrote the json report to {out}"]
    assert json.loads(out.read_text(encoding="utf-8"))["totals"]["visits"] == 5


def test_default_window_is_the_last_30_days_up_to_today() -> None:
    today = dt.date(2026, 11, 24)
    assert resolve_window(None, None, today) == (dt.date(2026, 10, 26), today)
    assert resolve_window(None, dt.date(2026, 1, 30), today) == (dt.date(2026, 1, 1),
                                                                  dt.date(2026, 1, 30))
    assert resolve_window(dt.date(2026, 11, 1), None, today) == (dt.date(2026, 11, 1), today)
    assert len(Window(dt.date(2026, 10, 26), today).days()) == 30
    with pytest.raises(ShopgenError, match="after"):
        resolve_window(dt.date(2026, 5, 2), dt.date(2026, 5, 1), today)


def test_user_errors_name_the_fix(site: Path, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'nothing.sqlite3'}"
    with pytest.raises(ShopgenError, match="shopgen db upgrade"):
        run_report(site, missing)
    assert not (tmp_path / "nothing.sqlite3").exists()  # no empty file left behind
    bare = tmp_path / "bare.sqlite3"
    bare.write_bytes(b"")
    with pytest.raises(ShopgenError, match="no events table.*shopgen db upgrade"):
        run_report(site, f"sqlite:///{bare}")
    with pytest.raises(ShopgenError, match="cannot read the tracker database"):
        run_report(site, "postgresql+psycopg://postgres@127.0.0.1:9/nowhere")


def test_cli_prints_json(site: Path, sqlite_report_url: str) -> None:
    result = CliRunner().invoke(
        main, ["report", "--site", str(site), "--since", "2026-03-01", "--until", "2026-03-03",
               "--format", "json"],
        env={"TRACKER_DATABASE_URL": sqlite_report_url})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["funnel"]["called"] == 2


def test_cli_errors_exit_1(site: Path, tmp_path: Path, sqlite_report_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["report", "--site", str(site), "--since", "2026-03-05", "--until", "2026-03-01"],
        env={"TRACKER_DATABASE_URL": sqlite_report_url})
    assert result.exit_code == 2  # a usage error (tests/test_database_errors.py)
    assert "Error:" in result.output and "after" in result.output
    result = runner.invoke(main, ["report", "--site", str(site)],
                           env={"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'no.sqlite3'}"})
    assert result.exit_code == 1
    assert "Error:" in result.output and "shopgen db upgrade" in result.output
    assert "Traceback" not in result.output


@pytest.mark.postgres
def test_concurrent_sections_equal_one_transaction(postgresql_report_url: str) -> None:
    window = Window(SINCE, UNTIL)
    engine = create_engine(postgresql_report_url)
    try:
        with engine.connect() as conn:
            alone = collect_report(conn, window, {"TS-1": "acme"})
        together = collect_report_concurrently(engine, window, {"TS-1": "acme"}, workers=3)
    finally:
        engine.dispose()
    assert together == alone
    assert set(together.timings) == set(alone.timings)
