"""No network request leaves the shop: only its own files and the beacon (no font, no CDN)."""

from __future__ import annotations

from shop_page import open_shop, tracked


def test_the_page_fetches_only_its_own_files(page, served_build) -> None:
    served_build.events.clear()
    served_build.sent.clear()
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    open_shop(page, wait_search=True)
    # The index's meta file is enough to start; the shards come with the words searched.
    assert not any("/assets/search-shard-" in url for url in requested)
    page.get_by_role("searchbox", name="Search products").fill("jacket")
    page.get_by_role("group", name="Brand").get_by_role("checkbox").first.check()
    page.get_by_role("searchbox", name="Search products").fill("")
    page.get_by_role("list", name="Products").get_by_role("link").first.click()
    page.get_by_role("dialog").get_by_role("link", name="Call to order").wait_for()
    page.goto("about:blank")  # leaving sends the beacon
    outside = [url for url in requested
               if not url.startswith((page.shop_url, "data:", "blob:", "about:"))]
    assert outside == []
    paths = {url.removeprefix(page.shop_url).split("?")[0] for url in requested
             if url.startswith(page.shop_url)}
    assert "" in paths                                      # the page
    assert any(p.startswith("assets/search-") for p in paths)   # the index, lazily
    assert any(p.startswith("p/") for p in paths)           # a product's details
    assert any(p.startswith("assets/search-shard-") for p in paths)  # the words' shards
    assert not any(p.startswith("assets/search-terms-") for p in paths)  # no typo: no dictionary
    # The engine's module runs in the worker and, once the customer types, on the main thread
    # too (searcher.js): downloaded once, the second time from the browser's cache.
    # (This server sends no cache headers: the browser asks again, and is told "not
    # modified"; `shopgen serve` and publish mark the file immutable, and it does not ask.)
    engine = [status for path, status in served_build.sent
              if path.startswith("/assets/search-") and path.endswith(".js")]
    assert engine.count(200) == 1 and set(engine) <= {200, 304}, engine
    # The beacon leaves with the page (Playwright does not report it): the server saw it.
    events = tracked(page, served_build.events, "pageview", "view")
    assert {"pageview", "view"} <= {event["type"] for event in events}
