"""The index in pieces (shopgen/search/pieces.py + js/pieces.js) against the single index:
the page gets back lunr.py's index exactly, and every query the same answer, in the same
order, as before the split: on the sample shop and on a synthetic 10,000-product catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import REPO, TODAY

from shopgen.catalog import load_catalog
from shopgen.search.index import build_search_index, serialize_index
from shopgen.search.pieces import split_index

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_catalog import write_catalog  # noqa: E402

SCRIPT = REPO / "tests" / "js" / "compare_pieces.mjs"
# Whole words, prefixes while typing, several words (AND, then OR), typos, loose matches,
# synonyms, accents, SKUs, brands, colours, categories, description-only words, stop words.
QUERIES = [
    "jacket", "jack", "j", "ja", "rain jacket", "merino", "merin", "merion", "wool socks",
    "trail runner", "pinon", "piñon", "café", "rucksack", "backpack", "pack", "red", "navy blue",
    "footwear", "clothing", "nw-1001", "nw", "1001", "waterproof", "breathable", "the", "for",
    "storm jacket", "quiet", "polar fleece", "rugged pack", "trail boot", "summit parka 12",
    "bx-00042", "borealis", "forest green", "weatherr", "lightweigt", "xyzzy", "qqqq jacket",
    "warm", "recycled fibres", "dries quickly", "mountain huts", "commute", "alpine vest",
]


def compare(index: dict, tmp_path: Path) -> dict:
    first, more = split_index(index)
    files = {name: tmp_path / f"{name}.json" for name in ("whole", "first", "more", "queries")}
    files["whole"].write_bytes(serialize_index(index))
    files["first"].write_bytes(serialize_index(first))
    files["more"].write_bytes(serialize_index(more))
    files["queries"].write_text(json.dumps(QUERIES))
    done = subprocess.run(["node", str(SCRIPT), *map(str, files.values())],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def check_same(answer: dict) -> None:
    assert answer["same_index"], "the pieces do not give back the index lunr.py built"
    assert answer["queries"] == len(QUERIES)
    assert answer["differ"] == []


def test_sample_shop_searches_as_before(tmp_path: Path) -> None:
    answer = compare(build_search_index(load_catalog(REPO / "catalog_data", TODAY)), tmp_path)
    check_same(answer)
    # The first piece alone (before the descriptions arrive) already finds products by name.
    assert answer["first"]["jacket"] and answer["first"]["merino"]


@pytest.mark.xdist_group("heavy")
def test_synthetic_10000_products_search_as_before(tmp_path: Path) -> None:
    site = write_catalog(tmp_path / "shop", 10_000)
    answer = compare(build_search_index(load_catalog(site, TODAY)), tmp_path)
    check_same(answer)
    assert answer["first"]["bx-00042"] == [42]


def test_first_piece_holds_no_description(tmp_path: Path) -> None:
    """What makes the first answer cheap: no description postings or vectors in it."""
    first, more = split_index(build_search_index(load_catalog(REPO / "catalog_data", TODAY)))
    assert first["piece"] == ["name", "sku", "tags"] and more["piece"] == ["description"]
    assert set(first["postings"]) == {"name", "sku", "tags"}
    assert set(more["postings"]) == {"description"} and "shopgen" in first
    words = {word for p in load_catalog(REPO / "catalog_data", TODAY).products
             for word in p.description.lower().split()}
    assert "description" not in first["scores"] and len(first["terms"]) >= len(words) // 2
