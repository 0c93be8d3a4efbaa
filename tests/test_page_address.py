"""A product's address is made twice: by the build (catalog/page_address.py names its page)
and by the page's script (templates/js/cards.js links the cards it makes to it). The two must
agree on every SKU the catalog accepts, or a card would link a wrong address (404) for some
shops only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from shopgen.catalog.page_address import product_page
from shopgen.catalog.products import SKU_PATTERN

REPO = Path(__file__).resolve().parent.parent
SCRIPT = """
import { productPage } from "./templates/js/cards.js";
import { readFileSync } from "node:fs";
const skus = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(skus.map(productPage)));
"""
EDGES = ["NW-1001", "NW.1001", "nw_1001", "A", "a..b", "Z-", "9_9_", "X--Y..Z", "ab.CD-ef_01"]


def pages_in_javascript(skus: list[str]) -> list[str]:
    done = subprocess.run(["node", "--input-type=module", "-e", SCRIPT], input=json.dumps(skus),
                          capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout)


@settings(max_examples=5, deadline=None)
@given(st.lists(st.from_regex(SKU_PATTERN, fullmatch=True), min_size=50, max_size=200))
def test_the_script_names_every_product_page_as_the_build_does(skus: list[str]) -> None:
    skus = [*EDGES, *skus]
    assert pages_in_javascript(skus) == [product_page(sku) for sku in skus]
