"""Helpers to drive the shop page the way a customer does (roles and accessible names)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

RENDERS = "performance.getEntriesByName('shopgen:render')"  # the page marks each render
RENDERED_QUERY = f"q => {RENDERS}.some(m => m.detail.q === q)"


def open_shop(page: Page, query: str = "", *, wait_search: bool = False) -> None:
    """Load the page (with a query string) and wait until the script has taken over."""
    page.goto(page.shop_url + query)
    page.wait_for_selector("#shop[data-ready]")
    if wait_search:
        page.wait_for_selector("#shop[data-search=ready]")


def wait_index(page: Page) -> None:
    """Focus the search box (which fetches the index) and wait for the index."""
    page.get_by_role("searchbox", name="Search products").focus()
    page.wait_for_selector("#shop[data-search=ready]")


def search(page: Page, text: str) -> None:
    """Type into the search box and wait for the results of exactly this query."""
    box = page.get_by_role("searchbox", name="Search products")
    box.fill(text)
    rendered(page, text)


def rendered(page: Page, q: str) -> None:
    """Wait until the page has rendered results for the query `q`."""
    page.wait_for_function(RENDERED_QUERY, arg=q)


def has_rendered(page: Page, q: str) -> bool:
    """Whether the page has rendered results for the query `q` yet."""
    return page.evaluate(RENDERED_QUERY, q)


def renders(page: Page) -> int:
    """How many times the page has rendered so far."""
    return page.evaluate(f"() => {RENDERS}.length")


def rendered_after(page: Page, before: int) -> None:
    """Wait for a render after the first `before` ones (see `renders`)."""
    page.wait_for_function(f"n => {RENDERS}.length > n", arg=before)


def settled(page: Page) -> None:
    """Wait until the list shows the page's state: it is busy while the data it will show
    (the columns, some products' cards) is being fetched."""
    page.wait_for_selector("#results:not([aria-busy])", state="attached")


def counted(page: Page) -> None:
    """Wait until the facets' counts are known: they are busy while a search's results are
    shown before the columns that count them have been fetched."""
    page.wait_for_selector("#facets:not([aria-busy])", state="attached")


def status(page: Page) -> str:
    settled(page)
    return page.get_by_role("status").inner_text()


def total(page: Page) -> int:
    text = status(page)
    return 0 if text == "No products match" else int(text.split()[0])


def shown_anchors(page: Page, *, all_pages: bool = True) -> list[str]:
    """The anchors of the products listed, in order (from their links to p/<anchor>.html;
    pressing "Show more" until all are shown)."""
    more = page.locator("#more")
    settled(page)
    while all_pages and more.is_visible():
        more.click()
        settled(page)
    return page.eval_on_selector_all(
        "#results > li",
        "els => els.map(e => e.querySelector('h3 a').pathname.split('/').pop().slice(0, -5))")


def shown_names(page: Page) -> list[str]:
    settled(page)
    return page.eval_on_selector_all("#results > li h3", "els => els.map(e => e.textContent)")


def facet_box(page: Page, facet: str, label: str):
    """The checkbox of one value in a facet group; its name starts with the value's label."""
    group = page.get_by_role("group", name=facet, exact=True)
    return group.get_by_role("checkbox", name=re.compile("^" + re.escape(label) + r" \(\d+\)$"))


def count_of(page: Page, facet: str, label: str) -> int:
    """The count shown beside a facet value."""
    settled(page)
    counted(page)
    name = facet_box(page, facet, label).locator("xpath=..").inner_text()
    return int(re.search(r"\((\d+)\)\s*$", name).group(1))


def expect_total(page: Page, n: int) -> None:
    text = "No products match" if n == 0 else f"{n} product{'s' if n != 1 else ''}"
    expect(page.get_by_role("status")).to_have_text(text)


def until(page: Page, done: Callable[[], object], seconds: float = 5) -> bool:
    """Wait until `done()` (a test-side condition: requests seen, events received) is true,
    polling every 50 ms for at most `seconds`; says whether it came true."""
    for _ in range(int(seconds * 20)):
        if done():
            return True
        page.wait_for_timeout(50)
    return bool(done())


def tracked(page: Page, events: list[dict], *types: str) -> list[dict]:
    """The events the tracker received, once it has one of each of `types` (the beacon leaves
    with the page: it may arrive after the next page is open); at most five seconds."""
    until(page, lambda: set(types) <= {event["type"] for event in events})
    return list(events)
