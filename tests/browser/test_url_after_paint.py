"""A click's history entry is written once the frame showing it is painted (pushState takes
milliseconds that would delay the frame), without losing an entry or its order."""

from __future__ import annotations

from shop_page import open_shop

BRANDS = "#facets input[name=brand]"


def test_the_url_follows_the_painted_frame(page) -> None:
    open_shop(page)
    seen = page.evaluate("""(selector) => new Promise((resolve) => {
      const before = location.search;
      document.querySelector(selector).click();  // renders at once
      const atRender = location.search;
      requestAnimationFrame(() => setTimeout(() => setTimeout(() => resolve(
        {before, atRender, after: location.search}))));
    })""", BRANDS)
    assert seen["atRender"] == seen["before"]
    assert "brand=" in seen["after"] and seen["after"] != seen["before"]


def test_two_clicks_in_one_frame_are_two_entries_in_order(page) -> None:
    open_shop(page)
    first, second = page.evaluate("""(selector) => {
      const boxes = document.querySelectorAll(selector);
      boxes[0].click();
      boxes[1].click();
      return [boxes[0].value, boxes[1].value];
    }""", BRANDS)
    page.wait_for_function("v => location.search.includes('brand=' + v)", arg=second)
    assert page.evaluate("location.search").count("brand=") == 2
    page.go_back()
    page.wait_for_function("v => !location.search.includes('brand=' + v)", arg=second)
    assert f"brand={first}" in page.evaluate("location.search")
    assert page.evaluate(f"document.querySelectorAll('{BRANDS}')[1].checked") is False
    page.go_back()
    page.wait_for_function("() => !location.search.includes('brand=')")
    assert page.evaluate(f"document.querySelectorAll('{BRANDS}')[0].checked") is False

