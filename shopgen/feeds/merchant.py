"""The catalog as a Google Merchant Center product feed (RSS 2.0 with the `g:` namespace).

One item per product: its SKU as `g:id`, its own page as the link, absolute image links, the
price with its currency (the regular price, and `g:sale_price` while a compare-at price makes
a promotion), availability, brand, condition (the `condition` attribute, else new), the
category path as `g:product_type`, colours (up to three, joined by "/", Google's way), the size
when the product has a single one (Google wants one item per size otherwise), and the GTIN and
MPN attributes when the catalog has them. The same catalog always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import babel.numbers
from lxml import etree

from shopgen.build.images import ImageSet
from shopgen.build.render import anchor_for, image_view
from shopgen.catalog import Catalog, Product

G = "http://base.google.com/ns/1.0"
FEED_NAME = "merchant.xml"
MAX_ADDITIONAL_IMAGES = 10  # Google reads at most this many additional_image_link


def built_image_urls(base_url: str, images: dict[str, ImageSet]) -> Callable[[str], str]:
    """Image name → the absolute URL of its card-size picture in the built site."""
    return lambda name: base_url + image_view(images[name], "").src


def merchant_feed(catalog: Catalog, image_url: Callable[[str], str]) -> bytes:
    """The feed's XML; `image_url` gives the absolute URL of a catalog image name."""
    shop = catalog.shop
    rss = etree.Element("rss", nsmap={"g": G}, version="2.0")
    channel = etree.SubElement(rss, "channel")
    _text(channel, "title", shop.name)
    _text(channel, "link", shop.base_url)
    _text(channel, "description", f"Products of {shop.name}")
    digits = babel.numbers.get_currency_precision(shop.currency)
    for product in catalog.products:
        _item(etree.SubElement(channel, "item"), catalog, product, image_url, digits)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _item(item: etree._Element, catalog: Catalog, p: Product,
          image_url: Callable[[str], str], digits: int) -> None:
    shop = catalog.shop
    money = lambda amount: f"{amount:.{digits}f} {shop.currency}"  # noqa: E731
    _g(item, "id", p.sku)
    _g(item, "title", p.name[:150])
    _g(item, "description", p.description[:5000])
    _g(item, "link", f"{shop.base_url}p/{anchor_for(p.sku)}.html")
    if p.images:
        _g(item, "image_link", image_url(p.images[0]))
    for name in p.images[1:1 + MAX_ADDITIONAL_IMAGES]:
        _g(item, "additional_image_link", image_url(name))
    _g(item, "availability", "in_stock" if p.in_stock else "out_of_stock")
    if p.price.compare_at is not None:
        _g(item, "price", money(p.price.compare_at))
        _g(item, "sale_price", money(p.price.amount))
    else:
        _g(item, "price", money(p.price.amount))
    _g(item, "brand", catalog.brand[p.brand].name)
    _g(item, "condition", _attribute(p, "condition") or "new")
    _g(item, "product_type", " > ".join(c.name for c in catalog.category_path(p.category)))
    if p.colours:
        _g(item, "color", "/".join(p.colours[:3]))
    if len(p.sizes) == 1:
        _g(item, "size", p.sizes[0])
    for field in ("gtin", "mpn"):
        value = _attribute(p, field)
        if value:
            _g(item, field, value)


def _attribute(p: Product, ident: str) -> str | None:
    value = p.attributes.get(ident)
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _text(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _g(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, f"{{{G}}}{tag}").text = text
