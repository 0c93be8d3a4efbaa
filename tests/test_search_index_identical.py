"""The index builder's shortcuts (pretokenized documents, each score computed once, no token
set, no second rounding) write byte for byte what lunr.py's own Builder writes, on the sample
shop and on a synthetic catalog of thousands of products; the documents and query rules,
memoised by text, are those of their simple definitions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lunr.builder import Builder
from lunr.stop_word_filter import WORDS as STOP_WORDS
from sitekit import REPO, TODAY, write_site
from sitekit import product as product_yaml

from shopgen.catalog import load_catalog
from shopgen.search.index import (
    build_search_index,
    compact_code,
    fill_builder,
    index_documents,
    js_ordered,
    query_rules,
    serialize_index,
    tokenize,
)
from shopgen.search.rules import readable_words, stemmer_for, stemmer_name, synonym_rules

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


# index.py's documents and query rules as first written, one product and one text at a time:
# the memoised versions must give exactly these.
def reference_tags(catalog, product) -> list[str]:
    attributes = {a.id: a for a in catalog.attributes}
    values = [str(v) for k, v in product.attributes.items()
              if k in attributes and attributes[k].type == "text"]
    return [catalog.brand[product.brand].name, *product.colours,
            *(c.name for c in catalog.category_path(product.category)), *product.sizes, *values]


def reference_documents(catalog) -> list[dict]:
    stem = stemmer_for(stemmer_name(catalog.shop.locale))
    documents = []
    for position, product in enumerate(catalog.products):
        words = [w for w in dict.fromkeys(tokenize(product.description)) if w not in STOP_WORDS]
        code = [compact_code(product.sku), *tokenize(product.sku)]
        fields = {
            "name": tokenize(product.name),
            "sku": list(dict.fromkeys(code)),
            "tags": list(dict.fromkeys(tokenize(" ".join(reference_tags(catalog, product))))),
            "description": words,
        }
        document: dict = {k: list(dict.fromkeys(stem(t) for t in v)) for k, v in fields.items()}
        document["id"] = str(position)
        documents.append(document)
    return documents


def reference_rules(catalog) -> dict:
    name = stemmer_name(catalog.shop.locale)
    stem = stemmer_for(name)

    def phrase(text: str) -> list[str]:
        return [stem(w) for w in tokenize(text)]

    attributes = {a.id: a for a in catalog.attributes if a.type == "text" and a.facet}
    modifiers: set[str] = set()
    for product in catalog.products:
        values = [str(v) for k, v in product.attributes.items() if k in attributes]
        for text in [catalog.brand[product.brand].name, *product.colours, *product.sizes,
                     *values]:
            modifiers.update(phrase(text))
    texts = [t for p in catalog.products for t in (p.name, *reference_tags(catalog, p))]
    return {
        "stemmer": name,
        "synonyms": synonym_rules(catalog.shop.synonyms, catalog.shop.one_way_synonyms, phrase),
        "modifiers": sorted(modifiers),
        "out_of_stock": [i for i, p in enumerate(catalog.products) if not p.in_stock],
        "words": readable_words(texts, tokenize, stem),
    }


ODD_WORDS = {
    "shop.yaml": ("name: Odd Shop\ncurrency: EUR\nlocale: en-IE\n"
                  'call_centre: {phone: "+353 1 555 0100", hours: "9-17"}\n'
                  'base_url: "https://odd.example.com/"\n'
                  "search:\n  synonyms:\n    parka: [rain coat, anorak]\n"
                  "  one_way_synonyms:\n    coat: [parka]\n"),
    "products/odd-1.yaml": product_yaml(
        "OD-1.X_2", name='"ΟΔΟΣ Σ Café  crème—jackets jackets"', colours="[Navy Blue, navy]",
        sizes='["EU 42", "42"]', description='"The and jackets ΟΔΟΣ, naïve: the rain; RAIN."'),
    "products/odd-2.yaml": product_yaml("OD-2", name='"Running runner runs"', colours="[Ærø]",
                                   description='"Runs and running, ﬀ ligature."'),
}


@pytest.mark.parametrize("shop", ["sample", "synthetic", "odd"])
def test_documents_and_rules_are_the_simple_definitions(shop: str, synthetic_shop: Path,
                                                        tmp_path: Path) -> None:
    site = {"sample": REPO / "catalog_data", "synthetic": synthetic_shop}.get(shop) or \
        write_site(tmp_path / "shop", ODD_WORDS)
    catalog = load_catalog(site, TODAY)
    assert index_documents(catalog) == reference_documents(catalog)
    assert query_rules(catalog) == reference_rules(catalog)
