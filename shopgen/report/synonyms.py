"""Close the loop: turn searches that found nothing into `search.synonyms` for shop.yaml.

A searched word (folded like the search index folds: lower-case, accents removed) that is not a
catalog word is matched to catalog words (product names, descriptions, colours, brand and
category names) that are
- its plural or singular (``hat``/``hats``, ``dress``/``dresses``, ``berry``/``berries``), or
- one edit away, for words of 4+ letters (a letter inserted, deleted, replaced, or two
  neighbours swapped: ``sheo`` → ``shoe``), or
- longer words it begins, for searches of 3+ letters (``blu`` → ``blue``).
The closest kind wins (plural, then typo, then prefix); among equals the most frequent catalog
words, at most three.

The block is ``synonyms: {catalog word: [searched word, …]}``: the build hands it to the
page's query side, which widens a search for the searched word to the catalog word (synonyms
work both ways), and the next customer who types the misspelling finds the product. It merges
these with what shop.yaml already has.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml
from lunr.stop_word_filter import WORDS as STOP_WORDS

from shopgen.report.catalog import ReportCatalog
from shopgen.report.queries import NoResultRow
from shopgen.search.index import fold_text, tokenize

KINDS = ("plural", "typo", "prefix")
MAX_PER_WORD = 3


@dataclass(frozen=True)
class Suggestion:
    """Searching `searched` should also find products containing `catalog_word`."""

    catalog_word: str
    searched: str
    kind: str
    searches: int


def words(text: str) -> list[str]:
    """The words of ``text`` folded as the search index folds them, letters only, no stop
    words (the index leaves those out, and "the" would look like a prefix of "these")."""
    return [w for w in tokenize(text) if w.isalpha() and w not in STOP_WORDS]


def catalog_vocabulary(texts: Iterable[str]) -> Counter[str]:
    """How often each word of 2+ letters appears in the catalog's texts."""
    return Counter(word for text in texts for word in words(text) if len(word) >= 2)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _plural_pair(a: str, b: str) -> bool:
    for one, other in ((a, b), (b, a)):
        if other in (one + "s", one + "es"):
            return True
        if one.endswith("y") and len(one) > 2 and other == one[:-1] + "ies":
            return True
    return False


def closeness(searched: str, catalog_word: str) -> str | None:
    """How ``searched`` is close to ``catalog_word`` ("plural", "typo", "prefix") or None."""
    if searched == catalog_word:
        return None
    if _plural_pair(searched, catalog_word):
        return "plural"
    if len(searched) >= 4 and len(catalog_word) >= 4 and _one_edit(searched, catalog_word):
        return "typo"
    if len(searched) >= 3 and catalog_word.startswith(searched):
        return "prefix"
    return None


def suggest(
    no_result: Sequence[NoResultRow],
    vocabulary: Counter[str],
    existing: Mapping[str, Sequence[str]] | None = None,
) -> list[Suggestion]:
    """Suggestions for every word of the no-result searches, skipping ones already listed."""
    existing = existing or {}
    known = {
        (fold_text(key), fold_text(word)) for key, others in existing.items() for word in others
    }
    searches: Counter[str] = Counter()
    for row in no_result:
        for word in set(words(row.term)):
            searches[word] += row.searches
    found: list[Suggestion] = []
    for searched in sorted(searches):
        if searched in vocabulary or len(searched) < 3:
            continue
        by_kind: dict[str, list[str]] = {}
        for word in vocabulary:
            kind = closeness(searched, word)
            if kind:
                by_kind.setdefault(kind, []).append(word)
        best = next((kind for kind in KINDS if kind in by_kind), None)
        if best is None:
            continue
        ranked = sorted(by_kind[best], key=lambda w: (-vocabulary[w], w))[:MAX_PER_WORD]
        found += [
            Suggestion(word, searched, best, searches[searched])
            for word in ranked
            if (word, searched) not in known
        ]
    return found


def merged_synonyms(
    existing: Mapping[str, Sequence[str]], suggestions: Iterable[Suggestion]
) -> dict[str, list[str]]:
    """shop.yaml's synonyms with the suggestions added (existing entries keep their order)."""
    merged = {str(key): [str(w) for w in others] for key, others in existing.items()}
    for suggestion in sorted(suggestions, key=lambda s: (s.catalog_word, s.searched)):
        listed = merged.setdefault(suggestion.catalog_word, [])
        if suggestion.searched not in listed:
            listed.append(suggestion.searched)
    return dict(sorted(merged.items()))


def synonyms_block(synonyms: Mapping[str, Sequence[str]]) -> str:
    """A ``search: synonyms:`` YAML block ready to paste into shop.yaml."""
    return yaml.safe_dump(
        {"search": {"synonyms": {k: list(v) for k, v in synonyms.items()}}},
        default_flow_style=None,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


def render_suggestions(
    no_result: Sequence[NoResultRow], catalog: ReportCatalog, since: dt.date, until: dt.date
) -> str:
    """What `shopgen report --suggest-synonyms` prints: comments explaining each new synonym,
    then the merged YAML block (or a plain sentence when there is nothing to suggest)."""
    if not no_result:
        return f"No searches without results between {since} and {until}.\n"
    suggestions = suggest(no_result, catalog_vocabulary(catalog.texts), catalog.synonyms)
    if not suggestions:
        return (
            f"No synonym suggestions: none of the {len(no_result)} searches without results "
            f"between {since} and {until} is close to a catalog word.\n"
        )
    lines = [
        f"# Synonyms suggested from searches without results, {since} to {until}.",
        "# Replace the search: block of shop.yaml with this one, then rebuild.",
    ]
    for s in suggestions:
        times = "time" if s.searches == 1 else "times"
        lines.append(
            f"#   {s.searched!r} ({s.kind}, searched {s.searches} {times}) → {s.catalog_word}"
        )
    return "\n".join(lines) + "\n" + synonyms_block(merged_synonyms(catalog.synonyms, suggestions))
