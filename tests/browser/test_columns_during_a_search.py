"""The columns arriving while a search is still to answer the query typed: the list keeps the
older query's results (busy) until that answer, never shows them as the new query's."""

from __future__ import annotations

from shop_page import (
    has_rendered,
    open_shop,
    rendered,
    search,
    shown_names,
    until,
    wait_index,
)


def test_columns_that_arrive_mid_search_do_not_render_the_older_results(page) -> None:
    columns, shards, holding = [], [], []
    page.route("**/assets/columns-*.json", lambda route: columns.append(route))  # held below
    page.route("**/assets/search-shard-*.json",
               lambda route: shards.append(route) if holding else route.continue_())
    open_shop(page)
    wait_index(page)
    search(page, "merino")  # its shard comes; the columns are asked for once idle
    before = page.eval_on_selector_all("#results > li h3", "els => els.map(e => e.textContent)")
    assert until(page, lambda: columns), "the columns are asked for once the page is idle"
    holding.append(True)
    page.get_by_role("searchbox", name="Search products").fill("rucksack")
    # "rucksack" is in a shard not fetched yet (the sample shop has three)
    assert until(page, lambda: shards), "rucksack's shard is asked for"
    with page.expect_response("**/assets/columns-*.json"):
        columns[0].continue_()
    page.wait_for_function("() => new Promise(done => setTimeout(() => done(true), 300))")
    assert not has_rendered(page, "rucksack")  # no render of "rucksack" with merino's hits
    assert page.eval_on_selector_all("#results > li h3",
                                     "els => els.map(e => e.textContent)") == before
    for route in shards:
        route.continue_()
    rendered(page, "rucksack")
    names = shown_names(page)
    assert names and names != before and any("Rucksack" in name for name in names)
