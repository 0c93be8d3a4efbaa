"""The index's shards straight from the documents, without lunr's whole index in between.

The build writes only the shards (pieces.py), and a shard needs, per term, the products that
hold it and the weight lunr.py gives each of them. Building lunr's whole index first (a
vector per field and product, then the serialised index, then a lookup table of the vectors)
cost three quarters of the search index's time at 10,000 products. Here each term's postings
are collected as the documents are read, and each weight is lunr.py's BM25 arithmetic, in the
same operations and order (index.py's `PretokenizedBuilder._create_field_vectors`), computed
once per (documents holding the term, field, field length, term count): the same shards, byte
for byte, as `shard_index(build_search_index(catalog))` (tests/test_search_sharded.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from lunr import __TARGET_JS_VERSION__ as LUNR_JS_VERSION

from shopgen.catalog import Catalog
from shopgen.search.index import FIELDS, index_documents, query_rules
from shopgen.search.pieces import (
    SHARD_BYTES,
    ShardedIndex,
    TermPostings,
    cut_shards,
    thousandths,
)

# lunr.py's Builder defaults (its `_k1` and `_b`), which fill_builder keeps.
K1 = 1.2
B = 0.75


def build_sharded_index(catalog: Catalog, shard_bytes: int = SHARD_BYTES) -> ShardedIndex:
    """The search index's shards, meta and dictionary for the catalog's products."""
    boosts = {**dict(FIELDS), **catalog.shop.search_boost}
    fields = [name for name, _ in FIELDS]
    documents = index_documents(catalog)
    # index_documents gives each field's stems once: a term counts 1 in a field that holds it.
    numbers: dict[str, int] = {}  # term → its _index, numbered in first-seen order (as lunr's
    # Builder.add: product by product, field by field)
    holders: list[dict[str, list[int]]] = [{} for _ in fields]  # per field: term → products
    lengths: list[list[int]] = [[] for _ in fields]  # per field: each product's field length
    for doc, document in enumerate(documents):
        for slot, field in enumerate(fields):
            terms = document[field]
            lengths[slot].append(len(terms))
            field_holders = holders[slot]
            for term in terms:
                if term not in numbers:
                    numbers[term] = len(numbers)
                docs = field_holders.get(term)
                if docs is None:
                    field_holders[term] = [doc]
                else:
                    docs.append(doc)
    weigh = _Weights(len(documents), [boosts[field] for field in fields], lengths)

    def ordered() -> Iterator[TermPostings]:
        # lunr.js's order (UTF-16 code units), as index.py's `js_ordered`
        for term in sorted(numbers, key=lambda t: t.encode("utf-16-be")):
            docs = [field_holders.get(term, _NONE) for field_holders in holders]
            holding = sum(map(len, docs))
            yield term, numbers[term], docs, [weigh(holding, slot, field_docs)
                                              for slot, field_docs in enumerate(docs)]

    return cut_shards(ordered(), fields, LUNR_JS_VERSION, len(documents),
                      query_rules(catalog), shard_bytes)


_NONE: list[int] = []  # (no product holds the term in that field: never appended to)


class _Weights:
    """lunr.py's weight of a term in a product's field, in pieces.py's form (thousandths)."""

    def __init__(self, document_count: int, boosts: list[float], lengths: list[list[int]]):
        self.document_count = document_count
        self.boosts = boosts
        self.lengths = lengths
        self.averages = [sum(field) / document_count for field in lengths]
        self.done: dict[tuple[int, int], dict[int, float | int]] = {}

    def __call__(self, holding: int, slot: int, docs: list[int]) -> list[float | int]:
        """The weights of a term held `holding` times (summed over the fields) in each of
        `docs`, the products holding it in field `slot`."""
        if not docs:
            return []
        done = self.done.get((holding, slot))
        if done is None:
            done = self.done[holding, slot] = {}
        lengths = self.lengths[slot]
        weights = []
        for doc in docs:
            length = lengths[doc]
            weight = done.get(length)
            if weight is None:
                weight = done[length] = self.compute(holding, slot, length, 1)
            weights.append(weight)
        return weights

    def compute(self, holding: int, slot: int, field_length: int, tf: int) -> float | int:
        # lunr.idf.idf: `holding` counts a product once per field that holds the term
        x = (self.document_count - holding + 0.5) / (holding + 0.5)
        idf = math.log(1 + abs(x))
        k1, b, average = K1, B, self.averages[slot]
        score = (idf * ((k1 + 1) * tf)
                 / (k1 * (1 - b + b * (field_length / average)) + tf))
        score *= self.boosts[slot]
        return thousandths(round(score, 3))
