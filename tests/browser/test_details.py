"""The details: with JavaScript, one dialog filled from the product's page (opens, closes with
Escape and Close, deep-links, Back, calls, caches); without it, the card links to that page."""

from __future__ import annotations

import re
from decimal import Decimal

import yaml
from catalog_model import CATALOG as CATALOG_DIR
from catalog_model import load
from playwright.sync_api import expect
from shop_page import open_shop, rendered, tracked

CATALOG = load()
ITEMS = CATALOG["items"]
SHOP = CATALOG["shop"]
PHONE_HREF = "tel:" + re.sub(r"[^0-9+]", "", SHOP["call_centre"]["phone"])


def card(page, item):
    return page.get_by_role("list", name="Products").get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=item.name, exact=True))


def details_link(page, item):
    """The card's link to the product's details (its heading's link)."""
    return card(page, item).get_by_role("link", name=item.name, exact=True)


def raw(item) -> dict:
    return yaml.safe_load((CATALOG_DIR / "products" / f"{item.sku.lower()}.yaml").read_text())


def euro(amount: Decimal | str) -> str:
    return f"€{Decimal(str(amount)):,.2f}"


def expect_every_detail(box, item) -> None:
    """The product's whole details in `box` (the dialog or the product page's article):
    price and was-price, stock, description, colours, sizes, SKU, attributes, every picture
    and the call block (tel: link, hours, the reference to quote)."""
    spec = raw(item)
    expect(box.get_by_role("link", name="Call to order", exact=True)).to_have_attribute(
        "href", PHONE_HREF)
    expect(box).to_contain_text(euro(item.price))
    was = [e.get("compare_at_price") for e in spec.get("prices", []) if e["price"] == str(
        item.price)]
    if was and was[0]:
        expect(box).to_contain_text(f"Was {euro(was[0])}")
    expect(box).to_contain_text("In stock" if item.in_stock else "Out of stock")
    expect(box).to_contain_text(" ".join(spec["description"].split()))
    expect(box).to_contain_text(", ".join(item.colours))
    expect(box).to_contain_text(", ".join(item.sizes))
    expect(box).to_contain_text(f"SKU{item.sku}")
    for attr_id, value in item.attrs.items():
        attr = CATALOG["attributes"][attr_id]
        text = f"{value} {attr['unit']}" if attr.get("unit") else str(value)
        expect(box).to_contain_text(f"{attr['name']}{text}")
    expect(box.locator("picture")).to_have_count(len(spec["images"]))
    expect(box.get_by_role("img", name=item.name, exact=True)).to_be_visible()
    expect(box).to_contain_text(SHOP["call_centre"]["hours"])
    expect(box).to_contain_text(f"Quote reference {item.sku}")


def test_details_open_close_and_focus_returns(page):
    open_shop(page)
    item = ITEMS[2]
    details = details_link(page, item)
    details.click()
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(f"product={item.sku}")))
    expect(dialog).to_contain_text(item.sku)
    expect(dialog).to_contain_text(f"Quote reference {item.sku}")
    for colour in item.colours:
        expect(dialog).to_contain_text(colour)
    call = dialog.get_by_role("link", name="Call to order", exact=True)
    expect(call).to_have_attribute("href", PHONE_HREF)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()
    expect(page).not_to_have_url(re.compile(re.escape("product=")))
    details.click()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(details).to_be_focused()
    expect(page).not_to_have_url(re.compile(re.escape("product=")))


def test_dialog_shows_every_detail_from_the_product_page(page):
    item = ITEMS[1]  # on sale, with a was-price
    assert raw(item)["prices"][-1].get("compare_at_price")
    open_shop(page)
    details_link(page, item).click()
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    expect_every_detail(dialog, item)
    several = next(i for i in ITEMS if len(raw(i)["images"]) > 1)
    page.keyboard.press("Escape")
    details_link(page, several).click()
    dialog = page.get_by_role("dialog", name=several.name)
    expect_every_detail(dialog, several)
    expect(dialog).not_to_contain_text(item.sku)  # nothing left over from the first product


def test_details_are_fetched_once(page):
    open_shop(page)
    item = ITEMS[3]
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/p/" in r.url else None)
    for _ in range(3):
        details_link(page, item).click()
        dialog = page.get_by_role("dialog", name=item.name)
        expect(dialog.get_by_role("link", name="Call to order")).to_be_visible()
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()
    assert fetched == [page.shop_url + f"p/{item.anchor}.html"]


def test_deep_link_opens_the_dialog_and_back_closes_it(page):
    item = ITEMS[5]
    open_shop(page, f"?product={item.sku}")
    dialog = page.get_by_role("dialog", name=item.name)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Quote reference {item.sku}")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(page.shop_url)
    details_link(page, ITEMS[0]).click()
    expect(page.get_by_role("dialog", name=ITEMS[0].name)).to_be_visible()
    page.go_back()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.go_forward()
    expect(page.get_by_role("dialog", name=ITEMS[0].name)).to_be_visible()
    expect(page.get_by_role("dialog")).to_contain_text(f"Quote reference {ITEMS[0].sku}")


def test_the_whole_card_opens_the_dialog(page):
    open_shop(page)
    item = ITEMS[1]
    box = card(page, item).locator("picture").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the picture
    expect(page.get_by_role("dialog", name=item.name)).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(f"product={item.sku}")))


def test_without_javascript_every_product_is_listed_and_links_to_its_page(browser, served_build):
    """The shop page lists the first 48 products; its numbered pages (rel=next) list the rest."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_build.url)
    items = page.get_by_role("list", name="Products").get_by_role("listitem")
    expect(items).to_have_count(48)
    expect(page.get_by_role("status")).to_have_text(f"{len(ITEMS)} products")
    names = page.get_by_role("list", name="Products").get_by_role("heading").all_text_contents()
    assert page.locator('link[rel="prev"]').count() == 0
    while page.locator('link[rel="next"]').count():
        next_page = page.get_by_role("navigation", name="Pages").get_by_role("link",
                                                                         name="Next page")
        assert next_page.get_attribute("rel") == "next"
        next_page.click()
        expect(page.locator('link[rel="prev"]')).to_have_count(1)  # (the next page is loaded)
        names += page.get_by_role("list", name="Products").get_by_role("heading") \
            .all_text_contents()
    assert page.url == served_build.url + "page/2/"
    assert names == [i.name for i in ITEMS]
    item = ITEMS[-1]  # on the last page: its link leads to its own page
    details_link(page, item).click()
    expect(page).to_have_url(served_build.url + f"p/{item.anchor}.html")
    expect(page.get_by_role("heading", level=1)).to_have_text(item.name)
    expect_every_detail(page.get_by_role("article", name=item.name), item)
    page.get_by_role("link", name=SHOP["name"]).click()
    expect(page).to_have_url(served_build.url)
    expect(items).to_have_count(48)
    context.close()


def test_events_reach_the_tracker(page, served_build):
    served_build.events.clear()
    open_shop(page)
    page.wait_for_selector("#shop[data-ready]")
    page.get_by_role("searchbox", name="Search products").focus()
    page.wait_for_selector("#shop[data-search=ready]")
    page.get_by_role("searchbox", name="Search products").press_sequentially("merino", delay=20)
    rendered(page, "merino")
    page.get_by_role("combobox", name="Sort by").select_option("newest")  # (ends the typing)
    page.get_by_role("searchbox", name="Search products").fill("")
    page.get_by_role("list", name="Products").locator("h3 a").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(r"product="))
    sku = re.search(r"product=([^&]+)", page.url).group(1)
    call = dialog.get_by_role("link", name="Call to order")
    call.evaluate("a => a.addEventListener('click', e => e.preventDefault())")
    call.click()
    page.goto("about:blank")  # pagehide flushes the queue
    events = tracked(page, served_build.events, "pageview", "search", "sort", "view", "call")
    by_type = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
    assert by_type["pageview"][0]["path"] == "/"
    assert [e["query"] for e in by_type["search"]] == ["merino"]
    assert by_type["search"][0]["results"] >= 1
    assert by_type["sort"] == [dict(by_type["sort"][0], sort="newest")]
    assert [e["sku"] for e in by_type["view"]] == [sku]
    assert [e["sku"] for e in by_type["call"]] == [sku]


def test_a_product_page_sends_its_view_and_calls(page, served_build):
    served_build.events.clear()
    item = ITEMS[4]
    page.goto(page.shop_url + f"p/{item.anchor}.html")
    call = page.get_by_role("article", name=item.name).get_by_role("link", name="Call to order")
    call.evaluate("a => a.addEventListener('click', e => e.preventDefault())")
    call.click()
    page.goto("about:blank")  # pagehide flushes the queue
    by_type = {}
    for event in tracked(page, served_build.events, "pageview", "view", "call"):
        by_type.setdefault(event["type"], []).append(event)
    assert [e["path"] for e in by_type["pageview"]] == [f"/p/{item.anchor}.html"]
    assert [e["sku"] for e in by_type["view"]] == [item.sku]
    assert [e["sku"] for e in by_type["call"]] == [item.sku]


# Both cards without whitespace-only text: the script's card against the build's (page/2/).
SAME_CARD = """async ([n]) => {
  const clean = (li) => {
    const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
    const blank = [];
    while (walker.nextNode()) if (!walker.currentNode.data.trim()) blank.push(walker.currentNode);
    blank.forEach((t) => t.remove());
    return li.outerHTML;
  };
  const html = await (await fetch("page/2/")).text();
  const built = new DOMParser().parseFromString(html, "text/html")
    .querySelectorAll("#results > li")[n - 48];
  const shown = document.querySelectorAll("#results > li")[n].cloneNode(true);
  return [clean(shown), clean(built)];
}"""


def test_cards_the_script_adds_are_the_builds_cards(page):
    """Beyond the page's own 48 cards, "Show more" renders the build's markup: the same link,
    brand, price, stock and picture (fetched with its card's file of pictures)."""
    open_shop(page)
    page.get_by_role("button", name=re.compile(r"^Show more")).click()
    items = page.get_by_role("list", name="Products").get_by_role("listitem")
    expect(items).to_have_count(len(ITEMS))
    for n in (48, len(ITEMS) - 1):
        expect(items.nth(n).locator("img")).to_have_count(1)  # its picture has arrived
        shown, built = page.evaluate(SAME_CARD, [n])
        assert shown == built
    details_link(page, ITEMS[60]).click()
    expect(page.get_by_role("dialog", name=ITEMS[60].name)).to_be_visible()
    expect_every_detail(page.get_by_role("dialog"), ITEMS[60])
