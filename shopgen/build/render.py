"""Render the page (Jinja2, autoescaped): index.html, 404.html, sitemap.xml and robots.txt."""

from __future__ import annotations

import hashlib
import json
import math
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path

import babel
import babel.numbers
import jinja2

from shopgen import __version__
from shopgen.build.browser_data import Facet
from shopgen.build.images import ImageSet
from shopgen.catalog import Catalog, Product
from shopgen.catalog.page_address import anchor_for, product_page
from shopgen.errors import ShopgenError

SORT_OPTIONS = [("relevance", "Relevance"), ("price-asc", "Price: low to high"),
                ("price-desc", "Price: high to low"), ("name", "Name: A–Z"),
                ("newest", "Newest")]
CARD_WIDTH = 640
# Products on the shop page and on each numbered page (page/2/, …). The page's script shows
# the same number per "Show more" (templates/js/view.js PAGE): keep the two equal.
LIST_PAGE = 48


@dataclass(frozen=True)
class ShopView:
    name: str
    currency: str
    locale: str
    phone: str
    phone_href: str
    hours: str
    base_url: str
    tracker_endpoint: str
    description: str


@dataclass(frozen=True)
class ImageView:
    src: str
    srcset_webp: str
    srcset_jpeg: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class ProductView:
    sku: str
    anchor: str
    position: int
    name: str
    brand_id: str
    brand_name: str
    category_id: str
    category_path: list[str]
    description: str
    colours: list[str]
    sizes: list[str]
    in_stock: bool
    added: str
    price_text: str
    was_text: str | None
    image: ImageView | None
    images: list[ImageView]
    url: str  # the product's own page, relative to the site root ("p/p-nw-1001.html")
    attributes: list[tuple[str, str]]  # (attribute name, value with its unit), catalog order


@dataclass(frozen=True)
class Assets:
    css: str
    js: str
    data: str
    index: str  # the search index's meta file (its shards and dictionary are named inside it)
    search: str = ""  # the search engine's module, which the page starts as a Worker
    index_shards: tuple[str, ...] = ()  # the shards by term, fetched a few per search
    index_terms: str = ""  # every term, fetched only for typos
    js_imports: tuple[str, ...] = ()  # the page script's chunks, preloaded beside it


class MoneyFormat:
    """Formats amounts in the shop's currency and locale (CLDR, as the browser's Intl does)."""

    def __init__(self, currency: str, locale: str):
        self.currency = currency
        self.locale = babel.Locale.parse(locale, sep="-" if "-" in locale else "_")
        self._done: dict[str, str] = {}  # babel takes ~0.1 ms an amount; shops repeat prices

    def __call__(self, amount: Decimal) -> str:
        key = str(amount)  # not the Decimal: 10.0 and 10.00 are equal but written apart
        text = self._done.get(key)
        if text is None:
            text = self._done[key] = babel.numbers.format_currency(amount, self.currency,
                                                                    locale=self.locale)
        return text


def shop_view(catalog: Catalog) -> ShopView:
    shop = catalog.shop
    digits = re.sub(r"[^0-9+]", "", shop.phone)
    description = (f"{shop.name}: {len(catalog.products)} products. Find yours, then call "
                   f"{shop.phone} to order.")
    return ShopView(shop.name, shop.currency, shop.locale, shop.phone, f"tel:{digits}",
                    shop.hours, shop.base_url, shop.tracker_endpoint, description)


def image_view(image_set: ImageSet, alt: str) -> ImageView:
    card = image_set.closest(CARD_WIDTH)
    return ImageView(
        src=f"images/{card.jpeg}",
        srcset_webp=", ".join(f"images/{v.webp} {v.width}w" for v in image_set.variants),
        srcset_jpeg=", ".join(f"images/{v.jpeg} {v.width}w" for v in image_set.variants),
        width=card.width, height=card.height, alt=alt)


def product_view(catalog: Catalog, product: Product, position: int,
                 images: dict[str, ImageSet], money: MoneyFormat) -> ProductView:
    views = [image_view(images[name], product.name if i == 0 else f"{product.name}, view {i + 1}")
             for i, name in enumerate(product.images)]
    compare_at = product.price.compare_at
    return ProductView(
        sku=product.sku, anchor=anchor_for(product.sku), position=position, name=product.name,
        brand_id=product.brand, brand_name=catalog.brand[product.brand].name,
        category_id=product.category,
        category_path=[c.name for c in catalog.category_path(product.category)],
        description=product.description, colours=list(product.colours),
        sizes=list(product.sizes), in_stock=product.in_stock, added=product.added.isoformat(),
        price_text=money(product.price.amount),
        was_text=money(compare_at) if compare_at is not None else None,
        image=views[0] if views else None, images=views,
        url=product_page(product.sku),
        attributes=[(a.name, _with_unit(product.attributes[a.id], a.unit))
                    for a in catalog.attributes if a.id in product.attributes])


def _with_unit(value: object, unit: str | None) -> str:
    return f"{value} {unit}" if unit else str(value)


def json_ld(catalog: Catalog, views: list[ProductView]) -> str:
    """schema.org ItemList of the products a page lists: each item points at its page."""
    base = catalog.shop.base_url
    items = [{"@type": "ListItem", "position": view.position + 1, "url": base + view.url}
             for view in views]
    return _script_safe({"@context": "https://schema.org", "@type": "ItemList",
                         "name": catalog.shop.name, "numberOfItems": len(items),
                         "itemListElement": items})


def product_json_ld(catalog: Catalog, product: Product, view: ProductView) -> str:
    """schema.org Product (with its Offer) for a product's own page."""
    shop = catalog.shop
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name,
        "sku": product.sku, "description": product.description,
        "brand": {"@type": "Brand", "name": view.brand_name},
        "url": shop.base_url + view.url,
        "offers": {"@type": "Offer", "price": str(product.price.amount),
                   "priceCurrency": shop.currency,
                   "availability": "https://schema.org/" + (
                       "InStock" if product.in_stock else "OutOfStock")},
    }
    if view.image:
        data["image"] = shop.base_url + view.image.src
    return _script_safe(data)


def _script_safe(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "</script>" or "<!--" in catalog text must not end or change the script element.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def make_environment(theme: Path) -> jinja2.Environment:
    """Jinja2 over the theme folder: autoescape on, undefined names are errors. A build
    makes its own environment, so templates are read once (no check of their files' times
    at each of thousands of pages)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme), autoescape=True, auto_reload=False,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_template(env: jinja2.Environment, name: str, **context: object) -> str:
    """Render one template (compiled once per environment); errors name the file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise ShopgenError(f"{error.filename or name}:{error.lineno}: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise ShopgenError(f"theme template {error.name!r} is missing") from None
    except Exception as error:  # runtime errors inside the template: find its line
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename.endswith((".j2", ".html"))]
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else name
        raise ShopgenError(f"{where}: {type(error).__name__}: {error}") from None


class Views:
    """Each product's view (product_view), made when a page first asks for it: a page taken
    from an earlier build needs none."""

    def __init__(self, catalog: Catalog, images: dict[str, ImageSet]):
        self.catalog = catalog
        self.images = images
        self.money = MoneyFormat(catalog.shop.currency, catalog.shop.locale)
        self.done: dict[int, ProductView] = {}

    def __call__(self, position: int) -> ProductView:
        view = self.done.get(position)
        if view is None:
            view = self.done[position] = product_view(
                self.catalog, self.catalog.products[position], position, self.images, self.money)
        return view


def render_site(catalog: Catalog, images: dict[str, ImageSet], facets: list[Facet],
                assets: Assets, theme: Path) -> dict[str, bytes]:
    """The shop-wide pages, by output path: the shop page (the first products), 404, sitemap
    and robots.txt; the numbered pages that list the rest are `render_numbered_pages`'s."""
    env = make_environment(theme)
    view = Views(catalog, images)
    views = [view(p) for p in range(min(LIST_PAGE, len(catalog.products)))]
    prices = [p.price.amount for p in catalog.products]
    shop = shop_view(catalog)
    page = render_template(
        env, "page.html.j2", shop=shop, products=views, total=len(catalog.products),
        page_count=page_count(catalog), facets=facets,
        price_min=math.floor(min(prices)), price_max=math.ceil(max(prices)),
        sort_options=SORT_OPTIONS, assets=assets, json_ld=json_ld(catalog, views),
        canonical_url=shop.base_url)
    not_found = render_template(env, "404.html.j2", shop=shop, assets=assets)
    return {
        "index.html": page.encode("utf-8"),
        "404.html": not_found.encode("utf-8"),
        "sitemap.xml": sitemap(catalog).encode("utf-8"),
        "robots.txt": f"User-agent: *\nAllow: /\nSitemap: {shop.base_url}sitemap.xml\n".encode(),
    }


def page_count(catalog: Catalog) -> int:
    """How many list pages the products fill: the shop page and the numbered ones."""
    return -(-len(catalog.products) // LIST_PAGE)


class PageKeys:
    """A digest of what each product page and numbered page is rendered from, made without
    rendering it or making its products' views: the templates and the code, the shop, the
    assets the page links, and each product as the catalog holds it, with its position, its
    brand, its category path and its pictures. A page whose key is the one an earlier build
    recorded for it is that page, byte for byte."""

    def __init__(self, catalog: Catalog, images: dict[str, ImageSet], assets: Assets,
                 theme: Path):
        self.catalog = catalog
        shared = (_templates_digest(theme), babel.__version__, shop_view(catalog),
                  page_assets(assets), catalog.attributes)
        self.shared = hashlib.sha256(repr(shared).encode()).hexdigest()
        self.done: dict[int, str] = {}
        # (each brand, category path and picture written once: thousands of products share them)
        self.brands = _Reprs(lambda brand: catalog.brand[brand])
        self.paths = _Reprs(catalog.category_path)
        self.pictures = _Reprs(images.__getitem__)

    def product(self, position: int) -> str:
        key = self.done.get(position)
        if key is None:
            product = self.catalog.products[position]
            inputs = "\n".join([self.shared, str(position), repr(product),
                                self.brands[product.brand], self.paths[product.category],
                                *map(self.pictures.__getitem__, product.images)])
            key = self.done[position] = hashlib.sha256(inputs.encode()).hexdigest()
        return key

    def numbered(self, number: int, listed: range) -> str:
        inputs = (self.shared, number, page_count(self.catalog),
                  [self.product(position) for position in listed])
        return hashlib.sha256(repr(inputs).encode()).hexdigest()


class _Reprs(dict):
    """key → repr(look_up(key)), each written once."""

    def __init__(self, look_up: Callable[[str], object]):
        super().__init__()
        self.look_up = look_up

    def __missing__(self, key: str) -> str:
        text = self[key] = repr(self.look_up(key))
        return text


def page_assets(assets: Assets) -> Assets:
    """The assets a product or numbered page links: the stylesheet and the script only (the
    data and index names change with any product, and would change every page with them)."""
    return Assets(css=assets.css, js=assets.js, data="", index="", js_imports=assets.js_imports)


# Takes the page at a path from an earlier build when `key` is the key it was made with (True),
# else False: render it (the build's record and folder: pipeline.py).
Reuse = Callable[[str, str], bool]
Pages = Iterator[tuple[str, str, bytes | None]]


def render_numbered_pages(catalog: Catalog, views: Views, keys: PageKeys, assets: Assets,
                          theme: Path, positions: range, reuse: Reuse | None = None) -> Pages:
    """The numbered pages (page/2/index.html, …) that list the products at `positions`
    (from a multiple of LIST_PAGE; the shop page itself lists the first LIST_PAGE), as
    (output path, key, bytes); a page that `reuse` takes from an earlier build is not
    rendered again: its bytes are None."""
    env = make_environment(theme)
    shop = shop_view(catalog)
    assets = page_assets(assets)
    for start in range(positions.start, positions.stop, LIST_PAGE):
        number = start // LIST_PAGE + 1
        if number == 1:
            continue
        listed = range(start, min(start + LIST_PAGE, positions.stop))
        path, key = f"page/{number}/index.html", keys.numbered(number, listed)
        if reuse is not None and reuse(path, key):
            yield path, key, None
            continue
        yield path, key, render_template(
            env, "list.html.j2", shop=shop, products=[views(p) for p in listed],
            number=number, page_count=page_count(catalog), assets=assets,
            canonical_url=f"{shop.base_url}page/{number}/").encode("utf-8")


def render_product_pages(catalog: Catalog, views: Views, keys: PageKeys, assets: Assets,
                         theme: Path, positions: range, reuse: Reuse | None = None) -> Pages:
    """The own page (p/<anchor>.html) of each product at `positions`, as (output path, key,
    bytes), one at a time (100,000 pages need not all be in memory); a page that `reuse`
    takes from an earlier build is not rendered again: its bytes are None.

    A product page shows its details without JavaScript, and is what the shop page's details
    dialog fetches when it opens, so the shop page itself stays light.
    """
    env = make_environment(theme)
    shop = shop_view(catalog)
    assets = page_assets(assets)
    for position in positions:
        product = catalog.products[position]
        path, key = product_page(product.sku), keys.product(position)
        if reuse is not None and reuse(path, key):
            yield path, key, None
            continue
        view = views(position)
        yield path, key, render_template(
            env, "product.html.j2", shop=shop, product=view, assets=assets,
            json_ld=product_json_ld(catalog, product, view),
            canonical_url=shop.base_url + view.url).encode("utf-8")


def _templates_digest(theme: Path) -> str:
    """A digest of the theme's templates and of the code that renders them (this file, which
    makes the pages' views and keys)."""
    digest = hashlib.sha256(f"{__version__}|{jinja2.__version__}".encode())
    digest.update(Path(__file__).read_bytes())
    for path in sorted(theme.rglob("*.j2")):
        digest.update(f"{path.relative_to(theme)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sitemap(catalog: Catalog) -> str:
    """The shop page (last modified when the newest product was added) and each product page."""
    base = catalog.shop.base_url
    newest = max(p.added for p in catalog.products).isoformat()
    urls = [f"  <url><loc>{escape(base, quote=False)}</loc><lastmod>{newest}</lastmod></url>\n"]
    urls += [f"  <url><loc>{escape(base + product_page(p.sku), quote=False)}</loc>"
             f"<lastmod>{p.added.isoformat()}</lastmod></url>\n" for p in catalog.products]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(urls) + "</urlset>\n")
