"""A search's first results need only the page's data file and the card files of the products
shown (cards/<digest>/<n>.json, 16 products a file): the columns (names, prices, facet values)
come after them, and then the counts and the sorting are exact; an address with filters waits
for the columns and shows the exact grid."""

from __future__ import annotations

import re
from decimal import Decimal

from catalog_model import load
from playwright.sync_api import expect
from shop_page import counted, open_shop, settled, shown_anchors, total

from shopgen.build.cards import CARDS_PER_FILE

CATALOG = load()
ITEMS = CATALOG["items"]
BY_ANCHOR = {item.anchor: item for item in ITEMS}
POS = {item.anchor: n for n, item in enumerate(ITEMS)}
SERVED = 48  # the cards the HTML holds (view.js PAGE)
QUERY = "summit"

# Every fetch the page's script starts, in order, with its time (the worker's are its own).
FETCHES = """
window.__fetches = [];
const original = window.fetch;
window.fetch = (input, init) => {
  window.__fetches.push([String(input && input.url ? input.url : input), performance.now()]);
  return original(input, init);
};
"""
FIRST_RESULT = """q => {
  const mark = performance.getEntriesByName('shopgen:render').find((m) => m.detail.q === q);
  return mark && __fetches.filter(([, at]) => at <= mark.startTime).map(([url]) => url);
}"""


def fetched_before_first_result(page, q: str) -> list[str]:
    page.wait_for_function(f"q => ({FIRST_RESULT})(q) !== undefined", arg=q)
    return page.evaluate(FIRST_RESULT, q)


def test_a_search_shows_its_first_results_without_the_columns(page) -> None:
    page.add_init_script(FETCHES)
    asked: list[str] = []
    # The columns never arrive: the search's results must not need them.
    page.route("**/assets/columns-*.json", lambda route: asked.append(route.request.url))
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    open_shop(page, f"?q={QUERY}")
    before = fetched_before_first_result(page, QUERY)
    assert not any("/assets/columns-" in url for url in before), before
    shown = shown_anchors(page, all_pages=False)
    beyond = [a for a in shown if POS[a] >= SERVED]
    assert beyond, "the query should find products beyond the HTML's cards"
    # The card files fetched are those of the products shown that the HTML does not hold.
    files = [url for url in before if "/cards/" in url]
    assert len(files) == len(set(files)), files  # each file once
    cards = {int(url.rsplit("/", 1)[-1].removesuffix(".json")) for url in files}
    assert {POS[a] // CARDS_PER_FILE for a in beyond} <= cards
    assert cards <= {POS[a] // CARDS_PER_FILE for a in shown}
    # Those cards say what the catalog says.
    for anchor in beyond:
        item = BY_ANCHOR[anchor]
        card = page.locator(f'#results > li:has(h3 a[href="p/{anchor}.html"])')
        expect(card.locator("h3")).to_have_text(item.name)
        expect(card.locator(".br")).to_have_text(CATALOG["brands"][item.brand])
        expect(card.locator(".now")).to_have_text(re.compile(price_pattern(item.price)))
        expect(card.locator(".in, .out")).to_have_text(
            "In stock" if item.in_stock else "Out of stock")
    # The counts are not known yet (nothing is made up), and the filters wait for them.
    assert page.locator("#facets").get_attribute("aria-busy") == "true"
    assert page.locator("#facets .n").all_inner_texts() == [""] * page.locator("#facets .n").count()
    # The page's head started the engine (page.html.j2), and the script took it over: once.
    engine = [url for url in requested if "/assets/search-" in url and url.endswith(".js")]
    assert len(engine) == 1, engine
    # A dialog opens from a card made from its card file.
    page.locator(f'#results h3 a[href="p/{beyond[0]}.html"]').click()
    expect(page.get_by_role("dialog", name=BY_ANCHOR[beyond[0]].name)).to_be_visible()


def test_the_counts_and_sorting_are_exact_once_the_columns_arrive(page) -> None:
    open_shop(page, f"?q={QUERY}")
    first = shown_anchors(page)
    first_total = total(page)
    counted(page)  # the columns are fetched once the page is idle after the first results
    assert shown_anchors(page) == first and total(page) == first_total == len(first)
    brands = page.get_by_role("group", name="Brand", exact=True).get_by_role("checkbox")
    for k in range(brands.count()):
        box = brands.nth(k)
        value = box.get_attribute("value")
        expected = sum(1 for a in first if BY_ANCHOR[a].brand == value)
        expect(box).to_have_accessible_name(re.compile(rf"\({expected}\)$"))
    page.get_by_role("combobox", name="Sort by").select_option("price-asc")
    by_price = shown_anchors(page)
    assert sorted(by_price) == sorted(first)
    assert by_price == sorted(first, key=lambda a: (BY_ANCHOR[a].price, POS[a]))


def test_an_address_with_filters_shows_the_exact_grid(page) -> None:
    page.add_init_script(FETCHES)
    brand = ITEMS[-1].brand
    open_shop(page, f"?brand={brand}&sort=price-desc")
    expected = sorted((i for i in ITEMS if i.brand == brand),
                      key=lambda i: (-i.price, POS[i.anchor]))
    assert shown_anchors(page) == [i.anchor for i in expected]
    assert total(page) == len(expected)
    before = fetched_before_first_result(page, "")
    assert any("/assets/columns-" in url for url in before)  # (it waited for them)
    # … and a search with a filter: the search's own order, narrowed to the brand.
    open_shop(page, f"?q={QUERY}")
    hits = shown_anchors(page)
    open_shop(page, f"?q={QUERY}&brand={brand}")
    settled(page)
    assert shown_anchors(page) == [a for a in hits if BY_ANCHOR[a].brand == brand]


def test_the_plain_page_fetches_no_card_and_no_columns_to_start(page) -> None:
    page.add_init_script(FETCHES)
    open_shop(page)
    before = fetched_before_first_result(page, "")
    assert not any("/cards/" in url or "/assets/columns-" in url for url in before), before
    assert total(page) == len(ITEMS)
    counts = page.get_by_role("group", name="Brand", exact=True).get_by_role("checkbox")
    value = counts.first.get_attribute("value")
    mine = sum(1 for i in ITEMS if i.brand == value)
    expect(counts.first).to_have_accessible_name(re.compile(rf"\({mine}\)$"))  # the catalog's


def price_pattern(price: Decimal) -> str:
    """The price as the page formats it, whatever the currency sign: "129.00" in "€129.00"."""
    return re.escape(f"{price:,.2f}")


def test_cards_made_once_the_columns_are_in_take_their_pictures_from_them(page) -> None:
    page.add_init_script(FETCHES)
    open_shop(page, "?sort=price-desc")  # a sort waits for the columns before its first render
    shown = shown_anchors(page)
    beyond = [a for a in shown if POS[a] >= SERVED]
    assert beyond, "the sort should show products the HTML does not hold"
    fetched = page.evaluate("__fetches.map(([url]) => url)")
    assert not any("/cards/" in url for url in fetched), fetched
    folder = page.request.get(f"{page.shop_url}{data_file(page)}").json()["cards"]
    for anchor in beyond:
        number, row = divmod(POS[anchor], CARDS_PER_FILE)
        card = page.request.get(f"{page.shop_url}{folder}{number}.json").json()[row]
        img = page.locator(f'#results li:has(a[href="p/{anchor}.html"]) picture img')
        if card[5]:
            expect(img).to_have_attribute("src", f"images/{card[5][0]}")
            expect(img).to_have_attribute("width", str(card[5][2]))
        else:
            expect(img).to_have_count(0)


def data_file(page) -> str:
    """The page's data file (assets/products-*.json), as the served index.html names it."""
    html = page.request.get(page.shop_url).text()
    return re.search(r"assets/products-[0-9a-f]+\.json", html).group(0)
