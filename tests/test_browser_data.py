"""The data file for filtering and sorting, and the render helpers (money, anchors, JSON-LD)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sitekit import TODAY, product, write_site

from shopgen.build.browser_data import (
    build_browser_data,
    build_columns,
    build_facets,
    front_coded,
    front_decoded,
    minor_units,
)
from shopgen.build.cards import card_files, picture_rows
from shopgen.build.render import MoneyFormat, anchor_for, json_ld, product_json_ld, product_view
from shopgen.catalog import load_catalog


def test_minor_units_follow_the_currency() -> None:
    assert minor_units(Decimal("129.00"), "EUR") == 12900
    assert minor_units(Decimal("59.9"), "EUR") == 5990
    assert minor_units(Decimal("1500"), "JPY") == 1500
    assert minor_units(Decimal("1.234"), "KWD") == 1234


def test_facets_count_products_and_follow_the_category_tree(tiny_site: Path) -> None:
    facets = {f.id: f for f in build_facets(load_catalog(tiny_site, TODAY))}
    assert list(facets) == ["brand", "colour", "category", "size", "material", "weight"]
    assert [(v.id, v.count) for v in facets["brand"].values] == [("acme", 2), ("borealis", 1)]
    assert [(v.id, v.count) for v in facets["colour"].values] == [("Red", 1), ("Navy", 2),
                                                                  ("Black", 1)]
    tree = [(v.id, v.count, v.depth, v.parent) for v in facets["category"].values]
    assert tree == [("clothing", 2, 0, None), ("jackets", 2, 1, "clothing"), ("bags", 1, 0, None)]
    assert [(v.id, v.count) for v in facets["size"].values] == [("S", 1), ("M", 2), ("L", 2)]
    assert [(v.id, v.count) for v in facets["material"].values] == [("Nylon", 1),
                                                                    ("Polyester", 2)]
    weight = facets["weight"]
    assert (weight.kind, weight.unit, weight.min, weight.max) == ("number", "g", 480, 650)


def test_data_file_is_columns_of_small_integers_and_money_is_integer(tiny_site: Path) -> None:
    catalog = load_catalog(tiny_site, TODAY)
    facets = build_facets(catalog)
    data = build_browser_data(catalog, facets, "assets/columns-0123456789.json",
                              "cards/0123456789/", 16)
    columns = build_columns(catalog, facets)["columns"]
    assert data["v"] == 5 and data["n"] == 3
    assert data["sku"] == [[0, 3, 0], ["AC-1", "2", "BO-1"]]  # front-coded
    assert (data["columns"], data["cards"], data["cardsPerFile"]) == (
        "assets/columns-0123456789.json", "cards/0123456789/", 16)
    assert "sku" not in columns and "columns" not in json.dumps(data["facets"])
    assert columns["name"][0] == "Storm Jacket"
    # Facet values as positions in the facet's values: brand acme = 0, colours Red, Navy = 0, 1.
    values = {f["id"]: [v["id"] for v in f.get("values", [])] for f in data["facets"]}
    assert [values["brand"][k] for k in columns["brand"]] == ["acme", "acme", "borealis"]
    assert [values["colour"][k] for k in columns["colour"][0]] == ["Red", "Navy"]
    assert [values["size"][k] for k in columns["size"][0]] == ["S", "M", "L"]
    assert values["category"][columns["category"][0]] == "jackets"
    assert values["material"][columns["attrs"]["material"][0]] == "Nylon"
    assert columns["attrs"]["weight"][0] == 480
    assert columns["price"][0] == 12900 and columns["was"][0] == 15900
    assert columns["stock"][:2] == [1, 0] and columns["was"][1] == 0
    assert columns["added"][0] == (dt.date(2026, 3, 1) - dt.date(1970, 1, 1)).days
    assert columns["price"][2] == 4500  # today's entry of the price history
    category = next(f for f in data["facets"] if f["id"] == "category")
    assert category["values"][1] == {"id": "jackets", "label": "Jackets", "count": 2,
                                     "parent": "clothing"}


def test_data_file_counts_are_the_catalogs(tiny_site: Path) -> None:
    """The page shows these counts until the columns are there (nothing searched or chosen)."""
    catalog = load_catalog(tiny_site, TODAY)
    facets = build_facets(catalog)
    data = build_browser_data(catalog, facets, "assets/columns.json", "cards/", 16)
    for facet, record in zip(facets, data["facets"], strict=True):
        assert [v.get("count") for v in record.get("values", [])] == [v.count for v in
                                                                      facet.values]
    brand = next(f for f in data["facets"] if f["id"] == "brand")
    assert [(v["id"], v["count"]) for v in brand["values"]] == [("acme", 2), ("borealis", 1)]


def test_cards_are_cut_by_position_into_small_files(tiny_site: Path) -> None:
    """cards/<digest>/<n>.json: the cards of positions n × per_file onwards, each [name, brand,
    price, was, in stock, picture], money in minor units."""
    catalog = load_catalog(tiny_site, TODAY)
    pictures = picture_rows(catalog, _no_images(catalog))
    cards = card_files(catalog, pictures, per_file=2)
    assert re.fullmatch(r"cards/[0-9a-f]{10}/", cards.folder)
    assert list(cards.files) == [f"{cards.folder}0.json", f"{cards.folder}1.json"]
    first, second = (json.loads(content) for content in cards.files.values())
    assert [card[0] for card in first + second] == [p.name for p in catalog.products]
    storm = first[0]
    assert storm[:5] == ["Storm Jacket", "acme", 12900, 15900, 1]
    assert storm[5] == ["a.jpg", "a.webp 320w", 320, 240]  # as render.image_view, less images/
    assert first[1][3:5] == [0, 0]  # no was-price, out of stock
    assert second[0][2] == 4500
    assert all(len(content) < 200 * 2 for content in cards.files.values())
    # All in one file at the build's size; a change to any card names a new folder.
    whole = card_files(catalog, pictures)
    assert [json.loads(c) for c in whole.files.values()] == [first + second]
    assert whole.folder != cards.folder
    renamed = replace(catalog, products=(*catalog.products[:2],
                                         replace(catalog.products[2], name="Bottle")))
    assert card_files(renamed, pictures).folder != whole.folder
    # Runs of positions (a page worker's each) share the files out, each file once.
    for cut in range(4):
        runs = [cards.starting_in(range(0, cut)), cards.starting_in(range(cut, 3))]
        assert sorted(runs[0]) + sorted(runs[1]) == list(cards.files)


def test_money_is_formatted_for_the_shops_locale() -> None:
    assert MoneyFormat("EUR", "en-IE")(Decimal("1234.5")) == "€1,234.50"
    assert MoneyFormat("EUR", "de-DE")(Decimal("1234.5")) == "1.234,50\xa0€"
    assert MoneyFormat("JPY", "ja-JP")(Decimal("1500")) == "￥1,500"


def test_anchors_are_safe_ids() -> None:
    assert anchor_for("NW-1001") == "p-nw-1001"
    assert anchor_for("A.B_C") == "p-a-b-c"


def test_json_ld_cannot_close_its_script_element(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(name='"</script><script>x()</script>"')})
    catalog = load_catalog(tiny_site, TODAY)
    money = MoneyFormat("EUR", "en-IE")
    views = [product_view(catalog, p, i, _no_images(catalog), money)
             for i, p in enumerate(catalog.products)]
    hostile = next(i for i, p in enumerate(catalog.products) if p.sku == "ZZ-1")
    text = product_json_ld(catalog, catalog.products[hostile], views[hostile])
    assert "<" not in text and ">" not in text
    assert json.loads(text)["name"] == "</script><script>x()</script>"
    listing = json.loads(json_ld(catalog, views))
    assert listing["itemListElement"][hostile]["url"] == "https://tiny.example.com/p/p-zz-1.html"


def _no_images(catalog):
    from shopgen.build.images import ImageSet, Variant

    return {name: ImageSet(name, (Variant(320, 240, "a.webp", "a.jpg"),))
            for p in catalog.products for name in p.images}


def test_front_coded_texts_decode_as_the_page_does() -> None:
    """The page's decoding (model.js: previous.slice(0, shared) + rest, in UTF-16 units)
    gives back every text, astral characters included."""
    texts = ["BX-00009", "BX-00010", "BX-00010", "Café-1", "Café-2", "\U0001F600a",
             "\U0001F601b", "\U0001F601", ""]
    shared, rest = front_coded(texts)
    assert shared[:3] == [0, 6, 8] and rest[:3] == ["BX-00009", "10", ""]
    assert front_decoded([shared, rest]) == texts
