"""What the page's engine ranks first on the sample shop (catalog_data/): products that ARE
what the customer typed before products that only mention it, partial matches after a few
full ones (the kind of thing first), and none that a description alone would bring."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import REPO, TODAY
from test_search_index import search_with_engine

from shopgen.catalog import load_catalog
from shopgen.search.index import build_search_index


@pytest.fixture(scope="module")
def sample():
    catalog = load_catalog(REPO / "catalog_data", TODAY)
    return catalog, build_search_index(catalog)


def ask(sample, tmp_path: Path, *queries: str) -> dict[str, list]:
    """query → the products found, best first."""
    catalog, index = sample
    hits = search_with_engine(index, tmp_path, *queries)
    return {q: [catalog.products[i] for i in refs] for q, refs in hits.items()}


def test_a_product_that_only_mentions_the_kind_comes_after_that_kind(sample, tmp_path):
    # The black overtrousers' description mentions boots: every boot first, black ones first.
    found = ask(sample, tmp_path, "black boots")["black boots"]
    boots = [p for p in found if p.category == "hiking-boots"]
    assert found[:len(boots)] == boots and len(boots) == 6
    assert [p.sku for p in boots[:2]] == ["NW-1013", "NW-1010"]  # the black ones
    assert "NW-1041" in [p.sku for p in found[len(boots):]]


def test_few_full_matches_are_followed_by_the_same_kind_of_thing(sample, tmp_path):
    found = ask(sample, tmp_path, "waterproof jacket")["waterproof jacket"]
    assert found[0].sku == "NW-1017"  # the one waterproof jacket that says so
    named = [p for p in found if "jacket" in p.name.lower() or p.category == "jackets"]
    # Then the other jackets, before the waterproof gloves (a jacket is what was asked for).
    assert found[:len(named)] == named and len(named) == 10
    assert found[len(named)].sku == "NW-1062"


def test_words_found_only_in_descriptions_never_fill_in_for_missing_ones(sample, tmp_path):
    found = ask(sample, tmp_path, "bicycle helmet", "kayak", "merino zzyzx")
    assert found["bicycle helmet"] == []  # helmets are only mentioned ("helmet-compatible")
    assert [p.sku for p in found["kayak"]] == ["NW-1048"]  # a word the query is all of
    assert found["merino zzyzx"] and all(  # a facet value still stands in for the query
        "merino" in str(p.attributes.get("material", "")).lower() for p in found["merino zzyzx"])


def test_a_code_lists_its_product_alone(sample, tmp_path):
    found = ask(sample, tmp_path, "nw 1060", "NW-1060")
    assert [p.sku for p in found["nw 1060"]] == [p.sku for p in found["NW-1060"]] == ["NW-1060"]
