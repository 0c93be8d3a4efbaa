"""The cards the page's script renders: one small file per product, fetched when its card is shown.

The shop page's HTML holds the first products' cards; the script makes any other card from
its file (`cards/<anchor>.json`: name, brand, price, stock, picture), so a search's first
results cost a few hundred bytes each, wherever they are in the catalog, and nothing waits
for the catalog's columns (browser_data.py). Files are named by the product's anchor, as its
page is (p/<anchor>.html), so a page of one build still finds its products' cards in the next.
"""

from __future__ import annotations

import json

from shopgen.build.browser_data import minor_units
from shopgen.build.images import ImageSet
from shopgen.build.render import image_view
from shopgen.catalog import Catalog, Product
from shopgen.catalog.page_address import anchor_for

CARDS_FOLDER = "cards/"
_PREFIX = "images/"


def card_path(sku: str) -> str:
    """A product's card file, relative to the site root: `cards/p-nw-1001.json`."""
    return f"{CARDS_FOLDER}{anchor_for(sku)}.json"


def card_files(catalog: Catalog, pictures: list[list | None],
               positions: range | None = None) -> dict[str, bytes]:
    """path → content of the card file of each product (at `positions`: all by default;
    `pictures`: picture_rows).

    A card is [name, brand id, price, was (0: none), in stock (1/0), picture or 0], money in
    minor units; a picture is [src, WebP srcset, width, height], its paths relative to images/
    (the same files and sizes as the build's own cards: render.image_view).
    """
    currency = catalog.shop.currency
    files = {}
    for position in range(len(catalog.products)) if positions is None else positions:
        product, picture = catalog.products[position], pictures[position]
        compare_at = product.price.compare_at
        card = [product.name, product.brand, minor_units(product.price.amount, currency),
                0 if compare_at is None else minor_units(compare_at, currency),
                int(product.in_stock), picture or 0]
        files[card_path(product.sku)] = json.dumps(card, ensure_ascii=False,
                                                   separators=(",", ":")).encode("utf-8")
    return files


def picture_rows(catalog: Catalog, images: dict[str, ImageSet]) -> list[list | None]:
    """Each product's card picture (picture_row), in catalog order: what the card files and
    the columns' picture table both carry."""
    return [picture_row(product, images) for product in catalog.products]


def picture_row(product: Product, images: dict[str, ImageSet]) -> list | None:
    """The card's picture [src, WebP srcset, width, height] (paths relative to images/), or
    None for a product without one."""
    if not product.images:
        return None
    view = image_view(images[product.images[0]], product.name)
    return [view.src.removeprefix(_PREFIX), view.srcset_webp.replace(_PREFIX, ""),
            view.width, view.height]


def picture_column(pictures: list[list | None]) -> dict:
    """Every product's card picture for the columns file, so a card made once the columns are
    in needs no request of its own: the distinct pictures (`table`, in first-use order) and
    each product's position in it (`of`, -1: none). Products often share a picture's sizes
    but not its name, so the table is as long as the pictures shown."""
    table: list[list] = []
    seen: dict[str, int] = {}
    of = []
    for row in pictures:
        if row is None:
            of.append(-1)
            continue
        key = json.dumps(row)
        if key not in seen:
            seen[key] = len(table)
            table.append(row)
        of.append(seen[key])
    return {"table": table, "of": of}
