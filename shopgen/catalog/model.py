"""The catalog's records: frozen dataclasses, plain data between the build's stages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from shopgen.config.shop_yaml import Shop


@dataclass(frozen=True)
class Brand:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    type: str  # "text" or "number"
    unit: str | None = None
    facet: bool = False


@dataclass(frozen=True)
class Price:
    amount: Decimal
    compare_at: Decimal | None = None
    effective: dt.date | None = None


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    brand: str
    category: str
    description: str
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    images: tuple[str, ...]
    in_stock: bool
    added: dt.date
    attributes: Mapping[str, str | Decimal | int]
    price: Price
    next_price: Price | None = None  # a scheduled change after the build date
    source: str = ""


@dataclass(frozen=True)
class Catalog:
    shop: Shop
    brands: tuple[Brand, ...]
    categories: tuple[Category, ...]
    attributes: tuple[Attribute, ...]
    products: tuple[Product, ...]
    today: dt.date
    images_dir: Path

    @cached_property
    def brand(self) -> dict[str, Brand]:
        return {b.id: b for b in self.brands}

    @cached_property
    def category(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}

    def category_path(self, category_id: str) -> list[Category]:
        """The category and its ancestors, root first."""
        path: list[Category] = []
        current: str | None = category_id
        while current is not None and current in self.category:
            path.insert(0, self.category[current])
            current = self.category[current].parent
        return path
