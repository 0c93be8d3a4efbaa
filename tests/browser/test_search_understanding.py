"""Search that understands shoppers, in the page: word forms, codes, attributes, price
phrases (price inputs, URL, Back), facet words, synonyms and "Did you mean"."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from shop_page import expect_total, open_shop, rendered, search, shown_names, wait_index


def test_plural_and_singular_show_the_same_products(page):
    open_shop(page)
    wait_index(page)
    # Every answer is the whole index's (the shards hold all of it).
    search(page, "shell")
    page.wait_for_selector("#shop[data-index=whole]")
    search(page, "jacket")
    singular = shown_names(page)
    search(page, "jackets")
    assert shown_names(page) == singular and singular
    marks = page.locator("#results mark").all_inner_texts()
    assert marks and all(m.lower().startswith("jacket") for m in marks)


def test_codes_and_attributes_are_found(page):
    open_shop(page)
    wait_index(page)
    for code in ("NW-1044", "nw1044", "nw 1044", "1044"):
        search(page, code)
        assert shown_names(page)[0] == "Piñon Works Canyon 30 Rucksack", code
    search(page, "merino")
    assert "Kestrel Long-Sleeve Base Layer" in shown_names(page)  # material: Merino wool


def test_price_phrase_fills_the_price_inputs_and_url_and_back_restores_it(page):
    open_shop(page)
    wait_index(page)
    box = page.get_by_role("searchbox", name="Search products")
    box.click()
    page.keyboard.type("boots under 150")
    maximum = page.get_by_role("spinbutton", name="Maximum price")
    expect(maximum).to_have_value("150")
    expect(page).to_have_url(re.compile(r"\?q=boots&max=150$"))
    expect(box).to_have_value("boots")  # once typing pauses, the phrase leaves the box
    names = shown_names(page)
    assert names and "Trailhead Piñon Low" in names and "Trailhead Summit GTX" not in names
    page.get_by_role("combobox", name="Sort by").select_option(label="Price: low to high")
    expect(page).to_have_url(re.compile(r"sort=price-asc"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=boots&max=150$"))
    expect(box).to_have_value("boots")
    expect(maximum).to_have_value("150")
    expect(page.get_by_role("combobox", name="Sort by")).to_have_value("relevance")


def test_a_price_phrase_in_a_loaded_address_is_read_as_typing_it_is(page):
    # What typing "boots under 150" gives (the test above): this address.
    open_shop(page, "?q=boots&max=150")
    page.wait_for_selector("#shop[data-index=whole]")
    rendered(page, "boots")  # the engine's answer
    typed = shown_names(page)
    assert "Trailhead Piñon Low" in typed and "Trailhead Summit GTX" not in typed
    open_shop(page, "?q=boots+under+150")
    box = page.get_by_role("searchbox", name="Search products")
    maximum = page.get_by_role("spinbutton", name="Maximum price")
    expect(page).to_have_url(re.compile(r"/\?q=boots&max=150$"))
    expect(maximum).to_have_value("150")
    expect(box).to_have_value("boots")
    page.wait_for_selector("#shop[data-index=whole]")
    expect(page.locator("#results > li h3")).to_have_text(typed)
    # A phrase's bound wins over the address's own; the other bound stays.
    open_shop(page, "?q=tent+over+400&min=10&max=900", wait_search=True)
    expect(page).to_have_url(re.compile(r"/\?q=tent&min=400&max=900$"))
    expect(page.get_by_role("spinbutton", name="Minimum price")).to_have_value("400")
    expect(maximum).to_have_value("900")
    # Back to the first address: its phrase was normalised in place, no extra entry.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=boots&max=150$"))
    expect(maximum).to_have_value("150")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/\?q=tent&min=400&max=900$"))
    # An entry of this document that holds a phrase (a script's pushState), reached by Back.
    page.evaluate("history.pushState(null, '', '?q=bottle+less+than+20')")
    page.evaluate("history.pushState(null, '', '?q=jacket')")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=bottle&max=20$"))
    expect(box).to_have_value("bottle")
    expect(maximum).to_have_value("20")
    expect(page.get_by_role("spinbutton", name="Minimum price")).to_have_value("")


def test_a_price_phrase_alone_is_only_a_range(page):
    open_shop(page)
    wait_index(page)
    page.get_by_role("searchbox", name="Search products").fill("between 20 and 40")
    expect(page.get_by_role("spinbutton", name="Minimum price")).to_have_value("20")
    expect(page.get_by_role("spinbutton", name="Maximum price")).to_have_value("40")
    expect(page).to_have_url(re.compile(r"\?min=20&max=40$"))
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("")
    shown = page.get_by_role("status").inner_text()
    open_shop(page, "?min=20&max=40")  # the same as typing the range in the inputs
    assert page.get_by_role("status").inner_text() == shown != "No products match"


def test_a_colour_word_ranks_without_filtering(page):
    open_shop(page)
    wait_index(page)
    search(page, "tee")
    tees = set(shown_names(page))
    search(page, "orange tee")
    names = shown_names(page)
    assert names[0] == "Kestrel Run Tee"  # the orange one
    assert set(names) == tees


def test_one_way_synonym_and_phrase(page):
    open_shop(page)
    wait_index(page)
    search(page, "sneakers")
    names = shown_names(page)
    assert "Northwind Daily Trainer" in names and "Kestrel Tempo 3" in names
    search(page, "trainers")
    assert shown_names(page) == ["Northwind Daily Trainer"]
    search(page, "t shirt")
    assert "Northwind Everyday Tee" in shown_names(page)


def test_did_you_mean_on_empty_results(page):
    open_shop(page)
    wait_index(page)
    search(page, "jumpxxr")
    expect_total(page, 0)
    offer = page.get_by_role("button", name="jumper", exact=True)
    expect(offer).to_be_visible()
    offer.click()
    expect(page.get_by_role("searchbox", name="Search products")).to_have_value("jumper")
    # Its answer may need a shard the typo did not: wait for the results of "jumper" itself.
    page.wait_for_function("""() => performance.getEntriesByName('shopgen:render')
        .some(m => m.detail.q === 'jumper' && m.detail.total > 0)""")
    assert "Harbour & Mill Aran Jumper" in shown_names(page)
