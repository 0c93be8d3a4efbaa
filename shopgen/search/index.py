"""The search index: lunr.py builds it, serialised so that lunr.js 2.3.9 `Index.load`s it.

What the index holds, on purpose (the browser keeps the product data in its own file):
- refs are product positions ("0", "1", …), not SKUs, so nothing is stored twice;
- every field is tokenised here (lower-cased, accents folded, punctuation dropped), so the
  stored pipeline is empty and the browser folds the query the same way (`fold_text`);
- descriptions contribute their distinct words minus stop words: they are the bulk of any
  index, and "the", "and", "for" in 10,000 descriptions only make it heavier;
- shop.yaml's `search.synonyms` are expanded into the documents, both ways: with
  `backpack: [rucksack]`, a product whose text has "backpack" also carries "rucksack", and one
  with "rucksack" also carries "backpack".
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from lunr.builder import Builder
from lunr.stop_word_filter import WORDS as STOP_WORDS

from shopgen.catalog import Catalog

# Three fields, not one per catalog field: every field costs a vector per product in the index.
# "tags" holds brand, colours, category path and SKU: short texts customers type as they are.
# Their boosts live in ranking.json, beside the query rules of js/search.js that share it.
RANKING = json.loads((Path(__file__).parent / "ranking.json").read_text(encoding="utf-8"))
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


def synonym_table(groups: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each word of an entry (the key and its list) finds the others: synonyms work both ways."""
    table: dict[str, dict[str, None]] = {}
    for key, words in groups.items():
        group = list(dict.fromkeys(tokenize(" ".join([key, *words]))))
        for word in group:
            table.setdefault(word, {}).update(dict.fromkeys(w for w in group if w != word))
    return {word: list(others) for word, others in table.items()}


def with_synonyms(tokens: list[str], synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """The tokens plus each synonym of any token, once."""
    extra = [s for t in dict.fromkeys(tokens) for s in synonyms.get(t, ())]
    return tokens + [s for s in dict.fromkeys(extra) if s not in tokens]


def index_documents(catalog: Catalog) -> list[dict[str, object]]:
    """One lunr document (lists of tokens per field) for each product, in catalog order."""
    synonyms = synonym_table(catalog.shop.synonyms)
    documents = []
    for position, product in enumerate(catalog.products):
        brand = catalog.brand[product.brand].name
        categories = " ".join(c.name for c in catalog.category_path(product.category))
        words = [w for w in dict.fromkeys(tokenize(product.description)) if w not in STOP_WORDS]
        tags = [*tokenize(brand), *tokenize(" ".join(product.colours)), *tokenize(categories),
                fold_text(product.sku), *tokenize(product.sku)]
        fields = {
            "name": tokenize(product.name),
            "tags": list(dict.fromkeys(tags)),
            "description": words,
        }
        document: dict[str, object] = {k: with_synonyms(v, synonyms) for k, v in fields.items()}
        document["id"] = str(position)
        documents.append(document)
    return documents


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


def build_search_index(catalog: Catalog) -> dict:
    """The serialised lunr index (a dict in lunr's schema) over the catalog's products."""
    builder = PretokenizedBuilder()  # an empty pipeline: tokens arrive folded and split
    builder.ref("id")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for document in index_documents(catalog):
        builder.add(document)
    return js_ordered(builder.build().serialize())


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
