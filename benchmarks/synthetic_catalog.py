"""A synthetic shop of N products for benchmarks (shared by benchmarks/*.py).

Pictures: 24 distinct source images drawn once with Pillow and shared by all products (each
product names one or two of them), so a cold build processes 24 pictures and every other
product reuses the cache, as a real shop's unchanged pictures do.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

BRANDS = ["alpina", "borealis", "cascade", "dune", "ember", "fjord", "glacier", "harbour"]
COLOURS = ["Red", "Navy", "Black", "White", "Forest Green", "Grey", "Orange", "Yellow",
           "Blue", "Brown", "Teal", "Sand"]
CATEGORIES = {"footwear": ["running", "hiking", "sandals"],
              "clothing": ["jackets", "shirts", "trousers", "knitwear"],
              "gear": ["bags", "tents", "bottles", "watches"]}
MATERIALS = ["Nylon", "Polyester", "Merino wool", "Cotton", "Leather", "Canvas", "Down"]
NOUNS = ["jacket", "shoe", "boot", "shirt", "pack", "tent", "bottle", "watch", "fleece",
         "parka", "vest", "trouser", "sock", "glove", "hat", "bag", "sandal", "hoodie"]
ADJECTIVES = ["light", "warm", "storm", "trail", "summit", "urban", "alpine", "coastal",
              "rapid", "quiet", "rugged", "classic", "breezy", "granite", "velvet", "polar"]
WORDS = ("made for long days outdoors with a durable finish that keeps weather out and "
         "comfort in breathable fabric recycled fibres reinforced seams adjustable fit "
         "packs small weighs little dries quickly after rain wind snow mud sun everyday "
         "commute weekend trips mountain huts city streets lifetime repair service").split()


def catalog_sizes(text: str) -> list[int]:
    """`--sizes`: product counts separated by commas ("1000,10000"; "" for none)."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of product counts: {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"a product count is at least 1: {text!r}")
    return sizes


def write_catalog(root: Path, count: int, seed: int = 7) -> Path:
    """Write a valid shop of `count` products under `root`; returns `root`."""
    rng = random.Random(seed)
    (root / "products").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    (root / "shop.yaml").write_text(
        "name: Bench Shop\ncurrency: EUR\nlocale: en-IE\n"
        'call_centre: {phone: "+353 1 555 0100", hours: "9-17"}\n'
        "base_url: https://bench.example.com/\nsearch:\n  synonyms:\n    pack: [rucksack]\n")
    (root / "brands.yaml").write_text("".join(f"- {{id: {b}, name: {b.title()}}}\n"
                                              for b in BRANDS))
    categories = "".join(f"- {{id: {p}, name: {p.title()}}}\n" + "".join(
        f"- {{id: {c}, name: {c.title()}, parent: {p}}}\n" for c in children)
        for p, children in CATEGORIES.items())
    (root / "categories.yaml").write_text(categories)
    (root / "attributes.yaml").write_text(
        "- {id: material, name: Material, type: text, facet: true}\n"
        "- {id: weight, name: Weight, type: number, unit: g, facet: true}\n")
    leaves = [c for children in CATEGORIES.values() for c in children]
    pictures = _draw_pictures(root / "images", rng)
    for i in range(count):
        sku = f"BX-{i:05d}"
        name = f"{rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()} {i}"
        price = rng.randint(450, 65000)
        sale = f'compare_at_price: "{(price * 1.25) / 100:.2f}"\n' if rng.random() < 0.15 else ""
        description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45)))
        colours = rng.sample(COLOURS, rng.randint(1, 3))
        sizes = rng.choice([[], ["S", "M", "L", "XL"], ["38", "40", "42", "44"]])
        (root / "products" / f"{sku.lower()}.yaml").write_text(
            f"sku: {sku}\nname: {name}\nbrand: {rng.choice(BRANDS)}\n"
            f"category: {rng.choice(leaves)}\ndescription: {description.capitalize()}.\n"
            f"colours: [{', '.join(colours)}]\nsizes: [{', '.join(sizes)}]\n"
            f"images: [{rng.choice(pictures)}]\nin_stock: {str(rng.random() > 0.1).lower()}\n"
            f"added: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\n"
            f"attributes: {{material: {rng.choice(MATERIALS)}, weight: {rng.randint(80, 3000)}}}\n"
            f'price: "{price / 100:.2f}"\n{sale}')
    return root


def _draw_pictures(folder: Path, rng: random.Random, count: int = 24) -> list[str]:
    names = []
    for i in range(count):
        name = f"pic-{i:02d}.jpg"
        if not (folder / name).exists():
            image = Image.new("RGB", (1000, 1000), (235, 232, 225))
            draw = ImageDraw.Draw(image)
            colour = tuple(rng.randint(20, 220) for _ in range(3))
            draw.ellipse((200 + i * 5, 250, 800 - i * 5, 750), fill=colour)
            image.save(folder / name, quality=82)
        names.append(name)
    return names


# A coherent shop for judging relevance (benchmarks/relevance.py): unlike `write_catalog`, each
# product is a known kind of thing ("a red Borealis rain jacket, waterproof, sizes S-XL"), and
# the generator returns what it made, so that queries are judged from these facts and never
# from what shopgen (or any engine) makes of the files.

# type → (category, name). Categories sit under a parent (JUDGED_TREE).
JUDGED_TYPES = {
    "running-shoe": ("running-shoes", "Running Shoe"), "trail-runner": ("running-shoes",
                                                                       "Trail Runner"),
    "trainer": ("running-shoes", "Trainer"), "hiking-boot": ("hiking-boots", "Hiking Boot"),
    "mountain-boot": ("hiking-boots", "Mountain Boot"), "sandal": ("sandals", "Sandal"),
    "rain-jacket": ("jackets", "Rain Jacket"), "down-jacket": ("jackets", "Down Jacket"),
    "softshell": ("jackets", "Softshell Jacket"), "parka": ("jackets", "Parka"),
    "anorak": ("jackets", "Anorak"), "tee": ("t-shirts", "Tee"),
    "t-shirt": ("t-shirts", "T-Shirt"), "trousers": ("trousers", "Trousers"),
    "shorts": ("shorts", "Shorts"), "jumper": ("knitwear", "Jumper"),
    "cardigan": ("knitwear", "Cardigan"), "hoodie": ("hoodies", "Hoodie"),
    "rucksack": ("bags", "Rucksack"), "daypack": ("bags", "Daypack"),
    "duffel": ("bags", "Duffel Bag"), "dome-tent": ("tents", "Dome Tent"),
    "tunnel-tent": ("tents", "Tunnel Tent"), "water-bottle": ("bottles", "Water Bottle"),
    "flask": ("bottles", "Vacuum Flask"), "gps-watch": ("watches", "GPS Watch"),
    "field-watch": ("watches", "Field Watch"), "sleeping-bag": ("sleeping-bags",
                                                                "Sleeping Bag"),
    "mug": ("cookware", "Camp Mug"), "pot": ("cookware", "Cook Pot"),
}
JUDGED_TREE = {
    "footwear": ("Footwear", {"running-shoes": "Running Shoes", "hiking-boots": "Hiking Boots",
                              "sandals": "Sandals"}),
    "clothing": ("Clothing", {"jackets": "Jackets", "t-shirts": "T-Shirts",
                              "trousers": "Trousers", "shorts": "Shorts",
                              "knitwear": "Knitwear", "hoodies": "Hoodies"}),
    "gear": ("Gear", {"bags": "Bags", "tents": "Tents", "bottles": "Bottles",
                      "watches": "Watches", "sleeping-bags": "Sleeping Bags",
                      "cookware": "Cookware"}),
}
JUDGED_BRANDS = {"alpina": "Alpina", "borealis": "Borealis", "cascade": "Cascade",
                 "dune": "Dune", "fjord": "Fjord", "glacier": "Glacier",
                 "harbour": "Harbour & Mill", "pinon": "Piñon Works", "elan": "Élan",
                 "asgard": "Åsgard"}
JUDGED_MODELS = ["Granite", "Storm", "Summit", "Cloudline", "Ridge", "Aurora", "Tundra",
                 "Breeze", "Canyon", "Après", "Côte", "Drift", "Polar", "Velvet", "Coastal",
                 "Rapid", "Quartz", "Meadow", "Crème", "Fjell"]
JUDGED_MATERIALS = {
    "footwear": ["Leather", "Mesh", "Suede"], "jackets": ["Nylon", "Polyester"],
    "t-shirts": ["Cotton", "Merino wool", "Polyester"],
    "knitwear": ["Merino wool", "Cashmere", "Cotton"], "hoodies": ["Cotton", "Fleece"],
    "trousers": ["Cotton", "Nylon", "Canvas"], "shorts": ["Cotton", "Nylon"],
    "bags": ["Nylon", "Canvas", "Waxed canvas"], "tents": ["Nylon", "Polyester"],
    "bottles": ["Stainless steel", "Titanium", "Aluminium"],
    "watches": ["Titanium", "Stainless steel"], "sleeping-bags": ["Down", "Polyester"],
    "cookware": ["Enamel", "Titanium", "Stainless steel"]}
JUDGED_PRICES = {"footwear": (40, 260), "jackets": (60, 450), "t-shirts": (15, 60),
                 "trousers": (40, 160), "shorts": (25, 80), "knitwear": (50, 260),
                 "hoodies": (35, 110), "bags": (30, 260), "tents": (90, 900),
                 "bottles": (10, 55), "watches": (80, 700), "sleeping-bags": (60, 500),
                 "cookware": (8, 70)}
CODES = {"running-shoes": "RS", "hiking-boots": "HB", "sandals": "SA", "jackets": "JK",
         "t-shirts": "TS", "trousers": "TR", "shorts": "SH", "knitwear": "KN", "hoodies": "HD",
         "bags": "BG", "tents": "TN", "bottles": "BT", "watches": "WA", "sleeping-bags": "SB",
         "cookware": "CK"}
USES = ["long days on the trail", "wet commutes", "weekend trips", "mountain huts",
        "city streets", "winter mornings", "summer evenings", "travel"]


@dataclass(frozen=True)
class Made:
    """What the generator made of one product."""

    sku: str
    type: str  # a JUDGED_TYPES key: "rain-jacket"
    category: str
    parent: str
    brand: str  # a JUDGED_BRANDS key
    model: str  # "Granite", "Après"
    feature: str | None  # "Waterproof", "Insulated"… (in the name)
    colours: list[str]
    sizes: list[str]
    material: str
    price: float
    in_stock: bool
    waterproof: bool
    mentions: list[str]  # other types its description names ("pairs well with our …")


def write_judged_catalog(root: Path, count: int, seed: int = 11) -> list[Made]:
    """Write a coherent shop of `count` products under `root`; returns what each product is."""
    rng = random.Random(seed)
    (root / "products").mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    (root / "shop.yaml").write_text(
        "name: Judged Shop\ncurrency: EUR\nlocale: en-IE\n"
        'call_centre: {phone: "+353 1 555 0100", hours: "9-17"}\n'
        "base_url: https://judged.example.com/\nsearch:\n  synonyms:\n"
        "    backpack: [rucksack, daypack]\n    jumper: [sweater, pullover]\n"
        "    hoodie: [hoody, sweatshirt]\n    tee: [t shirt]\n    trousers: [pants]\n"
        "  one_way_synonyms:\n    sneakers: [trainer, running shoe]\n"
        "    thermos: [vacuum flask]\n    coat: [parka, anorak]\n", encoding="utf-8")
    (root / "brands.yaml").write_text("".join(
        f'- {{id: {b}, name: "{n}"}}\n' for b, n in JUDGED_BRANDS.items()), encoding="utf-8")
    (root / "categories.yaml").write_text("".join(
        f"- {{id: {p}, name: {pn}}}\n" + "".join(
            f"- {{id: {c}, name: {cn}, parent: {p}}}\n" for c, cn in children.items())
        for p, (pn, children) in JUDGED_TREE.items()), encoding="utf-8")
    (root / "attributes.yaml").write_text(
        "- {id: material, name: Material, type: text, facet: true}\n"
        "- {id: weight, name: Weight, type: number, unit: g, facet: true}\n")
    parent_of = {c: p for p, (_, children) in JUDGED_TREE.items() for c in children}
    pictures = _draw_pictures(root / "images", rng)
    made = []
    types = list(JUDGED_TYPES)
    for i in range(count):
        kind = rng.choice(types)
        category, noun = JUDGED_TYPES[kind]
        parent = parent_of[category]
        group = parent if parent == "footwear" else category
        feature = None
        if kind != "rain-jacket" and rng.random() < 0.35:
            feature = rng.choice(
                ["Waterproof", "Lightweight"] if parent == "footwear" else
                ["Waterproof", "Insulated", "Packable"] if category == "jackets" else
                ["Insulated"] if category in ("bottles", "sleeping-bags") else
                ["Lightweight", "Classic"])
        waterproof = kind == "rain-jacket" or feature == "Waterproof"
        model = rng.choice(JUDGED_MODELS)
        name = " ".join(w for w in (model, feature, noun) if w)
        brand = rng.choice(list(JUDGED_BRANDS))
        material = "Down" if kind == "down-jacket" else rng.choice(JUDGED_MATERIALS[group])
        low, high = JUDGED_PRICES[group]
        price = rng.randint(low * 100, high * 100) // 10 * 10 - 1  # ….x9, as shops price
        colours = rng.sample(COLOURS, rng.randint(1, 3))
        if parent == "footwear":
            start = rng.randint(35, 40)
            sizes = [str(s) for s in range(start, start + rng.randint(4, 8))]
        elif parent == "clothing":
            sizes = rng.choice([["XS", "S", "M", "L", "XL"], ["S", "M", "L", "XL", "XXL"],
                                ["S", "M", "L"]])
        else:
            sizes = []
        # Other things' names in descriptions, as real copy has ("pairs well with our …").
        mentions = [rng.choice(types) for _ in range(rng.random() < 0.3)]
        sentences = [f"A {noun.lower()} for {rng.choice(USES)}."]
        if waterproof:
            sentences.append("Fully waterproof, with taped seams.")
        if category == "jackets" and rng.random() < 0.2:
            sentences.append("The hood fits over a helmet.")
        sentences += [f"Pairs well with our {JUDGED_TYPES[m][1].lower()}." for m in mentions]
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))) + ".")
        sku = f"{CODES[category]}-{10000 + i}"
        in_stock = rng.random() > 0.1
        (root / "products" / f"{sku.lower()}.yaml").write_text(
            f"sku: {sku}\nname: {name}\nbrand: {brand}\ncategory: {category}\n"
            f"description: {' '.join(s[0].upper() + s[1:] for s in sentences)}\n"
            f"colours: [{', '.join(colours)}]\nsizes: [{', '.join(sizes)}]\n"
            f"images: [{rng.choice(pictures)}]\nin_stock: {str(in_stock).lower()}\n"
            f"added: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\n"
            f"attributes: {{material: {material}, weight: {rng.randint(80, 3000)}}}\n"
            f'price: "{price / 100:.2f}"\n', encoding="utf-8")
        made.append(Made(sku=sku, type=kind, category=category, parent=parent, brand=brand,
                         model=model, feature=feature, colours=colours, sizes=sizes,
                         material=material, price=price / 100, in_stock=in_stock,
                         waterproof=waterproof, mentions=mentions))
    return made
