"""The lunr index in two pieces, in a compact form that the search worker turns back into
lunr's own (js/pieces.js), so that the index lunr.js loads is the one lunr.py built.

- The first piece answers the first query: every term (with its `_index`), the postings and
  field vectors of the short fields (name, SKU, tags: brand, colours, category), and the
  index's query rules (`shopgen`: stemmer, synonyms, …).
- The second holds the descriptions' postings and vectors: the bulk of any index. The page
  fetches it when the customer first searches; from then on the worker searches the whole
  index again, so results and ranking are exactly those of the single index.

Compact: a posting is a list of document numbers as gaps, a field vector only its scores in
thousandths (lunr.py rounds them to three decimals); the term of each score is known from
the postings (a vector lists its terms by ascending `_index`).
"""

from __future__ import annotations

LATER_FIELDS = ("description",)  # the bulk of any index, fetched with the first search


def split_index(serialized: dict, later_fields: tuple[str, ...] = LATER_FIELDS,
                ) -> tuple[dict, dict]:
    """(first piece, second piece) of a serialised lunr index whose refs are "0", "1", …"""
    fields = serialized["fields"]
    first_fields = tuple(f for f in fields if f not in later_fields)
    inverted = serialized["invertedIndex"]
    vectors = dict(serialized["fieldVectors"])
    count = sum(1 for ref in vectors if ref.startswith(f"{fields[0]}/"))
    base = {
        "v": 1, "version": serialized["version"], "fields": fields, "docs": count,
        "terms": [term for term, _ in inverted],
        "index": [posting["_index"] for _, posting in inverted],
        **({"shopgen": serialized["shopgen"]} if "shopgen" in serialized else {}),
    }
    rest = tuple(f for f in fields if f not in first_fields)
    return ({**base, **_piece(inverted, vectors, count, first_fields)},
            _piece(inverted, vectors, count, rest))


def _piece(inverted: list, vectors: dict, count: int, fields: tuple[str, ...]) -> dict:
    postings: dict[str, list[list[int]]] = {}
    scores: dict[str, list[list[float | int]]] = {}
    for field in fields:
        postings[field] = [_gaps(sorted(int(ref) for ref in posting[field]))
                           for _, posting in inverted]
        scores[field] = [[_thousandths(v) for v in vectors[f"{field}/{doc}"][1::2]]
                         for doc in range(count)]
    return {"piece": list(fields), "postings": postings, "scores": scores}


def _gaps(numbers: list[int]) -> list[int]:
    previous = 0
    gaps = []
    for number in numbers:
        gaps.append(number - previous)
        previous = number
    return gaps


def _thousandths(score: float) -> float | int:
    """The score as an integer number of thousandths when that is exact, else as it is."""
    k = round(score * 1000)
    return k if k / 1000 == score else score
