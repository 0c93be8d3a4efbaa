"""Search relevance on a judged query set: precision@5, recall@20 and NDCG@10 per query group,
for shopgen's engine and for plain lunr.js (default pipeline) on the same records; prints the
queries that miss.

    .venv/bin/python benchmarks/relevance.py

Judgements are written as predicates over the sample shop's products (catalog_data/): "every
product in category hiking-boots", "the product NW-1001"… so that a new product of the same
kind is judged without editing this file. Graded gain: 2 for products the query names
exactly (a code, a name), 1 for the rest of the relevant set.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopgen.catalog import Catalog, load_catalog  # noqa: E402
from shopgen.search.index import build_search_index, fold_text  # noqa: E402

Judge = Callable[[Catalog, object], bool]


def cat(*ids: str) -> Judge:
    return lambda c, p: any(x.id in ids for x in c.category_path(p.category))


def named(word: str) -> Judge:
    return lambda c, p: word in fold_text(p.name)


def sku(*codes: str) -> Judge:
    return lambda c, p: p.sku in codes


def material(word: str) -> Judge:
    return lambda c, p: word in fold_text(str(p.attributes.get("material", "")))


def both(a: Judge, b: Judge) -> Judge:
    return lambda c, p: a(c, p) and b(c, p)


def price(lo: float | None, hi: float | None) -> Callable[[Judge], Judge]:
    def wrap(j: Judge) -> Judge:
        return lambda c, p: j(c, p) and (lo is None or p.price.amount >= lo) and (
            hi is None or p.price.amount <= hi)
    return wrap


def nothing(c: Catalog, p: object) -> bool:
    return False


def anything(c: Catalog, p: object) -> bool:
    return True


JACKETS, BOOTS, RUNNING = cat("jackets"), cat("hiking-boots"), cat("running-shoes")
TEES, KNIT, BAGS, BOTTLES = cat("t-shirts"), cat("knitwear"), cat("bags"), cat("bottles")
TENTS, WATCHES, TROUSERS = cat("tents"), cat("watches"), cat("trousers")

# group → [(query, relevant)]
JUDGED: dict[str, list[tuple[str, Judge]]] = {
    "names": [("jacket", JACKETS), ("boot", BOOTS), ("tent", TENTS), ("watch", WATCHES),
              ("fleece", named("fleece")), ("trail runner", sku("NW-1001")),
              ("cloudline", sku("NW-1003")), ("enamel mug", sku("NW-1072")),
              ("cast iron skillet", sku("NW-1074"))],
    "plurals": [("jackets", JACKETS), ("boots", BOOTS), ("tents", TENTS), ("watches", WATCHES),
                ("bottles", BOTTLES), ("trousers", TROUSERS), ("sandals", cat("sandals")),
                ("hoodies", named("hood"))],
    "brands": [("kestrel", lambda c, p: p.brand == "kestrel"),
               ("fjellstad", lambda c, p: p.brand == "fjellstad"),
               ("summit lab", lambda c, p: p.brand == "summit-lab"),
               ("trailhead boots", both(BOOTS, lambda c, p: p.brand == "trailhead"))],
    "colours": [("olive", lambda c, p: "Olive" in p.colours),
                ("burgundy", lambda c, p: "Burgundy" in p.colours),
                ("orange tee", TEES), ("black boots", BOOTS)],
    "typos": [("jackit", JACKETS), ("jakcet", JACKETS), ("bottel", BOTTLES),
              ("fleese", named("fleece")), ("trousres", TROUSERS)],
    "multi-word": [("waterproof jacket", JACKETS), ("down parka", sku("NW-1018")),
                   ("sleeping bag", cat("sleeping-bags")), ("rain jacket", sku("NW-1020")),
                   ("running shoes", RUNNING), ("hiking boots", BOOTS)],
    "prices": [("boots under 150", price(None, 150)(BOOTS)),
               ("jacket below €100", price(None, 100)(JACKETS)),
               ("tent over 400", price(400, None)(TENTS)),
               ("watch 100-300", price(100, 300)(WATCHES)),
               ("tee between 20 and 30", price(20, 30)(TEES)),
               ("bottle less than 20", price(None, 20)(BOTTLES))],
    "sizes": [("boots size 38", both(BOOTS, lambda c, p: "38" in p.sizes)),
              ("jacket xxl", JACKETS), ("tee XS", TEES)],
    "attributes": [("merino", material("merino")), ("cashmere", material("cashmere")),
                   ("titanium", material("titanium")), ("waxed canvas", material("waxed")),
                   ("leather boots", both(BOOTS, material("leather")))],
    "skus": [("NW-1001", sku("NW-1001")), ("nw1044", sku("NW-1044")),
             ("nw 1060", sku("NW-1060")), ("1072", sku("NW-1072")),
             ("nw-1018", sku("NW-1018"))],
    "synonyms": [("sneakers", RUNNING), ("backpack", BAGS), ("rucksack", BAGS),
                 ("sweater", KNIT), ("thermos", named("flask")), ("t shirt", TEES),
                 ("hoodie", named("hood")), ("pants", TROUSERS), ("toque", named("beanie"))],
    "accents": [("apres", sku("NW-1018")), ("pinon", lambda c, p: "pinon" in fold_text(
        p.name)), ("cafe", sku("NW-1028")), ("creme", sku("NW-1047")), ("élan", sku("NW-1001"))],
    "nothing": [("zzqx", nothing), ("kayak", nothing), ("bicycle helmet", nothing)],
}


def metrics(ranked: list[int], relevant: set[int], exact: set[int]) -> tuple[float, ...]:
    """precision@5, recall@20, NDCG@10 (an empty judged set: 1 when nothing is returned)."""
    if not relevant:
        ok = float(not ranked)
        return ok, ok, ok
    p5 = sum(1 for r in ranked[:5] if r in relevant) / min(5, len(relevant))
    r20 = sum(1 for r in ranked[:20] if r in relevant) / len(relevant)

    def gain(r: int) -> int:
        return 2 if r in exact else 1 if r in relevant else 0

    dcg = sum(gain(r) / math.log2(k + 2) for k, r in enumerate(ranked[:10]))
    ideal = sorted((gain(r) for r in relevant), reverse=True)[:10]
    idcg = sum(g / math.log2(k + 2) for k, g in enumerate(ideal))
    return p5, r20, dcg / idcg


def main() -> None:
    catalog = load_catalog(REPO / "catalog_data", dt.date.today())
    products = catalog.products
    records = [{
        "name": p.name, "brand": catalog.brand[p.brand].name,
        "category": " ".join(c.name for c in catalog.category_path(p.category)),
        "colours": " ".join(p.colours), "description": p.description,
        "price": float(p.price.amount)} for p in products]
    queries = [q for group in JUDGED.values() for q, _ in group]
    payload = {"index": build_search_index(catalog), "records": records, "queries": queries}
    done = subprocess.run(["node", str(REPO / "benchmarks" / "relevance_run.mjs")],
                          input=json.dumps(payload), capture_output=True, text=True, cwd=REPO,
                          check=True)
    answers = json.loads(done.stdout)
    engines = list(answers)
    print(f"{len(queries)} judged queries on the sample shop ({len(products)} products)\n")
    print(f"{'group':<12}" + "".join(f"{e + ' P@5':>13}{'R@20':>7}{'NDCG@10':>9}"
                                     for e in engines))
    totals = {e: [0.0, 0.0, 0.0] for e in engines}
    misses = []
    for group, judged in JUDGED.items():
        sums = {e: [0.0, 0.0, 0.0] for e in engines}
        for q, judge in judged:
            relevant = {i for i, p in enumerate(products) if judge(catalog, p)}
            exact = relevant if len(relevant) == 1 else set()
            for e in engines:
                m = metrics(answers[e][q], relevant, exact)
                sums[e] = [a + b for a, b in zip(sums[e], m, strict=True)]
                totals[e] = [a + b for a, b in zip(totals[e], m, strict=True)]
                if e == "shopgen" and m[2] < 0.9:
                    top = [products[i].sku for i in answers[e][q][:5]]
                    misses.append(f"  [{group}] {q!r}: NDCG@10 {m[2]:.2f}, top {top}")
        n = len(judged)
        print(f"{group:<12}" + "".join(f"{s[0] / n:>13.2f}{s[1] / n:>7.2f}{s[2] / n:>9.2f}"
                                       for s in sums.values()))
    n = len(queries)
    print(f"{'ALL':<12}" + "".join(f"{t[0] / n:>13.2f}{t[1] / n:>7.2f}{t[2] / n:>9.2f}"
                                   for t in totals.values()))
    print("\nshopgen misses (NDCG@10 < 0.9):" if misses else "\nno shopgen misses")
    print("\n".join(misses))


if __name__ == "__main__":
    main()
