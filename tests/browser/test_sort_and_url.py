"""Sort orders against the catalog, and the URL as the page's state (load, change, Back)."""

from __future__ import annotations

import re

import pytest
from catalog_model import load, name_key
from playwright.sync_api import expect
from shop_page import expect_total, facet_box, open_shop, search, shown_anchors, wait_index

CATALOG = load()
ITEMS = CATALOG["items"]
POS = {i.anchor: n for n, i in enumerate(ITEMS)}

ORDERS = {
    "Relevance": lambda i: POS[i.anchor],
    "Price: low to high": lambda i: (i.price, POS[i.anchor]),
    "Price: high to low": lambda i: (-i.price, POS[i.anchor]),
    "Name: A–Z": lambda i: (name_key(i.name), POS[i.anchor]),
    "Newest": lambda i: ("".join(chr(0x10FFFF - ord(c)) for c in i.added), POS[i.anchor]),
}
VALUES = {"Relevance": "", "Price: low to high": "price-asc", "Price: high to low": "price-desc",
          "Name: A–Z": "name", "Newest": "newest"}


@pytest.mark.parametrize("label", list(ORDERS))
def test_every_sort_order(page, label):
    open_shop(page)
    sort = page.get_by_role("combobox", name="Sort by")
    sort.select_option(label=label)
    assert shown_anchors(page) == [i.anchor for i in sorted(ITEMS, key=ORDERS[label])]
    if VALUES[label]:
        expect(page).to_have_url(re.compile(re.escape(f"sort={VALUES[label]}")))
    else:
        expect(page).not_to_have_url(re.compile(re.escape("sort=")))


def test_sort_options_are_the_five_of_the_design(page):
    open_shop(page)
    options = page.get_by_role("combobox", name="Sort by").locator("option").all_inner_texts()
    assert options == list(ORDERS)


def test_sort_applies_within_search_results(page):
    open_shop(page)
    wait_index(page)
    search(page, "jacket")
    relevance = shown_anchors(page)
    page.get_by_role("combobox", name="Sort by").select_option(label="Price: low to high")
    by_price = shown_anchors(page)
    assert set(by_price) == set(relevance)
    prices = {i.anchor: i.price for i in ITEMS}
    assert [prices[a] for a in by_price] == sorted(prices[a] for a in by_price)


def test_loading_a_url_restores_the_state(page):
    brand, colour = ITEMS[0].brand, ITEMS[0].colours[0]
    open_shop(page, f"?q=a&brand={brand}&colour={colour}&min=10&max=900&stock=1&sort=price-desc"
                    "&brand=no-such-brand")
    page.wait_for_selector("#shop[data-search=ready]")
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("a")
    expect(facet_box(page, "Brand", CATALOG["brands"][brand])).to_be_checked()
    expect(facet_box(page, "Colour", colour)).to_be_checked()
    expect(page.get_by_role("checkbox", name="In stock only")).to_be_checked()
    expect(page.get_by_role("spinbutton", name="Minimum price")).to_have_value("10")
    expect(page.get_by_role("spinbutton", name="Maximum price")).to_have_value("900")
    expect(page.get_by_role("combobox", name="Sort by")).to_have_value("price-desc")
    expected = [i for i in ITEMS if i.brand == brand and colour in i.colours and i.in_stock
                and 10 <= i.price <= 900]
    shown = shown_anchors(page)
    # "a" is a stop word alone; it stays the query, and every product shown matches the filters.
    assert set(shown) <= {i.anchor for i in expected}


def test_changes_go_to_the_url_and_back_restores(page):
    open_shop(page)
    first = ITEMS[0]
    brand_label = CATALOG["brands"][first.brand]
    facet_box(page, "Brand", brand_label).check()
    expect(page).to_have_url(re.compile(re.escape(f"?brand={first.brand}") + "$"))
    with_brand = shown_anchors(page, all_pages=False)
    page.get_by_role("combobox", name="Sort by").select_option("name")
    expect(page).to_have_url(re.compile(re.escape(f"?brand={first.brand}&sort=name") + "$"))
    page.get_by_role("checkbox", name="In stock only").check()
    expect(page).to_have_url(re.compile(re.escape("stock=1")))
    page.go_back()
    expect(page.get_by_role("checkbox", name="In stock only")).not_to_be_checked()
    expect(page).to_have_url(re.compile(re.escape(f"?brand={first.brand}&sort=name") + "$"))
    page.go_back()
    expect(page.get_by_role("combobox", name="Sort by")).to_have_value("relevance")
    assert shown_anchors(page, all_pages=False) == with_brand
    page.go_back()
    expect(facet_box(page, "Brand", brand_label)).not_to_be_checked()
    expect_total(page, len(ITEMS))
    page.go_forward()
    expect(facet_box(page, "Brand", brand_label)).to_be_checked()


def test_typing_makes_one_history_entry_not_one_per_key(page):
    open_shop(page)
    wait_index(page)
    length = page.evaluate("history.length")
    page.get_by_role("searchbox", name="Search products").press_sequentially("merino", delay=30)
    page.wait_for_function("location.search === '?q=merino'")
    assert page.evaluate("history.length") == length + 1
    page.go_back()
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("")
    expect(page).to_have_url(page.shop_url)
    expect_total(page, len(ITEMS))
