"""The sample catalog read straight from its YAML, to check the page against (independent of
shopgen's own loader: the page's answers must agree with what the merchandiser wrote)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

CATALOG = Path(__file__).resolve().parents[2] / "catalog_data"
TODAY = dt.date(2026, 11, 24)  # the date tests/conftest.py builds the sample on


@dataclass
class Item:
    sku: str
    name: str
    brand: str
    category: str
    colours: list[str]
    sizes: list[str]
    price: Decimal
    in_stock: bool
    added: str
    attrs: dict = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return "p-" + re.sub(r"[^a-z0-9]+", "-", self.sku.lower()).strip("-")


def _price(raw: dict) -> Decimal:
    if "price" in raw:
        return Decimal(str(raw["price"]))
    entries = [e for e in raw["prices"] if _date(e["effective"]) <= TODAY]
    return Decimal(str(max(entries, key=lambda e: _date(e["effective"]))["price"]))


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load(folder: Path = CATALOG) -> dict:
    """{"items": [Item] in catalog order, "brands": {id: name}, "parents": {cat: parent},
    "categories": {id: name}, "attributes": {id: spec}, "shop": {...}}."""
    read = lambda name: yaml.safe_load((folder / name).read_text(encoding="utf-8"))  # noqa: E731
    items = []
    for path in sorted((folder / "products").glob("*.yaml")):
        raw = read(f"products/{path.name}")
        items.append(Item(
            sku=raw["sku"], name=raw["name"], brand=raw["brand"], category=raw["category"],
            colours=[str(c) for c in raw.get("colours", [])],
            sizes=[str(s) for s in raw.get("sizes", [])], price=_price(raw),
            in_stock=bool(raw["in_stock"]), added=_date(raw["added"]).isoformat(),
            attrs=raw.get("attributes") or {}))
    categories = read("categories.yaml")
    return {
        "items": items,
        "brands": {b["id"]: b["name"] for b in read("brands.yaml")},
        "categories": {c["id"]: c["name"] for c in categories},
        "parents": {c["id"]: c.get("parent") for c in categories},
        "attributes": {a["id"]: a for a in read("attributes.yaml")},
        "shop": read("shop.yaml"),
    }


def ancestors(catalog: dict, category: str) -> list[str]:
    """The category and every category above it."""
    chain = []
    while category:
        chain.append(category)
        category = catalog["parents"].get(category)
    return chain


def facet_values(catalog: dict, item: Item, facet: str) -> list[str]:
    """The ids a product has in a facet (a category counts for all its ancestors)."""
    if facet == "brand":
        return [item.brand]
    if facet == "colour":
        return item.colours
    if facet == "size":
        return item.sizes
    if facet == "category":
        return ancestors(catalog, item.category)
    value = item.attrs.get(facet)
    return [] if value is None else [str(value)]


def matches(catalog: dict, item: Item, chosen: dict[str, set[str]], *, skip: str | None = None,
            min_price: Decimal | None = None, max_price: Decimal | None = None,
            stock: bool = False) -> bool:
    """Does the item pass every chosen facet (values OR, facets AND) but `skip`?"""
    if stock and not item.in_stock:
        return False
    if min_price is not None and item.price < min_price:
        return False
    if max_price is not None and item.price > max_price:
        return False
    for facet, values in chosen.items():
        if facet != skip and values and not values & set(facet_values(catalog, item, facet)):
            return False
    return True


def fold(text: str) -> str:
    """Lower-case, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> list:
    """An approximation of Intl.Collator(locale, {numeric: true}) for the sample's names."""
    return [int(part) if part.isdigit() else part
            for part in re.split(r"(\d+)", fold(name)) if part != ""]
