"""The pictures of the cards the page's script renders, in files of a few hundred products.

The shop page's HTML holds the first products' cards; the script renders any other card from
the data file (name, brand, price, stock) and takes its picture from here. The pictures'
file names are content hashes, which do not compress, so they are split by catalog position
and a file is fetched only when a card of its range is shown.
"""

from __future__ import annotations

import json

from shopgen.build.images import ImageSet
from shopgen.build.render import image_view
from shopgen.catalog import Catalog

CARDS_PER_FILE = 256
_PREFIX = "images/"


def card_picture_files(catalog: Catalog, images: dict[str, ImageSet]) -> list[bytes]:
    """One JSON file per CARDS_PER_FILE products: each product's card picture or 0.

    A picture is [src, WebP srcset, width, height], its paths relative to images/ (the same
    files and sizes as the build's own cards: render.image_view).
    """
    rows: list[object] = []
    for product in catalog.products:
        if not product.images:
            rows.append(0)
            continue
        view = image_view(images[product.images[0]], product.name)
        rows.append([view.src.removeprefix(_PREFIX), view.srcset_webp.replace(_PREFIX, ""),
                     view.width, view.height])
    return [json.dumps(rows[start:start + CARDS_PER_FILE], separators=(",", ":")).encode()
            for start in range(0, len(rows), CARDS_PER_FILE)]
