"""In Chromium: a page from `shopgen serve` reloads itself after a rebuild and shows the
catalog's problems over the page until they are fixed."""

from __future__ import annotations

from pathlib import Path

from servekit import serve_process
from sitekit import product, write_site


def test_the_open_page_follows_the_catalog(browser, tmp_path: Path) -> None:
    site = write_site(tmp_path / "shop")
    with serve_process(site, f"sqlite:///{tmp_path / 'events.sqlite3'}") as served:
        page = browser.new_page()
        try:
            page.goto(served.url)
            products = page.get_by_role("list", name="Products")
            products.get_by_role("heading", name="Storm Jacket").wait_for()
            mug = site / "products" / "zz-1.yaml"
            mug.write_text(product("ZZ-1", name="Trail Mug"))
            # No action in the page: the rebuild reloads it.
            products.get_by_role("heading", name="Trail Mug").wait_for(timeout=60_000)

            mug.write_text(product("ZZ-1", name="Trail Mug", price='"-1"'))
            alert = page.get_by_role("alert").filter(has_text="products/zz-1.yaml:")
            alert.wait_for(timeout=60_000)
            assert "greater than 0" in alert.inner_text()
            assert "previous build" in alert.inner_text()

            mug.write_text(product("ZZ-1", name="Trail Mug Pro"))
            products.get_by_role("heading", name="Trail Mug Pro").wait_for(timeout=60_000)
            assert page.get_by_role("alert").filter(has_text="products/zz-1.yaml:").count() == 0
        finally:
            page.close()
