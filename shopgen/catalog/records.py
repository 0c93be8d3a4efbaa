"""The catalog: `catalog_data/` YAML read into frozen dataclasses, with every problem listed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from shopgen.catalog.image_files import image_file_problem
from shopgen.catalog.model import Attribute, Brand, Catalog, Category
from shopgen.catalog.page_address import product_page
from shopgen.catalog.products import load_products
from shopgen.config.fields import Problems, Record, did_you_mean, kind_of, read_catalog_file
from shopgen.config.shop_yaml import read_shop_settings, shop_from_settings
from shopgen.config.yaml_source import LineList
from shopgen.errors import CatalogError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Far deeper than any shop's menu (Google's product taxonomy has 7 levels), and shallow enough
# for every page and script that walks the tree.
MAX_CATEGORY_DEPTH = 20


def load_catalog(site_dir: Path, today: dt.date | None = None, *,
                 cache_dir: Path | None = None) -> Catalog:
    """Read and validate the whole catalog; raise CatalogError listing every problem.

    With `cache_dir`, product files unchanged since an earlier call are not parsed again
    (same result, same problems)."""
    site_dir = Path(site_dir)
    today = today or dt.date.today()
    problems = Problems()
    settings = read_shop_settings(site_dir, problems)
    before = len(problems)
    brands = tuple(_load_list(site_dir, "brands.yaml", _read_brand, problems))
    brands_read = len(problems) == before
    before = len(problems)
    categories = tuple(_load_list(site_dir, "categories.yaml", _read_category, problems))
    categories_read = len(problems) == before
    attributes = tuple(
        _load_list(site_dir, "attributes.yaml", _read_attribute, problems, required=False)
    )
    currency = settings["currency"] if settings is not None else None
    products = tuple(load_products(site_dir, today, attributes, problems, currency,
                                    cache_dir))
    _check_ids(brands, "brands.yaml", "brand", problems)
    _check_ids(categories, "categories.yaml", "category", problems)
    _check_category_tree(categories, problems)
    # A broken brands.yaml or categories.yaml is one problem, not one more in every product.
    _check_products(products, brands if brands_read else None,
                    categories if categories_read else None, site_dir / "images", problems)
    if problems:
        raise CatalogError(problems.items)
    assert settings is not None
    return Catalog(shop_from_settings(settings), _records(brands), _records(categories),
                   _records(attributes), _records(products), today, site_dir / "images")


# --- files -------------------------------------------------------------------------------


def _load_list(site_dir, name, read_one, problems, required=True):
    data = read_catalog_file(site_dir, name, problems, required)
    if data is None:
        return []
    if not isinstance(data, LineList):
        problems.add(name, getattr(data, "line", 1),
                     f"expected a list of entries (each one starting with `- id:`), "
                     f"found {kind_of(data)}")
        return []
    records = []
    for item, line in zip(data, data.item_lines, strict=True):
        record = Record(item, name, problems, line)
        value = read_one(record)
        if record.ok and value is not None:
            records.append((value, record.mapping))
    return records


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

# --- cross-record checks (only on records whose own fields passed) -------------------------


def _check_ids(records, file: str, what: str, problems: Problems) -> None:
    seen: set[str] = set()
    for record, mapping in records:
        if record.id in seen:
            problems.add(file, mapping.line_of("id"), f"duplicate {what} id {record.id!r}")
        seen.add(record.id)


def _check_category_tree(categories, problems: Problems) -> None:
    """Every parent exists, no category is its own ancestor, the tree is not too deep."""
    parents = {c.id: c.parent for c, _mapping in categories}
    lines = {c.id: mapping.line_of("parent") for c, mapping in categories}
    found: list[tuple[int, str]] = []
    for ident, parent in parents.items():
        if parent is not None and parent not in parents:
            found.append((lines[ident], f"unknown parent category {parent!r}"
                                        f"{did_you_mean(parent, parents)}"))
    for loop in _category_loops(parents):
        path = " → ".join(repr(c) for c in [*loop, loop[0]])
        found.append((lines[loop[0]], f"category {loop[0]!r} is its own ancestor ({path})"))
    depth = _category_depths(parents)
    for ident, parent in parents.items():
        # Only where the tree first gets too deep: one problem for a branch, not one for
        # every category under it.
        if depth.get(ident, 0) > MAX_CATEGORY_DEPTH >= depth.get(parent, 0):
            found.append((lines[ident], f"category {ident!r} is nested {depth[ident]} levels "
                                        f"deep (at most {MAX_CATEGORY_DEPTH})"))
    for line, message in sorted(found, key=lambda item: item[0]):
        problems.add("categories.yaml", line, message)


def _category_loops(parents: dict[str, str | None]) -> list[list[str]]:
    """Each loop of parent links once, starting at its first category in the file."""
    order = {ident: index for index, ident in enumerate(parents)}
    loops: list[list[str]] = []
    done: set[str] = set()
    for start in parents:
        trail: list[str] = []
        current: str | None = start
        while current in parents and current not in done and current not in trail:
            trail.append(current)
            current = parents[current]
        if current in trail:  # walked back into this trail: the part from there is a loop
            loop = trail[trail.index(current):]
            first = loop.index(min(loop, key=order.__getitem__))
            loops.append(loop[first:] + loop[:first])
        done.update(trail)
    return loops


def _category_depths(parents: dict[str, str | None]) -> dict[str, int]:
    """How deep each category sits (a root is 1), without recursion: chains can be long.
    Categories in or under a loop get no depth (the loop is reported on its own)."""
    depth: dict[str, int] = {}
    for start in parents:
        trail: list[str] = []
        current: str | None = start
        while current in parents and current not in depth and current not in trail:
            trail.append(current)
            current = parents[current]
        if current in trail:  # a loop: leave the trail undefined
            continue
        base = depth.get(current, 0) if current is not None else 0
        for offset, ident in enumerate(reversed(trail), start=1):
            depth[ident] = base + offset
    return depth


def _check_products(products, brands, categories, images_dir: Path, problems: Problems) -> None:
    """SKUs, pictures, and brand and category references (skipped for a list that could not
    be read whole: None)."""
    brand_ids = {b.id for b, _ in brands} if brands is not None else None
    category_ids = {c.id for c, _ in categories} if categories is not None else None
    _check_skus(products, problems)
    image_problems: dict[str, str | None] = {}  # products often share pictures: check each once
    for product, data_lines in products:
        file = product.source
        if brand_ids is not None and product.brand not in brand_ids:
            problems.add(file, data_lines.line_of("brand"),
                         f"unknown brand {product.brand!r}{did_you_mean(product.brand, brand_ids)}")
        if category_ids is not None and product.category not in category_ids:
            hint = did_you_mean(product.category, category_ids)
            problems.add(file, data_lines.line_of("category"),
                         f"unknown category {product.category!r}{hint}")
        for image in product.images:
            if image not in image_problems:
                image_problems[image] = image_file_problem(images_dir, image)
            if problem := image_problems[image]:
                problems.add(file, data_lines.line_of("images"), f"image {image!r} {problem}")


def _check_skus(products, problems: Problems) -> None:
    """No two products share a SKU (in any case) or a page: a card would open the other one."""
    by_sku: dict[str, tuple[str, int]] = {}
    by_page: dict[str, tuple[str, str, int]] = {}
    for product, data_lines in products:
        where = (product.source, data_lines.line_of("sku"))
        page = product_page(product.sku)
        if product.sku.lower() in by_sku:
            first_file, _line = by_sku[product.sku.lower()]
            problems.add(*where, f"duplicate sku {product.sku!r} (also in {first_file})")
        elif page in by_page:
            sku, first_file, first_line = by_page[page]
            problems.add(*where, f"sku {product.sku!r} gets the same page address ({page}) as "
                         f"sku {sku!r} in {first_file}:{first_line}: make the SKUs differ by "
                         "more than case or punctuation")
        by_sku.setdefault(product.sku.lower(), where)
        by_page.setdefault(page, (product.sku, *where))


def _records(pairs) -> tuple:
    """Drop the source mappings kept for cross-record checks."""
    return tuple(record for record, _mapping in pairs)
