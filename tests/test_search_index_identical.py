"""The index builder's shortcuts (pretokenized documents, each score computed once, no token
set, no second rounding) write byte for byte what lunr.py's own Builder writes, on the sample
shop and on a synthetic catalog of thousands of products."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lunr.builder import Builder
from sitekit import REPO, TODAY

from shopgen.catalog import load_catalog
from shopgen.search.index import (
    build_search_index,
    fill_builder,
    js_ordered,
    serialize_index,
)

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_catalog import write_catalog  # noqa: E402


def lunr_py_index(catalog) -> dict:
    # lunr.py's own add(), build() and serialize(), fed the same tokens
    reference = fill_builder(Builder(), catalog)
    return js_ordered(reference.build().serialize())


@pytest.fixture(scope="module")
def synthetic_shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("synthetic") / "shop", 3000)


@pytest.mark.parametrize("shop", ["sample", "synthetic"])
def test_the_index_is_byte_identical_to_lunr_py(shop: str, synthetic_shop: Path) -> None:
    site = REPO / "catalog_data" if shop == "sample" else synthetic_shop
    catalog = load_catalog(site, TODAY)
    built = build_search_index(catalog)
    rules = built.pop("shopgen")
    assert serialize_index(built) == serialize_index(lunr_py_index(catalog))
    assert rules  # the query side's rules travel beside lunr's own keys
