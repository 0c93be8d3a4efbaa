"""The build's shards straight from the documents (shopgen/search/sharded.py) are the shards
cut from lunr.py's whole index (pieces.py's `shard_index` over index.py's
`build_search_index`, itself byte-identical to lunr.py's own Builder): the same terms, `_index`
numbers, postings and weights, so the files a build writes are byte for byte what they were."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sitekit import REPO, TODAY, product, write_site

from shopgen.catalog import load_catalog
from shopgen.search.index import build_search_index
from shopgen.search.pieces import shard_index, write_shards
from shopgen.search.sharded import build_sharded_index

sys.path.insert(0, str(REPO / "benchmarks"))
from synthetic_catalog import write_catalog  # noqa: E402

# Words that stress the two orders (lunr.js's UTF-16 against code points: an astral letter
# beside one above the surrogates), accents, a term repeated inside one field, other boosts.
ODD = {
    "shop.yaml": ("name: Odd Shop\ncurrency: EUR\nlocale: en-IE\n"
                  'call_centre: {phone: "+353 1 555 0100", hours: "9-17"}\n'
                  'base_url: "https://odd.example.com/"\n'
                  "search:\n  boost: {name: 7.5, tags: 2, description: 0.5}\n"),
    "products/odd-1.yaml": product("OD-1", name='"Rain rain RAIN jacket \U00020000 \ufa0e"',
                                   description='"Café crème, naïve façade: rain; rain."'),
    "products/odd-2.yaml": product("OD-2", name='"Jacket \U00020001x \ufa0ex"',
                                   description='"The the THE."'),
}


def written(sharded) -> dict[str, bytes]:
    files: dict[str, bytes] = {}

    def write(stem: str, content: bytes) -> str:
        files[f"{stem}-{len(files)}"] = content
        return f"{stem}-{len(files) - 1}"

    write_shards(sharded, write)
    return files


@pytest.mark.parametrize("shop", ["sample", "synthetic", "odd"])
def test_shards_from_the_documents_are_those_cut_from_the_whole_index(
        shop: str, tmp_path: Path) -> None:
    if shop == "sample":
        site = REPO / "catalog_data"
    elif shop == "synthetic":
        site = write_catalog(tmp_path / "shop", 2500)
    else:
        site = write_site(tmp_path / "shop", ODD)
    catalog = load_catalog(site, TODAY)
    for shard_bytes in (12_000, 300):  # the build's size, and many small shards
        expected = shard_index(build_search_index(catalog), shard_bytes)
        built = build_sharded_index(catalog, shard_bytes)
        assert built == expected
        assert written(built) == written(expected)
    assert len(built.shards) > 3
