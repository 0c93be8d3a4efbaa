"""`shopgen import shopify`: the product CSV that Shopify's admin exports.

One row per variant or extra image, grouped by `Handle` (the columns are Shopify's documented
ones; any may be missing and they may come in any order). One handle becomes one product:
options named Size or Colour/Color become sizes and colours, other options and `Key: Value`
tags become text attributes (plain tags one `Tags` attribute), `Vendor` the brand,
`Product Category` (or else `Type`) the category path, `Body (HTML)` the description as text.
Drafts and archived products (`Status`) are skipped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from shopgen.config.fields import Problems
from shopgen.errors import ShopgenError
from shopgen.importers.html_text import html_to_text
from shopgen.importers.model import (
    ImportedCatalog,
    ImportedProduct,
    check_sku,
    money_cell,
    raise_if_problems,
    unique,
)
from shopgen.importers.tables import Row, read_table

SIZE_OPTIONS = {"size"}
COLOUR_OPTIONS = {"colour", "color"}
SKIPPED_STATUSES = {"draft", "archived"}


@dataclass
class _Variant:
    row: int
    options: list[str]
    sku: str
    price: Decimal | None
    compare_at: Decimal | None
    available: bool


@dataclass
class _Group:
    """The rows of one handle: the first carries the product's own fields."""

    handle: str
    first: Row
    row: int
    variants: list[_Variant] = field(default_factory=list)
    images: list[tuple[int, int, str]] = field(default_factory=list)  # (position, order, url)


def read_shopify(path: Path) -> ImportedCatalog:
    """Read a Shopify product CSV; every bad row is a FILE:ROW problem, raised together."""
    path = Path(path)
    header, rows = read_table(path)
    source = path.name
    problems = Problems()
    if "Handle" not in header:
        raise ShopgenError(f"{source}:1: no Handle column: is this Shopify's product CSV?")
    columns = set(header)
    groups: dict[str, _Group] = {}
    for number, row in rows:
        handle = row["Handle"].strip()
        if not handle:
            problems.add(source, number, "the Handle is empty")
            continue
        group = groups.get(handle)
        if group is None:
            group = groups[handle] = _Group(handle, row, number)
        _read_row(group, row, number, columns, problems, source)
    products, skipped = [], 0
    seen: dict[str, int] = {}
    for group in groups.values():
        if row_text(group.first, "Status").lower() in SKIPPED_STATUSES:
            skipped += 1
            continue
        product = _product(group, columns, problems, source)
        if product is None:
            continue
        if product.sku.lower() in seen:
            problems.add(source, group.row, f"duplicate SKU {product.sku!r} (also on row "
                         f"{seen[product.sku.lower()]})")
            continue
        seen[product.sku.lower()] = group.row
        products.append(product)
    raise_if_problems(problems)
    return ImportedCatalog(source, tuple(products), skipped, images_base=str(path.parent))


def row_text(row: Row, column: str) -> str:
    """A cell's text, trimmed ('' when the column is missing)."""
    return (row.get(column) or "").strip()


def _read_row(group: _Group, row: Row, number: int, columns: set[str], problems: Problems,
              source: str) -> None:
    image = row_text(row, "Image Src")
    if image:
        position = row_text(row, "Image Position")
        rank = int(position) if position.isdigit() else 10**6
        group.images.append((rank, len(group.images), image))
    variant_image = row_text(row, "Variant Image")
    if variant_image:
        group.images.append((10**6 + 1, len(group.images), variant_image))
    options = [row_text(row, f"Option{i} Value") for i in (1, 2, 3)]
    is_variant = any(options) or row_text(row, "Variant SKU") or row_text(row, "Variant Price")
    if not is_variant:
        return  # an extra image row
    price = _money(row, "Variant Price", number, problems, source, required=True)
    compare_at = _money(row, "Variant Compare At Price", number, problems, source)
    group.variants.append(_Variant(number, options, row_text(row, "Variant SKU"), price,
                                   compare_at, _available(row, columns)))


def _money(row: Row, column: str, number: int, problems: Problems, source: str,
           required: bool = False) -> Decimal | None:
    return money_cell(row_text(row, column), column, source, number, problems,
                      required=required)


def _available(row: Row, columns: set[str]) -> bool:
    """A variant can be bought when it has stock, is sold when out of stock ('continue'),
    or its stock is not tracked (no quantity given)."""
    if row_text(row, "Variant Inventory Policy").lower() == "continue":
        return True
    quantity = row_text(row, "Variant Inventory Qty")
    if not quantity:
        return True
    try:
        return int(Decimal(quantity)) > 0
    except ArithmeticError:
        return True


def _product(group: _Group, columns: set[str], problems: Problems,
             source: str) -> ImportedProduct | None:
    first, row = group.first, group.row
    title = row_text(first, "Title")
    if not title:
        problems.add(source, row, f"product {group.handle!r} has no Title")
    if not group.variants:
        problems.add(source, row, f"missing price: product {group.handle!r} has no variant row")
        return None
    sku = next((v.sku for v in group.variants if v.sku), group.handle.upper())
    if not check_sku(sku, problems, source, row) or not title:
        return None
    priced = [v for v in group.variants if v.price is not None]
    if len(priced) < len(group.variants):
        return None  # the missing or bad price is already a problem
    cheapest = min(priced, key=lambda v: v.price)
    compare_at = cheapest.compare_at
    if compare_at is not None and compare_at <= cheapest.price:
        compare_at = None  # no promotion applies
    colours, sizes, attributes = _options(group)
    attributes.update(_tags(row_text(first, "Tags")))
    has_stock = {"Variant Inventory Qty", "Variant Inventory Policy"} & columns
    has_images = {"Image Src", "Variant Image"} & columns
    return ImportedProduct(
        sku=sku, row=row, name=title,
        brand=row_text(first, "Vendor") or None if "Vendor" in columns else None,
        category=_category(first, columns),
        description=html_to_text(first.get("Body (HTML)") or "")
        if "Body (HTML)" in columns else None,
        colours=colours, sizes=sizes,
        images=tuple(url for _rank, _order, url in sorted(group.images)) if has_images else None,
        in_stock=any(v.available for v in group.variants) if has_stock else None,
        attributes=attributes, price=cheapest.price, compare_at_price=compare_at,
    )


def _options(group: _Group) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    attributes: dict[str, str] = {}
    for index in range(3):
        name = row_text(group.first, f"Option{index + 1} Name")
        values = unique(v.options[index] for v in group.variants)
        # Shopify's placeholder for a product without options: Title / Default Title.
        if not name or not values or (name == "Title" and values == ("Default Title",)):
            continue
        if name.lower() in SIZE_OPTIONS:
            sizes = values
        elif name.lower() in COLOUR_OPTIONS:
            colours = values
        else:
            attributes[name] = ", ".join(values)
    return colours, sizes, attributes


def _tags(tags: str) -> dict[str, str]:
    """`Key: Value` tags become attributes; the other tags one `Tags` attribute."""
    attributes: dict[str, str] = {}
    plain: list[str] = []
    for tag in unique(tags.split(",")):
        key, colon, value = tag.partition(":")
        if colon and key.strip() and value.strip():
            attributes[key.strip()] = value.strip()
        else:
            plain.append(tag)
    if plain:
        attributes["Tags"] = ", ".join(plain)
    return attributes


def _category(first: Row, columns: set[str]) -> tuple[str, ...] | None:
    if not {"Product Category", "Type"} & columns:
        return None
    path = row_text(first, "Product Category") or row_text(first, "Type")
    names = tuple(part.strip() for part in path.split(">") if part.strip())
    return names or None
