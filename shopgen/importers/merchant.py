"""`shopgen import merchant`: a Google Merchant Center product feed (RSS 2.0 with the `g:`
namespace, or tab-separated with the attribute names as the header row).

Items sharing an `item_group_id` are the variants of one product (its SKU is the group id);
their colours and sizes are gathered, the lowest price wins, `sale_price` makes a promotion.
`product_type` (a `>` path) is the category; GTIN, MPN and condition become attributes. Prices
say their currency ("15.00 USD"); every one must be the shop's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from shopgen.config.fields import Problems
from shopgen.errors import ShopgenError
from shopgen.importers.html_text import html_to_text
from shopgen.importers.model import (
    ImportedCatalog,
    ImportedProduct,
    check_sku,
    parse_money,
    raise_if_problems,
    unique,
)

G = "http://base.google.com/ns/1.0"
# Anything else ("in_stock", "preorder", "backorder") can be ordered.
OUT_OF_STOCK = {"out_of_stock", "out of stock"}
LISTS = {"additional_image_link"}

Item = dict[str, str | list[str]]


@dataclass
class _Offer:
    row: int
    fields: Item
    price: Decimal | None
    regular: Decimal | None  # the price before the sale, when a sale applies


def read_merchant(path: Path, currency: str | None = None) -> ImportedCatalog:
    """Read a Merchant feed (.xml or .tsv). `currency` is the shop's, when it has one; every
    price must be in it (or, for a new shop, in the feed's first price's currency)."""
    path = Path(path)
    source, problems = path.name, Problems()
    if path.suffix.lower() in (".tsv", ".txt"):
        items, base_url = _tsv_items(path), None
    else:
        items, base_url = _xml_items(path)
    groups: dict[str, list[_Offer]] = {}
    ids: dict[str, int] = {}
    for row, item in items:
        ident = _one(item, "id")
        if not ident:
            problems.add(source, row, "missing id")
            continue
        if ident.lower() in ids:
            problems.add(source, row, f"duplicate id {ident!r} (also on row {ids[ident.lower()]})")
            continue
        ids[ident.lower()] = row
        price, regular, currency = _prices(item, row, source, problems, currency)
        group = _one(item, "item_group_id") or ident
        groups.setdefault(group, []).append(_Offer(row, item, price, regular))
    products = []
    for sku, offers in groups.items():
        product = _product(sku, offers, source, problems)
        if product is not None:
            products.append(product)
    raise_if_problems(problems)
    return ImportedCatalog(source, tuple(products), currency=currency, base_url=base_url,
                           images_base=str(path.parent))


def _xml_items(path: Path) -> tuple[Iterator[tuple[int, Item]], str | None]:
    # No DTDs, entities or network: a feed is data, never instructions to the parser.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as error:
        raise ShopgenError(f"{path.name}:{error.lineno}: not well-formed XML "
                           f"({error.msg})") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ShopgenError(f"{path.name}:{root.sourceline}: not an RSS 2.0 feed (<rss> with a "
                           "<channel>)")
    link = (channel.findtext("link") or "").strip()
    parts = urlsplit(link)
    base_url = f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") \
        and parts.netloc else None

    def items() -> Iterator[tuple[int, Item]]:
        for element in channel.iterfind("item"):
            item: Item = {}
            for child in element:
                if not isinstance(child.tag, str):
                    continue
                namespace, _, name = child.tag.rpartition("}")
                if namespace.strip("{") not in (G, ""):
                    continue
                _put(item, name, (child.text or "").strip())
            yield element.sourceline, item

    return items(), base_url


def _tsv_items(path: Path) -> Iterator[tuple[int, Item]]:
    from shopgen.importers.tables import read_table

    _header, rows = read_table(path, delimiter="\t")
    for number, row in rows:
        item: Item = {}
        for column, value in row.items():
            name = column.strip().removeprefix("g:").lower()
            values = value.split(",") if name in LISTS else [value]
            for one in values:
                _put(item, name, one.strip())
        yield number, item


def _put(item: Item, name: str, value: str) -> None:
    if name in LISTS:
        item.setdefault(name, [])
        if value:
            item[name].append(value)  # type: ignore[union-attr]
    elif value or name not in item:
        item[name] = value


def _one(item: Item, name: str) -> str:
    value = item.get(name) or ""
    return value.strip() if isinstance(value, str) else ""


def _prices(item: Item, row: int, source: str, problems: Problems,
            currency: str | None) -> tuple[Decimal | None, Decimal | None, str | None]:
    """(price to charge, price before the sale or None, the currency so far)."""
    price, currency = _amount(_one(item, "price"), "price", row, source, problems, currency,
                              required=True)
    sale, currency = _amount(_one(item, "sale_price"), "sale_price", row, source, problems,
                             currency)
    if price is not None and sale is not None and sale < price:
        return sale, price, currency
    return price, None, currency


def _amount(text: str, field: str, row: int, source: str, problems: Problems,
            currency: str | None, required: bool = False) -> tuple[Decimal | None, str | None]:
    if not text:
        if required:
            problems.add(source, row, f"missing {field}")
        return None, currency
    number, _, code = text.partition(" ")
    amount = parse_money(number)
    if amount is None or amount <= 0:
        problems.add(source, row, f"{field} {text!r} is not a price like 15.00 USD")
        return None, currency
    code = code.strip().upper()
    if not code:
        problems.add(source, row, f"{field} {text!r} does not say its currency (15.00 USD)")
        return None, currency
    if currency is not None and code != currency:
        problems.add(source, row, f"{field} {text!r} is in {code}, not the shop's {currency}")
        return None, currency
    return amount, currency or code


def _product(sku: str, offers: list[_Offer], source: str,
             problems: Problems) -> ImportedProduct | None:
    first = offers[0]
    if not check_sku(sku, problems, source, first.row):
        return None
    if any(o.price is None for o in offers):
        return None  # its price problem is listed already
    title = _one(first.fields, "title")
    if not title:
        problems.add(source, first.row, f"item {sku!r} has no title")
        return None
    cheapest = min(offers, key=lambda o: o.price)
    description = _one(first.fields, "description")
    if "<" in description:
        description = html_to_text(description)
    images = unique(link for o in offers for link in
                    [_one(o.fields, "image_link"), *o.fields.get("additional_image_link", [])])
    return ImportedProduct(
        sku=sku, row=first.row, name=title, brand=_one(first.fields, "brand") or None,
        category=_category(first.fields), description=description or None,
        colours=unique(c for o in offers for c in _one(o.fields, "color").split("/")),
        sizes=unique(_one(o.fields, "size") for o in offers), images=images,
        in_stock=any(_one(o.fields, "availability").lower() not in OUT_OF_STOCK
                     for o in offers),
        attributes=_attributes(offers), price=cheapest.price, compare_at_price=cheapest.regular,
    )


def _category(item: Item) -> tuple[str, ...] | None:
    for field in ("product_type", "google_product_category"):
        text = _one(item, field)
        if text and not text.isdigit():  # a bare number is Google's taxonomy id, not a name
            return tuple(p.strip() for p in text.split(">") if p.strip())
    return None


def _attributes(offers: list[_Offer]) -> dict[str, str]:
    attributes = {}
    for field, name in (("gtin", "GTIN"), ("mpn", "MPN"), ("condition", "Condition")):
        values = unique(_one(o.fields, field) for o in offers)
        if values:
            attributes[name] = ", ".join(values) if field == "condition" else values[0]
    return attributes
