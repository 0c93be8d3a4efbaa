"""The details dialog: opens, closes (Escape, Close), deep-links, calls; and without script."""

from __future__ import annotations

import re

from catalog_model import load
from playwright.sync_api import expect
from shop_page import open_shop

CATALOG = load()
ITEMS = CATALOG["items"]
PHONE_HREF = "tel:" + re.sub(r"[^0-9+]", "", CATALOG["shop"]["call_centre"]["phone"])


def card(page, item):
    return page.get_by_role("list", name="Products").get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=item.name, exact=True))


def test_details_open_close_and_focus_returns(page):
    open_shop(page)
    item = ITEMS[2]
    details = card(page, item).get_by_role("button", name="Details")
    details.click()
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    assert f"product={item.sku}" in page.url
    expect(dialog).to_contain_text(item.sku)
    expect(dialog).to_contain_text(f"Quote reference {item.sku}")
    for colour in item.colours:
        expect(dialog).to_contain_text(colour)
    call = dialog.get_by_role("link", name="Call to order", exact=True)
    expect(call).to_have_attribute("href", PHONE_HREF)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()
    assert "product=" not in page.url
    details.click()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()
    assert "product=" not in page.url


def test_deep_link_opens_the_dialog_and_back_closes_it(page):
    item = ITEMS[5]
    open_shop(page, f"?product={item.sku}")
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.url == page.shop_url
    card(page, ITEMS[0]).get_by_role("button", name="Details").click()
    expect(page.get_by_role("dialog", name=ITEMS[0].name)).to_be_visible()
    page.go_back()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.go_forward()
    expect(page.get_by_role("dialog", name=ITEMS[0].name)).to_be_visible()


def test_heading_link_opens_the_same_dialog(page):
    open_shop(page)
    item = ITEMS[1]
    card(page, item).get_by_role("link", name=item.name).click()
    expect(page.get_by_role("dialog", name=item.name)).to_be_visible()


def test_without_javascript_every_product_is_listed_and_details_open(browser, served_build):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_build.url)
    items = page.get_by_role("list", name="Products").get_by_role("listitem")
    expect(items).to_have_count(len(ITEMS))
    names = page.get_by_role("list", name="Products").get_by_role("heading").all_text_contents()
    assert names == [i.name for i in ITEMS]
    expect(page.get_by_role("status")).to_have_text(f"{len(ITEMS)} products")
    item = ITEMS[-1]
    card(page, item).get_by_role("button", name="Details").click()  # an Invoker Command
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("link", name="Call to order")).to_have_attribute("href", PHONE_HREF)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    card(page, item).get_by_role("link", name=item.name).click()  # the #anchor fallback
    expect(page.locator("dialog:target")).to_be_visible()
    context.close()


def test_events_reach_the_tracker(page, served_build):
    served_build.events.clear()
    open_shop(page)
    page.wait_for_selector("#shop[data-ready]")
    page.get_by_role("searchbox", name="Search products").focus()
    page.wait_for_selector("#shop[data-search=ready]")
    page.get_by_role("searchbox", name="Search products").press_sequentially("merino", delay=20)
    page.wait_for_timeout(1300)  # the search event goes once typing settles
    page.get_by_role("combobox", name="Sort by").select_option("newest")
    item = ITEMS[0]
    page.get_by_role("searchbox", name="Search products").fill("")
    page.get_by_role("list", name="Products").get_by_role("button", name="Details").first.click()
    dialog = page.get_by_role("dialog")
    sku = re.search(r"product=([^&]+)", page.url).group(1)
    dialog.get_by_role("link", name="Call to order").evaluate(
        "a => a.addEventListener('click', e => e.preventDefault())")
    dialog.get_by_role("link", name="Call to order").click()
    page.goto("about:blank")  # pagehide flushes the queue
    page.wait_for_timeout(300)
    events = served_build.events
    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
    assert by_type["pageview"][0]["path"] == "/"
    assert [e["query"] for e in by_type["search"]] == ["merino"]
    assert by_type["search"][0]["results"] >= 1
    assert by_type["sort"] == [dict(by_type["sort"][0], sort="newest")]
    assert by_type["view"][0]["sku"] == sku and by_type["call"][0]["sku"] == sku
    del item
