"""The catalog stage: `catalog_data/` YAML read into frozen dataclasses, every problem listed.

`records.py` reads the shop-wide files (brands, categories, attributes) and runs the
cross-record checks, `products.py` reads `products/*.yaml`, `model.py` holds the records.
shop.yaml itself is read by its schema in `shopgen.config`.
"""

from shopgen.catalog.model import (
    Attribute,
    Brand,
    Catalog,
    Category,
    Price,
    Product,
    Shop,
)
from shopgen.catalog.records import load_catalog
from shopgen.config.shop_yaml import load_shop

__all__ = ["Attribute", "Brand", "Catalog", "Category", "Price", "Product", "Shop",
           "load_catalog", "load_shop"]
