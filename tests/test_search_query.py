"""Search that understands shoppers: the query parser's unit tests (Node), the stemmer both
sides share, and what the page's engine finds in a built index (word forms, attributes,
sizes, codes, synonyms, facet words, stock, "Did you mean")."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sitekit import REPO, TODAY, product, write_site
from test_search_index import engine_answers, search_with_engine

from shopgen.catalog import load_catalog
from shopgen.errors import CatalogError
from shopgen.search.index import build_search_index, tokenize
from shopgen.search.rules import english_stem


def test_query_parser_unit_tests_pass_in_node() -> None:
    done = subprocess.run(["node", "--test", "tests/js/query_parser.test.mjs"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout


def test_python_and_lunr_js_stem_every_catalog_word_alike() -> None:
    texts = [p.read_text(encoding="utf-8") for p in (REPO / "catalog_data" / "products").glob("*")]
    fixture = REPO / "node_modules" / "lunr" / "test" / "fixtures" / "stemming_vocab.json"
    vocabulary = sorted({w for text in texts for w in tokenize(text)}
                        | set(json.loads(fixture.read_text(encoding="utf-8")))
                        | {"day", "days", "dry", "why", "grey", "everyday", "keys", "toy"}
                        # words ending in a digit skip the stemmer (rules.english_stem)
                        | {"1001", "nw1001", "bx00042", "tees2", "running3", "caresses4",
                           "ed2", "ies9", "2s", "4ing"})
    script = ("const l=require('lunr');const ws=JSON.parse(require('fs').readFileSync(0,'utf8'));"
              "console.log(JSON.stringify(ws.map(w=>l.stemmer(new l.Token(w)).toString())))")
    done = subprocess.run(["node", "-e", script], input=json.dumps(vocabulary),
                          capture_output=True, text=True, cwd=REPO, check=True)
    assert json.loads(done.stdout) == [english_stem(w) for w in vocabulary]


def shop(tiny_site: Path, search_block: str = "", **products: str):
    files = dict(products)
    if search_block:
        shop_yaml = (tiny_site / "shop.yaml").read_text(encoding="utf-8")
        head = shop_yaml.split("search:")[0]
        files["shop.yaml"] = head + search_block
    catalog = load_catalog(write_site(tiny_site, files), TODAY)
    return catalog, [p.sku for p in catalog.products]


def test_plural_and_singular_find_the_same_products(tiny_site: Path, tmp_path: Path) -> None:
    catalog, skus = shop(tiny_site, **{"products/zz.yaml": product(name="Running Boots")})
    hits = search_with_engine(build_search_index(catalog), tmp_path,
                              "jacket", "jackets", "boot", "boots", "run", "running")
    assert hits["jacket"] == hits["jackets"] and skus[hits["jacket"][0]] == "AC-1"
    assert hits["boot"] == hits["boots"] == [skus.index("ZZ-1")]
    assert hits["run"] == hits["running"] == [skus.index("ZZ-1")]


def test_attributes_and_sizes_are_searchable(tiny_site: Path, tmp_path: Path) -> None:
    catalog, skus = shop(tiny_site, **{"products/zz.yaml": product(
        name="Crew", sizes='["42"]', attributes="{material: Merino wool}")})
    hits = search_with_engine(build_search_index(catalog), tmp_path, "merino", "42", "nylon")
    assert [skus[i] for i in hits["merino"]] == ["ZZ-1"]
    assert [skus[i] for i in hits["42"]] == ["ZZ-1"]
    assert [skus[i] for i in hits["nylon"]] == ["AC-1"]


def test_full_partial_and_spoken_codes_find_their_product_first(tiny_site: Path,
                                                                tmp_path: Path) -> None:
    catalog, skus = shop(tiny_site, **{
        "products/zz.yaml": product("NW-1001", name="Trail Runner"),
        "products/zy.yaml": product("NW-2002", name="Runner 1001 Edition"),
    })
    hits = search_with_engine(build_search_index(catalog), tmp_path,
                              "NW-1001", "nw1001", "nw 1001", "1001", "nw-100")
    for q in ("NW-1001", "nw1001", "nw 1001", "1001", "nw-100"):
        assert skus[hits[q][0]] == "NW-1001", q


def test_own_word_ranks_above_a_synonym_and_one_way_stays_one_way(tiny_site: Path,
                                                                   tmp_path: Path) -> None:
    block = ("search:\n  synonyms:\n    tee: [t shirt]\n  one_way_synonyms:\n"
             "    sneakers: [trainers, running shoes]\n")
    catalog, skus = shop(tiny_site, block, **{
        "products/s1.yaml": product("S-1", name="Street Sneakers"),
        "products/s2.yaml": product("S-2", name="Daily Trainers"),
        "products/s3.yaml": product("S-3", name="Tempo Running Shoes"),
        "products/t1.yaml": product("T-1", name="Everyday Tee"),
        "products/t2.yaml": product("T-2", name="Logo T-Shirt"),
    })
    hits = search_with_engine(build_search_index(catalog), tmp_path,
                              "sneakers", "trainers", "t shirt", "tee")
    assert [skus[i] for i in hits["sneakers"]][0] == "S-1"
    assert {skus[i] for i in hits["sneakers"]} == {"S-1", "S-2", "S-3"}
    assert [skus[i] for i in hits["trainers"]] == ["S-2"]  # one way only
    assert [skus[i] for i in hits["t shirt"]] == ["T-2", "T-1"]
    assert [skus[i] for i in hits["tee"]] == ["T-1", "T-2"]


def test_a_facet_word_ranks_without_filtering(tiny_site: Path, tmp_path: Path) -> None:
    catalog, skus = shop(tiny_site, **{
        "products/b1.yaml": product("B-1", name="Hill Boot", colours="[Brown]"),
        "products/b2.yaml": product("B-2", name="Ridge Boot", colours="[Red]"),
    })
    hits = search_with_engine(build_search_index(catalog), tmp_path, "red boots")
    assert [skus[i] for i in hits["red boots"]] == ["B-2", "B-1"]


def test_in_stock_first_among_equal_scores(tiny_site: Path, tmp_path: Path) -> None:
    catalog, skus = shop(tiny_site, **{
        "products/k1.yaml": product("K-1", name="Camp Kettle", in_stock="false"),
        "products/k2.yaml": product("K-2", name="Camp Kettle", in_stock="true"),
    })
    hits = search_with_engine(build_search_index(catalog), tmp_path, "kettle")
    assert [skus[i] for i in hits["kettle"]] == ["K-2", "K-1"]


def test_did_you_mean_offers_the_index_own_words(tiny_site: Path, tmp_path: Path) -> None:
    catalog, _ = shop(tiny_site)
    answers = engine_answers(build_search_index(catalog), tmp_path, "jakkettt", "zzzzqx")
    assert answers["jakkettt"]["refs"] == [] or answers["jakkettt"]["suggestion"] is None
    assert answers["zzzzqx"] == {"refs": [], "suggestion": None}
    answer = engine_answers(build_search_index(catalog), tmp_path, "fleeece coat")
    assert answer["fleeece coat"]["suggestion"] in (None, "fleece coat")
    answer = engine_answers(build_search_index(catalog), tmp_path, "backpaxk storm")
    assert answer["backpaxk storm"]["refs"] or answer["backpaxk storm"]["suggestion"]


def test_search_boost_in_shop_yaml_changes_field_weights(tiny_site: Path) -> None:
    catalog, _ = shop(tiny_site, "search:\n  boost: {description: 4}\n")
    assert catalog.shop.search_boost["description"] == 4.0
    assert catalog.shop.search_boost["name"] == 10.0  # the documented default stays
    write_site(tiny_site, {"shop.yaml": (tiny_site / "shop.yaml").read_text(encoding="utf-8")
                           .replace("boost: {description: 4}", "boost: {descripton: 0}")})
    with pytest.raises(CatalogError, match="did you mean 'description'"):
        load_catalog(tiny_site, TODAY)
