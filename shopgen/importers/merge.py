"""Writing an `ImportedCatalog` into a shop folder by SKU.

Products in the file are added (new SKU) or updated (known SKU); a field the file does not
carry keeps what the shop folder says, so hand-written descriptions or attributes survive. A
product whose merged content equals what its file holds is "unchanged" and its file is not
written again (build and publish stay incremental). Products the file lacks are reported and
kept, or deleted with `prune`. New brands, categories and attributes are appended to their
files, leaving the hand-written entries and comments as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import babel.numbers

from shopgen.config.fields import Problems
from shopgen.importers.images import ImageFiles
from shopgen.importers.model import ImportedCatalog, ImportedProduct, raise_if_problems, round_money
from shopgen.importers.refs import (
    DEFAULT_BRAND,
    DEFAULT_CATEGORY,
    Attributes,
    Brands,
    Categories,
    as_number,
)
from shopgen.importers.shop_folder import ShopFolder
from shopgen.importers.transaction import ShopChanges
from shopgen.importers.yaml_out import Inline, dump_yaml

MAX_NAME, MAX_DESCRIPTION = 200, 20_000  # the catalog's limits (catalog/products.py)
FIELD_ORDER = ["sku", "name", "brand", "category", "description", "colours", "sizes", "images",
               "in_stock", "added", "attributes", "price", "compare_at_price", "prices"]


@dataclass
class ImportSummary:
    """What an import did, for the closing message."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: int = 0
    absent: list[str] = field(default_factory=list)  # in the shop, not in the file
    pruned: list[str] = field(default_factory=list)
    pruned_images: list[str] = field(default_factory=list)  # "images/x.jpg", used by no one else
    warnings: list[str] = field(default_factory=list)
    files_written: int = 0
    # Every product file after the import → its fields (for the next import's index).
    product_fields: dict[str, dict] = field(default_factory=dict, repr=False)

    def line(self) -> str:
        """`3 added, 1 changed, 10 unchanged, 2 skipped, 0 pruned`."""
        return (f"{len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.unchanged)} unchanged, {self.skipped} skipped, "
                f"{len(self.pruned)} pruned")


def plan_merge(shop: ShopFolder, imported: ImportedCatalog, images: ImageFiles,
               currency: str, today: dt.date, prune: bool) -> tuple[ShopChanges, ImportSummary]:
    """Every file the import writes or deletes, and its summary; raises ImportFileError
    (nothing planned) when a product cannot be written."""
    problems = Problems()
    brands = Brands(shop.brands, imported.brand_names)
    categories = Categories(shop.categories, imported.category_names)
    attributes = Attributes(shop.attributes)
    attributes.create_all(_attribute_values(imported.products, attributes))
    digits = babel.numbers.get_currency_precision(currency)
    changes, summary = ShopChanges(dict(images.writes)), ImportSummary(skipped=imported.skipped)
    summary.warnings.extend(images.warnings)
    files = {p.file for p in shop.products.values()}
    context = _Context(brands, categories, attributes, digits, today, problems, imported.source,
                       summary.warnings)
    for product in imported.products:
        existing = shop.products.get(product.sku.lower())
        data = merged_product(existing.data if existing else None, product,
                              images.names.get(product.sku), context)
        if data is None:
            continue
        if existing is None:
            file = _new_file_name(product.sku, files)
            files.add(file)
            changes.writes[file] = dump_yaml(data).encode()
            summary.added.append(product.sku)
        elif _same(existing.data, data):
            file, data = existing.file, existing.data
            summary.unchanged.append(product.sku)
        else:
            file = existing.file
            changes.writes[file] = dump_yaml(data).encode()
            summary.changed.append(product.sku)
        summary.product_fields[file] = _normal(data)
    raise_if_problems(problems)
    imported_skus = {p.sku.lower() for p in imported.products}
    pruned = []
    for sku, existing in shop.products.items():
        if sku not in imported_skus:
            summary.absent.append(str(existing.data["sku"]))
            if prune:
                changes.deletes.append(existing.file)
                summary.pruned.append(str(existing.data["sku"]))
                pruned.append(existing.data)
            else:
                summary.product_fields[existing.file] = existing.data
    summary.pruned_images = _unused_pictures(pruned, summary.product_fields.values())
    changes.deletes.extend(summary.pruned_images)
    _append_new(changes, shop, "brands", brands.new)
    _append_new(changes, shop, "categories", categories.new)
    _append_new(changes, shop, "attributes", attributes.new)
    summary.files_written = len(changes.writes) + len(changes.deletes)
    return changes, summary


def _picture_names(data: dict) -> set[str]:
    images = data.get("images")
    return {name for name in images if isinstance(name, str)} if isinstance(images, list) else set()


def _unused_pictures(pruned: list[dict], kept: Iterable[dict]) -> list[str]:
    """The pruned products' pictures (as "images/NAME") that no kept product shows."""
    used = set().union(*map(_picture_names, kept))
    names = set().union(*map(_picture_names, pruned)) - used
    return sorted(f"images/{name}" for name in names if "/" not in name and "\\" not in name
                  and not name.startswith("."))


@dataclass
class _Context:
    brands: Brands
    categories: Categories
    attributes: Attributes
    digits: int
    today: dt.date
    problems: Problems
    source: str
    warnings: list[str] = field(default_factory=list)


def _attribute_values(products, attributes: Attributes) -> dict[str, list]:
    values: dict[str, list] = {}
    for product in products:
        for key, value in product.attributes.items():
            if attributes.find(key) is None:
                values.setdefault(key, []).append(value)
    return values


def merged_product(existing: dict | None, p: ImportedProduct, images: tuple[str, ...] | None,
                   c: _Context) -> dict | None:
    """The product file's data: the existing file's fields, overwritten by what the import
    carries; None (and a problem) when it cannot make a valid product."""
    data: dict[str, Any] = dict(existing or {})
    data["sku"] = p.sku
    if p.name is not None:
        data["name"] = p.name
    if p.brand is not None or "brand" not in data:
        data["brand"] = c.brands.resolve(p.brand or DEFAULT_BRAND)
    if p.category is not None or "category" not in data:
        data["category"] = c.categories.resolve(p.category or (DEFAULT_CATEGORY,))
    if p.name is not None and len(p.name) > MAX_NAME:
        c.problems.add(c.source, p.row, f"the name of {p.sku!r} is longer than {MAX_NAME} "
                       "characters")
        return None
    if p.description and len(p.description) > MAX_DESCRIPTION:
        c.warnings.append(f"{p.sku}: the description was cut to {MAX_DESCRIPTION} characters")
        data["description"] = p.description[:MAX_DESCRIPTION - 1].rstrip() + "…"
    elif p.description:
        data["description"] = p.description
    elif not data.get("description"):
        data["description"] = data.get("name") or p.sku  # the catalog wants some text
    for key, values in (("colours", p.colours), ("sizes", p.sizes), ("images", images)):
        if values is not None:
            data[key] = Inline(values)
        elif key not in data:
            data[key] = Inline()
    if p.in_stock is not None or "in_stock" not in data:
        data["in_stock"] = True if p.in_stock is None else p.in_stock
    if p.added is not None or "added" not in data:
        data["added"] = p.added or c.today
    ok = _merge_attributes(data, p, c)
    ok = _merge_price(data, p, c) and ok
    if "name" not in data:
        c.problems.add(c.source, p.row, f"product {p.sku!r} has no name")
        ok = False
    return _ordered(data) if ok else None


def _merge_attributes(data: dict, p: ImportedProduct, c: _Context) -> bool:
    if not p.attributes:
        return True
    values = dict(data.get("attributes") or {})
    ok = True
    for key, value in p.attributes.items():
        attribute = c.attributes.find(key)
        assert attribute is not None  # created beforehand
        ident = str(attribute["id"])
        if str(value).strip() == "":
            values.pop(ident, None)
        elif attribute.get("type") == "number":
            number = as_number(value)
            if number is None:
                c.problems.add(c.source, p.row, f"attribute {ident!r} must be a number, "
                               f"found {value!r}")
                ok = False
            else:
                values[ident] = number
        else:
            values[ident] = str(value).strip()
    if values:
        data["attributes"] = values
    else:
        data.pop("attributes", None)
    return ok


def _merge_price(data: dict, p: ImportedProduct, c: _Context) -> bool:
    if p.price is None:
        if "price" in data or "prices" in data:
            return True
        c.problems.add(c.source, p.row, f"missing price for new product {p.sku!r}")
        return False
    price = round_money(p.price, c.digits)
    compare = round_money(p.compare_at_price, c.digits) if p.compare_at_price else None
    if compare is not None and compare <= price:
        compare = None
    if "prices" in data and _current_price(data["prices"], c.today) == (price, compare):
        return True  # a hand-written price history that already says this: kept
    data.pop("prices", None)
    data["price"] = str(price)
    if compare is not None:
        data["compare_at_price"] = str(compare)
    else:
        data.pop("compare_at_price", None)
    return True


def _current_price(history: Any, today: dt.date) -> tuple[Decimal, Decimal | None] | None:
    try:
        current = max((e for e in history if e["effective"] <= today),
                      key=lambda e: e["effective"])
        compare = current.get("compare_at_price")
        return (Decimal(str(current["price"])),
                Decimal(str(compare)) if compare is not None else None)
    except (TypeError, KeyError, ValueError, ArithmeticError):
        return None


def _ordered(data: dict) -> dict:
    known = {k: data[k] for k in FIELD_ORDER if k in data}
    return {**known, **{k: v for k, v in data.items() if k not in known}}


def _same(old: dict, new: dict) -> bool:
    """Equal as the catalog reads them: "129" and "129.00" are the same price."""
    return _prices(_normal(old)) == _prices(_normal(new))


def _normal(data: dict) -> dict:
    """Plain lists and dicts (what parsing the written file gives back)."""
    return {k: list(v) if isinstance(v, list) else v for k, v in data.items()}


def _prices(data: dict) -> dict:
    normal = dict(data)
    for key in ("price", "compare_at_price"):
        if key in normal:
            try:
                normal[key] = Decimal(str(normal[key]))
            except ArithmeticError:
                pass
    return normal


def _new_file_name(sku: str, taken: set[str]) -> str:
    stem, n = sku.lower(), 2
    name = f"products/{stem}.yaml"
    while name in taken:
        name, n = f"products/{stem}-{n}.yaml", n + 1
    return name


def _append_new(changes: ShopChanges, shop: ShopFolder, name: str, entries: list[dict]) -> None:
    """New entries go at the end of the file; what is written there stays as it is."""
    if not entries:
        return
    text = shop.texts.get(name, "")
    if len(entries) == len(getattr(shop, name)):  # the file held no entry ("[]" or comments)
        text = "".join(line for line in text.splitlines(keepends=True)
                       if line.lstrip().startswith("#"))
    if text and not text.endswith("\n"):
        text += "\n"
    heading = "" if text else f"# {name.capitalize()} (written by `shopgen import`).\n"
    changes.writes[f"{name}.yaml"] = (text + heading + dump_yaml(entries)).encode()
