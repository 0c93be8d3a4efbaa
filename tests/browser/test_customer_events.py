"""End to end: a customer in real Chromium on `shopgen serve`; the events land in the database.

Searches, filters, opens a product and clicks Call on the served sample shop, then finds
exactly those events, with the right fields, in SQLite and in PostgreSQL.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from browserkit import CHROMIUM, CHROMIUM_ARGS
from pgkit import fresh_postgres_database
from playwright.sync_api import expect
from servekit import shopgen_serve
from shop_page import rendered, rendered_after, renders, total, wait_index
from sitekit import REPO

# A customer's browser, not HeadlessChrome (which the tracker rightly flags as a bot).
CUSTOMER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/156.0.0.0 Safari/537.36")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    else:
        with fresh_postgres_database("events_e2e") as url:
            yield url


@pytest.fixture
def shop_url(tmp_path: Path, database_url: str):
    site = tmp_path / "shop"
    shutil.copytree(REPO / "catalog_data", site,
                    ignore=shutil.ignore_patterns("build", ".shopgen-cache", "*.sqlite3"))
    with shopgen_serve(site, database_url) as url:
        yield url


def stored_events(database_url: str, expected: int, seconds: float = 15) -> list[dict]:
    engine = sa.create_engine(database_url)
    try:
        deadline = time.monotonic() + seconds
        while True:
            with engine.connect() as connection:
                rows = [dict(r._mapping) for r in connection.execute(
                    sa.text("SELECT * FROM events ORDER BY client_at, type"))]
            if len(rows) >= expected or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)
    finally:
        engine.dispose()


def test_customer_activity_is_stored(shop_url: str, database_url: str,
                                     playwright_session) -> None:
    # Browser-wide (a context's override does not reach beacons sent while leaving).
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--user-agent={CUSTOMER_AGENT}"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(shop_url)
    wait_index(page)
    page.get_by_role("searchbox", name="Search products").press_sequentially("jacket", delay=30)
    rendered(page, "jacket")
    searched = total(page)
    brand_box = page.get_by_role("group", name="Brand").get_by_role("checkbox").first
    before = renders(page)
    brand_box.check()  # (this also ends the typing: the search is reported)
    brand_value = brand_box.get_attribute("value")
    rendered_after(page, before)
    filtered_count = total(page)
    products = page.get_by_role("list", name="Products")
    first = products.get_by_role("listitem").first
    first.get_by_role("heading").get_by_role("link").click()
    dialog = page.get_by_role("dialog")
    call = dialog.get_by_role("link", name="Call to order")
    call.wait_for()
    expect(page).to_have_url(re.compile(r"[?&]product="))
    sku = re.search(r"[?&]product=([^&]+)", page.url).group(1)
    # A tel: link would hand over to a phone app; the page must still have sent "call".
    call.evaluate("a => a.addEventListener('click', e => e.preventDefault())")
    call.click()
    page.goto("about:blank")  # pagehide: the beacon flushes what is queued
    context.close()
    browser.close()

    rows = stored_events(database_url, expected=5)
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        by_type.setdefault(row["type"], []).append(row)
    assert sorted(by_type) == ["call", "filter", "pageview", "search", "view"], rows
    assert [(r["query"], r["results"]) for r in by_type["search"]] == [("jacket", searched)]
    (filtered_row,) = by_type["filter"]
    assert (filtered_row["facet"], filtered_row["value"], filtered_row["selected"],
            filtered_row["results"]) == ("brand", brand_value, True, filtered_count)
    assert [r["sku"] for r in by_type["view"]] == [sku]
    assert [r["sku"] for r in by_type["call"]] == [sku]
    assert by_type["pageview"][0]["path"] == "/"
    assert len({r["page_id"] for r in rows}) == 1          # one page load
    assert len({r["visitor"] for r in rows}) == 1          # one visitor hash, not an IP
    assert all(re.fullmatch(r"[0-9a-f]{32}", r["visitor"]) for r in rows)
    assert not any(r["is_bot"] for r in rows)
    assert not any("127.0.0.1" in str(value) for r in rows for value in r.values())
