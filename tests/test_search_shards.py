"""The index in shards by term (shopgen/search/pieces.py + js/shards.js) against lunr.js on
the whole index: every query gets the same answer, in the same order, as the single index
gives (sample shop and a synthetic 10,000-product catalog), and a search fetches only the
shards of its words."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import REPO, TODAY

from shopgen.catalog import load_catalog
from shopgen.search.index import build_search_index, serialize_index
from shopgen.search.pieces import shard_index, write_shards

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_catalog import write_catalog  # noqa: E402

SCRIPT = REPO / "tests" / "js" / "compare_shards.mjs"
# Whole words, prefixes while typing, several words (AND, then OR), typos, loose matches,
# synonyms, accents, SKUs, brands, colours, categories, description-only words, stop words.
QUERIES = [
    "jacket", "jack", "j", "ja", "rain jacket", "merino", "merin", "merion", "wool socks",
    "trail runner", "pinon", "piñon", "café", "rucksack", "backpack", "pack", "red", "navy blue",
    "footwear", "clothing", "nw-1001", "nw", "1001", "waterproof", "breathable", "the", "for",
    "storm jacket", "quiet", "polar fleece", "rugged pack", "trail boot", "summit parka 12",
    "bx-00042", "borealis", "forest green", "weatherr", "lightweigt", "xyzzy", "qqqq jacket",
    "warm", "recycled fibres", "dries quickly", "mountain huts", "commute", "alpine vest",
    "storm", "sto", "s", "jakkettt", "fleeece coat", "backpaxk storm", "zzzzqx", "a", "1",
    "waterproof breathable jacket", "red boots", "wool", "woo", "bx", "bx 00042", "00042",
]


# At 10,000 products lunr.js takes seconds on a short prefix's thousands of terms: the scores
# and the typing are checked on these there (every query on the small shop).
SCORED_10K = ["storm jacket", "merino", "merion", "quiet", "fleeece coat", "trail runner", "red"]
TYPED_10K = ["storm jacket", "merino", "rugged pack", "fleeece coat", "bx 00042", "red boots",
             "jakkettt", "the"]


def compare(index: dict, tmp_path: Path, shard_bytes: int | None = None,
            scored: list[str] = QUERIES, typed: list[str] = QUERIES) -> dict:
    sharded = shard_index(index) if shard_bytes is None else shard_index(index, shard_bytes)
    folder = tmp_path / "assets"
    folder.mkdir()

    def write(stem: str, content: bytes) -> str:
        name = f"{stem}-{hashlib.sha256(content).hexdigest()[:10]}.json"
        (folder / name).write_bytes(content)
        return name

    meta, *_ = write_shards(sharded, write)
    (tmp_path / "whole.json").write_bytes(serialize_index(index))
    (tmp_path / "queries.json").write_text(json.dumps(
        {"queries": QUERIES, "scored": scored, "typed": typed}))
    done = subprocess.run(["node", str(SCRIPT), str(tmp_path / "whole.json"), str(folder), meta,
                           str(tmp_path / "queries.json")],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    answer["shard_count"] = len(sharded.shards)
    return answer


def check_same(answer: dict, scored: list[str] = QUERIES, typed: list[str] = QUERIES) -> None:
    assert answer["queries"] == len(QUERIES)
    assert answer["differ"] == []
    # Scores to the last bit (ShardIndex.match against lunr.js's Index.query), and typing with
    # the engine's caches warm answers every key as a fresh engine does.
    assert answer["scores"]["compared"] >= 4 * len(scored)
    assert answer["scores"]["differ"] == []
    assert answer["typed"]["steps"] == sum(2 * len(q) - 1 for q in typed)
    assert answer["typed"]["differ"] == []


def test_sample_shop_searches_as_the_whole_index(tmp_path: Path) -> None:
    answer = compare(build_search_index(load_catalog(REPO / "catalog_data", TODAY)), tmp_path)
    check_same(answer)
    assert answer["answers"]["jacket"] and answer["answers"]["merino"]


def test_tiny_shards_search_as_the_whole_index(tmp_path: Path) -> None:
    """Shards of a few terms each: prefixes and typos that span many shards."""
    index = build_search_index(load_catalog(REPO / "catalog_data", TODAY))
    answer = compare(index, tmp_path, shard_bytes=300)
    check_same(answer)
    assert answer["shard_count"] > 50
    # A word fetches the meta file and the shards of its word, not the dictionary.
    fetched = answer["fetched"]["merino"]
    assert fetched[0].startswith("search-") and not any("terms" in f for f in fetched)
    assert len(fetched) <= 3
    assert any("terms" in f for f in answer["fetched"]["merion"])  # a typo needs every term
    # A word's first letter fetches the meta file and one shard, that of the letter: close
    # matches share two letters at least (every word beginning with a letter is a large part
    # of the index); a letter that is no term (the meta file lists those that are) not even
    # that.
    terms = {term for term, _ in index["invertedIndex"]}
    assert "s" in terms and "j" not in terms
    for letter in ("s", "j", "a", "1"):
        assert len(answer["fetched"][letter]) == (2 if letter in terms else 1), letter


@pytest.mark.xdist_group("heavy")
def test_synthetic_10000_products_search_as_the_whole_index(tmp_path: Path) -> None:
    site = write_catalog(tmp_path / "shop", 10_000)
    answer = compare(build_search_index(load_catalog(site, TODAY)), tmp_path,
                     scored=SCORED_10K, typed=TYPED_10K)
    check_same(answer, SCORED_10K, TYPED_10K)
    assert answer["answers"]["bx-00042"][0] == 42
    assert len(answer["fetched"]["storm"]) <= 3
    assert len(answer["fetched"]["s"]) <= 2


def test_stem_module_stems_as_lunr(tmp_path: Path) -> None:
    done = subprocess.run(["node", "--test", "tests/js/stem.test.mjs"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
