"""`shopgen import sheet` and `shopgen export sheet`: the catalog as one spreadsheet.

The header row names the catalog's product fields (`sku, name, brand, category, price,
compare_at_price, description, colours, sizes, images, in_stock, added`) and `attribute:<id>`
columns; list cells are separated by `|`; brands and categories are given by id or by name.
The export adds `brand_name` and `category_path` (names, root first, joined by " > "), which the
import uses only to name a brand or category it must create — so exporting a shop and importing
the sheet into a new folder gives the same catalog.

`.xlsx` is read and written with openpyxl. Its numeric cells arrive as binary floats: a price
is taken from `str(value)` (the shortest text that gives back the same float, i.e. what was
typed) and rounded to the currency's minor unit when merged, so money never computes in float.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopgen.atomic_files import atomic_write
from shopgen.catalog import Catalog
from shopgen.config.fields import Problems, did_you_mean
from shopgen.errors import ShopgenError
from shopgen.importers.model import (
    ImportedCatalog,
    ImportedProduct,
    check_sku,
    money_cell,
    raise_if_problems,
    unique,
)

FIELDS = ["sku", "name", "brand", "brand_name", "category", "category_path", "price",
          "compare_at_price", "description", "colours", "sizes", "images", "in_stock", "added"]
ATTRIBUTE_PREFIX = "attribute:"
LIST_SEPARATOR = "|"
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}

Cell = Any  # str, int, float, bool, datetime or None (openpyxl's cell values)


def read_sheet(path: Path) -> ImportedCatalog:
    """Read a .csv or .xlsx catalog sheet; every bad row is a FILE:ROW problem."""
    path = Path(path)
    header, rows = _read_rows(path)
    source, problems = path.name, Problems()
    _check_header(header, source, problems)
    raise_if_problems(problems)
    products: list[ImportedProduct] = []
    brand_names: dict[str, str] = {}
    category_paths: dict[str, tuple[str, ...]] = {}
    seen: dict[str, int] = {}
    for number, row in rows:
        product = _read_product(row, header, number, source, problems)
        if product is None:
            continue
        if product.sku.lower() in seen:
            problems.add(source, number, f"duplicate SKU {product.sku!r} (also on row "
                         f"{seen[product.sku.lower()]})")
            continue
        seen[product.sku.lower()] = number
        products.append(product)
        if product.brand and _text(row.get("brand_name")):
            brand_names[product.brand] = _text(row["brand_name"])
        path_names = _path(_text(row.get("category_path")))
        if product.category and len(product.category) == 1 and path_names:
            category_paths[product.category[0]] = path_names
    raise_if_problems(problems)
    return ImportedCatalog(source, tuple(products), images_base=str(path.parent),
                           brand_names=brand_names, category_names=category_paths)


def _read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Cell]]]]:
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() in (".csv", ".txt"):
        from shopgen.importers.tables import read_table

        return read_table(path)
    raise ShopgenError(f"{path.name}: a sheet must be a .csv or .xlsx file")


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Cell]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise ShopgenError(f"{path.name} cannot be read as .xlsx ({error})") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_text(c) for c in next(lines, ())]

    def rows() -> Iterator[tuple[int, dict[str, Cell]]]:
        for number, cells in enumerate(lines, start=2):
            if all(_text(c) == "" for c in cells):
                continue
            yield number, {name: cells[i] if i < len(cells) else None
                           for i, name in enumerate(header) if name}
        book.close()

    return header, rows()


def _check_header(header: list[str], source: str, problems: Problems) -> None:
    if "sku" not in header:
        problems.add(source, 1, "no sku column (the header row names the product fields)")
    for name in header:
        if name and name not in FIELDS and not name.startswith(ATTRIBUTE_PREFIX):
            problems.add(source, 1, f"unknown column {name!r}{did_you_mean(name, FIELDS)}")
        elif name.startswith(ATTRIBUTE_PREFIX) and not name[len(ATTRIBUTE_PREFIX):].strip():
            problems.add(source, 1, "an attribute: column must name the attribute's id")


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _path(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(">") if part.strip())


def _read_product(row: dict[str, Cell], header: list[str], number: int, source: str,
                  problems: Problems) -> ImportedProduct | None:
    sku = _text(row.get("sku"))
    if not sku:
        problems.add(source, number, "missing sku")
        return None
    count = len(problems)
    check_sku(sku, problems, source, number)
    carried = set(header)

    def optional(column: str) -> str | None:
        return (_text(row.get(column)) or None) if column in carried else None

    def listed(column: str) -> tuple[str, ...] | None:
        if column not in carried:
            return None
        return unique(_text(row.get(column)).split(LIST_SEPARATOR))

    category = optional("category")
    product = ImportedProduct(
        sku=sku, row=number, name=optional("name"), brand=optional("brand"),
        category=_path(category) if category else None,
        description=optional("description"), colours=listed("colours"), sizes=listed("sizes"),
        images=listed("images"),
        in_stock=_boolean(row.get("in_stock"), number, source, problems)
        if "in_stock" in carried else None,
        added=_date(row.get("added"), number, source, problems) if "added" in carried else None,
        attributes={name[len(ATTRIBUTE_PREFIX):].strip(): _attribute_value(row.get(name))
                    for name in header if name.startswith(ATTRIBUTE_PREFIX)},
        price=_money(row, "price", number, source, problems, "price" in carried),
        compare_at_price=_money(row, "compare_at_price", number, source, problems, False),
    )
    return product if len(problems) == count else None


def _money(row: dict[str, Cell], column: str, number: int, source: str, problems: Problems,
           required: bool) -> Decimal | None:
    value = row.get(column)
    if isinstance(value, bool):
        problems.add(source, number, f"{column} must be a number, found {value}")
        return None
    # str(float): the digits typed, not the binary expansion
    text = str(value) if isinstance(value, int | float) else _text(value)
    return money_cell(text, column, source, number, problems, required=required)


def _boolean(value: Cell, number: int, source: str, problems: Problems) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in TRUE or text in FALSE:
        return text in TRUE
    problems.add(source, number, f"in_stock must be true or false, found {text!r}")
    return None


def _date(value: Cell, number: int, source: str, problems: Problems) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.add(source, number, f"added must be a date like 2026-11-24, found {text!r}")
        return None


NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


def _attribute_value(value: Cell) -> str | Decimal:
    """A number cell (or text that is plainly a number) as Decimal, anything else as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    text = _text(value)
    return Decimal(text) if NUMBER.fullmatch(text) else text


# --- export ------------------------------------------------------------------------------


def sheet_rows(catalog: Catalog, images_from: Path) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per product; image paths relative to `images_from`."""
    header = [*FIELDS, *(f"{ATTRIBUTE_PREFIX}{a.id}" for a in catalog.attributes)]
    rows = []
    for p in catalog.products:
        path = " > ".join(c.name for c in catalog.category_path(p.category))
        images = [Path(os.path.relpath(catalog.images_dir / name, images_from)).as_posix()
                  for name in p.images]
        rows.append([
            p.sku, p.name, p.brand, catalog.brand[p.brand].name, p.category, path,
            p.price.amount, p.price.compare_at, p.description, LIST_SEPARATOR.join(p.colours),
            LIST_SEPARATOR.join(p.sizes), LIST_SEPARATOR.join(images),
            "true" if p.in_stock else "false", p.added,
            *(p.attributes.get(a.id) for a in catalog.attributes)])
    return header, rows


def write_sheet(catalog: Catalog, out: Path) -> int:
    """Write the catalog as a .csv (UTF-8 with a byte-order mark, for Excel) or .xlsx sheet;
    returns the number of products."""
    header, rows = sheet_rows(catalog, out.resolve().parent)
    if out.suffix.lower() == ".xlsx":
        content = _xlsx_bytes(header, rows)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        content = buffer.getvalue().encode("utf-8-sig")
    with atomic_write(out) as handle:
        handle.write(content)
    return len(rows)


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(header)
    for row in rows:
        sheet.append([str(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
