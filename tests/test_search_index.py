"""The search index: lunr.js 2.3.9 (in Node) loads what lunr.py wrote, and the page's own
search engine (shopgen/search/js/search.js, run in Node) finds products in it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lunr.builder import Builder
from sitekit import REPO, TODAY, product, write_site

from shopgen.catalog import load_catalog
from shopgen.search.index import (
    FIELDS,
    build_search_index,
    fold_text,
    index_documents,
    js_ordered,
    serialize_index,
    tokenize,
)

QUERY_SCRIPT = REPO / "tests" / "js" / "query_index.mjs"
ENGINE_SCRIPT = REPO / "tests" / "js" / "engine_query.mjs"


def search_with_engine(index: dict, tmp_path: Path, *queries: str) -> dict[str, list[int]]:
    """Each query's refs, best first, as the page's engine answers it."""
    return {q: a["refs"] for q, a in engine_answers(index, tmp_path, *queries).items()}


def engine_answers(index: dict, tmp_path: Path, *queries: str) -> dict[str, dict]:
    """Each query's whole answer ({refs, suggestion}) from the page's engine."""
    path = tmp_path / "engine-index.json"
    path.write_bytes(serialize_index(index))
    done = subprocess.run(["node", str(ENGINE_SCRIPT), str(path), *queries],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    return json.loads(done.stdout)


def query_with_lunr_js(index: dict, tmp_path: Path, *queries: str) -> dict[str, list[int]]:
    path = tmp_path / "index.json"
    path.write_bytes(serialize_index(index))
    done = subprocess.run(["node", str(QUERY_SCRIPT), str(path), *queries],
                          capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    return {q: [int(ref) for ref in refs] for q, refs in json.loads(done.stdout).items()}


def test_fold_and_tokenize() -> None:
    assert fold_text("Café CRÈME") == "cafe creme"
    assert tokenize("What is the jacket? (Gore-Tex®)") == ["what", "is", "the", "jacket", "gore",
                                                           "tex"]


def test_lunr_js_loads_the_index_and_finds_products(tiny_site: Path, tmp_path: Path) -> None:
    # Positions: 0 = AC-1 Storm Jacket (Red, Navy), 1 = AC-2 Day Backpack, 2 = BO-1 Café Fleece.
    index = build_search_index(load_catalog(tiny_site, TODAY))
    assert query_with_lunr_js(index, tmp_path, "storm")["storm"] == [0]  # plain lunr.js loads it
    hits = search_with_engine(index, tmp_path, "storm", "acme", "navy", "cafe", "rucksack",
                              "fle", "clothing", "bo", "for")
    assert hits["storm"] == [0]
    assert sorted(hits["acme"]) == [0, 1]                # brand
    assert sorted(hits["navy"]) == [0, 2]                # colour
    assert hits["cafe"] == [2]                           # "Café", accent folded
    assert hits["rucksack"] == [1]                       # synonym of backpack
    assert hits["fle"] == [2]                            # prefix while typing
    assert sorted(hits["clothing"]) == [0, 2]            # parent category of jackets
    assert 2 in hits["bo"]                               # sku BO-1 and brand borealis
    assert hits["for"] == []                             # stop words of descriptions skipped


def test_synonyms_work_both_ways(tiny_site: Path, tmp_path: Path) -> None:
    write_site(tiny_site, {"products/zz.yaml": product(name="Rucksack 30", description="Big.")})
    catalog = load_catalog(tiny_site, TODAY)
    skus = [p.sku for p in catalog.products]
    hits = search_with_engine(build_search_index(catalog), tmp_path, "backpack", "rucksack")
    assert sorted(skus[i] for i in hits["backpack"]) == ["AC-2", "ZZ-1"]
    assert sorted(skus[i] for i in hits["rucksack"]) == ["AC-2", "ZZ-1"]


def test_name_hits_rank_above_description_hits(tiny_site: Path, tmp_path: Path) -> None:
    write_site(tiny_site, {
        "products/zz.yaml": product(name="Trail Fleece", description="Soft and warm."),
        "products/zy.yaml": product("ZY-1", name="Hat", description="Fleece lined hat."),
    })
    catalog = load_catalog(tiny_site, TODAY)
    skus = [p.sku for p in catalog.products]
    hits = search_with_engine(build_search_index(catalog), tmp_path, "fleece")["fleece"]
    assert [skus[i] for i in hits][:2] in (["ZZ-1", "BO-1"], ["BO-1", "ZZ-1"])
    assert skus[hits[-1]] == "ZY-1"


HOSTILE_NAMES = ["🔥 Fire 🔥 Jacket", "Private \ue000\ue001 use", "𠀀𠀁 astral", "﨎 compat",
                 "𝒜stral script", "مرحبا بالعالم", "שלום עולם", "Ünïcödé façade"]


def test_any_catalog_text_gives_an_index_lunr_js_loads(tiny_site: Path, tmp_path: Path) -> None:
    files = {f"products/h{i}.yaml": product(f"H-{i}", name=json.dumps(name, ensure_ascii=False),
                                            description=json.dumps(name * 3, ensure_ascii=False))
             for i, name in enumerate(HOSTILE_NAMES)}
    catalog = load_catalog(write_site(tiny_site, files), TODAY)
    index = build_search_index(catalog)
    hits = search_with_engine(index, tmp_path, "𠀀𠀁", "﨎", "shalom", "עולם", "facade")
    skus = [p.sku for p in catalog.products]
    assert [skus[i] for i in hits["𠀀𠀁"]] == ["H-2"]
    assert [skus[i] for i in hits["﨎"]] == ["H-3"]
    assert [skus[i] for i in hits["עולם"]] == ["H-6"]
    assert [skus[i] for i in hits["facade"]] == ["H-7"]

    # The same index in lunr.py's own (code point) order is what lunr.js refuses:
    # this proves the text above exercises the ordering fix.
    python_order = {**index, "invertedIndex": sorted(index["invertedIndex"])}
    with pytest.raises(AssertionError, match="Out of order word insertion"):
        query_with_lunr_js(python_order, tmp_path, "x")


def test_fast_builder_writes_exactly_what_lunr_py_writes(tiny_site: Path) -> None:
    catalog = load_catalog(tiny_site, TODAY)
    reference = Builder()  # lunr.py's own add(), fed the same token lists
    reference.ref("id")
    for name, boost in FIELDS:
        reference.field(name, boost=boost)
    for document in index_documents(catalog):
        reference.add(document)
    built = build_search_index(catalog)
    del built["shopgen"]  # the query side's rules, beside lunr's own keys
    assert built == js_ordered(reference.build().serialize())


def test_index_is_deterministic(tiny_site: Path) -> None:
    catalog = load_catalog(tiny_site, TODAY)
    assert serialize_index(build_search_index(catalog)) == serialize_index(
        build_search_index(load_catalog(tiny_site, TODAY)))


def test_index_builder_and_browser_search_share_one_ranking_file() -> None:
    """Field boosts (Python) and query bonuses (JavaScript) come from one ranking.json."""
    import json

    from sitekit import REPO

    search = REPO / "shopgen" / "search"
    ranking = json.loads((search / "ranking.json").read_text(encoding="utf-8"))
    assert dict(FIELDS) == ranking["fields"]
    assert 'from "../ranking.json"' in (search / "js" / "search.js").read_text(encoding="utf-8")
