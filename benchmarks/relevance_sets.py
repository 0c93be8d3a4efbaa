"""The judged query sets of benchmarks/relevance.py: the sample shop's and a synthetic shop's.

A judgement is a function of one product that gives its gain for the query: 0 (not relevant),
1 (relevant), 2 (what the query names exactly: its code, its name, the kind AND the colour
asked for). It is written over what the product IS, never over what an engine answers:
- the sample shop (catalog_data/): predicates over the loaded catalog ("every product in
  category hiking-boots", "the product NW-1001"), so a new product of the same kind is
  judged without editing this file; when one product is relevant, its gain is 2;
- the synthetic shop (synthetic_catalog.write_judged_catalog): the generator's own record of
  what it made ("a rain jacket, red, brand borealis, sizes S–XL, waterproof").
"""

from __future__ import annotations

from collections.abc import Callable

from synthetic_catalog import Made

from shopgen.catalog import Catalog
from shopgen.search.index import fold_text

# ---------------------------------------------------------------- the sample shop

SampleJudge = Callable[[Catalog, object], bool]


def cat(*ids: str) -> SampleJudge:
    return lambda c, p: any(x.id in ids for x in c.category_path(p.category))


def named(word: str) -> SampleJudge:
    return lambda c, p: word in fold_text(p.name)


def sku(*codes: str) -> SampleJudge:
    return lambda c, p: p.sku in codes


def material(word: str) -> SampleJudge:
    return lambda c, p: word in fold_text(str(p.attributes.get("material", "")))


def both(a: SampleJudge, b: SampleJudge) -> SampleJudge:
    return lambda c, p: a(c, p) and b(c, p)


def price(lo: float | None, hi: float | None) -> Callable[[SampleJudge], SampleJudge]:
    def wrap(j: SampleJudge) -> SampleJudge:
        return lambda c, p: j(c, p) and (lo is None or p.price.amount >= lo) and (
            hi is None or p.price.amount <= hi)
    return wrap


def nothing(c: Catalog, p: object) -> bool:
    return False


def either(a: SampleJudge, b: SampleJudge) -> SampleJudge:
    return lambda c, p: a(c, p) or b(c, p)


JACKETS, BOOTS, RUNNING = cat("jackets"), cat("hiking-boots"), cat("running-shoes")
# "jacket": the jackets, and what is NAMED a jacket in another category (the Sherpa Fleece
# Jacket, filed under knitwear): the issue ranks name words first, and so do customers.
JACKET = either(JACKETS, named("jacket"))
TEES, KNIT, BAGS, BOTTLES = cat("t-shirts"), cat("knitwear"), cat("bags"), cat("bottles")
TENTS, WATCHES, TROUSERS = cat("tents"), cat("watches"), cat("trousers")

# group → [(query, relevant)]
SAMPLE: dict[str, list[tuple[str, SampleJudge]]] = {
    "names": [("jacket", JACKET), ("boot", BOOTS), ("tent", TENTS), ("watch", WATCHES),
              ("fleece", named("fleece")), ("trail runner", sku("NW-1001")),
              ("cloudline", sku("NW-1003")), ("enamel mug", sku("NW-1072")),
              ("cast iron skillet", sku("NW-1074"))],
    "plurals": [("jackets", JACKET), ("boots", BOOTS), ("tents", TENTS), ("watches", WATCHES),
                ("bottles", BOTTLES), ("trousers", TROUSERS), ("sandals", cat("sandals")),
                ("hoodies", named("hood"))],
    "brands": [("kestrel", lambda c, p: p.brand == "kestrel"),
               ("fjellstad", lambda c, p: p.brand == "fjellstad"),
               ("summit lab", lambda c, p: p.brand == "summit-lab"),
               ("trailhead boots", both(BOOTS, lambda c, p: p.brand == "trailhead"))],
    "colours": [("olive", lambda c, p: "Olive" in p.colours),
                ("burgundy", lambda c, p: "Burgundy" in p.colours),
                ("orange tee", TEES), ("black boots", BOOTS)],
    "typos": [("jackit", JACKET), ("jakcet", JACKET), ("bottel", BOTTLES),
              ("fleese", named("fleece")), ("trousres", TROUSERS)],
    "multi-word": [("waterproof jacket", JACKETS), ("down parka", sku("NW-1018")),
                   ("sleeping bag", cat("sleeping-bags")), ("rain jacket", sku("NW-1020")),
                   ("running shoes", RUNNING), ("hiking boots", BOOTS)],
    "prices": [("boots under 150", price(None, 150)(BOOTS)),
               ("jacket below €100", price(None, 100)(JACKET)),
               ("tent over 400", price(400, None)(TENTS)),
               ("watch 100-300", price(100, 300)(WATCHES)),
               ("tee between 20 and 30", price(20, 30)(TEES)),
               ("bottle less than 20", price(None, 20)(BOTTLES))],
    "sizes": [("boots size 38", both(BOOTS, lambda c, p: "38" in p.sizes)),
              ("jacket xxl", JACKET), ("tee XS", TEES)],
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
    # A word only a description holds: the dry bag is "for a kayak".
    "descriptions": [("kayak", sku("NW-1048"))],
    "nothing": [("zzqx", nothing), ("snowboard", nothing), ("bicycle helmet", nothing)],
}


def sample_gains(catalog: Catalog, judge: SampleJudge) -> dict[int, int]:
    """position → gain; a query with one relevant product names it (gain 2)."""
    relevant = [i for i, p in enumerate(catalog.products) if judge(catalog, p)]
    return {i: 2 if len(relevant) == 1 else 1 for i in relevant}


# ---------------------------------------------------------------- the synthetic shop

Judge = Callable[[Made], int]


def kind(*types: str) -> Judge:
    return lambda m: int(m.type in types)


def category(*ids: str) -> Judge:
    return lambda m: int(m.category in ids or m.parent in ids)


def brand(b: str) -> Judge:
    return lambda m: int(m.brand == b)


def model(name: str) -> Judge:
    return lambda m: int(m.model == name)


def colour(c: str) -> Judge:
    return lambda m: int(c in m.colours)


def size(s: str) -> Judge:
    return lambda m: int(s in m.sizes)


def made_of(word: str) -> Judge:
    return lambda m: int(word in m.material.lower())


def waterproof(m: Made) -> int:
    return int(m.waterproof)


def feature(f: str) -> Judge:
    return lambda m: int(m.feature == f)


def code(c: str) -> Judge:
    return lambda m: 2 * (m.sku == c)


def all_of(*judges: Judge) -> Judge:
    return lambda m: int(all(j(m) for j in judges))


def best(exact: Judge, near: Judge) -> Judge:
    """2 for what the query names exactly, 1 for what it names in part (the kind without
    the colour asked for: it is still found, ranked after)."""
    return lambda m: 2 if exact(m) else int(bool(near(m)))


def priced(lo: float | None, hi: float | None, judge: Judge) -> Judge:
    return lambda m: judge(m) if ((lo is None or m.price >= lo)
                                  and (hi is None or m.price <= hi)) else 0


def none(m: Made) -> int:
    return 0


JACKET_NAMED = kind("rain-jacket", "down-jacket", "softshell")
FOOTWEAR_BOOTS = category("hiking-boots")


def synthetic(made: list[Made]) -> dict[str, list[tuple[str, Judge]]]:
    """The synthetic set; SKU queries name products the generator made (fixed positions)."""
    a, b, c = made[1234 % len(made)].sku, made[4321 % len(made)].sku, made[77].sku
    return {
        "names": [("jacket", best(JACKET_NAMED, category("jackets"))),
                  ("parka", kind("parka")), ("sandal", kind("sandal")),
                  ("daypack", kind("daypack")), ("cardigan", kind("cardigan")),
                  ("mug", kind("mug")), ("tent", category("tents")),
                  ("watch", category("watches")), ("boot", FOOTWEAR_BOOTS),
                  ("trainer", kind("trainer")), ("anorak", kind("anorak")),
                  ("granite", model("Granite")), ("cloudline", model("Cloudline")),
                  ("cloudline parka", best(all_of(model("Cloudline"), kind("parka")),
                                           kind("parka")))],
        "plurals": [("jackets", best(JACKET_NAMED, category("jackets"))),
                    ("boots", FOOTWEAR_BOOTS), ("tents", category("tents")),
                    ("watches", category("watches")), ("sandals", kind("sandal")),
                    ("hoodies", kind("hoodie")), ("mugs", kind("mug")),
                    ("parkas", kind("parka")), ("rucksacks", kind("rucksack")),
                    ("cardigans", kind("cardigan")), ("trainers", kind("trainer")),
                    ("bottles", category("bottles"))],
        "brands": [("alpina", brand("alpina")), ("borealis", brand("borealis")),
                   ("harbour & mill", brand("harbour")), ("harbour mill", brand("harbour")),
                   ("glacier tent", best(all_of(brand("glacier"), category("tents")),
                                         category("tents"))),
                   ("cascade boots", best(all_of(brand("cascade"), FOOTWEAR_BOOTS),
                                          FOOTWEAR_BOOTS))],
        "colours": [("red", colour("Red")), ("navy", colour("Navy")),
                    ("forest green", colour("Forest Green")), ("teal", colour("Teal")),
                    ("red jacket", best(all_of(colour("Red"), JACKET_NAMED),
                                        category("jackets"))),
                    ("yellow tent", best(all_of(colour("Yellow"), category("tents")),
                                         category("tents"))),
                    ("black watch", best(all_of(colour("Black"), category("watches")),
                                         category("watches"))),
                    ("sand sandals", best(all_of(colour("Sand"), kind("sandal")),
                                          kind("sandal"))),
                    ("orange hoodie", best(all_of(colour("Orange"), kind("hoodie")),
                                           kind("hoodie")))],
        "typos": [("jakcet", best(JACKET_NAMED, category("jackets"))),
                  ("rucksak", kind("rucksack")), ("sandel", kind("sandal")),
                  ("bottel", category("bottles")), ("cardigna", kind("cardigan")),
                  ("anorac", kind("anorak")), ("hoddie", kind("hoodie")),
                  ("trousres", kind("trousers")), ("parkaa", kind("parka")),
                  ("cashmire", made_of("cashmere"))],
        "multi-word": [("rain jacket", kind("rain-jacket")),
                       ("down jacket", kind("down-jacket")),
                       ("sleeping bag", kind("sleeping-bag")),
                       ("running shoes", best(kind("running-shoe"),
                                              category("running-shoes"))),
                       ("water bottle", kind("water-bottle")),
                       ("vacuum flask", kind("flask")), ("gps watch", kind("gps-watch")),
                       ("dome tent", kind("dome-tent")), ("duffel bag", kind("duffel")),
                       ("camp mug", kind("mug")),
                       ("hiking boots", FOOTWEAR_BOOTS),
                       ("waterproof jacket", all_of(category("jackets"), waterproof)),
                       ("insulated parka", best(all_of(kind("parka"), feature("Insulated")),
                                                kind("parka"))),
                       ("granite rain jacket", best(all_of(model("Granite"),
                                                           kind("rain-jacket")),
                                                    kind("rain-jacket"))),
                       ("merino jumper", best(all_of(kind("jumper"), made_of("merino")),
                                              kind("jumper"))),
                       ("lightweight trail runner", best(
                           all_of(kind("trail-runner"), feature("Lightweight")),
                           kind("trail-runner")))],
        "prices": [("jacket under 100", priced(None, 100, category("jackets"))),
                   ("tent over 500", priced(500, None, category("tents"))),
                   ("boots 100-150", priced(100, 150, FOOTWEAR_BOOTS)),
                   ("bottle less than 20", priced(None, 20, category("bottles"))),
                   ("watch between 200 and 300", priced(200, 300, category("watches"))),
                   ("sandals below €60", priced(None, 60, kind("sandal"))),
                   ("rucksack from 50 to 100", priced(50, 100, kind("rucksack"))),
                   ("tee under 20", priced(None, 20, category("t-shirts"))),
                   ("parka over 300", priced(300, None, kind("parka"))),
                   ("mug < 15", priced(None, 15, kind("mug")))],
        "sizes": [("boots size 42", all_of(FOOTWEAR_BOOTS, size("42"))),
                  ("jacket xxl", all_of(category("jackets"), size("XXL"))),
                  ("tee xs", all_of(category("t-shirts"), size("XS"))),
                  ("trail runner 46", all_of(kind("trail-runner"), size("46"))),
                  ("sandals size 36", all_of(kind("sandal"), size("36"))),
                  ("hoodie xl", all_of(kind("hoodie"), size("XL"))),
                  ("shorts size xs", all_of(kind("shorts"), size("XS")))],
        "attributes": [("merino", made_of("merino")), ("cashmere", made_of("cashmere")),
                       ("titanium", made_of("titanium")),
                       ("waxed canvas", made_of("waxed canvas")),
                       ("leather boots", all_of(FOOTWEAR_BOOTS, made_of("leather"))),
                       ("suede", made_of("suede")),
                       ("titanium mug", all_of(kind("mug"), made_of("titanium"))),
                       ("stainless steel bottle", all_of(category("bottles"),
                                                         made_of("stainless"))),
                       ("down sleeping bag", all_of(kind("sleeping-bag"), made_of("down")))],
        "skus": [(a, code(a)), (a.lower().replace("-", ""), code(a)),
                 (a.lower().replace("-", " "), code(a)), (b.split("-")[1], code(b)),
                 (b.lower(), code(b)), (c, code(c))],
        "synonyms": [("backpack", kind("rucksack", "daypack")),
                     ("sweater", kind("jumper")), ("pullover", kind("jumper")),
                     ("sneakers", category("running-shoes")), ("pants", kind("trousers")),
                     ("t shirt", category("t-shirts")), ("hoody", kind("hoodie")),
                     ("sweatshirt", kind("hoodie")), ("thermos", kind("flask")),
                     ("coat", kind("parka", "anorak"))],
        "accents": [("apres", model("Après")), ("cote", model("Côte")),
                    ("creme", model("Crème")), ("pinon", brand("pinon")),
                    ("elan", brand("elan")), ("asgard", brand("asgard")),
                    ("piñon works", brand("pinon")),
                    ("après parka", best(all_of(model("Après"), kind("parka")),
                                         kind("parka")))],
        "descriptions": [("taped seams", waterproof)],
        "nothing": [("kayak", none), ("bicycle helmet", none), ("zzqx", none),
                    ("snowboard", none), ("laptop", none), ("golf umbrella", none),
                    ("wetsuit", none), ("espresso machine", none), ("ski goggles", none)],
    }
