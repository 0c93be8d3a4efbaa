"""`shopgen export sheet|merchant`: the catalog written as a spreadsheet or a Merchant feed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from shopgen.atomic_files import atomic_write
from shopgen.catalog import Catalog, load_catalog
from shopgen.feeds.merchant import FEED_NAME, built_image_urls, merchant_feed
from shopgen.importers.shop_folder import resolve_site

DEFAULT_OUT = {"sheet": Path("catalog.csv"), "merchant": Path(FEED_NAME)}


def export_catalog(kind: str, site: Path, out: Path | None,
                   echo: Callable[..., None] = click.echo) -> Path:
    """Write the shop's catalog as `kind` (sheet: .csv or .xlsx by the name; merchant: XML)."""
    catalog = load_catalog(resolve_site(site))
    out = Path(out or DEFAULT_OUT[kind])
    if kind == "sheet":
        from shopgen.importers.sheet import write_sheet

        count = write_sheet(catalog, out)
    else:
        content = merchant_feed(catalog, published_image_urls(catalog, resolve_site(site)))
        with atomic_write(out) as handle:
            handle.write(content)
        count = len(catalog.products)
    echo(f"Wrote {count} products to {out}.")
    return out


def published_image_urls(catalog: Catalog, site: Path) -> Callable[[str], str]:
    """Image name → the absolute URL its card-size picture has once built and published
    (the build's names are content hashes, computed here as the build does, cached)."""
    from shopgen.build.images import process_images
    from shopgen.build.pipeline import cache_root

    names = [name for product in catalog.products for name in product.images]
    with tempfile.TemporaryDirectory() as scratch:
        images = process_images(names, catalog.images_dir, Path(scratch),
                                cache_root(site) / "images-v1", echo=lambda *a, **k: None)
    return built_image_urls(catalog.shop.base_url, images)
