"""The data files the page filters and sorts with (no search text: that is the index).

Two files, so that a search's first results need only the small one: the page's data
(`build_browser_data`: currency, locale, the facets and their catalog counts, the SKUs, and
where the rest is), fetched before the page is usable; and the columns (`build_columns`: names,
prices, stock, dates, facet values), fetched when filtering, sorting or counting needs them or
once the page is idle. A result's card comes from a small file of a few cards (cards.py).

Products are columns, not one object each: a list per field, in catalog order, facet values
as small integers (positions in the facet's `values`), dates as day numbers, SKUs front-coded
(each as the length it shares with the previous one and the rest: codes are mostly sequential,
and "BX-00041", "BX-00042" cost a few bytes instead of gzip's 2 per code). The page turns
them back into records (templates/js/model.js).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import babel.numbers

from shopgen.catalog import Catalog


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount in the currency's smallest unit (cents for EUR, yen for JPY)."""
    return int(amount.scaleb(babel.numbers.get_currency_precision(currency)).to_integral_value())


@dataclass(frozen=True)
class FacetValue:
    id: str
    label: str
    count: int
    depth: int = 0
    parent: str | None = None


@dataclass(frozen=True)
class Facet:
    """A filter group: text values (checkboxes), a category tree, or a number range."""

    id: str
    name: str
    kind: str  # "text" | "tree" | "number"
    values: tuple[FacetValue, ...] = ()
    unit: str | None = None
    min: int | Decimal | None = None
    max: int | Decimal | None = None


def build_facets(catalog: Catalog) -> list[Facet]:
    """Brand, Colour, Category, Size, then each attribute marked `facet: true`."""
    products = catalog.products
    brands = Counter(p.brand for p in products)
    facets = [
        Facet("brand", "Brand", "text", tuple(FacetValue(b.id, b.name, brands[b.id])
                                              for b in catalog.brands if brands[b.id])),
        _text_facet("colour", "Colour", [p.colours for p in products]),
        Facet("category", "Category", "tree", _category_values(catalog)),
        _text_facet("size", "Size", [p.sizes for p in products]),
    ]
    for attribute in catalog.attributes:
        if not attribute.facet:
            continue
        values = [p.attributes[attribute.id] for p in products if attribute.id in p.attributes]
        if not values:
            continue
        if attribute.type == "number":
            facets.append(Facet(attribute.id, attribute.name, "number", unit=attribute.unit,
                                min=min(values), max=max(values)))
        else:
            facets.append(_text_facet(attribute.id, attribute.name, [[v] for v in values]))
    return [f for f in facets if f.kind == "number" or f.values]


def _text_facet(ident: str, name: str, lists: list) -> Facet:
    counts = Counter(value for values in lists for value in values)
    ordered = dict.fromkeys(value for values in lists for value in values)
    return Facet(ident, name, "text", tuple(FacetValue(str(v), str(v), counts[v]) for v in ordered))


def _category_values(catalog: Catalog) -> tuple[FacetValue, ...]:
    counts: Counter[str] = Counter()
    for product in catalog.products:
        for category in catalog.category_path(product.category):
            counts[category.id] += 1
    children: dict[str | None, list] = {}
    for category in catalog.categories:
        children.setdefault(category.parent, []).append(category)
    values: list[FacetValue] = []

    def walk(parent: str | None, depth: int) -> None:
        for category in children.get(parent, []):
            if counts[category.id]:
                values.append(FacetValue(category.id, category.name, counts[category.id],
                                         depth, category.parent))
                walk(category.id, depth + 1)

    walk(None, 0)
    return tuple(values)


def product_columns(catalog: Catalog, facets: list[Facet]) -> dict:
    """The products as columns: name, price, was (0: none), stock, added (days since
    1970-01-01), and for each facet the positions of its values (numbers as they are)."""
    currency = catalog.shop.currency
    products = catalog.products
    epoch = dt.date(1970, 1, 1)
    columns: dict = {
        "name": [p.name for p in products],
        "price": [minor_units(p.price.amount, currency) for p in products],
        "was": [0 if p.price.compare_at is None else minor_units(p.price.compare_at, currency)
                for p in products],
        "stock": [int(p.in_stock) for p in products],
        "added": [(p.added - epoch).days for p in products],
    }
    own = {"brand": lambda p: p.brand, "category": lambda p: p.category,
           "colour": lambda p: p.colours, "size": lambda p: p.sizes}
    attrs: dict = {}
    for facet in facets:
        if facet.kind == "number":
            attrs[facet.id] = [_plain(p.attributes.get(facet.id)) for p in products]
            continue
        position = {value.id: k for k, value in enumerate(facet.values)}
        if facet.id in own:
            values = [own[facet.id](p) for p in products]
            columns[facet.id] = [[position[str(v)] for v in value]
                                 if isinstance(value, tuple | list) else position[value]
                                 for value in values]
        else:
            attrs[facet.id] = [position.get(str(p.attributes[facet.id]), -1)
                               if facet.id in p.attributes else -1 for p in products]
    columns["attrs"] = attrs
    return columns


def front_coded(texts: list[str]) -> list[list]:
    """[[shared, …], [rest, …]]: each text as the number of leading characters (UTF-16 code
    units, as the page counts) it shares with the previous text, and the rest."""
    shared: list[int] = []
    rest: list[str] = []
    previous = b""
    for text in texts:
        units = text.encode("utf-16-le")
        n = 0
        limit = min(len(units), len(previous)) // 2
        while n < limit and units[2 * n:2 * n + 2] == previous[2 * n:2 * n + 2]:
            n += 1
        if n and 0xD8 <= units[2 * n - 1] <= 0xDB:  # never split a surrogate pair
            n -= 1
        shared.append(n)
        rest.append(units[2 * n:].decode("utf-16-le"))
        previous = units
    return [shared, rest]


def front_decoded(coded: list[list]) -> list[str]:
    """`front_coded`'s texts back, as the page decodes them (templates/js/model.js)."""
    texts = []
    previous = b""
    for shared, rest in zip(*coded, strict=True):
        previous = previous[:2 * shared] + rest.encode("utf-16-le")
        texts.append(previous.decode("utf-16-le"))
    return texts


def build_browser_data(catalog: Catalog, facets: list[Facet], columns: str,
                       cards: str, cards_per_file: int) -> dict:
    """The page's data file: currency, locale, facets (values with their catalog counts),
    the SKUs in catalog order (front-coded), the columns file's path (`build_columns`), the
    folder of the card files and how many products' cards each holds (cards.py: file n holds
    the positions from n × cards_per_file)."""
    return {
        "v": 5,
        "currency": catalog.shop.currency,
        "locale": catalog.shop.locale,
        "facets": [_facet_record(f) for f in facets],
        "n": len(catalog.products),
        "sku": front_coded([p.sku for p in catalog.products]),
        "columns": columns,
        "cards": cards,
        "cardsPerFile": cards_per_file,
    }


def build_columns(catalog: Catalog, facets: list[Facet], pictures: dict | None = None) -> dict:
    """The columns file: every product's name, price, stock, date and facet values, and the
    cards' pictures (cards.picture_column) when given."""
    columns = product_columns(catalog, facets)
    if pictures is not None:
        columns["pictures"] = pictures
    return {"v": 4, "n": len(catalog.products), "columns": columns}


def _facet_record(facet: Facet) -> dict:
    record: dict = {"id": facet.id, "name": facet.name, "kind": facet.kind}
    if facet.kind == "number":
        record.update(unit=facet.unit, min=_plain(facet.min), max=_plain(facet.max))
        return record
    record["values"] = [
        {"id": v.id, "label": v.label, "count": v.count,
         **({"parent": v.parent} if facet.kind == "tree" else {})}
        for v in facet.values
    ]
    return record


def _plain(value):
    """Numbers as JSON numbers (Decimal → int or float only at this edge, never for money)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def serialize_data(data: dict) -> bytes:
    """Deterministic compact JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
