"""The catalog: `catalog_data/` YAML read into frozen dataclasses, with every problem listed."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, partial
from pathlib import Path

import babel
import babel.numbers

from shopgen.errors import CatalogError
from shopgen.fields import Problems, Record, did_you_mean
from shopgen.yaml_source import LineList, LineMap, YamlSyntaxError, read_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(jpe?g|png|webp)$", re.IGNORECASE)


@dataclass(frozen=True)
class Shop:
    name: str
    currency: str
    locale: str
    phone: str
    hours: str
    base_url: str
    tracker_endpoint: str = "/api/events"
    publish: Mapping[str, str] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    first_load_budget_kb: int = 100


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


def load_catalog(site_dir: Path, today: dt.date | None = None) -> Catalog:
    """Read and validate the whole catalog; raise CatalogError listing every problem."""
    site_dir = Path(site_dir)
    today = today or dt.date.today()
    problems = Problems()
    shop = _load_shop(site_dir, problems)
    brands = tuple(_load_list(site_dir, "brands.yaml", _read_brand, problems))
    categories = tuple(_load_list(site_dir, "categories.yaml", _read_category, problems))
    attributes = tuple(
        _load_list(site_dir, "attributes.yaml", _read_attribute, problems, required=False)
    )
    products = tuple(_load_products(site_dir, today, attributes, problems))
    _check_ids(brands, "brands.yaml", "brand", problems)
    _check_ids(categories, "categories.yaml", "category", problems)
    _check_category_tree(categories, problems)
    _check_products(products, brands, categories, site_dir / "images", problems)
    if problems:
        raise CatalogError(problems.items)
    assert shop is not None
    return Catalog(shop, _records(brands), _records(categories), _records(attributes),
                   _records(products), today, site_dir / "images")


def load_shop(site_dir: Path) -> Shop:
    """Only shop.yaml's settings (for commands that need no products)."""
    problems = Problems()
    shop = _load_shop(Path(site_dir), problems)
    if problems:
        raise CatalogError(problems.items)
    return shop


# --- files -------------------------------------------------------------------------------


def _read_file(site_dir: Path, name: str, problems: Problems, required: bool = True):
    path = site_dir / name
    if not path.exists():
        if required:
            problems.add(name, 1, "file is missing")
        return None
    try:
        return read_yaml(path)
    except YamlSyntaxError as error:
        problems.add(name, error.line, str(error))
    except UnicodeDecodeError:
        problems.add(name, 1, "file is not UTF-8 text")
    return None


def _load_list(site_dir, name, read_one, problems, required=True):
    data = _read_file(site_dir, name, problems, required)
    if data is None:
        return []
    if not isinstance(data, LineList):
        problems.add(name, getattr(data, "line", 1), "expected a list of entries")
        return []
    records = []
    for item, line in zip(data, data.item_lines, strict=True):
        record = Record(item, name, problems, line)
        value = read_one(record)
        if record.ok and value is not None:
            records.append((value, record.mapping))
    return records


def _load_shop(site_dir: Path, problems: Problems) -> Shop | None:
    data = _read_file(site_dir, "shop.yaml", problems)
    if data is None:
        return None
    r = Record(data, "shop.yaml", problems)
    r.check_keys(["name", "currency", "locale", "call_centre", "base_url", "tracker",
                  "publish", "search", "budget"])
    name, currency, locale = r.text("name"), r.text("currency"), r.text("locale")
    if currency and currency not in babel.numbers.list_currencies():
        r.fail(r.line("currency"), f"currency {currency!r} is not an ISO 4217 code like EUR")
    if locale:
        try:
            babel.Locale.parse(locale, sep="-" if "-" in locale else "_")
        except (ValueError, babel.UnknownLocaleError):
            r.fail(r.line("locale"), f"locale {locale!r} is unknown (write it like en-IE)")
    phone = hours = None
    centre = r.mapping_field("call_centre")
    if centre is None:
        r.fail(r.line("call_centre"), "missing required field 'call_centre' (phone, hours)")
    else:
        c = Record(centre, "shop.yaml", problems)
        c.check_keys(["phone", "hours"])
        phone, hours = c.text("phone"), c.text("hours", required=False) or ""
        if phone and not re.fullmatch(r"\+?[0-9][0-9 ().-]{3,30}", phone):
            c.fail(c.line("phone"), f"phone {phone!r} is not a phone number like +353 1 555 0142")
        r.ok = r.ok and c.ok
    base_url = r.text("base_url")
    if base_url and not re.match(r"^https?://[^/\s]+", base_url):
        r.fail(r.line("base_url"), "base_url must start with https:// (the shop's address)")
    endpoint = "/api/events"
    if (tracker := r.mapping_field("tracker")) is not None:
        t = Record(tracker, "shop.yaml", problems)
        t.check_keys(["endpoint"])
        endpoint = t.text("endpoint", required=False) or endpoint
        r.ok = r.ok and t.ok
    publish: dict[str, str] = {}
    if (block := r.mapping_field("publish")) is not None:
        p = Record(block, "shop.yaml", problems)
        keys = ["bucket", "region", "distribution_id", "prefix"]
        p.check_keys(keys)
        publish = {k: v for k in keys if (v := p.text(k, required=False)) is not None}
        r.ok = r.ok and p.ok
    synonyms = _read_synonyms(r, problems)
    budget_kb = 100
    if (budget := r.mapping_field("budget")) is not None:
        b = Record(budget, "shop.yaml", problems)
        b.check_keys(["first_load_kb"])
        value = budget.get("first_load_kb", budget_kb)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            b.fail(b.line("first_load_kb"), "first_load_kb must be a whole number above 0")
        else:
            budget_kb = value
        r.ok = r.ok and b.ok
    if not r.ok:
        return None
    return Shop(name, currency, locale, phone, hours, base_url.rstrip("/") + "/", endpoint,
                publish, synonyms, budget_kb)


def _read_synonyms(r: Record, problems: Problems) -> dict[str, tuple[str, ...]]:
    search = r.mapping_field("search")
    if search is None:
        return {}
    s = Record(search, "shop.yaml", problems)
    s.check_keys(["synonyms"])
    table = s.mapping_field("synonyms")
    synonyms: dict[str, tuple[str, ...]] = {}
    for word in table or {}:
        words = Record(table, "shop.yaml", problems).text_list(word)
        if not words:
            s.fail(table.line_of(word), f"synonyms for {word!r} must be a list of words")
        synonyms[str(word).lower()] = tuple(w.lower() for w in words)
    r.ok = r.ok and s.ok
    return synonyms


def _read_brand(r: Record) -> Brand | None:
    r.check_keys(["id", "name", "description"])
    ident, name = _read_id(r), r.text("name", max_length=200)
    description = r.text("description", required=False) or ""
    return Brand(ident, name, description) if r.ok else None


def _read_category(r: Record) -> Category | None:
    r.check_keys(["id", "name", "description", "parent"])
    ident, name = _read_id(r), r.text("name", max_length=200)
    description = r.text("description", required=False) or ""
    parent = r.text("parent", required=False)
    return Category(ident, name, description, parent) if r.ok else None


def _read_attribute(r: Record) -> Attribute | None:
    r.check_keys(["id", "name", "type", "unit", "facet"])
    ident, name = _read_id(r), r.text("name", max_length=200)
    kind = r.text("type")
    if kind and kind not in ("text", "number"):
        r.fail(r.line("type"), f"type must be text or number, found {kind!r}")
    unit = r.text("unit", required=False)
    facet = r.boolean("facet", required=False)
    if facet and ident in ("brand", "colour", "category", "size", "q", "min", "max", "stock",
                           "sort", "product"):
        r.fail(r.line("id"), f"attribute id {ident!r} is taken by a built-in filter")
    return Attribute(ident, name, kind, unit, facet) if r.ok else None


def _read_id(r: Record) -> str | None:
    ident = r.text("id", max_length=64)
    if ident is not None and not ID_PATTERN.match(ident):
        r.fail(r.line("id"), f"id {ident!r} must be lower-case letters, digits, - or _")
        return None
    return ident


# --- products ----------------------------------------------------------------------------

PRODUCT_FIELDS = ["sku", "name", "brand", "category", "description", "colours", "sizes",
                  "images", "in_stock", "added", "attributes", "price", "compare_at_price",
                  "prices"]


PARALLEL_FROM = 400  # product files; below this, starting worker processes costs more


def _load_products(site_dir, today, attributes, problems):
    folder = site_dir / "products"
    names = sorted(f"products/{p.name}" for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not names:
        problems.add("products/", 1, "no product files (products/*.yaml)")
    by_id = {a.id: a for a, _mapping in attributes}
    read = partial(_read_product_files, site_dir, today, by_id)
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
                        names: list[str]) -> tuple[list, list[str]]:
    """Read some product files: (product, its key lines) pairs and the problems found."""
    problems = Problems()
    products = []
    for name in names:
        data = _read_file(site_dir, name, problems)
        if data is None:
            continue
        r = Record(data, name, problems)
        product = _read_product(r, today, attributes)
        if r.ok and product is not None:
            lines = LineMap()  # only the lines travel back, not the whole parsed file
            lines.line, lines.key_lines = r.mapping.line, r.mapping.key_lines
            products.append((product, lines))
    return products, problems.items


def _read_product(r: Record, today: dt.date, attributes: dict[str, Attribute]) -> Product | None:
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
        if not IMAGE_NAME.match(image):
            r.fail(r.line("images"), f"image {image!r} must be a .jpg, .png or .webp file name "
                   "under images/ (no folders)")
    in_stock = r.boolean("in_stock", default=True, required=False)
    added = r.date("added")
    values = _read_attribute_values(r, attributes)
    price, next_price = _read_price(r, today)
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
            r.fail(line, f"attribute {key!r} must be a number, found {value!r}")
        elif attribute.type == "text" and (isinstance(value, bool)
                                           or not isinstance(value, str | int | Decimal)):
            r.fail(line, f"attribute {key!r} must be text, found {value!r}")
        else:
            values[key] = str(value).strip() if attribute.type == "text" else value
    return values


def _read_price(r: Record, today: dt.date) -> tuple[Price | None, Price | None]:
    has_price, has_history = "price" in r.mapping, "prices" in r.mapping
    if has_price and has_history:
        r.fail(r.line("prices"), "write either price or prices, not both")
        return None, None
    if not has_history:
        if not has_price:
            r.fail(r.mapping.line, "missing required field 'price' (or a 'prices' history)")
            return None, None
        return _read_price_point(r, with_date=False), None
    history = r.mapping["prices"]
    if not isinstance(history, LineList) or not history:
        r.fail(r.line("prices"), "prices must be a list of {price, effective} entries")
        return None, None
    points: list[Price] = []
    for item, line in zip(history, history.item_lines, strict=True):
        entry = Record(item, r.file, r.problems, line)
        point = _read_price_point(entry, with_date=True)
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


def _read_price_point(r: Record, with_date: bool) -> Price | None:
    r.check_keys(["price", "compare_at_price", "effective"] if with_date
                 else [k for k in PRODUCT_FIELDS])
    amount = r.money("price")
    compare_at = r.money("compare_at_price", required=False)
    if amount is not None and compare_at is not None and compare_at <= amount:
        r.fail(r.line("compare_at_price"), "compare_at_price must be greater than price")
    effective = r.date("effective") if with_date else None
    if not r.ok:
        return None
    return Price(amount, compare_at, effective)


# --- cross-record checks (only on records whose own fields passed) -------------------------


def _check_ids(records, file: str, what: str, problems: Problems) -> None:
    seen: set[str] = set()
    for record, mapping in records:
        if record.id in seen:
            problems.add(file, mapping.line_of("id"), f"duplicate {what} id {record.id!r}")
        seen.add(record.id)


def _check_category_tree(categories, problems: Problems) -> None:
    parents = {c.id: c.parent for c, _line in categories}
    for category, mapping in categories:
        line = mapping.line_of("parent")
        if category.parent is None:
            continue
        if category.parent not in parents:
            hint = did_you_mean(category.parent, parents)
            problems.add("categories.yaml", line,
                         f"unknown parent category {category.parent!r}{hint}")
            continue
        seen, current = {category.id}, category.parent
        while current is not None and current in parents:
            if current in seen:
                problems.add("categories.yaml", line,
                             f"category {category.id!r} is its own ancestor")
                break
            seen.add(current)
            current = parents[current]


def _check_products(products, brands, categories, images_dir: Path, problems: Problems) -> None:
    brand_ids = {b.id for b, _ in brands}
    category_ids = {c.id for c, _ in categories}
    skus: dict[str, str] = {}
    for product, data_lines in products:
        file = product.source
        if product.sku.lower() in skus:
            problems.add(file, data_lines.line_of("sku"),
                         f"duplicate sku {product.sku!r} (also in {skus[product.sku.lower()]})")
        skus.setdefault(product.sku.lower(), file)
        if product.brand not in brand_ids:
            problems.add(file, data_lines.line_of("brand"),
                         f"unknown brand {product.brand!r}{did_you_mean(product.brand, brand_ids)}")
        if product.category not in category_ids:
            hint = did_you_mean(product.category, category_ids)
            problems.add(file, data_lines.line_of("category"),
                         f"unknown category {product.category!r}{hint}")
        for image in product.images:
            if not (images_dir / image).is_file():
                problems.add(file, data_lines.line_of("images"),
                             f"image {image!r} not found in images/")


def _records(pairs) -> tuple:
    """Drop the source mappings kept for cross-record checks."""
    return tuple(record for record, _mapping in pairs)
