"""Search as you type over the lunr index, checked against the catalog's YAML."""

from __future__ import annotations

from catalog_model import fold, load
from playwright.sync_api import expect
from shop_page import expect_total, open_shop, search, shown_anchors, shown_names, wait_index

CATALOG = load()
ITEMS = CATALOG["items"]


def anchors_where(predicate) -> set[str]:
    return {i.anchor for i in ITEMS if predicate(i)}


def test_finds_by_name_first_and_highlights(page):
    open_shop(page)
    wait_index(page)
    search(page, "merino")
    named = [i for i in ITEMS if "merino" in fold(i.name)]
    assert named, "the sample should have a product named Merino"
    names = shown_names(page)
    # Products with the word in their NAME come before those matched only elsewhere.
    assert {n for n in names[: len(named)]} == {i.name for i in named}
    marks = page.locator("#results mark").all_inner_texts()
    assert marks and all(fold(m) == "merino" for m in marks)


def test_finds_by_brand(page):
    open_shop(page)
    wait_index(page)
    search(page, "kestrel")
    expected = anchors_where(lambda i: CATALOG["brands"][i.brand].lower().startswith("kestrel"))
    assert expected <= set(shown_anchors(page))


def test_finds_by_colour(page):
    open_shop(page)
    wait_index(page)
    search(page, "olive")
    expected = anchors_where(lambda i: "Olive" in i.colours)
    assert expected and expected <= set(shown_anchors(page))


def synonym_group(word: str) -> set[str]:
    """The word and every word shop.yaml's synonyms tie to it (the build expands them)."""
    group = {word}
    for key, others in CATALOG["shop"]["search"]["synonyms"].items():
        if word == key or word in others:
            group |= {key, *others}
    return group


def test_partial_word_while_typing(page):
    open_shop(page)
    wait_index(page)
    search(page, "jack")
    jackets = anchors_where(lambda i: "jacket" in fold(i.name))
    named = anchors_where(lambda i: synonym_group("jacket") & set(fold(i.name).split()))
    shown = shown_anchors(page)
    assert jackets <= set(shown)
    assert set(shown[: len(named)]) == named  # the name hits (and their synonyms) lead


def test_one_typo(page):
    open_shop(page)
    wait_index(page)
    search(page, "jaket")  # one letter missing: found
    expected = anchors_where(lambda i: "jacket" in fold(i.name))
    assert expected <= set(shown_anchors(page))


def test_accents_are_folded(page):
    open_shop(page)
    wait_index(page)
    search(page, "cafe")
    cafe = [i for i in ITEMS if "cafe" in fold(i.name).split()]
    assert cafe and shown_names(page)[0] == cafe[0].name
    search(page, "CAFÉ")
    assert shown_names(page)[0] == cafe[0].name


def test_stop_words_and_punctuation_never_empty_a_query(page):
    open_shop(page)
    wait_index(page)
    search(page, "What is the jacket?")
    expected = anchors_where(lambda i: "jacket" in fold(i.name))
    assert expected <= set(shown_anchors(page))


def test_words_are_optional_when_all_of_them_find_nothing(page):
    open_shop(page)
    wait_index(page)
    search(page, "merino zzyzx")
    assert any("merino" in fold(n) for n in shown_names(page))


def test_synonyms_from_shop_yaml(page):
    open_shop(page)
    wait_index(page)
    search(page, "backpack")
    expected = anchors_where(lambda i: "rucksack" in fold(i.name))
    assert expected and expected <= set(shown_anchors(page))


def test_search_before_the_index_arrives_uses_names(page):
    page.route("**/assets/search-*.json", lambda route: None)  # the index never arrives
    open_shop(page)
    search(page, "merino")
    assert shown_names(page) and all("merino" in fold(n) for n in shown_names(page))


def test_nothing_found_offers_a_way_out_and_close_matches(page):
    open_shop(page)
    wait_index(page)
    search(page, "qqqxz")
    expect_total(page, 0)
    search(page, "jackett zzz")  # no AND, OR finds the jackets (edit distance 1)
    assert shown_names(page)
    search(page, "merinnoo")  # two edits: nothing, but close matches are offered
    expect_total(page, 0)
    empty = page.locator("#empty")
    expect(empty.get_by_role("button", name="Clear filters and search")).to_be_visible()
    offers = empty.get_by_role("listitem").all_inner_texts()
    assert any("Merino" in o for o in offers)
    empty.get_by_role("button", name="Clear filters and search").click()
    expect_total(page, len(ITEMS))
