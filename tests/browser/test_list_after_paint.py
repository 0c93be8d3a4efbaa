"""A render lists the cards that reach the window before its frame, and the rest of the page of
results once that frame is painted, a screenful a task (shop.js `listRest`, view.js
`watchScreen`): the rest arrives, in order; every result is reachable by keyboard and by
scrolling; a customer scrolled down the grid sees the window filled at once; a newer render
drops what an older one still had to list. And a run of typing writes its URL when the keys
pause, or before a click's entry (history.js)."""

from __future__ import annotations

import re

from catalog_model import load
from playwright.sync_api import expect
from shop_page import counted, open_shop, settled, shown_anchors, until, wait_index

CATALOG = load()
ITEMS = CATALOG["items"]
PAGE = 48

# What the list holds when the page marks a render (before the frame that paints it).
# And the layout shifts once the frame after a render is painted (what the rest's arrival moved).
AT_RENDER = """(() => {
  window.__atRender = [];
  window.__shiftsAfterPaint = [];
  let painted = Infinity;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime > painted) __shiftsAfterPaint.push(e.value);
  }).observe({type: "layout-shift", buffered: true});
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === "shopgen:render") {
      painted = Infinity;
      requestAnimationFrame(() => setTimeout(() => { painted = performance.now(); }));
      const cards = [...document.querySelectorAll("#results > li")];
      const last = cards.length ? cards[cards.length - 1].getBoundingClientRect().bottom : 0;
      window.__atRender.push({
        anchors: cards.map((li) => li.querySelector("h3 a").pathname.split("/").pop().slice(0, -5)),
        lastBottom: last, height: innerHeight, scrollY,
      });
    }
    return mark(name, options);
  };
})()"""
TWO_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def anchor(sku: str) -> str:
    """As shopgen/catalog/page_address.py names a product's page."""
    return "p-" + re.sub(r"[^a-z0-9]+", "-", sku.lower()).strip("-")


def in_stock() -> list[str]:
    return [anchor(item.sku) for item in ITEMS if item.in_stock][:PAGE]


def open_watched(page) -> None:
    """Open the shop with the filters' columns in (their arrival renders too), the search index
    in (loaded once the page is idle) and the cards' places known (told after a frame)."""
    page.add_init_script(AT_RENDER)
    open_shop(page)
    page.evaluate("window.__atRender.length = 0")
    page.locator("#filters").hover()  # (fetches the columns)
    page.wait_for_function("window.__atRender.length > 0")
    page.wait_for_selector("#shop[data-search=ready]", state="attached")
    page.evaluate(TWO_FRAMES)
    page.evaluate("window.__atRender.length = 0")


def click_in_stock(page) -> dict:
    page.get_by_role("checkbox", name="In stock only").check()
    page.wait_for_function("window.__atRender.length > 0")
    return page.evaluate("window.__atRender[0]")


def test_the_rest_of_a_page_follows_the_first_screenful(page) -> None:
    expected = in_stock()
    assert len(expected) > 24, "the sample needs more than two screenfuls in stock"
    open_watched(page)
    first = click_in_stock(page)
    # Before the frame: the cards down to the window's bottom, the first of the new list.
    assert 0 < len(first["anchors"]) < len(expected)
    assert first["anchors"] == expected[:len(first["anchors"])]
    assert first["lastBottom"] >= first["height"]
    settled(page)
    assert shown_anchors(page, all_pages=False) == expected
    expect(page.locator("#more")).to_be_visible()  # (66 in stock: more than a page)
    page.evaluate(TWO_FRAMES)
    assert page.evaluate("window.__shiftsAfterPaint") == []


def test_the_index_arriving_without_a_query_renders_nothing(page) -> None:
    held, released = [], []
    page.route("**/assets/search-*.json",  # the index: held below
               lambda route: route.continue_() if released else held.append(route))
    page.add_init_script(AT_RENDER)
    open_shop(page)
    page.locator("#filters").hover()  # (fetches the columns)
    counted(page)
    assert until(page, lambda: held), "the index is asked for once the page is idle"
    page.evaluate(TWO_FRAMES)
    renders = page.evaluate("window.__atRender.length")
    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_selector("#shop[data-search=ready]", state="attached")
    page.evaluate(TWO_FRAMES)
    assert page.evaluate("window.__atRender.length") == renders  # the list is as it was


def test_every_result_is_reachable_by_keyboard_and_by_scrolling(page) -> None:
    expected = in_stock()
    open_watched(page)
    click_in_stock(page)
    settled(page)
    links = page.locator("#results > li h3 a")
    expect(links).to_have_count(len(expected))
    links.first.focus()
    for _ in range(len(expected) - 1):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('li') === "
                         "document.querySelector('#results > li:last-child')")
    page.mouse.wheel(0, 100_000)
    expect(links.last).to_be_in_viewport()


def test_scrolled_down_the_grid_the_window_is_filled_before_the_frame(page) -> None:
    expected = in_stock()
    open_watched(page)
    page.evaluate("window.scrollTo(0, 1500)")
    page.evaluate(TWO_FRAMES)
    # (A script's click: Playwright's would scroll the box into view first.)
    page.evaluate("document.querySelector('#facets input[name=stock]').click()")
    page.wait_for_function("window.__atRender.length > 0")
    first = page.evaluate("window.__atRender[0]")
    # (The browser's scroll anchoring may follow a card that moved: the window is where it says.)
    assert first["scrollY"] > 900
    assert first["lastBottom"] >= first["height"]  # no gap at the bottom of the window
    assert len(first["anchors"]) > 24
    assert first["anchors"] == expected[:len(first["anchors"])]
    settled(page)
    assert page.evaluate("scrollY") == first["scrollY"]  # the rest, below, moves nothing
    page.evaluate(TWO_FRAMES)
    assert page.evaluate("window.__shiftsAfterPaint") == []
    assert shown_anchors(page, all_pages=False) == expected


def test_a_newer_render_drops_what_an_older_one_had_to_list(page) -> None:
    open_watched(page)
    brand = ITEMS[0].brand
    page.evaluate("""(brand) => {
      document.querySelector('#facets input[name=stock]').click();
      document.querySelector(`#facets input[name=brand][value="${brand}"]`).click();
    }""", brand)
    page.wait_for_function("window.__atRender.length >= 2")
    settled(page)
    expected = [anchor(i.sku) for i in ITEMS if i.in_stock and i.brand == brand][:PAGE]
    assert shown_anchors(page) == expected


def test_typing_replaces_its_url_when_the_keys_pause_and_a_click_keeps_its_entry(page) -> None:
    open_shop(page)
    wait_index(page)
    length = page.evaluate("history.length")
    brand = ITEMS[0].brand
    # Typing, then a click before the keys' pause: the typed entry is written first.
    page.evaluate("""(brand) => {
      const box = document.getElementById('q');
      box.value = 'summit';
      box.dispatchEvent(new Event('input', {bubbles: true}));
      document.querySelector(`#facets input[name=brand][value="${brand}"]`).click();
    }""", brand)
    page.wait_for_function("b => location.search === '?q=summit&brand=' + b", arg=brand)
    assert page.evaluate("history.length") == length + 2
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=summit$"))
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("summit")
    # Back while the run's URL waits for the keys to pause: Back leaves the run (its first key
    # pushed its entry), and nothing is written after it.
    typing = """(text) => {
      const box = document.getElementById('q');
      box.value = text;
      box.dispatchEvent(new Event('input', {bubbles: true}));
    }"""
    page.evaluate(typing, "summit b")
    expect(page).to_have_url(re.compile(r"\?q=summit(\+|%20)b$"))
    page.evaluate(f"({typing})('summit boot'); history.back()")
    expect(page).to_have_url(re.compile(r"\?q=summit$"))
    page.wait_for_timeout(400)  # (longer than the keys' pause)
    expect(page).to_have_url(re.compile(r"\?q=summit$"))
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("summit")
