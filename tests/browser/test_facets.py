"""Facets filter correctly, and every count equals an independent count from the YAML."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from catalog_model import facet_values, load, matches
from playwright.sync_api import expect
from shop_page import count_of, expect_total, facet_box, open_shop, shown_anchors

CATALOG = load()
ITEMS = CATALOG["items"]
FACETS = {"brand": "Brand", "colour": "Colour", "category": "Category", "size": "Size",
          **{a["id"]: a["name"] for a in CATALOG["attributes"].values()
             if a.get("facet") and a["type"] == "text"}}


def labels(facet: str) -> dict[str, str]:
    """Value id → label as the page shows it."""
    if facet == "brand":
        return {b: CATALOG["brands"][b] for b in {i.brand for i in ITEMS}}
    if facet == "category":
        return {c: CATALOG["categories"][c]
                for i in ITEMS for c in facet_values(CATALOG, i, "category")}
    return {v: v for i in ITEMS for v in facet_values(CATALOG, i, facet)}


def check_counts(page, chosen: dict[str, set[str]], **ranges) -> None:
    """Each value's count = products matching every other facet, the ranges and this value."""
    for facet, name in FACETS.items():
        for value, label in labels(facet).items():
            expected = sum(
                1 for i in ITEMS
                if matches(CATALOG, i, chosen, skip=facet, **ranges)
                and value in facet_values(CATALOG, i, facet))
            assert count_of(page, name, label) == expected, (facet, value)
            box = facet_box(page, name, label)
            assert box.is_disabled() == (expected == 0 and not box.is_checked()), (facet, value)


def expected_anchors(chosen, **ranges) -> list[str]:
    return [i.anchor for i in ITEMS if matches(CATALOG, i, chosen, **ranges)]


def test_counts_without_filters(page):
    open_shop(page)
    check_counts(page, {})


@pytest.mark.parametrize("facet", list(FACETS))
def test_each_facet_filters_and_counts(page, facet):
    open_shop(page)
    values = sorted(labels(facet).items(), key=lambda kv: -sum(
        kv[0] in facet_values(CATALOG, i, facet) for i in ITEMS))
    (first, first_label), (second, second_label) = values[0], values[1]
    facet_box(page, FACETS[facet], first_label).check()
    chosen = {facet: {first}}
    expect_total(page, len(expected_anchors(chosen)))
    assert shown_anchors(page) == expected_anchors(chosen)
    check_counts(page, chosen)
    facet_box(page, FACETS[facet], second_label).check()  # values within a facet: OR
    chosen = {facet: {first, second}}
    expect_total(page, len(expected_anchors(chosen)))
    assert shown_anchors(page) == expected_anchors(chosen)


def test_category_parent_includes_children(page):
    open_shop(page)
    parent = next(c for c, p in CATALOG["parents"].items() if p is None
                  and any(CATALOG["parents"].get(i.category) == c for i in ITEMS))
    facet_box(page, "Category", CATALOG["categories"][parent]).check()
    expected = [i.anchor for i in ITEMS if CATALOG["parents"].get(i.category) == parent
                or i.category == parent]
    assert shown_anchors(page) == expected


def test_combined_filters_price_and_stock(page):
    open_shop(page)
    brands = sorted({i.brand for i in ITEMS})
    facet_box(page, "Brand", CATALOG["brands"][brands[0]]).check()
    facet_box(page, "Brand", CATALOG["brands"][brands[1]]).check()
    page.get_by_role("checkbox", name="In stock only").check()
    page.get_by_role("spinbutton", name="Minimum price").fill("40")
    page.get_by_role("spinbutton", name="Maximum price").fill("250")
    page.get_by_role("spinbutton", name="Maximum price").press("Enter")
    chosen = {"brand": {brands[0], brands[1]}}
    ranges = {"min_price": Decimal(40), "max_price": Decimal(250), "stock": True}
    expect_total(page, len(expected_anchors(chosen, **ranges)))
    assert shown_anchors(page) == expected_anchors(chosen, **ranges)
    check_counts(page, chosen, **ranges)
    colour = next(c for i in ITEMS if matches(CATALOG, i, chosen, **ranges) for c in i.colours)
    facet_box(page, "Colour", colour).check()
    chosen["colour"] = {colour}
    assert shown_anchors(page) == expected_anchors(chosen, **ranges)
    check_counts(page, chosen, **ranges)
    page.get_by_role("button", name="Clear all filters").click()
    expect_total(page, len(ITEMS))
    assert not page.get_by_role("checkbox", name="In stock only").is_checked()
    assert page.get_by_role("spinbutton", name="Minimum price").input_value() == ""


def test_number_attribute_range(page):
    open_shop(page)
    weights = sorted(i.attrs["weight"] for i in ITEMS if "weight" in i.attrs)
    low, high = weights[len(weights) // 4], weights[3 * len(weights) // 4]
    group = page.get_by_role("group", name="Weight", exact=True)
    group.get_by_role("spinbutton", name="Minimum weight (g)").fill(str(low))
    group.get_by_role("spinbutton", name="Maximum weight (g)").fill(str(high))
    expected = [i.anchor for i in ITEMS if "weight" in i.attrs and low <= i.attrs["weight"] <= high]
    expect_total(page, len(expected))
    assert shown_anchors(page) == expected
    expect(page).to_have_url(re.compile(re.escape(f"weight-min={low}")))
    expect(page).to_have_url(re.compile(re.escape(f"weight-max={high}")))
