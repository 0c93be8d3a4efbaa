"""Throwaway shops for tests: a tiny valid catalog in a temp folder, changed a file at a time."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from PIL import Image

TODAY = dt.date(2026, 11, 24)  # the build date of every test catalog
REPO = Path(__file__).resolve().parent.parent

SHOP = """\
name: Tiny Test Shop
currency: EUR
locale: en-IE
call_centre:
  phone: "+353 1 555 0100"
  hours: "Mon–Fri 9:00–17:00"
base_url: "https://tiny.example.com/"
search:
  synonyms:
    backpack: [rucksack]
"""

BRANDS = """\
- id: acme
  name: Acme
- id: borealis
  name: Borealis
  description: Cold-weather gear.
"""

CATEGORIES = """\
- id: clothing
  name: Clothing
- id: jackets
  name: Jackets
  parent: clothing
- id: bags
  name: Bags
"""

ATTRIBUTES = """\
- id: material
  name: Material
  type: text
  facet: true
- id: weight
  name: Weight
  type: number
  unit: g
  facet: true
"""

PRODUCTS = {
    "ac-1.yaml": """\
        sku: AC-1
        name: Storm Jacket
        brand: acme
        category: jackets
        description: A waterproof jacket for wild weather.
        colours: [Red, Navy]
        sizes: [S, M, L]
        images: [ac-1.jpg]
        in_stock: true
        added: 2026-03-01
        attributes:
          material: Nylon
          weight: 480
        price: "129.00"
        compare_at_price: "159.00"
        """,
    "ac-2.yaml": """\
        sku: AC-2
        name: Day Backpack
        brand: acme
        category: bags
        description: A light backpack for day hikes.
        colours: [Black]
        sizes: []
        images: [ac-2.jpg]
        in_stock: false
        added: 2025-10-12
        attributes:
          material: Polyester
          weight: 650
        price: "59.90"
        """,
    "bo-1.yaml": """\
        sku: BO-1
        name: Café Fleece
        brand: borealis
        category: jackets
        description: A warm fleece for cold mornings.
        colours: [Navy]
        sizes: [M, L]
        images: [bo-1.jpg]
        in_stock: true
        added: 2026-06-20
        attributes:
          material: Polyester
        prices:
          - price: "49.00"
            effective: 2025-01-01
          - price: "45.00"
            effective: 2026-01-01
          - price: "55.00"
            effective: 2099-01-01
        """,
}


def write_site(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """Write the tiny shop under `root`; `files` replaces (text) or removes (None) files."""
    contents: dict[str, str | None] = {
        "shop.yaml": SHOP,
        "brands.yaml": BRANDS,
        "categories.yaml": CATEGORIES,
        "attributes.yaml": ATTRIBUTES,
        **{f"products/{name}": textwrap.dedent(text) for name, text in PRODUCTS.items()},
    }
    contents.update(files or {})
    for name, text in contents.items():
        path = root / name
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, colour in [("ac-1.jpg", "red"), ("ac-2.jpg", "black"), ("bo-1.jpg", "navy")]:
        draw_image(root / "images" / name, colour)
    return root


def draw_image(path: Path, colour: str, size: tuple[int, int] = (800, 600)) -> Path:
    """A plain picture of one colour, as a merchandiser's photo stand-in."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, quality=80)
    return path


def product(sku: str = "ZZ-1", **fields: str) -> str:
    """YAML text of one valid product, with fields replaced or added (raw YAML values)."""
    base = {
        "sku": sku, "name": "Test Product", "brand": "acme", "category": "bags",
        "description": "Plain.", "colours": "[Black]", "sizes": "[]", "images": "[ac-2.jpg]",
        "in_stock": "true", "added": "2026-01-01", "price": '"10.00"',
    }
    base.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in base.items() if value is not None)
