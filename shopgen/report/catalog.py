"""The little the report needs from the catalog: SKU → name and brand, brand names, the catalog's
words (for synonym suggestions) and shop.yaml's current `search.synonyms` (read by shop.yaml's
one schema, `shopgen.config.shop_yaml`).

Products, brands and categories are read straight from the YAML files with PyYAML and kept
lenient about everything the report does not use (the build validates the catalog); a missing
catalog simply leaves names and brands unknown, but a file that is not valid YAML is an error
naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shopgen.config.shop_yaml import load_shop_block
from shopgen.errors import ShopgenError


@dataclass(frozen=True)
class ProductInfo:
    """What the report shows of one product."""

    sku: str
    name: str
    brand: str | None


@dataclass(frozen=True)
class ReportCatalog:
    """Products by SKU, brand names by id, the catalog's texts and shop.yaml's synonyms."""

    products: dict[str, ProductInfo] = field(default_factory=dict)
    brands: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    def brand_of(self) -> dict[str, str]:
        """SKU → brand id, for products that name a brand."""
        return {sku: p.brand for sku, p in self.products.items() if p.brand}

    def brand_name(self, brand_id: str) -> str:
        """The brand's display name (its id when brands.yaml does not name it)."""
        return self.brands.get(brand_id, brand_id)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ShopgenError(f"{where}: invalid YAML") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ShopgenError(f"{path}: cannot read it ({error})") from None


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def _shop_synonyms(site: Path) -> dict[str, list[str]]:
    synonyms = load_shop_block(site, "search")["synonyms"] or {}
    return {word: list(others) for word, others in synonyms.items()}


def load_report_catalog(site: Path) -> ReportCatalog:
    """Read `<site>/products/*.yaml`, `brands.yaml`, `categories.yaml` and `shop.yaml`."""
    catalog = ReportCatalog(synonyms=_shop_synonyms(site))
    brands_file = site / "brands.yaml"
    if brands_file.is_file():
        for brand in _read(brands_file) or []:
            if isinstance(brand, dict) and _text(brand.get("id")):
                name = _text(brand.get("name")) or str(brand["id"])
                catalog.brands[str(brand["id"])] = name
                catalog.texts.append(name)
    categories_file = site / "categories.yaml"
    if categories_file.is_file():
        for category in _read(categories_file) or []:
            if isinstance(category, dict) and _text(category.get("name")):
                catalog.texts.append(str(category["name"]))
    products_dir = site / "products"
    for path in sorted(products_dir.glob("*.yaml")) if products_dir.is_dir() else []:
        product = _read(path)
        if not isinstance(product, dict) or not _text(product.get("sku")):
            continue
        sku = str(product["sku"])
        name = _text(product.get("name")) or sku
        catalog.products[sku] = ProductInfo(sku, name, _text(product.get("brand")))
        catalog.texts.extend([name, _text(product.get("description")) or ""])
        catalog.texts.extend(_strings(product.get("colours")))
    return catalog
