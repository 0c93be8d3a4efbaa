"""The search index: lunr.py builds it, serialised so that lunr.js 2.3.9 `Index.load`s it.

What the index holds, on purpose (the browser keeps the product data in its own file):
- refs are product positions ("0", "1", …), not SKUs, so nothing is stored twice;
- every field is tokenised here (lower-cased, accents folded, punctuation dropped), so the
  stored pipeline is empty and the browser folds the query the same way (`fold_text`);
- descriptions contribute their distinct words minus stop words: they are the bulk of any
  index, and "the", "and", "for" in 10,000 descriptions only make it heavier;
- words are stored as stems ("jackets" → "jacket") and the browser stems queries alike;
- "sku" holds the code as written, compact ("nw1001") and in parts ("nw", "1001"), so a code
  read aloud finds its product; "tags" holds brand, colours, category path, sizes and the
  text attributes' values (material, fit, GTIN…);
- synonyms are NOT in the documents: the browser expands the query (rules.py), and the rules
  travel in the index's "shopgen" key with the other query-side data.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

from lunr import __TARGET_JS_VERSION__ as LUNR_JS_VERSION
from lunr.builder import Builder
from lunr.idf import idf as Idf  # noqa: N812 (lunr.py's own name for it)
from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.vector import Vector

from shopgen.catalog import Catalog
from shopgen.search.ranking import RANKING
from shopgen.search.rules import (
    Stem,
    readable_words,
    stemmer_for,
    stemmer_name,
    synonym_rules,
)

# Four fields, not one per catalog field: every field costs a vector per product in the index.
# "tags" holds brand, colours, category path, sizes and attribute values: short texts customers
# type as they are. Default boosts live in ranking.json (shop.yaml's search.boost overrides).
FIELDS = tuple((name, boost) for name, boost in RANKING["fields"].items())
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold_text(text: str) -> str:
    """Lower-case and drop accents ("Café" → "cafe"); the browser does the same to queries."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[str]:
    """Folded words of `text` (letters and digits; punctuation and symbols split words)."""
    return WORD.findall(fold_text(text))


def compact_code(code: str) -> str:
    """A code without its separators, folded ("NW-1001" → "nw1001")."""
    return "".join(tokenize(code))


def product_tags(catalog: Catalog, product) -> list[str]:
    """Brand, colours, category path, sizes and text attribute values, as text."""
    return _TagTexts(catalog)(product)


class _TagTexts:
    """`product_tags` for many products of one catalog, its lookups done once."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.text_attributes = {a.id for a in catalog.attributes if a.type == "text"}
        self.paths: dict[str, list[str]] = {}

    def __call__(self, product) -> list[str]:
        path = self.paths.get(product.category)
        if path is None:
            path = self.paths[product.category] = [
                c.name for c in self.catalog.category_path(product.category)]
        values = [str(v) for k, v in product.attributes.items() if k in self.text_attributes]
        return [self.catalog.brand[product.brand].name, *product.colours, *path,
                *product.sizes, *values]


class _Words:
    """Folded words and stems of texts, each distinct text done once: brands, colours,
    categories, sizes and attribute values repeat across thousands of products."""

    def __init__(self, stem: Stem):
        self.stem = stem
        self._tokens: dict[str, list[str]] = {}
        self._stems: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        done = self._tokens.get(text)
        if done is None:
            done = self._tokens[text] = tokenize(text)
        return done

    def stems(self, text: str) -> list[str]:
        """Each word's stem, in order (repeats kept)."""
        done = self._stems.get(text)
        if done is None:
            done = self._stems[text] = list(map(self.stem, self.tokens(text)))
        return done


def index_documents(catalog: Catalog) -> list[dict[str, object]]:
    """One lunr document (lists of stemmed tokens per field) for each product, in catalog
    order: the name's words, the SKU compact and in parts, the tags' words (`product_tags`)
    and the description's words but stop words; each field's stems once, first seen first."""
    stem = stemmer_for(stemmer_name(catalog.shop.locale))
    words = _Words(stem)
    tags_of = _TagTexts(catalog)
    documents = []
    for position, product in enumerate(catalog.products):
        code = tokenize(product.sku)
        description = [w for w in tokenize(product.description) if w not in STOP_WORDS]
        documents.append({
            "name": stemmed(tokenize(product.name), stem),
            "sku": stemmed(["".join(code), *code], stem),  # "".join: compact_code
            # tokenize(" ".join(tags)) word for word: a space ends every word
            "tags": list(dict.fromkeys(
                s for text in tags_of(product) for s in words.stems(text))),
            "description": stemmed(description, stem),
            "id": str(position),
        })
    return documents


def stemmed(tokens: list[str], stem: Stem) -> list[str]:
    """Each token's stem, once, in first-seen order."""
    return list(dict.fromkeys(map(stem, tokens)))


def query_rules(catalog: Catalog) -> dict[str, object]:
    """What the browser's query side needs beside the index (rules.py)."""
    name = stemmer_name(catalog.shop.locale)
    stem = stemmer_for(name)
    words = _Words(stem)
    tags_of = _TagTexts(catalog)
    attributes = {a.id for a in catalog.attributes if a.type == "text" and a.facet}
    modifier_texts: dict[str, None] = {}
    for product in catalog.products:
        values = [str(v) for k, v in product.attributes.items() if k in attributes]
        modifier_texts.update(dict.fromkeys([catalog.brand[product.brand].name,
                                             *product.colours, *product.sizes, *values]))
    modifiers = {s for text in modifier_texts for s in words.stems(text)}
    texts = [t for p in catalog.products for t in (p.name, *tags_of(p))]
    return {
        "stemmer": name,
        "synonyms": synonym_rules(catalog.shop.synonyms, catalog.shop.one_way_synonyms,
                                  words.stems),
        "modifiers": sorted(modifiers),
        "out_of_stock": [i for i, p in enumerate(catalog.products) if not p.in_stock],
        "words": readable_words(texts, words.tokens, stem),
    }


class PretokenizedBuilder(Builder):
    """lunr.py's Builder for documents whose fields are lists of already folded tokens.

    `add` fills the same structures as `Builder.add` (so `build()` and `serialize()` are lunr.py's
    own and the index is identical), without a Token object and a metadata copy per token,
    which cost two thirds of the time at 10,000 products. No metadata is kept (no positions).
    """

    def add(self, doc: dict, attributes: dict | None = None) -> None:
        doc_ref = str(doc[self._ref])
        self._documents[doc_ref] = attributes or {}
        self.document_count += 1
        for field_name in self._fields:
            terms = doc[field_name]
            field_ref = f"{field_name}/{doc_ref}"  # lunr's FieldRef as a string
            frequencies = Counter(terms)  # first-seen order, as Builder.add numbers terms
            self.field_term_frequencies[field_ref] = frequencies
            self.field_lengths[field_ref] = len(terms)
            for term in frequencies:
                posting = self.inverted_index.get(term)
                if posting is None:
                    posting = {name: {} for name in self._fields}
                    posting["_index"] = self.term_index
                    self.term_index += 1
                    self.inverted_index[term] = posting
                posting[field_name][doc_ref] = {}

    def _create_field_vectors(self) -> None:
        """lunr.py's own scores, term by term in the same arithmetic, but each vector sorted
        once instead of built by `Vector.insert` (a binary search and a list insert per term:
        half of the index's build time at 10,000 products), and each distinct score computed
        and rounded once (a score is a function of the term, its count, the field and the
        field's length, and most of them repeat across products). The same vectors."""
        k1, b = self._k1, self._b
        idf_cache: dict[str, float] = {}
        score_cache: dict[tuple, float] = {}
        vectors = {}
        for field_ref, frequencies in self.field_term_frequencies.items():
            field_name, doc_ref = field_ref.split("/", 1)
            field_length = self.field_lengths[field_ref]
            average = self.average_field_length[field_name]
            field_boost = self._fields[field_name].boost
            doc_boost = self._documents[doc_ref].get("boost", 1)
            pairs = []
            for term, tf in frequencies.items():
                posting = self.inverted_index[term]
                key = (term, tf, field_name, field_length, doc_boost)
                score = score_cache.get(key)
                if score is None:
                    idf = idf_cache.get(term)
                    if idf is None:
                        idf = idf_cache[term] = Idf(posting, self.document_count)
                    score = (idf * ((k1 + 1) * tf)
                             / (k1 * (1 - b + b * (field_length / average)) + tf))
                    score *= field_boost
                    score *= doc_boost
                    score = score_cache[key] = round(score, 3)
                pairs.append((posting["_index"], score))
            pairs.sort()
            vectors[field_ref] = Vector([x for pair in pairs for x in pair])
        self.field_vectors = vectors

    def serialized(self) -> dict:
        """`self.build().serialize()`, without what serialising does not use: the token set
        (a trie of every term, for lunr.py's own searches) and rounding each score a second
        time (they are rounded to three decimals already, and rounding again changes none)."""
        self._calculate_average_field_lengths()
        self._create_field_vectors()
        return {
            "version": LUNR_JS_VERSION,
            "fields": list(self._fields),
            "fieldVectors": [[ref, vector.elements]
                             for ref, vector in self.field_vectors.items()],
            "invertedIndex": [[term, self.inverted_index[term]]
                              for term in sorted(self.inverted_index)],
            "pipeline": self.search_pipeline.serialize(),
        }


def fill_builder(builder, catalog: Catalog):
    """`builder` (a lunr.py Builder) given the index's fields, boosts and every product."""
    builder.ref("id")
    boosts = {**dict(FIELDS), **catalog.shop.search_boost}
    for name, _ in FIELDS:
        builder.field(name, boost=boosts[name])
    for document in index_documents(catalog):
        builder.add(document)
    return builder


def build_search_index(catalog: Catalog) -> dict:
    """The serialised lunr index (a dict in lunr's schema) over the catalog's products."""
    # An empty pipeline: tokens arrive folded and split.
    builder = fill_builder(PretokenizedBuilder(), catalog)
    return {**js_ordered(builder.serialized()), "shopgen": query_rules(catalog)}


def js_ordered(serialized: dict) -> dict:
    """Order the inverted index as JavaScript compares strings (UTF-16 code units).

    lunr.py sorts terms by code point; lunr.js inserts them into its TokenSet in the stored
    order and throws "Out of order word insertion" when a term sorts lower in UTF-16 (astral
    characters such as emoji against private-use ones: lunr.py issue 144).
    """
    inverted = sorted(serialized["invertedIndex"], key=lambda pair: pair[0].encode("utf-16-be"))
    return {**serialized, "invertedIndex": inverted}


def serialize_index(index: dict) -> bytes:
    """Deterministic, compact JSON: unchanged content gives byte-identical files."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")
