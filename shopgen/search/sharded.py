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
from collections import Counter
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
    # term → [its _index, per field: product numbers, field lengths, term counts]
    postings: dict[str, list] = {}
    totals = [0] * len(fields)
    for doc, document in enumerate(documents):
        for slot, field in enumerate(fields):
            terms = document[field]
            length = len(terms)
            totals[slot] += length
            # Terms come once per field (index.py's `stemmed`); Counter keeps lunr's count
            # should a field ever repeat one.
            counts = Counter(terms) if len(set(terms)) != length else dict.fromkeys(terms, 1)
            for term, count in counts.items():
                entry = postings.get(term)
                if entry is None:  # numbered in first-seen order, as lunr's Builder.add
                    entry = postings[term] = [len(postings),
                                              *([[], [], []] for _ in fields)]
                docs, lengths, tfs = entry[1 + slot]
                docs.append(doc)
                lengths.append(length)
                tfs.append(count)
    averages = [total / len(documents) for total in totals]
    weigh = _Weights(len(documents), [boosts[field] for field in fields], averages)

    def ordered() -> Iterator[TermPostings]:
        # lunr.js's order (UTF-16 code units), as index.py's `js_ordered`
        for term in sorted(postings, key=lambda t: t.encode("utf-16-be")):
            index, *per_field = postings[term]
            holding = sum(len(docs) for docs, _, _ in per_field)
            yield term, index, [docs for docs, _, _ in per_field], [
                weigh(holding, slot, lengths, tfs)
                for slot, (_, lengths, tfs) in enumerate(per_field)]

    return cut_shards(ordered(), fields, LUNR_JS_VERSION, len(documents),
                      query_rules(catalog), shard_bytes)


class _Weights:
    """lunr.py's weight of a term in a product's field, in pieces.py's form (thousandths)."""

    def __init__(self, document_count: int, boosts: list[float], averages: list[float]):
        self.document_count = document_count
        self.boosts = boosts
        self.averages = averages
        self.done: dict[tuple[int, int, int, int], float | int] = {}

    def __call__(self, holding: int, slot: int, lengths: list[int],
                 tfs: list[int]) -> list[float | int]:
        done = self.done
        weights = []
        for length, tf in zip(lengths, tfs, strict=True):
            key = (holding, slot, length, tf)
            weight = done.get(key)
            if weight is None:
                weight = done[key] = self.compute(holding, slot, length, tf)
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
