"""Where a product lives on the site: its HTML id and its own page, derived from its SKU.

The catalog's checks and the render both use these, so two SKUs that would share a page
(`NW-1001`, `NW.1001`, `nw_1001`) are refused by the catalog before anything is written.
"""

from __future__ import annotations

import re

_NOT_ID = re.compile(r"[^a-z0-9]+")


def anchor_for(sku: str) -> str:
    """The HTML id of a product (letters, digits and dashes only): `NW.1001` → `p-nw-1001`.

    Lower case and dashes only, because the page is also a file name on case-insensitive
    disks and an id in CSS selectors; existing shops keep their addresses.
    """
    return "p-" + _NOT_ID.sub("-", sku.lower()).strip("-")


def product_page(sku: str) -> str:
    """The product's own page, relative to the site root: `p/p-nw-1001.html`."""
    return f"p/{anchor_for(sku)}.html"
