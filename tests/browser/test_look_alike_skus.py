"""Look-alike SKUs (NW-1001, NW-10-01, NW1001…) in Chromium: each card opens its own product."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from shop_page import open_shop
from sitekit import TODAY, product, write_site

from shopgen.build import build_site

LOOK_ALIKES = ["NW-1001", "NW-10-01", "NW1001", "NW-1001A", "NW-100-1"]


@pytest.fixture(scope="module")
def look_alike_shop(tmp_path_factory: pytest.TempPathFactory, serve_folder):
    """A shop of look-alike SKUs (their pages differ), built and served on 127.0.0.1."""
    site = write_site(tmp_path_factory.mktemp("look-alikes") / "shop", {
        f"products/la-{i}.yaml": product(sku, name=f"Look-alike {sku}", description=f"Is {sku}.")
        for i, sku in enumerate(LOOK_ALIKES)})
    build = build_site(site, today=TODAY, echo=lambda *a, **k: None).out_dir
    return serve_folder(build)


@pytest.fixture
def shop_page(browser, look_alike_shop):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.shop_url = look_alike_shop.url
    yield tab
    context.close()
    assert not errors, errors


def test_each_look_alike_sku_opens_its_own_dialog(shop_page) -> None:
    page = shop_page
    open_shop(page)
    products = page.get_by_role("list", name="Products")
    for sku in LOOK_ALIKES:
        name = f"Look-alike {sku}"
        products.get_by_role("link", name=name, exact=True).click()
        dialog = page.get_by_role("dialog", name=name)
        expect(dialog).to_contain_text(f"Quote reference {sku}")   # from its product page
        expect(dialog).to_contain_text(f"Is {sku}.")
        expect(page).to_have_url(page.shop_url + f"?product={sku}")
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()


def test_each_look_alike_sku_deep_link_opens_its_own_dialog(shop_page) -> None:
    page = shop_page
    for sku in LOOK_ALIKES:
        open_shop(page, f"?product={sku}")
        dialog = page.get_by_role("dialog", name=f"Look-alike {sku}")
        expect(dialog).to_contain_text(f"Quote reference {sku}")
