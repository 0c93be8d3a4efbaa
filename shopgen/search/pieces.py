"""The lunr index in shards by term, so that a search fetches only the terms it asks for
(js/shards.js answers it with lunr's own arithmetic; Pagefind shards its index alike).

- The meta file (fetched first, small): the fields, the number of products, where each shard
  starts (its first term), the terms of one character (`letters`: a word's first letter
  typed that is none of them is answered without its shard) and the query rules (`shopgen`:
  stemmer, synonyms, …).
- The shards: the terms in the order lunr.js sorts them (UTF-16), cut into runs of about
  `SHARD_BYTES`; each term with its `_index` and, per field, its postings AND each posting's
  value in the product's field vector (the tf-idf weight lunr.py computed). A prefix's terms
  are one contiguous run, so a word typed so far needs one shard or two.
- The dictionary: every term (for typos: lunr's fuzzy match needs them all) and the readable
  forms of stems ("Did you mean"), fetched only when a word matches nothing as typed.

lunr scores a product by Σ_field (query vector · field vector) / |query vector|: the query
vector holds every term the query expands to (the dictionary or the shards of its prefix tell
which), the field vector's entries for those terms are in their shards. So the shards give
exactly the whole index's scores without the whole index. The whole index still exists in
lunr's format (index.py); tests load it in lunr.js and compare answers.

Compact: a posting is a list of product numbers as gaps, a weight an integer number of
thousandths when that is exact (lunr.py rounds weights to three decimals).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from shopgen.search.index import serialize_index

SHARD_BYTES = 12_000  # raw JSON per shard, about 4 KB gzip: a word typed costs one or two


@dataclass(frozen=True)
class ShardedIndex:
    meta: dict  # without the file names: the build adds "shards" and "terms" once written
    starts: list[str]  # each shard's first term
    shards: list[dict]
    dictionary: dict


# One term of a shard: the term, its `_index`, and per field (in the index's field order) the
# product numbers holding it, ascending, and its weight in each of them (in thousandths when
# exact: `thousandths`).
TermPostings = tuple[str, int, list[list[int]], list[list[float | int]]]


def shard_index(serialized: dict, shard_bytes: int = SHARD_BYTES) -> ShardedIndex:
    """Cut a serialised lunr index (refs "0", "1", …; terms in lunr.js's order, index.py's
    `js_ordered`) into shards of terms; see the module's docstring."""
    fields = serialized["fields"]
    weights = _weights(serialized["fieldVectors"])
    count = sum(1 for ref, _ in serialized["fieldVectors"] if ref.startswith(f"{fields[0]}/"))

    def postings() -> Iterator[TermPostings]:
        for term, posting in serialized["invertedIndex"]:
            index = posting["_index"]
            docs = [sorted(int(ref) for ref in posting[field]) for field in fields]
            yield term, index, docs, [[thousandths(weights[f"{field}/{doc}"][index])
                                       for doc in field_docs]
                                      for field, field_docs in zip(fields, docs, strict=True)]

    return cut_shards(postings(), fields, serialized["version"], count,
                      serialized.get("shopgen", {}), shard_bytes)


def cut_shards(postings: Iterable[TermPostings], fields: list[str], version: str, count: int,
               query_rules: dict, shard_bytes: int = SHARD_BYTES) -> ShardedIndex:
    """The shards of `postings` (every term, in lunr.js's order), cut into runs of about
    `shard_bytes`; `count` products, `query_rules` as index.py's `query_rules` gives them."""
    rules = dict(query_rules)
    readable = rules.pop("words", {})
    meta = {"v": 2, "version": version, "fields": fields, "docs": count, "shopgen": rules}
    starts: list[str] = []
    shards: list[dict] = []
    terms: list[str] = []
    run: list[TermPostings] = []
    size = 0
    for entry in postings:
        cost = len(entry[0]) + 8 + sum(6 * len(docs) for docs in entry[2])
        if run and size + cost > shard_bytes:
            starts.append(run[0][0])
            shards.append(_shard(run, fields))
            run, size = [], 0
        run.append(entry)
        terms.append(entry[0])
        size += cost
    if run:
        starts.append(run[0][0])
        shards.append(_shard(run, fields))
    # (in lunr.js's order; one character as JavaScript counts them: one UTF-16 unit)
    meta["letters"] = [term for term in terms if len(term.encode("utf-16-le")) == 2]
    return ShardedIndex(meta, starts, shards, {"terms": terms, "words": readable})


def write_shards(sharded: ShardedIndex, write: Callable[[str, bytes], str]) -> list[str]:
    """Write the shards, the dictionary, then the meta file naming them through
    `write(stem, content) → file name`; returns the names, the meta file's first."""
    shards = [write("search-shard", serialize_index(shard)) for shard in sharded.shards]
    terms = write("search-terms", serialize_index(sharded.dictionary))
    meta = {**sharded.meta, "shards": [list(pair) for pair in zip(sharded.starts, shards,
                                                                   strict=True)],
            "terms": terms}
    return [write("search", serialize_index(meta)), terms, *shards]


def _weights(field_vectors: list) -> dict[str, dict[int, float]]:
    """field ref → {term's _index: weight} (a field vector lists [index, weight, …])."""
    return {ref: dict(zip(vector[0::2], vector[1::2], strict=True))
            for ref, vector in field_vectors}


def _shard(run: list[TermPostings], fields: list[str]) -> dict:
    postings: dict[str, list[list[int]]] = {f: [] for f in fields}
    values: dict[str, list[list[float | int]]] = {f: [] for f in fields}
    for _, _, docs, weights in run:
        for field, field_docs, field_weights in zip(fields, docs, weights, strict=True):
            postings[field].append(_gaps(field_docs))
            values[field].append(field_weights)
    return {"terms": [entry[0] for entry in run], "index": [entry[1] for entry in run],
            "postings": postings, "weights": values}


def _gaps(numbers: list[int]) -> list[int]:
    return [number - previous for previous, number in itertools.pairwise((0, *numbers))]


def thousandths(score: float) -> float | int:
    """The score as an integer number of thousandths when that is exact, else as it is."""
    k = round(score * 1000)
    return k if k / 1000 == score else score
