"""A synthetic shop of N products for benchmarks (shared by benchmarks/*.py).

Pictures: 24 distinct source images drawn once with Pillow and shared by all products (each
product names one or two of them), so a cold build processes 24 pictures and every other
product reuses the cache, as a real shop's unchanged pictures do.
"""

from __future__ import annotations

import random
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
