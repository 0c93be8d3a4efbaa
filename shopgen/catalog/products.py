"""Reading `products/*.yaml`: each product's fields checked on their own, in parallel."""

from __future__ import annotations

import datetime as dt
import os
import re
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from functools import partial
from pathlib import Path

from shopgen.catalog.model import Attribute, Price, Product
from shopgen.config.fields import Problems, Record, did_you_mean, read_catalog_file, shown
from shopgen.config.yaml_source import LineList, LineMap

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(jpe?g|png|webp)$", re.IGNORECASE)

PRODUCT_FIELDS = ["sku", "name", "brand", "category", "description", "colours", "sizes",
                  "images", "in_stock", "added", "attributes", "price", "compare_at_price",
                  "prices"]


# Number attributes: below 10^12 either side of 0, at most 6 decimals (12.5 mm, 0.45 kg).
MAX_ATTRIBUTE_NUMBER = 10**12
ATTRIBUTE_STEP = Decimal("0.000001")

PARALLEL_FROM = 400  # product files; below this, starting worker processes costs more


def load_products(site_dir, today, attributes, problems, currency=None):
    """Read every product file; `currency` (None when shop.yaml is broken) bounds the prices'
    decimals."""
    folder = site_dir / "products"
    names = sorted(f"products/{p.name}" for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not names:
        problems.add("products/", 1, "no product files (products/*.yaml)")
    by_id = {a.id: a for a, _mapping in attributes}
    read = partial(_read_product_files, site_dir, today, by_id, currency)
    workers = min(os.cpu_count() or 1, 8)
    if len(names) < PARALLEL_FROM or workers < 2:
        results = [read(names)]
    else:  # YAML parsing is CPU-bound Python: one process per core, files in order
        size = -(-len(names) // (workers * 4))
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(read, [names[i:i + size]
                                           for i in range(0, len(names), size)]))
    for products, chunk_problems in results:
        problems.items.extend(chunk_problems)
        yield from products


def _read_product_files(site_dir: Path, today: dt.date, attributes: dict[str, Attribute],
                        currency: str | None, names: list[str]) -> tuple[list, list[str]]:
    """Read some product files: (product, its key lines) pairs and the problems found."""
    problems = Problems()
    products = []
    for name in names:
        data = read_catalog_file(site_dir, name, problems)
        if data is None:
            continue
        r = Record(data, name, problems)
        product = _read_product(r, today, attributes, currency)
        if r.ok and product is not None:
            lines = LineMap()  # only the lines travel back, not the whole parsed file
            lines.line, lines.key_lines = r.mapping.line, r.mapping.key_lines
            products.append((product, lines))
    return products, problems.items


def _read_product(r: Record, today: dt.date, attributes: dict[str, Attribute],
                  currency: str | None = None) -> Product | None:
    if r.shapeless:  # not a mapping: that one problem says it all
        return None
    r.check_keys(PRODUCT_FIELDS)
    sku = r.text("sku", max_length=64)
    if sku and not SKU_PATTERN.match(sku):
        r.fail(r.line("sku"), f"sku {sku!r} may hold only letters, digits, '.', '-' and '_'")
    name = r.text("name", max_length=200)
    brand, category = r.text("brand"), r.text("category")
    description = r.text("description", max_length=20_000)
    colours, sizes = r.text_list("colours"), r.text_list("sizes")
    images = r.text_list("images")
    for image in images:
        if "://" in image:
            r.fail(r.line("images"), f"image {image!r} is a web address: save the picture in "
                   "images/ and write its file name")
        elif not IMAGE_NAME.match(image):
            r.fail(r.line("images"), f"image {image!r} must be a .jpg, .png or .webp file name "
                   "under images/ (no folders)")
    in_stock = r.boolean("in_stock", default=True, required=False)
    added = r.date("added")
    values = _read_attribute_values(r, attributes)
    price, next_price = _read_price(r, today, currency)
    if not r.ok:
        return None
    return Product(sku, name, brand, category, description, colours, sizes, images, in_stock,
                   added, values, price, next_price, r.file)


def _read_attribute_values(r: Record, attributes: dict[str, Attribute]) -> dict:
    block = r.mapping_field("attributes")
    values: dict[str, str | Decimal | int] = {}
    for key, value in (block or {}).items():
        line = block.line_of(key)
        attribute = attributes.get(key)
        if attribute is None:
            r.fail(line, f"unknown attribute {key!r}{did_you_mean(key, attributes)}")
        elif attribute.type == "number" and (isinstance(value, bool)
                                             or not isinstance(value, int | Decimal)):
            r.fail(line, f"attribute {key!r} must be a number, found {shown(value)}")
        elif attribute.type == "number" and (problem := _number_problem(value)):
            r.fail(line, f"attribute {key!r} {shown(value)} {problem}")
        elif attribute.type == "text" and (isinstance(value, bool)
                                           or not isinstance(value, str | int | Decimal)):
            r.fail(line, f"attribute {key!r} must be text, found {shown(value)}")
        else:
            values[key] = str(value).strip() if attribute.type == "text" else value
    return values


def _number_problem(value: int | Decimal) -> str | None:
    """Why a number attribute's value is unusable (None when it is fine).

    Negative values are fine (a sleeping bag rated to -10 °C); the bounds keep the browser's
    range filter exact in JavaScript numbers.
    """
    if abs(value) >= MAX_ATTRIBUTE_NUMBER:
        return f"is too large (at most {MAX_ATTRIBUTE_NUMBER:,} either side of 0)"
    if isinstance(value, Decimal) and value != value.quantize(ATTRIBUTE_STEP):
        return f"has more than {-ATTRIBUTE_STEP.as_tuple().exponent} decimals"
    return None


def _read_price(r: Record, today: dt.date,
                currency: str | None) -> tuple[Price | None, Price | None]:
    has_price, has_history = "price" in r.mapping, "prices" in r.mapping
    if has_price and has_history:
        r.fail(r.line("prices"), "write either price or prices, not both")
        return None, None
    if not has_history:
        if not has_price:
            r.fail(r.mapping.line, "missing required field 'price' (or a 'prices' history)")
            return None, None
        return _read_price_point(r, currency, with_date=False), None
    history = r.mapping["prices"]
    if not isinstance(history, LineList) or not history:
        r.fail(r.line("prices"), "prices must be a list of {price, effective} entries")
        return None, None
    points: list[Price] = []
    for item, line in zip(history, history.item_lines, strict=True):
        entry = Record(item, r.file, r.problems, line)
        point = _read_price_point(entry, currency, with_date=True)
        r.ok = r.ok and entry.ok
        if point is None:
            continue
        if any(p.effective == point.effective for p in points):
            r.fail(entry.line("effective"), f"two prices are effective on {point.effective}")
        points.append(point)
    if not r.ok:
        return None, None
    current = [p for p in points if p.effective <= today]
    upcoming = [p for p in points if p.effective > today]
    if not current:
        r.fail(r.line("prices"), f"no price is effective on the build date ({today})")
        return None, None
    return max(current, key=lambda p: p.effective), min(upcoming, key=lambda p: p.effective,
                                                            default=None)


def _read_price_point(r: Record, currency: str | None, with_date: bool) -> Price | None:
    if with_date:  # a product's own keys were checked once, with the product
        r.check_keys(["price", "compare_at_price", "effective"])
    amount = r.money("price", currency=currency)
    compare_at = r.money("compare_at_price", required=False, currency=currency)
    if amount is not None and compare_at is not None and compare_at <= amount:
        r.fail(r.line("compare_at_price"), "compare_at_price must be greater than price")
    effective = r.date("effective") if with_date else None
    if not r.ok:
        return None
    return Price(amount, compare_at, effective)
