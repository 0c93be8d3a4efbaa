"""What the browser's query side needs beside the lunr index (stored under the index's
"shopgen" key, which lunr.js's `Index.load` ignores): the stemmer, the synonym rules, the
words that name a facet value, the out-of-stock products and readable forms of stemmed words.

Word forms: the index holds stems ("jackets" → "jacket", "running" → "run") and the browser
stems each query word with the same algorithm (lunr.js's Porter stemmer, ported here with
lunr.js's own step 1c; a test compares the two on lunr.js's stemming vocabulary). Only
English shops are stemmed for now: another locale keeps whole words (`stemmer: ""`).

Synonyms expand the customer's QUERY, never the products' texts, so a product holding the
customer's own word outranks one that holds only a synonym (js/query.js weighs them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

from lunr.stemmer import PorterStemmer

Stem = Callable[[str], str]


class LunrJsPorter(PorterStemmer):
    """lunr.py's Porter stemmer with lunr.js's step 1c: a final "y" becomes "i" only after a
    consonant ("dry" → "dri", "day" stays), where lunr.py asks for any vowel in the stem
    ("day" → "dai"). The browser stems with lunr.js, so the index must agree with it."""

    def step1c(self) -> None:
        if self.ends("y") and self.k - self.k0 >= 2 and self.b[self.k - 1] not in "aeiou":
            self.b = self.b[: self.k] + "i" + self.b[self.k + 1:]


_PORTER = LunrJsPorter()


@lru_cache(maxsize=65536)
def english_stem(word: str) -> str:
    """lunr.js's Porter stem of one folded word ("jackets" → "jacket"). A word ending in a
    digit is its own stem (every Porter rule needs a letter at the end), without the
    stemmer: codes and numbers are most of a catalog's distinct words."""
    return word if word[-1:].isdigit() else _PORTER.stem(word)


def keep_word(word: str) -> str:
    """No stemming (locales without a stemmer both sides share)."""
    return word


def stemmer_name(locale: str) -> str:
    """The stemmer both sides use for the shop's locale ("en" or "" for none)."""
    return "en" if locale.lower().startswith("en") else ""


def stemmer_for(name: str) -> Stem:
    """The Python side of stemmer `name` (see `stemmer_name`)."""
    return english_stem if name == "en" else keep_word


def synonym_rules(two_way: Mapping[str, Sequence[str]], one_way: Mapping[str, Sequence[str]],
                  phrase_words: Callable[[str], list[str]]) -> list[list]:
    """[[phrase, [other phrase, …]], …] with phrases as lists of stemmed words.

    Each entry of `two_way` (the key and its list) is a group whose phrases find each other;
    each entry of `one_way` lets its key find its list and not the reverse.
    """
    table: dict[tuple[str, ...], dict[tuple[str, ...], None]] = {}

    def add(source: tuple[str, ...], targets: Iterable[tuple[str, ...]]) -> None:
        others = [t for t in targets if t and t != source]
        if source and others:
            table.setdefault(source, {}).update(dict.fromkeys(others))

    for key, words in two_way.items():
        group = list(dict.fromkeys(tuple(phrase_words(p)) for p in [key, *words]))
        for phrase in group:
            add(phrase, group)
    for key, words in one_way.items():
        add(tuple(phrase_words(key)), (tuple(phrase_words(p)) for p in words))
    return [[list(source), [list(t) for t in targets]]
            for source, targets in sorted(table.items())]


def readable_words(texts: Iterable[str], tokenize: Callable[[str], list[str]],
                   stem: Stem) -> dict[str, str]:
    """stem → a word customers read for it (its shortest form), only where the two differ
    ("hoodi" → "hoodie"): "Did you mean …?" offers words, not stems."""
    occurrences: Counter[str] = Counter()
    for text, times in Counter(texts).items():  # (brands, colours, sizes: the same texts)
        for word in tokenize(text):
            occurrences[word] += times
    counts: dict[str, dict[str, int]] = {}
    for word, times in occurrences.items():
        counts.setdefault(stem(word), {})[word] = times
    readable = {}
    for stemmed, forms in counts.items():
        # The shortest form (singular, most often), then the most frequent one.
        best = min(sorted(forms), key=lambda w: (len(w), -forms[w]))
        if best != stemmed:
            readable[stemmed] = best
    return dict(sorted(readable.items()))
