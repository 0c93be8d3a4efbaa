"""A shop imported from a Shopify export, built and opened in Chromium: the products are on
the page, and a product whose picture could not be fetched shows no broken image."""

from __future__ import annotations

from pathlib import Path

import pytest
from browserkit import running
from importkit import ImageServer, fixture
from shop_server import ShopServer
from sitekit import TODAY

from shopgen.build import build_site
from shopgen.importers import import_catalog


@pytest.fixture(scope="module")
def imported_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("imported")
    with running(ImageServer()) as images:
        source = fixture("shopify-products.csv", root / "in", images.url)
        import_catalog("shopify", source, root / "shop", currency="EUR", name="Imported Shop",
                       today=TODAY, echo=lambda *a, **k: None, show_progress=False,
                       image_timeout=0.5)
    build_site(root / "shop", root / "build", today=TODAY, echo=lambda *a, **k: None)
    return root / "build"


def test_imported_products_are_on_the_page(browser, imported_build: Path) -> None:
    with running(ShopServer(imported_build)) as server:
        page = browser.new_page()
        try:
            page.goto(server.url)
            products = page.get_by_role("list", name="Products").get_by_role("listitem")
            assert products.count() == 4
            status = page.get_by_role("status")
            status.filter(has_text="4 products").wait_for()
            mug = products.filter(has=page.get_by_role("heading", name="Café Crème Mug — 350 ml"))
            assert mug.locator("img").count() == 0  # its picture was a 404: none, not broken
            tee = products.filter(has=page.get_by_role("heading", name="Organic Cotton Tee"))
            assert tee.locator("img").count() == 1
            assert "€22.00" in tee.inner_text()
            broken = page.evaluate("[...document.images].filter(i => i.complete && "
                                   "i.naturalWidth === 0).length")
            assert broken == 0
            mug.get_by_role("link").first.click()
            dialog = page.get_by_role("dialog", name="Café Crème Mug — 350 ml")
            dialog.get_by_text("Stoneware from a small kiln in Brittany.").wait_for()
            assert dialog.locator("img").count() == 0
            assert "Quote reference CAFE-MUG" in dialog.inner_text()
            dialog.get_by_role("button", name="Close").click()
            page.get_by_role("searchbox", name="Search products").fill("merino")
            status.filter(has_text="1 product").wait_for()
        finally:
            page.close()
