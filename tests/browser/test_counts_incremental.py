"""Counts stay exact while clicks update them incrementally (filter.js `createFilter`: only the
products whose values changed are counted again). A seeded random walk of facet clicks,
"In stock only" and Back on the sample shop, with and without a search; after every step each
shown count, each checkbox's state and the total are compared with a brute-force count over the
catalog's YAML (with a search: over the products the search lists without filters)."""

from __future__ import annotations

import random

import pytest
from catalog_model import facet_values, load, matches
from shop_page import (
    RENDERS,
    counted,
    expect_total,
    open_shop,
    rendered_after,
    renders,
    search,
    settled,
    shown_anchors,
    wait_index,
)

CATALOG = load()
ITEMS = CATALOG["items"]

SHOWN = """() => [...document.querySelectorAll('#facets input[type=checkbox]')]
  .filter((i) => i.name !== 'stock')
  .map((i) => [i.name, i.value, i.checked, i.disabled,
               (i.parentElement.querySelector('.n') || {}).textContent || null])"""
COUNTED = f"() => {RENDERS}.map((m) => m.detail.counted)"


def brute_force(items: list, chosen: dict[str, set[str]], stock: bool, facet: str,
                value: str) -> int:
    return sum(1 for item in items
               if matches(CATALOG, item, chosen, skip=facet, stock=stock)
               and value in facet_values(CATALOG, item, facet))


def check(page, items: list, chosen: dict[str, set[str]], stock: bool) -> None:
    settled(page)
    counted(page)
    shown = page.evaluate(SHOWN)
    assert shown, "no facet checkboxes on the page"
    for facet, value, checked, disabled, count in shown:
        expected = brute_force(items, chosen, stock, facet, value)
        assert count == f"({expected})", (facet, value, chosen, stock)
        assert checked == (value in chosen.get(facet, set())), (facet, value, chosen)
        assert disabled == (expected == 0 and not checked), (facet, value, chosen)
    expect_total(page, sum(1 for item in items if matches(CATALOG, item, chosen, stock=stock)))


@pytest.mark.parametrize("seed, query", [(1, ""), (2, ""), (3, "summit")])
def test_random_walk_of_clicks_keeps_every_count_exact(page, seed: int, query: str) -> None:
    rng = random.Random(seed)
    items = ITEMS
    open_shop(page)
    if query:
        wait_index(page)
        search(page, query)  # the engine's answer: the index is loaded
        assert page.locator("#more").is_hidden()  # every hit is listed
        found = set(shown_anchors(page, all_pages=False))
        items = [item for item in ITEMS if item.anchor in found]
        assert 3 < len(items) < len(ITEMS) / 2, len(items)
    chosen: dict[str, set[str]] = {}
    stock = False
    past: list[tuple[dict[str, set[str]], bool]] = []
    check(page, items, chosen, stock)
    for _ in range(40):
        before = renders(page)
        roll = rng.random()
        if roll < 0.12 and past:
            chosen, stock = past.pop()
            page.go_back()
        elif roll < 0.2:
            past.append(({k: set(v) for k, v in chosen.items()}, stock))
            stock = not stock
            page.get_by_role("checkbox", name="In stock only").click()
        else:
            # A value the customer can click: enabled, or chosen already (to take it off).
            options = [(f, v) for f, v, checked, disabled, _ in page.evaluate(SHOWN)
                       if checked or not disabled]
            facet, value = rng.choice(options)
            past.append(({k: set(v) for k, v in chosen.items()}, stock))
            values = chosen.setdefault(facet, set())
            values.symmetric_difference_update({value})
            if not values:
                del chosen[facet]
            page.locator(f'#facets input[name="{facet}"][value="{value}"]').click()
        rendered_after(page, before)
        check(page, items, chosen, stock)
    ways = page.evaluate(COUNTED)
    # The walk took the incremental path (not only full recounts), and both agree above.
    assert ways.count("changed") >= 5 and "all" in ways, ways
