"""The cards the page's script renders, a few products a file, fetched when a card is shown.

The shop page's HTML holds the first products' cards; the script makes any other card from
its row in a card file (name, brand, price, stock, picture), so a search's first results cost
a few hundred bytes each, wherever they are in the catalog, and nothing waits for the
catalog's columns (browser_data.py).

The products' cards are cut by catalog position into files of CARDS_PER_FILE
(`cards/<digest>/<n>.json` holds positions 16n to 16n+15): a file per product would make
a build create thousands of files, and file creation is most of what a filesystem charges.
The folder is named by the digest of every card, so the files can be cached for ever and a
page of an earlier build (its data names its own folder) still finds its own cards while
`shopgen publish` keeps superseded files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from shopgen.build.browser_data import minor_units
from shopgen.build.images import ImageSet
from shopgen.build.render import image_view
from shopgen.catalog import Catalog, Product

CARDS_FOLDER = "cards/"
CARDS_PER_FILE = 16
_PREFIX = "images/"


@dataclass(frozen=True)
class CardFiles:
    folder: str  # "cards/<digest>/", relative to the site root
    files: dict[str, bytes]  # path → content, in position order
    per_file: int

    def starting_in(self, positions: range) -> dict[str, bytes]:
        """The files whose first card is at one of `positions`: runs that cut the catalog's
        positions cut its card files too, each file going with the run of its first card."""
        numbers = range(-(-positions.start // self.per_file), -(-positions.stop // self.per_file))
        return {f"{self.folder}{n}.json": self.files[f"{self.folder}{n}.json"] for n in numbers}


def card_files(catalog: Catalog, pictures: list[list | None],
               per_file: int = CARDS_PER_FILE) -> CardFiles:
    """Every product's card, `per_file` a file (`pictures`: picture_rows).

    A card file is a JSON list of cards; a card is [name, brand id, price, was (0: none),
    in stock (1/0), picture or 0], money in minor units; a picture is [src, WebP srcset,
    width, height], its paths relative to images/ (the same files and sizes as the build's
    own cards: render.image_view).
    """
    currency = catalog.shop.currency
    rows = []
    for product, picture in zip(catalog.products, pictures, strict=True):
        compare_at = product.price.compare_at
        rows.append(json.dumps([product.name, product.brand,
                                minor_units(product.price.amount, currency),
                                0 if compare_at is None else minor_units(compare_at, currency),
                                int(product.in_stock), picture or 0],
                               ensure_ascii=False, separators=(",", ":")))
    contents = [f"[{','.join(rows[start:start + per_file])}]".encode()
                for start in range(0, len(rows), per_file)]
    digest = hashlib.sha256(b"\n".join(contents)).hexdigest()[:10]
    folder = f"{CARDS_FOLDER}{digest}/"
    return CardFiles(folder, {f"{folder}{n}.json": content
                              for n, content in enumerate(contents)}, per_file)


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
