"""axe-core finds no violation on the page, in the open dialog or on a product's page; a 360 px
phone never scrolls sideways on either page (screenshots are kept in test-artifacts/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_model import load
from playwright.sync_api import expect
from shop_page import open_shop, search, wait_index

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
ITEMS = load()["items"]


def axe_violations(page, context: str = "document") -> list[dict]:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        f"""async () => (await axe.run({context}, {{
              runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
            }})).violations.map(v => ({{id: v.id, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}}))""")
    return result


def test_axe_on_the_page(page):
    open_shop(page)
    assert axe_violations(page) == [], json.dumps(axe_violations(page), indent=1)


def test_axe_with_results_filtered_and_highlighted(page):
    open_shop(page)
    wait_index(page)
    search(page, "jacket")
    page.get_by_role("checkbox", name="In stock only").check()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_axe_in_the_open_dialog(page):
    open_shop(page, f"?product={ITEMS[0].sku}")
    dialog = page.get_by_role("dialog", name=ITEMS[0].name)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name="Call to order")).to_be_visible()  # details arrived
    violations = axe_violations(page, "document.querySelector('dialog[open]')")
    assert violations == [], json.dumps(violations, indent=1)


def test_axe_on_a_product_page(page):
    item = next(i for i in ITEMS if i.attrs and i.colours)
    page.goto(page.shop_url + f"p/{item.anchor}.html")
    expect(page.get_by_role("heading", level=1)).to_have_text(item.name)
    expect(page.get_by_role("link", name="Call to order")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_axe_on_the_empty_state(page):
    open_shop(page)
    wait_index(page)
    search(page, "merinnoo")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("width", [360, 1280])
def test_nothing_overflows_sideways(browser, served_build, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.shop_url = served_build.url
    open_shop(page)
    overflow = "document.scrollingElement.scrollWidth <= innerWidth"
    assert page.evaluate(overflow)
    if width == 360:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone.png"))
        # Filters fold away on a phone; opened, they still fit.
        filters = page.locator("#filters > summary")
        expect(filters).to_be_visible()
        filters.click()
        expect(page.get_by_role("group", name="Brand", exact=True)).to_be_visible()
        assert page.evaluate(overflow)
        products = page.get_by_role("list", name="Products")
        products.locator("h3 a").first.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("link", name="Call to order")).to_be_visible()
        assert page.evaluate(overflow)
        page.screenshot(path=str(ARTIFACTS / "phone-dialog.png"))
    page.goto(served_build.url + f"p/{ITEMS[2].anchor}.html")
    expect(page.get_by_role("link", name="Call to order")).to_be_visible()
    assert page.evaluate(overflow)
    if width == 360:
        page.screenshot(path=str(ARTIFACTS / "phone-product-page.png"), full_page=True)
    context.close()
