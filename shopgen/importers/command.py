"""`shopgen import shopify|sheet|merchant FILE`: read the file, fetch its pictures, merge it
into the shop folder by SKU in one all-or-nothing write, and say what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import babel.numbers
import click

from shopgen.errors import ShopgenError
from shopgen.importers.images import TIMEOUT, gather_images
from shopgen.importers.merge import ImportSummary, plan_merge
from shopgen.importers.model import ImportedCatalog
from shopgen.importers.product_index import INDEX, write_index
from shopgen.importers.shop_folder import new_shop_yaml, read_shop_folder, resolve_site
from shopgen.importers.transaction import apply_changes, recover_interrupted_import

Echo = Callable[..., None]
SHOWN = 20  # products listed by name in the summary, at most


def read_source(kind: str, path: Path, currency: str | None = None) -> ImportedCatalog:
    """The file read by the importer of `kind` (shopify, sheet or merchant); `currency` is
    the one its prices must be in, when the file says it."""
    if not Path(path).is_file():
        raise ShopgenError(f"{path}: no such file")
    if kind == "shopify":
        from shopgen.importers.shopify import read_shopify

        return read_shopify(path)
    if kind == "sheet":
        from shopgen.importers.sheet import read_sheet

        return read_sheet(path)
    from shopgen.importers.merchant import read_merchant

    return read_merchant(path, currency)


def import_catalog(kind: str, path: Path, site: Path, *, prune: bool = False,
                   name: str | None = None, currency: str | None = None,
                   today: dt.date | None = None, echo: Echo = click.echo,
                   image_timeout: float = TIMEOUT, show_progress: bool = True) -> ImportSummary:
    """Import `path` into the shop folder `site`; nothing is written when anything is wrong."""
    site = resolve_site(site)
    if site.exists() and recover_interrupted_import(site):
        echo("An interrupted import was rolled back first.", err=True)
    shop = read_shop_folder(site)
    imported = read_source(kind, Path(path), shop.currency or (currency or "").upper() or None)
    shop_currency = _currency(shop.currency, currency, imported)
    from shopgen.build.pipeline import cache_root

    images = gather_images(imported.products, site,
                           Path(imported.images_base) if imported.images_base else None,
                           cache_root(site) / "downloads", timeout=image_timeout,
                           show_progress=show_progress)
    changes, summary = plan_merge(shop, imported, images, shop_currency,
                                  today or dt.date.today(), prune)
    if not shop.exists:
        shop_name = name or _title(site)
        changes.writes["shop.yaml"] = new_shop_yaml(shop_name, shop_currency,
                                                    imported.base_url).encode()
        summary.files_written += 1
    site.mkdir(parents=True, exist_ok=True)
    apply_changes(site, changes)
    if changes or not (site / INDEX).exists():
        write_index(site, summary.product_fields)
    _report(summary, images.downloaded, prune, echo)
    return summary


def _currency(shop: str | None, option: str | None, imported: ImportedCatalog) -> str:
    """The shop's currency; the file's and --currency must agree with it."""
    if option is not None:
        option = option.upper()
        if option not in babel.numbers.list_currencies():
            raise ShopgenError(f"--currency {option!r} is not an ISO 4217 code like EUR")
    for given, what in ((option, "--currency"), (imported.currency, imported.source)):
        if shop and given and given != shop:
            raise ShopgenError(f"{what} says {given} but the shop's currency is {shop}")
    if option and imported.currency and option != imported.currency:
        raise ShopgenError(f"{imported.source} is in {imported.currency}, not {option}")
    chosen = shop or option or imported.currency
    if chosen is None:
        raise ShopgenError(f"{imported.source} does not say its currency: give --currency "
                           "(an ISO 4217 code like EUR) for a new shop")
    return chosen


def _title(site: Path) -> str:
    words = site.resolve().name.replace("-", " ").replace("_", " ").strip()
    return words.title() or "My Shop"


def _report(summary: ImportSummary, downloaded: int, prune: bool, echo: Echo) -> None:
    for warning in summary.warnings:
        echo(click.style(f"Warning: {warning}", fg="yellow"), err=True)
    if summary.absent and not prune:
        shown = ", ".join(summary.absent[:SHOWN]) + (" …" if len(summary.absent) > SHOWN else "")
        echo(f"{len(summary.absent)} product(s) of the shop are not in the file and were kept "
             f"(--prune removes them): {shown}")
    if summary.pruned_images:
        echo(f"Removed {len(summary.pruned_images)} picture(s) that only pruned products used.")
    if downloaded:
        echo(f"Downloaded {downloaded} image(s).")
    echo(f"Imported: {summary.line()}; {summary.files_written} file(s) written.")
