"""Reading `products/*.yaml`: each product's fields checked on their own, in parallel."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat as stat_module
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from functools import partial
from pathlib import Path

from shopgen.catalog.model import Attribute, Price, Product
from shopgen.catalog.parsed_cache import FileResult, ParsedProducts, code_digest
from shopgen.config.fields import (
    TEXT_TYPES,
    Problems,
    Record,
    did_you_mean,
    parse_catalog_bytes,
    read_catalog_bytes,
    read_file_bytes,
    shown,
)
from shopgen.config.yaml_source import LineList, LineMap

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(jpe?g|png|webp)$", re.IGNORECASE)

PRODUCT_FIELDS = ["sku", "name", "brand", "category", "description", "colours", "sizes",
                  "images", "in_stock", "added", "attributes", "price", "compare_at_price",
                  "prices"]


# Number attributes: below 10^12 either side of 0, at most 6 decimals (12.5 mm, 0.45 kg).
MAX_ATTRIBUTE_NUMBER = 10**12
ATTRIBUTE_STEP = Decimal("0.000001")

PARALLEL_FROM = 400  # product files to parse; below this, worker processes cost more


def load_products(site_dir, today, attributes, problems, currency=None, cache_dir=None):
    """Read every product file; `currency` (None when shop.yaml is broken) bounds the prices'
    decimals. With `cache_dir`, files unchanged since an earlier build are not parsed again
    (parsed_cache.py); the result is the same either way."""
    stats = _product_files(site_dir / "products")  # (before reading: an edit after it shows)
    names = list(stats)
    if not names:
        problems.add("products/", 1, "no product files (products/*.yaml)")
    by_id = {a.id: a for a, _mapping in attributes}
    context = json.dumps([code_digest(__file__), currency, [repr(a) for a in by_id.values()]])
    cache = ParsedProducts(cache_dir, site_dir, context, today)
    results: dict[str, FileResult] = {}
    to_parse: list[tuple[str, str, bytes]] = []
    read_stats: dict[str, os.stat_result] = {}  # of the files read, as they were before
    for name, stat in stats.items():
        cached = _unchanged(cache, name, stat)
        if cached is not None:
            results[name] = cached
            continue
        read_problems = Problems()
        # A regular file (not a link) is there and allowed: only links are checked again.
        data = (read_file_bytes(site_dir / name, name, read_problems) if stat is not None
                else read_catalog_bytes(site_dir, name, read_problems))
        if data is None:
            results[name] = (None, None, read_problems.items)
            continue
        digest = hashlib.sha256(data).hexdigest()
        cached = _safe(cache.get(name, digest))
        if cached is not None:
            results[name] = cached
        else:
            to_parse.append((name, digest, data))
        if stat is not None:
            read_stats[name] = stat
    for (name, digest, _data), (result, dated) in zip(
            to_parse, _parse_all(to_parse, today, by_id, currency), strict=True):
        results[name] = result
        cache.put(name, digest, result, dated)
    for name, stat in read_stats.items():
        cache.seen(name, stat)
    cache.save(names)
    for name in names:
        product, lines, file_problems = results[name]
        problems.items.extend(file_problems)
        if product is not None:
            yield product, lines


def _unchanged(cache: ParsedProducts, name: str,
               stat: os.stat_result | None) -> FileResult | None:
    """The kept result of a file whose size and time say it is unchanged."""
    digest = cache.digest_if_unchanged(name, stat) if stat is not None else None
    return _safe(cache.get(name, digest)) if digest is not None else None


def _product_files(folder: Path) -> dict[str, os.stat_result | None]:
    """Each product file's name (products/<file>.yaml or .yml), in order, and its size and
    times; None for a link (checked and read every time) or a file that cannot be seen. No
    files when the folder cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            found = {f"products/{entry.name}": _regular_file_stat(entry) for entry in entries
                     if entry.name.endswith((".yaml", ".yml"))}
    except OSError:
        return {}
    return dict(sorted(found.items()))


def _regular_file_stat(entry: os.DirEntry) -> os.stat_result | None:
    try:
        stat = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return stat if stat_module.S_ISREG(stat.st_mode) else None


def _safe(result: FileResult | None) -> FileResult | None:
    """A kept result, unless it names a page or a picture that reading the file would have
    refused: a cache is a file in the shop folder, and a shop folder may come from someone
    else, so what decides a path is checked again."""
    if result is None or result[0] is None:
        return result
    product = result[0]
    if SKU_PATTERN.match(product.sku) and all(IMAGE_NAME.match(i) for i in product.images):
        return result
    return None


def _parse_all(files: list[tuple[str, str, bytes]], today: dt.date,
               attributes: dict[str, Attribute], currency: str | None) -> list:
    read = partial(_read_product_files, today, attributes, currency)
    sources = [(name, data) for name, _digest, data in files]
    workers = min(os.cpu_count() or 1, 8)
    if len(sources) < PARALLEL_FROM or workers < 2:
        return read(sources)
    # YAML parsing is CPU-bound Python: one process per core, files in order
    size = -(-len(sources) // (workers * 4))
    with ProcessPoolExecutor(workers) as pool:
        chunks = pool.map(read, [sources[i:i + size] for i in range(0, len(sources), size)])
        return [result for chunk in chunks for result in chunk]


def _read_product_files(today: dt.date, attributes: dict[str, Attribute],
                        currency: str | None,
                        sources: list[tuple[str, bytes]]) -> list[tuple[FileResult, bool]]:
    """Read some product files' bytes: for each, what it gave (the product and its key lines,
    or None, and its problems) and whether that depends on the build date."""
    results = []
    for name, data in sources:
        problems = Problems()
        parsed = parse_catalog_bytes(name, data, problems)
        if parsed is None:
            results.append(((None, None, problems.items), False))
            continue
        r = Record(parsed, name, problems)
        product = _read_product(r, today, attributes, currency)
        lines = None
        if r.ok and product is not None:
            lines = LineMap()  # only the lines travel back, not the whole parsed file
            lines.line, lines.key_lines = r.mapping.line, r.mapping.key_lines
        else:
            product = None
        # Which price is current depends on the day only for a price history.
        dated = isinstance(parsed, LineMap) and "prices" in parsed
        results.append(((product, lines, problems.items), dated))
    return results


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


_NUMBER_TYPES = (int, Decimal)  # a tuple: checked faster than a union


def _read_attribute_values(r: Record, attributes: dict[str, Attribute]) -> dict:
    block = r.mapping_field("attributes")
    values: dict[str, str | Decimal | int] = {}
    for key, value in (block or {}).items():
        line = block.line_of(key)
        attribute = attributes.get(key)
        if attribute is None:
            r.fail(line, f"unknown attribute {key!r}{did_you_mean(key, attributes)}")
        elif attribute.type == "number" and (isinstance(value, bool)
                                             or not isinstance(value, _NUMBER_TYPES)):
            r.fail(line, f"attribute {key!r} must be a number, found {shown(value)}")
        elif attribute.type == "number" and (problem := _number_problem(value)):
            r.fail(line, f"attribute {key!r} {shown(value)} {problem}")
        elif attribute.type == "text" and (isinstance(value, bool)
                                           or not isinstance(value, TEXT_TYPES)):
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
