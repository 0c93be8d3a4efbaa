"""`shopgen db sync-catalog`: the catalog's products written to the tracker database's
`products` table, so SQL can join events to names, brands, categories and prices.

One row per SKU ever published: its current name, brand (id and name), category (id and
path from the root, ``Outdoor > Tents``), price and currency, stock, when it was first and
last published, and ``removed_at`` once it has left the catalog (rows are never deleted: old
events still name the product). `shopgen publish` runs it after a successful upload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, inspect, select, update
from sqlalchemy.exc import DBAPIError

from shopgen.catalog.model import Catalog, Category
from shopgen.errors import ShopgenError
from tracker.models import products_table as products

CATEGORY_SEPARATOR = " > "


@dataclass(frozen=True)
class SyncResult:
    """How many products were added, updated and marked removed."""

    added: int
    updated: int
    removed: int


def category_path(category_id: str, categories: dict[str, Category]) -> str:
    """The names from the root category down to ``category_id``, joined by `` > ``."""
    names: list[str] = []
    seen: set[str] = set()
    current: str | None = category_id
    while current and current in categories and current not in seen:
        seen.add(current)
        names.append(categories[current].name)
        current = categories[current].parent
    return CATEGORY_SEPARATOR.join(reversed(names))


def product_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """The `products` columns of every product of ``catalog`` (times left out)."""
    brands = {brand.id: brand.name for brand in catalog.brands}
    categories = {category.id: category for category in catalog.categories}
    return [{
        "sku": product.sku, "name": product.name, "brand": product.brand,
        "brand_name": brands.get(product.brand), "category": product.category,
        "category_path": category_path(product.category, categories),
        "price": product.price.amount, "currency": catalog.shop.currency,
        "in_stock": product.in_stock,
    } for product in catalog.products]


def write_products(connection: Connection, rows: list[dict[str, Any]],
                   now: dt.datetime) -> SyncResult:
    """Insert new SKUs, update known ones, mark the missing ones removed (one transaction is
    the caller's)."""
    known = set(connection.execute(select(products.c.sku)).scalars())
    current = {row["sku"] for row in rows}
    new = [{**row, "first_published": now, "last_published": now, "removed_at": None}
           for row in rows if row["sku"] not in known]
    changed = [{**{f"new_{k}": v for k, v in row.items()}, "now": now}
               for row in rows if row["sku"] in known]
    if new:
        connection.execute(products.insert(), new)
    if changed:
        columns = [name for name in rows[0] if name != "sku"]
        connection.execute(
            update(products)
            .where(products.c.sku == bindparam("new_sku"))
            .values(**{name: bindparam(f"new_{name}") for name in columns},
                    last_published=bindparam("now"), removed_at=None),
            changed,
        )
    gone = known - current
    if gone:
        connection.execute(
            update(products)
            .where(products.c.sku.in_(sorted(gone)), products.c.removed_at.is_(None))
            .values(removed_at=now)
        )
    return SyncResult(len(new), len(changed), len(gone))


def _open(url: str) -> Engine:
    from shopgen.report.command import open_report_engine

    return open_report_engine(url)


def sync_catalog(site: Path, database: str, now: dt.datetime | None = None,
                 catalog: Catalog | None = None) -> SyncResult:
    """Load the site's catalog (all of its checks) and write it to ``products``."""
    from shopgen.catalog import load_catalog

    catalog = catalog or load_catalog(Path(site))
    now = now or dt.datetime.now(dt.UTC)
    engine = _open(database)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("products"):
                raise ShopgenError("the tracker database has no products table: run "
                                   "`shopgen db upgrade`")
            return write_products(connection, product_rows(catalog), now)
    except DBAPIError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[:1]
        raise ShopgenError(f"cannot write the products table ({' '.join(reason)})") from None
    finally:
        engine.dispose()


def describe(result: SyncResult) -> str:
    """One line for people."""
    return (f"Products table synced: {result.added} added, {result.updated} updated, "
            f"{result.removed} removed from the catalog.")


def sync_after_publish(site: Path, database: str, echo: Callable[[str], Any]) -> None:
    """After a successful upload: sync the products table, but never fail the publish for it
    (the page is already live); say what went wrong instead."""
    try:
        echo(describe(sync_catalog(site, database)))
    except ShopgenError as error:
        echo(f"Warning: the products table was not synced: {error.message}")
