"""Loading the catalog: typed values, and every problem listed with its file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sitekit import TODAY, product, write_site

from shopgen.catalog import load_catalog
from shopgen.errors import CatalogError


def problems_of(site: Path) -> list[str]:
    with pytest.raises(CatalogError) as caught:
        load_catalog(site, TODAY)
    return caught.value.problems


def test_valid_catalog_is_typed(tiny_site: Path) -> None:
    catalog = load_catalog(tiny_site, TODAY)
    jacket = catalog.products[0]
    assert jacket.sku == "AC-1"
    assert jacket.price.amount == Decimal("129.00") and isinstance(jacket.price.amount, Decimal)
    assert jacket.price.compare_at == Decimal("159.00")
    assert jacket.attributes == {"material": "Nylon", "weight": 480}
    assert [c.id for c in catalog.category_path("jackets")] == ["clothing", "jackets"]
    assert catalog.shop.synonyms == {"backpack": ("rucksack",)}


def test_price_history_uses_latest_effective_entry(tiny_site: Path) -> None:
    fleece = load_catalog(tiny_site, TODAY).products[2]
    assert fleece.price.amount == Decimal("45.00")
    assert fleece.next_price.amount == Decimal("55.00")
    # On another build date the history answers differently.
    assert load_catalog(tiny_site, TODAY.replace(year=2025)).products[2].price.amount == 49


def test_bare_decimal_price_never_becomes_float(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(price="19.99")})
    zz = next(p for p in load_catalog(tiny_site, TODAY).products if p.sku == "ZZ-1")
    assert zz.price.amount == Decimal("19.99")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"price": '"0"'}, "products/zz.yaml:11: price must be greater than 0"),
        ({"price": '"-3.50"'}, "products/zz.yaml:11: price must be greater than 0"),
        ({"compare_at_price": '"9.00"'},
         "products/zz.yaml:12: compare_at_price must be greater than price"),
        ({"price": '"ten"'}, "products/zz.yaml:11: price must be a number, found 'ten'"),
        ({"name": None}, "products/zz.yaml:1: missing required field 'name'"),
        ({"in_stock": "maybe"}, "products/zz.yaml:9: in_stock must be true or false"),
        ({"colours": "Red"}, "products/zz.yaml:6: colours must be a list"),
        ({"added": "yesterday"}, "products/zz.yaml:10: added must be a date like 2026-11-24"),
        ({"brand": "acme-co"},
         "products/zz.yaml:3: unknown brand 'acme-co' (did you mean 'acme'?)"),
        ({"category": "bag"},
         "products/zz.yaml:4: unknown category 'bag' (did you mean 'bags'?)"),
        ({"images": "[nowhere.jpg]"}, "products/zz.yaml:8: image 'nowhere.jpg' not found"),
        ({"images": "[../shop.yaml]"}, "products/zz.yaml:8: image '../shop.yaml' must be"),
        ({"colour": "[Red]"}, "products/zz.yaml:12: unknown field 'colour' (did you mean"),
        ({"attributes": "{material: 3.5}"}, None),  # a number is acceptable text
        ({"attributes": "{weight: heavy}"},
         "products/zz.yaml:12: attribute 'weight' must be a number, found 'heavy'"),
        ({"attributes": "{materiel: Wool}"},
         "products/zz.yaml:12: unknown attribute 'materiel' (did you mean 'material'?)"),
        ({"sku": "AC-1"}, "products/zz.yaml:1: duplicate sku 'AC-1' (also in products/ac-1.yaml)"),
        ({"price": None}, "products/zz.yaml:1: missing required field 'price'"),
    ],
)
def test_each_product_problem_is_reported(tiny_site: Path, fields, expected) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(**fields)})
    if expected is None:
        load_catalog(tiny_site, TODAY)
        return
    problems = problems_of(tiny_site)
    assert any(p.startswith(expected) for p in problems), problems


def test_price_history_problems(tiny_site: Path) -> None:
    history = ('\n  - {price: "5.00", effective: 2027-01-01}'
               '\n  - {price: "6.00", effective: 2027-01-01}')
    write_site(tiny_site, {"products/zz.yaml": product(price=None) + f"prices:{history}\n"})
    problems = problems_of(tiny_site)
    assert "products/zz.yaml:13: two prices are effective on 2027-01-01" in problems
    write_site(tiny_site, {"products/zz.yaml": product(price=None)
                           + 'prices:\n  - {price: "5.00", effective: 2027-01-01}\n'})
    assert problems_of(tiny_site) == [
        "products/zz.yaml:11: no price is effective on the build date (2026-11-24)"]


def test_price_and_prices_together_is_an_error(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product()
                           + 'prices:\n  - {price: "5.00", effective: 2026-01-01}\n'})
    assert problems_of(tiny_site) == ["products/zz.yaml:12: write either price or prices, not both"]


def test_bad_yaml_names_its_line(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": "sku: ZZ-1\nname: [unclosed\nbrand: acme\n"})
    (problem,) = problems_of(tiny_site)
    assert problem.startswith("products/zz.yaml:3: invalid YAML")


def test_duplicate_key_is_an_error(tiny_site: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product() + "name: Again\n"})
    assert problems_of(tiny_site) == ["products/zz.yaml:12: duplicate key 'name'"]


def test_every_problem_is_listed_at_once(tiny_site: Path) -> None:
    write_site(tiny_site, {
        "products/zz.yaml": product(price='"0"', brand="nobody"),
        "products/zy.yaml": product("ZY-1", categry="bags"),
        "brands.yaml": "- id: acme\n  name: Acme\n- id: acme\n  name: Again\n- id: borealis\n"
                       "  name: Borealis\n",
        "shop.yaml": "name: X\ncurrency: EURO\nlocale: en-IE\ncall_centre: {phone: '1'}\n"
                     "base_url: https://x.example/\n",
    })
    problems = problems_of(tiny_site)
    assert "shop.yaml:2: currency 'EURO' is not an ISO 4217 code like EUR" in problems
    assert any(p.startswith("shop.yaml:4: phone '1' is not a phone number") for p in problems)
    assert "brands.yaml:3: duplicate brand id 'acme'" in problems
    assert any(p.startswith("products/zy.yaml:12: unknown field 'categry'") for p in problems)
    assert "products/zz.yaml:11: price must be greater than 0" in problems
    # The price error makes that record invalid: no cross-record noise about its brand.
    assert not any("unknown brand 'nobody'" in p for p in problems)


def test_category_tree_problems(tiny_site: Path) -> None:
    write_site(tiny_site, {"categories.yaml": "- {id: a, name: A, parent: b}\n"
                           "- {id: b, name: B, parent: a}\n- {id: c, name: C, parent: zz}\n"
                           "- {id: jackets, name: J}\n- {id: bags, name: Bags}\n"})
    problems = problems_of(tiny_site)
    assert "categories.yaml:1: category 'a' is its own ancestor ('a' → 'b' → 'a')" in problems
    assert "categories.yaml:3: unknown parent category 'zz'" in problems


def test_missing_files(tiny_site: Path) -> None:
    write_site(tiny_site, {"brands.yaml": None})
    problems = problems_of(tiny_site)
    assert "brands.yaml:1: file is missing" in problems
